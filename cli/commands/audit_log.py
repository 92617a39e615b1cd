"""``guiyang-ops audit list`` (the audit viewer's rows in the shell, through :mod:`ops.audit_view`) and ``audit
purge [--dry-run]`` (deletes ``audit_log`` rows older than ``GUIYANG_AUDIT_KEEP_DAYS`` as the owner role, in one
transaction with a progress bar, and records the purge)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from itertools import islice

from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection

from cli.progress import ok, progress_bars
from dashboard.components.admin_audit import detail_text, kind_label, target_text, when
from dashboard.database import database_url
from dashboard.settings import Settings
from db.engine import make_engine
from geo.crs import TZ
from ops import audit_view

ACTOR = "guiyang-ops"


def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    flt = audit_view.parse_filter(args.user, args.kind, args.since, args.until)
    lang = settings.default_lang
    engine = make_engine(database_url(settings), pool_size=1)

    def read(fn: Callable[[Connection], audit_view.Page]) -> audit_view.Page:
        with engine.connect() as conn, conn.begin():
            return fn(conn)

    try:
        rows = list(
            islice(audit_view.iter_rows(read, flt, batch=min(args.limit, audit_view.MAX_PAGE)), args.limit)
        )
    finally:
        engine.dispose()
    if args.json:
        for r in rows:
            line = {
                "at": r.at.astimezone(TZ).isoformat(),
                "source": r.source,
                "kind": r.kind,
                "label": kind_label(r, lang),
                "user": r.username,
                "client": r.client,
                "ticket": r.ticket,
                "target": target_text(r, lang),
                "detail": r.detail if r.source == "audit" else detail_text(r, lang),
            }
            print(json.dumps(line, ensure_ascii=False), flush=True)
        return 0
    out = Console(highlight=False, soft_wrap=False)
    if not out.is_terminal:
        out = Console(highlight=False, width=200)
    if not rows:
        out.print("没有符合条件的记录。 Nothing matches: widen --user, --kind, --since or --until.")
        return 0
    table = Table(
        "时间 time", "类别 kind", "人员 user", "地址 client", "对象 target", "详情 detail", box=None
    )
    for r in rows:
        table.add_row(
            when(r),
            kind_label(r, lang),
            r.username or "",
            r.client or "",
            target_text(r, lang),
            detail_text(r, lang),
        )
    out.print(table)
    return 0


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    keep = audit_view.check_keep_days(settings.audit_keep_days)
    engine = make_engine(database_url(settings, role="owner"), pool_size=1)
    try:
        with progress_bars() as bar, engine.begin() as conn:

            def step(done: int, total: int) -> None:
                bar("删除 deleting", done, total)

            result = audit_view.purge(conn, keep, dry_run=args.dry_run, actor=ACTOR, progress=step)
    finally:
        engine.dispose()
    cutoff = result.before.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    kinds = ", ".join(f"{k} {n:,}" for k, n in sorted(result.by_kind.items())) or "-"
    if args.dry_run:
        ok(
            f"将删除 {result.rows:,} 条 {cutoff} 之前的审计记录 / would delete {result.rows:,} rows before {cutoff} ({kinds})"
        )
    else:
        ok(
            f"已删除 {result.rows:,} 条 {cutoff} 之前的审计记录 / deleted {result.rows:,} rows before {cutoff} ({kinds})"
        )
    return 0
