"""The monthly assessment report on the benchmark city: the data of a whole month city-wide (the evaluation table
of the month and the month before, the daily series, categories, places, the overdue and reworked cases), the
HTML and the PDF (WeasyPrint), and a district's report. Target: the whole city's report (data + PDF) ≤ 10 s.

``python -m bench.report`` measures on the database of the current settings (e.g. the small demo city of a
worktree) without ``make bench``."""

from __future__ import annotations

import os
from datetime import datetime

from sqlalchemy import Engine, text

from bench.common import BenchContext, Figure, pct, timed
from db.scope import RowScope
from geo.crs import TZ
from ops.reports.monthly import MonthlyReport, gather
from ops.reports.render import to_html, to_pdf
from ops.reports.scope import last_whole_month

RUNS = 3


def measure(engine: Engine) -> list[Figure]:
    with engine.connect() as conn:
        newest = conn.execute(text('SELECT max(created_at) FROM "case"')).scalar_one()
        cases = conn.execute(text('SELECT count(*) FROM "case"')).scalar_one()
    now = newest or datetime.now(TZ)
    month = last_whole_month(now.astimezone(TZ).date())
    made: dict[str, MonthlyReport] = {}

    def data(scope: RowScope) -> None:
        with engine.begin() as conn:
            made["r"] = gather(conn, scope, month, now=now)

    figures: list[Figure] = []
    load = f"{cases:,} cases, month {month.start:%Y-%m}; load {os.getloadavg()[0]:.1f}"
    s_data = timed(lambda: data(RowScope.city()), RUNS, warmup=1)
    report = made["r"]
    s_html = timed(lambda: to_html(report), RUNS, warmup=1)
    s_pdf = timed(lambda: to_pdf(report), RUNS, warmup=1)
    pdf = to_pdf(report)
    total = pct(s_data, 50) + pct(s_pdf, 50)
    figures += [
        Figure("monthly report: data, city-wide", pct(s_data, 50), "s", "", None, f"p50 of {RUNS}; {load}"),
        Figure("monthly report: HTML", pct(s_html, 50) * 1000, "ms", "", None, f"p50 of {RUNS}"),
        Figure("monthly report: PDF (WeasyPrint)", pct(s_pdf, 50), "s", "", None, f"{len(pdf):,} bytes"),
        Figure("monthly report: data + PDF, city-wide", total, "s", "≤ 10 s", total <= 10, load),
    ]
    s_dist = timed(lambda: data(RowScope(district="520103")), RUNS, warmup=1)
    figures.append(Figure("monthly report: data, 云岩区", pct(s_dist, 50), "s", "", None, f"p50 of {RUNS}"))
    return figures


def run(ctx: BenchContext) -> list[Figure]:
    return measure(ctx.engine)


def main() -> None:
    from dashboard.database import database_url
    from dashboard.settings import get_settings
    from db.engine import make_engine

    engine = make_engine(database_url(get_settings()), pool_size=1)
    try:
        for f in measure(engine):
            mark = "" if f.ok is None else (" ✔" if f.ok else " ✘")
            print(f"{f.name:<45} {f.value:>9.2f} {f.unit:<3} {f.target}{mark}  {f.note}")
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
