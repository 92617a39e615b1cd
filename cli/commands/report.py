"""``guiyang-ops report monthly --month YYYY-MM [--district ADCODE] --out FILE.pdf``: the monthly assessment report,
city-wide (the command line is the operator's), recorded in the audit log like a download from /stats."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from cli.progress import ok, progress_bars
from dashboard.database import database_url
from dashboard.settings import Settings
from db.engine import make_engine
from ops.reports.make import make_monthly


def cmd_report_monthly(settings: Settings, args: argparse.Namespace) -> int:
    out = Path(args.out)
    fmt = "html" if args.html else "pdf"
    engine = make_engine(database_url(settings), pool_size=1)
    try:
        with progress_bars() as step:
            step("月度考核通报 monthly report", 0, 1)
            with engine.begin() as conn:
                made = make_monthly(
                    conn,
                    None,
                    args.month,
                    args.district,
                    fmt=fmt,
                    min_cases=settings.stats_min_cases,
                    radius_m=settings.places_radius_m,
                    min_reports=settings.places_min_reports,
                    actor=f"cli:{getpass.getuser()}",
                    client="cli",
                )
            out.write_bytes(made.body)  # after the commit: the audit row is durable before the file exists
            step("月度考核通报 monthly report", 1, 1)
    finally:
        engine.dispose()
    r = made.report
    ok(f"{r.scope_zh} {r.month_label} 月度考核通报 → {out} ({len(made.body):,} bytes)")
    return 0
