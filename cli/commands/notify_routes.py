"""``guiyang-ops notify route add|list|remove`` (routes as data, through :mod:`ops.notify.routes`, connecting as
the owner like the other admin commands) and ``guiyang-ops notify test URL`` (one test message, now, no database).
URLs are shown masked, always."""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any

from rich.console import Console
from rich.table import Table

from cli.progress import fail, ok
from dashboard.database import database_url
from dashboard.settings import Settings
from db.engine import make_engine
from geo.crs import TZ
from ops.notify.deliver import DeliveryError
from ops.notify.probe import send_test
from ops.notify.routes import CLI_ACTOR, Route, add_route, list_routes, remove_route
from ops.notify.secrets import mask_url

log = logging.getLogger("guiyang_ops.notify")
ACTOR = CLI_ACTOR


def _kinds(value: str | None) -> list[str] | None:
    return [k for k in value.split(",") if k.strip()] if value else None


def _as_json(r: Route) -> dict[str, Any]:
    return {
        "id": r.id,
        "department": r.department_code,
        "role": r.role,
        "target": r.target("zh"),
        "url": r.masked_url,
        "lang": r.lang,
        "kinds": list(r.kinds) if r.kinds else None,
        "label": r.label,
        "created_by": r.created_by,
        "created_at": r.created_at.astimezone(TZ).isoformat(),
    }


def _table(routes: list[Route]) -> None:
    out = Console(highlight=False, soft_wrap=False)
    if not out.is_terminal:
        out = Console(highlight=False, width=200)
    if not routes:
        out.print("还没有通知路由。 No notification routes yet: guiyang-ops notify route add --help")
        return
    table = Table(
        "id", "对象 target", "地址 URL", "lang", "类型 kinds", "备注 label", "创建 created", box=None
    )
    for r in routes:
        table.add_row(
            str(r.id),
            r.target("zh"),
            r.masked_url,
            r.lang,
            ",".join(r.kinds) if r.kinds else "全部 all",
            r.label or "",
            f"{r.created_at.astimezone(TZ):%Y-%m-%d %H:%M} {r.created_by or ''}".strip(),
        )
    out.print(table)


def cmd_route(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(database_url(settings, role="owner"), pool_size=1)
    try:
        with engine.begin() as conn:
            if args.route_command == "add":
                rid = add_route(
                    conn,
                    department=args.department,
                    role=args.role,
                    url=args.url,
                    lang=args.lang,
                    kinds=_kinds(args.kinds),
                    label=args.label,
                    actor=ACTOR,
                )
                target = args.department or f"role:{args.role}"
                ok(f"通知路由 #{rid} 已添加 / route {rid} added: {target} → {mask_url(args.url)}")
            elif args.route_command == "list":
                routes = list_routes(conn)
                if args.json:
                    print(json.dumps([_as_json(r) for r in routes], ensure_ascii=False, indent=2), flush=True)
                else:
                    _table(routes)
            else:
                gone = remove_route(conn, args.id, ACTOR)
                ok(
                    f"通知路由 #{gone.id} 已删除 / route {gone.id} removed ({gone.target('zh')} → {gone.masked_url})"
                )
    finally:
        engine.dispose()
    return 0


def cmd_test(settings: Settings, args: argparse.Namespace) -> int:
    masked = mask_url(args.url)
    try:
        send_test(args.url, lang=args.lang, timeout=args.timeout)
    except DeliveryError as exc:
        log.info("notify test to %s not delivered: %s", masked, exc)
        fail(f"未送达 / not delivered to {masked}: {exc}")
        return 1
    ok(f"测试消息已送达 / test message delivered to {masked}")
    return 0
