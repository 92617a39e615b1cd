"""``guiyang-ops stats rebuild-rollups``: :func:`db.rollups.rebuild` as the owner role, with a progress bar."""

from __future__ import annotations

import argparse

from cli.progress import ok, progress_bars
from dashboard.database import database_url
from dashboard.settings import Settings
from db import rollups
from db.engine import make_engine


def cmd_rebuild(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(database_url(settings, role="owner"), pool_size=1)
    try:
        with progress_bars() as bar, engine.begin() as conn:

            def step(done: int, total: int) -> None:
                bar("汇总 rolling up (days)", done, total)

            rows = rollups.rebuild(conn, args.since, progress=step)
    finally:
        engine.dispose()
    since = f" since {args.since.isoformat()}" if args.since else ""
    ok(f"已重建考核汇总 {rows:,} 行 / rebuilt {rows:,} rollup rows{since}")
    return 0
