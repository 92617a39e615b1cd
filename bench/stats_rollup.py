"""/stats from the daily rollup (``stats_daily``): the page's table + trend city-wide for 90 days (target ≤ 300 ms)
and a year (≤ 1 s), the raw query for comparison, and the write overhead of the rollup's triggers on a workflow
transition (处置反馈, 核查通过) and on a report (the command an Open311 POST runs), p95 with the triggers working
against the same step with them skipped (``guiyang.rollups_deferred``), each step rolled back.

How it grows: the counts read grow with the rollup rows of the period (days × department × district pairs seen,
not cases); of the durations kept for the median/p90, only the bins holding the ranks needed are read; the
now-dependent part reads the open cases only."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from bench.common import BenchContext, Figure, pct, timed
from db.accounts import StaffIdentity, load_identity
from db.period import Period
from db.rollups import DEFERRED_SETTING
from geo.crs import TZ
from ops import workflow as wf
from ops.stats_table import stats_table
from ops.workflow import Actor

LEAD = StaffIdentity(0, "bench", "bench", "lead", None, None)
RUNS = 10
STEPS = 60  # workflow steps per variant


def _period(days: int, today: date) -> Period:
    return Period(today - timedelta(days=days - 1), today)


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def _page(
    ctx: BenchContext,
    figures: list[Figure],
    name: str,
    period: Period,
    target_ms: float | None,
    source: str,
    runs: int,
) -> None:
    info: dict[str, Any] = {}

    def once() -> None:
        with ctx.engine.connect() as conn:
            t = stats_table(conn, LEAD, period, with_trend=True, source=source)
            info["cases"] = t.total.counts.cases

    samples = timed(once, runs, warmup=1)
    p50, p95 = pct(samples, 50) * 1000, pct(samples, 95) * 1000
    figures.append(
        Figure(
            name,
            p95,
            "ms",
            "" if target_ms is None else f"p95 ≤ {target_ms:,.0f} ms",
            None if target_ms is None else p95 <= target_ms,
            f"p95; p50 {p50:,.0f} ms over {runs} runs; {info['cases']:,} cases in the cohort; {_load()}",
        )
    )


def _steps(ctx: BenchContext, kind: str) -> tuple[list[float], list[float]]:
    """Durations (s) of ``kind`` steps with the triggers working and with them skipped, interleaved, rolled back."""
    with ctx.engine.connect() as conn:
        uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar()
        ident = load_identity(conn, uid) if uid is not None else None
        status = {"handle": "('dispatched', 'in_progress')", "verify": "('handled')"}.get(kind, "('filed')")
        cases = conn.execute(
            text(f'SELECT id, version FROM "case" WHERE status IN {status} ORDER BY id DESC LIMIT :n'),  # nosec B608 # constant fragments
            {"n": STEPS},
        ).all()
        point = conn.execute(text('SELECT ST_X(geom), ST_Y(geom) FROM "case" ORDER BY id DESC LIMIT 1')).one()
    if ident is None:
        return [], []
    actor = Actor.from_identity(ident)
    on: list[float] = []
    off: list[float] = []

    def step(conn: Connection, i: int) -> None:
        if kind == "report":
            wf.report(
                conn,
                Actor.system(),
                category_code="C0101",
                lon=point[0],
                lat=point[1],
                description="bench",
                source="app",
            )
        elif cases:
            cid, version = cases[i % len(cases)]
            if kind == "handle":
                wf.handle(conn, actor, cid, version, note="bench")
            else:
                wf.verify(conn, actor, cid, version, passed=True)

    for i in range(STEPS * 2):
        deferred = i % 2 == 1
        with ctx.engine.connect() as conn:
            tx = conn.begin()
            if deferred:
                conn.execute(text(f"SET LOCAL {DEFERRED_SETTING} = on"))
            t0 = datetime.now().timestamp()
            step(conn, i // 2)
            (off if deferred else on).append(datetime.now().timestamp() - t0)
            tx.rollback()
    return on[2:], off[2:]


def run(ctx: BenchContext) -> list[Figure]:
    with ctx.engine.connect() as conn:
        newest = conn.execute(text('SELECT max(created_at) FROM "case"')).scalar_one()
        rollup_rows = conn.execute(text("SELECT count(*) FROM stats_daily")).scalar_one()
    today = (newest or datetime.now(TZ)).astimezone(TZ).date()
    p90, p365 = _period(90, today), _period(365, today)
    figures: list[Figure] = [Figure("stats_daily rows (the whole history)", rollup_rows, "rows")]
    _page(ctx, figures, "/stats table + trend from the rollup, 90 days, city-wide", p90, 300, "rollup", RUNS)
    _page(
        ctx, figures, "/stats table + trend from the rollup, 365 days, city-wide", p365, 1000, "rollup", RUNS
    )
    _page(ctx, figures, "/stats table + trend from raw rows (before), 90 days", p90, None, "raw", 3)
    _page(ctx, figures, "/stats table + trend from raw rows (before), 365 days", p365, None, "raw", 2)
    steps: dict[str, Callable[[], tuple[list[float], list[float]]]] = {
        "workflow 处置反馈 (handle)": lambda: _steps(ctx, "handle"),
        "workflow 核查通过 (verify, closes)": lambda: _steps(ctx, "verify"),
        "report (the Open311 intake's command)": lambda: _steps(ctx, "report"),
    }
    for name, fn in steps.items():
        on, off = fn()
        if not on or not off:
            continue
        extra = (pct(on, 95) - pct(off, 95)) * 1000
        figures.append(
            Figure(
                f"rollup trigger overhead, {name}",
                extra,
                "ms",
                "p95 difference ≤ 2 ms",
                extra <= 2,
                f"p95 {pct(on, 95) * 1000:.1f} ms with the triggers, {pct(off, 95) * 1000:.1f} ms skipped; "
                f"p50 {pct(on, 50) * 1000:.1f} / {pct(off, 50) * 1000:.1f} ms; {len(on)} steps each; {_load()}",
            )
        )
    return figures
