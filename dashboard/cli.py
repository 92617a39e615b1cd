"""The ``guiyang-ops`` command. Every subcommand honours DATABASE_URL and the GUIYANG_* settings."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from dashboard.commands import setup as s
from dashboard.settings import Settings, get_settings
from db.calendar_repo import set_working_periods
from db.errors import DomainError
from db.models.people import STAFF_ROLES

Handler = Callable[[Settings, argparse.Namespace], int]


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    host = args.host or settings.host
    port = args.port or settings.port
    s.print_demo_logins(f"http://{host}:{port}") if settings.demo_mode else None
    uvicorn.run(
        "dashboard.asgi:make_server",
        factory=True,
        host=host,
        port=port,
        workers=None if args.debug else settings.workers,
        reload=args.debug,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=5,
        proxy_headers=False,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="guiyang-ops", description="贵阳城市管理一张图 guiyang-ops")
    sub = p.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="the project's own PostgreSQL cluster under var/pg")
    db.add_argument("action", choices=["up", "down", "status", "url"])
    db.set_defaults(func=s.cmd_db)

    m = sub.add_parser("migrate", help="apply database migrations")
    m.add_argument("--revision", default="head")
    m.set_defaults(func=s.cmd_migrate)

    lr = sub.add_parser(
        "load-reference", help="load districts, grid, catalog, departments, holidays if empty"
    )
    lr.add_argument("--demo", action="store_true", help="also demo service points and 最美贵阳 posts")
    lr.set_defaults(func=s.cmd_load_reference)

    il = sub.add_parser(
        "import-layer", help="replace districts or grid cells from GeoJSON/Shapefile/GeoPackage"
    )
    il.add_argument("--kind", choices=["districts", "grid"], required=True)
    il.add_argument("file")
    il.set_defaults(func=s.cmd_import_layer)

    st = sub.add_parser("setup", help="cluster + migrations + reference data (+ demo accounts)")
    st.add_argument("--demo", action="store_true")
    st.add_argument("--database", default=None, help="database name (default: the configured one)")
    st.set_defaults(func=s.cmd_setup)

    sv = sub.add_parser("serve", help="serve the app with uvicorn (Dash on FastAPI)")
    sv.add_argument("--host", default=None)
    sv.add_argument("--port", type=int, default=None)
    sv.add_argument("--debug", action="store_true", help="development: auto-reload, Dash dev tools")
    sv.set_defaults(func=cmd_serve)

    u = sub.add_parser("user", help="staff accounts")
    usub = u.add_subparsers(dest="user_command", required=True)
    ua = usub.add_parser("add", help="add a staff user; the password is read from standard input")
    ua.add_argument("name")
    ua.add_argument("--role", required=True, choices=STAFF_ROLES)
    ua.add_argument("--district", default=None, help="GB/T 2260 code, required for officers")
    ua.add_argument("--department", default=None, help="department code, required for department staff")
    ua.add_argument("--display-name", default=None)
    ua.add_argument("--password-stdin", action="store_true", required=True)
    ua.set_defaults(func=s.cmd_user)
    un = usub.add_parser("unlock", help="end a sign-in lock and clear the failure count of a staff user")
    un.add_argument("name")
    un.set_defaults(func=s.cmd_user_unlock)
    rv = usub.add_parser("revoke", help="end every session of a staff user (all devices, at once)")
    rv.add_argument("name")
    rv.set_defaults(func=s.cmd_user_revoke)

    for register in EXTRA_COMMANDS:
        register(sub)
    return p


#: Other modules add their subcommands here (seed-demo, simulate, api-key, bench ...).
EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


def _load_extra_commands() -> None:
    import importlib
    import pkgutil

    import dashboard.commands as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"dashboard.commands.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None and register not in EXTRA_COMMANDS:
            EXTRA_COMMANDS.append(register)


def main(argv: list[str] | None = None) -> int:
    _load_extra_commands()
    args = build_parser().parse_args(argv)
    settings = get_settings()
    set_working_periods(settings.working_periods)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    func: Handler = args.func
    try:
        return func(settings, args)
    except DomainError as exc:
        logging.getLogger("guiyang_ops").info("refused: %s (%s)", exc.en, exc.detail)
        return s.handle_domain_error(exc, settings.default_lang)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
