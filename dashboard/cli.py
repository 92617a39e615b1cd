"""The ``guiyang-ops`` command. Every subcommand honours DATABASE_URL and the GUIYANG_* settings."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from pydantic import ValidationError as PydanticValidationError

from dashboard import cli_args as a
from dashboard.cli_args import OneLineParser
from dashboard.commands import setup as s
from dashboard.progress import fail
from dashboard.settings import Settings, get_settings
from db.cluster import ClusterError
from db.errors import DomainError
from db.models.people import STAFF_ROLES
from db.unavailable import is_unavailable, summary

Handler = Callable[[Settings, argparse.Namespace], int]


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from dashboard.database import database_url

    database_url(settings)  # the local cluster is started (the database made) here, not by building the app
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
    p = OneLineParser(prog="guiyang-ops", description="贵阳城市管理一张图 guiyang-ops")
    sub = p.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="the project's own PostgreSQL cluster under var/pg")
    db.add_argument("action", choices=["up", "down", "status", "url"])
    db.set_defaults(func=s.cmd_db)

    m = sub.add_parser("migrate", help="apply database migrations")
    m.add_argument("--revision", type=a.revision, default="head")
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
    il.add_argument("file", type=a.existing_file)
    il.set_defaults(func=s.cmd_import_layer)

    st = sub.add_parser("setup", help="cluster + migrations + reference data (+ demo accounts)")
    st.add_argument("--demo", action="store_true")
    st.add_argument(
        "--database", type=a.database_name, default=None, help="database name (default: the configured one)"
    )
    st.set_defaults(func=s.cmd_setup)

    sv = sub.add_parser("serve", help="serve the app with uvicorn (Dash on FastAPI)")
    sv.add_argument("--host", default=None)
    sv.add_argument("--port", type=a.port, default=None)
    sv.add_argument("--debug", action="store_true", help="development: auto-reload, Dash dev tools")
    sv.set_defaults(func=cmd_serve)

    u = sub.add_parser("user", help="staff accounts")
    usub = u.add_subparsers(dest="user_command", required=True)
    ua = usub.add_parser("add", help="add a staff user; the password is read from standard input")
    ua.add_argument("name")
    ua.add_argument("--role", required=True, choices=STAFF_ROLES)
    ua.add_argument("--district", type=a.adcode, default=None, help="GB/T 2260 code, required for officers")
    ua.add_argument(
        "--department", type=a.code, default=None, help="department code, required for department staff"
    )
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
    """Run one command. Every refusal is ONE line on stderr: bad arguments (exit 2), a refused value (2), an
    unreachable database or cluster (1), anything unexpected (1; its traceback with GUIYANG_LOG_LEVEL=DEBUG)."""
    _load_extra_commands()
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except PydanticValidationError as exc:
        errs = exc.errors()
        where = ".".join(str(x) for x in errs[0]["loc"]) if errs else "settings"
        fail(f"设置无效 / Invalid setting {where}: {errs[0]['msg'] if errs else exc}")
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("guiyang_ops")
    func: Handler = args.func
    try:
        return func(settings, args)
    except DomainError as exc:
        log.debug("refused: %s (%s)", exc.en, exc.detail)
        return s.handle_domain_error(exc, settings.default_lang)
    except KeyboardInterrupt:
        return 130
    except ClusterError as exc:
        fail(f"本地数据库集群不可用 / The local cluster is not available: {' '.join(str(exc).split())[:300]}")
        return 1
    except Exception as exc:  # noqa: BLE001 - one line for the user, the traceback for DEBUG
        log.debug("command failed", exc_info=exc)
        if is_unavailable(exc):
            fail(f"无法连接数据库 / Cannot reach the database: {summary(exc)}")
        else:
            fail(f"意外错误 / Unexpected error: {summary(exc)} (GUIYANG_LOG_LEVEL=DEBUG shows the traceback)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
