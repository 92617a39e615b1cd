"""研判预警 figures of the time peaks (时间峰值) and the correlated complaint types (关联分析): each for 30 days
city-wide on the bench city, timed as the page's callbacks call them (``ops.analysis.peaks.peaks`` and
``ops.analysis.correlation.correlations``: the SQL and the statistics together), plus the correlation's parts
(reading the reports; the statistics with its Monte Carlo permutations)."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from sqlalchemy import text

from bench.common import BenchContext, Figure, pct, timed
from geo.crs import TZ
from ops.analysis import correlation as co
from ops.analysis import correlation_snapshot as snapshot
from ops.analysis import peaks as pk
from ops.analysis.filters import Filters
from ops.analysis.scope import AnalysisScope

RUNS = 10
PEAKS_TARGET_MS = 300.0


def _newest(ctx: BenchContext) -> datetime:
    with ctx.engine.connect() as conn:
        newest = conn.execute(text('SELECT max(created_at) FROM "case"')).scalar_one()
    return (newest or datetime.now(TZ)).astimezone(TZ)


def _figure(name: str, samples: list[float], target_ms: float | None, note: str) -> Figure:
    p50, p95 = pct(samples, 50) * 1000, pct(samples, 95) * 1000
    ok = None if target_ms is None else p95 <= target_ms
    target = "" if target_ms is None else f"p95 ≤ {target_ms:,.0f} ms"
    load = os.getloadavg()[0]
    return Figure(
        name,
        p50,
        "ms",
        target,
        ok,
        f"p50; p95 {p95:,.0f} ms over {len(samples)} runs; {note}; load {load:.1f}",
    )


def run(ctx: BenchContext) -> list[Figure]:
    now = _newest(ctx)
    city = AnalysisScope.city()
    month = Filters(days=30)
    out: list[Figure] = []

    def peaks_all() -> Any:
        with ctx.engine.connect() as conn:
            return pk.peaks(conn, city, month, now)

    def peaks_major() -> Any:
        with ctx.engine.connect() as conn:
            return pk.peaks(conn, city, Filters(days=30, category="E05"), now)

    res = peaks_all()
    out.append(
        _figure(
            "analysis: time peaks, 30 days city-wide",
            timed(peaks_all, RUNS, 1),
            PEAKS_TARGET_MS,
            f"{res.total:,} reports",
        )
    )
    out.append(
        _figure(
            "analysis: time peaks, 30 days, one 大类", timed(peaks_major, RUNS, 1), PEAKS_TARGET_MS, "E05"
        )
    )

    def read() -> co.Reports:
        with ctx.engine.connect() as conn:
            return co.read_reports(conn, city, month, now)

    reports = read()
    out.append(
        _figure(
            "analysis: correlations, read 30 days",
            timed(read, 3, 1),
            None,
            f"{reports.cat.size:,} reports, {len(reports.codes)} 小类, {len(reports.squares):,} squares",
        )
    )
    pairs: list[co.Pair] = []

    def stats() -> None:
        pairs[:] = co.analyse(reports)

    out.append(
        _figure(
            "analysis: correlations, statistics",
            timed(stats, 3, 0),
            None,
            f"{co.PERMUTATIONS} permutations, {len(pairs):,} pairs tested, {len(co.significant(pairs))} related",
        )
    )

    def whole() -> None:
        with ctx.engine.connect() as conn:
            co.correlations(conn, city, month, now)

    out.append(
        _figure(
            "analysis: correlations, 30 days city-wide, live",
            timed(whole, 3, 0),
            None,
            "computed while the user waits: any other view than the city's 30 days",
        )
    )

    def refresh() -> None:  # the cycle's step, in a transaction rolled back (the bench writes nothing)
        with ctx.engine.connect() as conn, conn.begin() as tx:
            snapshot.refresh(conn, now)
            tx.rollback()

    out.append(
        _figure(
            "analysis: correlations, the cycle's refresh",
            timed(refresh, 1, 0),
            None,
            f"every {snapshot.REFRESH.seconds // 60} min in `analyze run`",
        )
    )
    with ctx.engine.connect() as conn, conn.begin() as tx:
        snapshot.refresh(conn, now)

        def stored() -> None:
            snapshot.read(conn, now)

        out.append(
            _figure(
                "analysis: correlations, 30 days city-wide, as the tab shows it",
                timed(stored, RUNS, 1),
                PEAKS_TARGET_MS,
                "the cycle's stored result",
            )
        )
        tx.rollback()
    return out
