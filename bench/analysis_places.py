"""研判预警 places and recurrences on the bench city.

- 多发地点 for 30 days city-wide, uncached (what the /analysis tab's callback asks at most once a minute per scope
  and filters; the issue's target for a callback is p95 ≤ 300 ms), and one place's cases (a click);
- one recurrence step of the analysis cycle (part of a cycle ≤ 2 s): the steady state (the last 200 reports new
  since the previous step) and a catch-up batch (``recurrence.BATCH`` reports, the most one step reads).

The steps run in transactions that are rolled back: the bench city is left as it was."""

from __future__ import annotations

import os
from datetime import datetime

from sqlalchemy import Connection, text

from bench.common import BenchContext, Figure, pct, timed
from geo.crs import TZ
from ops.analysis.filters import Filters
from ops.analysis.places import place_cases, places
from ops.analysis.recurrence import BATCH, recurrence_step
from ops.analysis.scope import AnalysisScope

RUNS = 7


def _now(ctx: BenchContext) -> datetime:
    with ctx.engine.connect() as conn:
        newest = conn.execute(text('SELECT max(created_at) FROM "case"')).scalar_one()
    return (newest or datetime.now(TZ)).astimezone(TZ)


def _step(ctx: BenchContext, now: datetime, new: int, made: list[int]) -> None:
    """One recurrence step with the cursor ``new`` reports behind the newest, rolled back."""
    with ctx.engine.connect() as conn:
        tx = conn.begin()
        try:
            _set_cursor(conn, new)
            made.append(recurrence_step(conn, now, batch=new))
        finally:
            tx.rollback()


def _set_cursor(conn: Connection, new: int) -> None:
    last = conn.execute(text('SELECT coalesce(max(id), 0) FROM "case"')).scalar_one()
    conn.execute(
        text(
            "INSERT INTO analysis_cursor (name, last_id) VALUES ('recurrence', :v) "
            "ON CONFLICT (name) DO UPDATE SET last_id = :v"
        ),
        {"v": max(0, int(last) - new)},
    )


def run(ctx: BenchContext) -> list[Figure]:
    now = _now(ctx)
    figures: list[Figure] = []
    found: list[int] = []

    def city30() -> None:
        with ctx.engine.connect() as conn:
            found.append(len(places(conn, AnalysisScope.city(), Filters(days=30), now)))

    samples = timed(city30, RUNS, warmup=1)
    p95 = pct(samples, 95) * 1000
    figures.append(
        Figure(
            "places (多发地点), 30 days city-wide",
            pct(samples, 50) * 1000,
            "ms",
            "p95 ≤ 300 ms",
            p95 <= 300,
            f"p50; p95 {p95:,.0f} ms over {RUNS} runs; {found[-1]:,} places; load {os.getloadavg()[0]:.1f}",
        )
    )
    with ctx.engine.connect() as conn:
        top = places(conn, AnalysisScope.city(), Filters(days=30), now, limit=1)
    if top:
        key = top[0].key

        def click() -> None:
            with ctx.engine.connect() as conn:
                place_cases(conn, AnalysisScope.city(), Filters(days=30), now, key)

        samples = timed(click, RUNS, warmup=1)
        p95 = pct(samples, 95) * 1000
        figures.append(
            Figure(
                "places: one place's cases (a click), 30 days",
                pct(samples, 50) * 1000,
                "ms",
                "p95 ≤ 300 ms",
                p95 <= 300,
                f"p50; p95 {p95:,.0f} ms over {RUNS} runs; the place has {top[0].count} reports",
            )
        )
    for new, runs, target in ((200, RUNS, 500.0), (BATCH, 3, 2000.0)):
        made: list[int] = []
        samples = timed(lambda n=new, m=made: _step(ctx, now, n, m), runs, warmup=1)  # type: ignore[misc]
        p95 = pct(samples, 95) * 1000
        figures.append(
            Figure(
                f"recurrence step, {new:,} new reports",
                pct(samples, 50) * 1000,
                "ms",
                f"p95 ≤ {target:,.0f} ms",
                p95 <= target,
                f"p50; p95 {p95:,.0f} ms over {runs} runs (rolled back); {made[-1]:,} links",
            )
        )
    return figures
