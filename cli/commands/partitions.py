"""``guiyang-ops db partitions status|ensure|retain`` (as the owner role): the history tables' monthly
partitions (:mod:`db.partitions`). ``ensure`` makes the months from ``--from`` to ``--to`` (default: this month to
``GUIYANG_HISTORY_AHEAD_MONTHS`` ahead); ``retain`` archives partitions older than ``GUIYANG_HISTORY_KEEP_MONTHS``
to ``GUIYANG_HISTORY_ARCHIVE_DIR`` and drops them, within the rules of :func:`db.partitions.retain`."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

import cli.commands.setup  # noqa: F401 - the db command's own handler, loaded before logging is set up (as main does)
from cli.progress import fail, ok, progress_bars
from cli.stopping import until_signal
from dashboard.database import database_url
from dashboard.settings import Settings
from db import partitions
from db.engine import make_engine
from geo.crs import TZ
from ops import retention


def cmd_partitions(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(database_url(settings, role="owner", ensure=False), pool_size=1)
    try:
        return {"status": _status, "ensure": _ensure, "retain": _retain}[args.partitions_action](
            settings, args, engine
        )
    finally:
        engine.dispose()


def _status(settings: Settings, args: argparse.Namespace, engine: Engine) -> int:
    with engine.connect() as conn:
        st = partitions.status(conn)
    if args.p_json:
        print(json.dumps(st, ensure_ascii=False))
        return 0
    table = Table(title="history partitions / 历史分区")
    # a table's name and the months whole, whatever the terminal's width (the headers may wrap)
    for col in ("table", "partitions", "first month", "last month", "rows (estimate)", "in default"):
        table.add_column(col, no_wrap=col in ("table", "first month", "last month"))
    for name, s in st.items():
        table.add_row(
            name,
            str(s["partitions"]),
            str(s["first"]),
            str(s["last"]),
            f"{s['rows_estimate']:,}",
            str(s["default_rows"]),
        )
    Console(highlight=False).print(table)
    return 0


def _ensure(settings: Settings, args: argparse.Namespace, engine: Engine) -> int:
    today = datetime.now(TZ).date()
    start = partitions.month_start(args.p_from or today)
    end = partitions.month_start(args.p_to or partitions.add_months(today, settings.history_ahead_months))
    if end < start:
        fail("--to 早于 --from / --to is before --from")
        return 2
    months = []
    m = start
    while m <= end:
        months.append(m)
        m = partitions.add_months(m, 1)
    made = 0
    with progress_bars() as update:
        for i, m in enumerate(months):
            with engine.begin() as conn:
                made += partitions.ensure(conn, m, m)
            update("ensure", i + 1, len(months))
    ok(f"已创建 {made} 个分区 / {made} partition(s) made, {start:%Y-%m} … {end:%Y-%m}")
    return 0


def _retain(settings: Settings, args: argparse.Namespace, engine: Engine) -> int:
    keep = settings.history_keep_months if args.keep_months is None else args.keep_months
    if keep <= 0:
        ok("保留全部历史 / keeping every month (GUIYANG_HISTORY_KEEP_MONTHS = 0)")
        return 0
    policy = retention.Policy(keep, settings.history_archive_dir, settings.audit_keep_days)
    if args.p_every is not None:
        every = args.p_every
        ok(
            f"每 {every:g} 小时归档一次，保留 {keep} 个月 / retention every {every:g} h, keeping {keep} month(s)"
        )
        with until_signal() as should_stop:
            done = retention.run_forever(
                engine, policy, every * 3600, should_stop, lambda out: _report(out, True)
            )
        ok(f"retention stopped after {done:,} round(s)")
        return 0
    with progress_bars() as update:
        out = retention.retain_once(
            engine, policy, progress=lambda done, total: update("retain", done, total)
        )
    _report(out)
    return 0


def _report(out: list[partitions.Retained], stamped: bool = False) -> None:
    when = f"{datetime.now(TZ):%Y-%m-%d %H:%M} " if stamped else ""
    for r in out:
        if r.dropped:
            ok(f"{r.partition}: {r.rows:,} rows → {r.archive}")
        else:
            print(f"  {r.partition}: kept ({r.reason})", flush=True)
    n = sum(r.dropped for r in out)
    ok(f"{when}已归档并删除 {n} 个分区 / {n} partition(s) archived and dropped")
