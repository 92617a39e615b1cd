"""/stats on the 1M-case city: the evaluation table query (target ≤ 1 s for 90 days), the trend, the drill-down,
an officer's scoped table, a year's table, and the CSV export end to end over HTTP."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Connection, text

from bench.common import BenchContext, Figure, pct, sign_in, timed
from db.accounts import StaffIdentity
from db.period import Period
from db.queries.stats_drill import drill_cases
from geo.crs import TZ
from ops.policy import stats_scope
from ops.stats_table import stats_table

RUNS = 10
TICK = os.sysconf("SC_CLK_TCK")
LEAD = StaffIdentity(0, "bench", "bench", "lead", None, None)
OFFICER = StaffIdentity(0, "bench", "bench", "officer", "520103", None)


def _backend_cpu(conn: Connection) -> float | None:
    """CPU seconds used so far by this connection's server process (a local cluster only): unlike wall time, it
    does not grow when other work shares the machine."""
    pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def _period(days: int, today: date) -> Period:
    return Period(today - timedelta(days=days - 1), today)


def run(ctx: BenchContext) -> list[Figure]:
    with ctx.engine.connect() as conn:
        newest = conn.execute(text('SELECT max(created_at) FROM "case"')).scalar_one()
    today = (newest or datetime.now(TZ)).astimezone(TZ).date()
    p90, p365 = _period(90, today), _period(365, today)
    figures: list[Figure] = []

    def measure(
        name: str, fn: Callable[[Connection], object], target_ms: float | None = None, runs: int = RUNS
    ) -> None:
        cpu: list[float] = []

        def once() -> None:
            with ctx.engine.connect() as conn:
                before = _backend_cpu(conn)
                fn(conn)
                after = _backend_cpu(conn)
                if before is not None and after is not None:
                    cpu.append(after - before)

        samples = timed(once, runs, warmup=2 if runs >= 5 else 1)
        p50, p95 = pct(samples, 50) * 1000, pct(samples, 95) * 1000
        ok = None if target_ms is None else p95 <= target_ms
        target = "" if target_ms is None else f"p95 ≤ {target_ms:,.0f} ms"
        note = f"p50; p95 {p95:,.0f} ms over {runs} runs"
        if cpu:
            note += f"; server CPU p50 {pct(cpu[-runs:], 50) * 1000:,.0f} ms"
        figures.append(Figure(name, p50, "ms", target, ok, note + f"; load {os.getloadavg()[0]:.1f}"))

    cases: dict[str, int] = {}

    def table90(conn: Connection) -> None:
        cases["n"] = stats_table(conn, LEAD, p90).total.counts.cases

    measure("stats table, 90 days, city-wide", table90, 1000)
    figures[-1].note += f"; {cases['n']:,} cases in the cohort"
    measure("stats table, 90 days, officer 云岩区", lambda c: stats_table(c, OFFICER, p90), 1000)
    measure(
        "stats table + trend in one pass (the page), 90 days",
        lambda c: stats_table(c, LEAD, p90, with_trend=True),
        1000,
    )
    measure(
        "stats drill-down, 90 days, on-time handling misses (≤ 300 cases)",
        lambda c: drill_cases(c, stats_scope(LEAD), p90, "total:", "on_time_handle_rate"),
        300,
    )
    measure("stats table, 365 days, city-wide", lambda c: stats_table(c, LEAD, p365), None, runs=3)

    base = ctx.app_base_url()
    with httpx.Client(base_url=base, timeout=60) as client:
        r = sign_in(client, "lead", "demo-lead-2026", "/stats")
        url = f"/stats/export.csv?start={p90.start}&end={p90.end}"

        def export() -> None:
            resp = client.get(url)
            assert resp.status_code == 200, resp.status_code  # nosec B101 # benchmark self-check, not a security check

        if r.status_code in (200, 303) and client.cookies.get("gy_session"):
            samples = timed(export, 5, warmup=1)
            figures.append(
                Figure(
                    "stats export.csv over HTTP, 90 days",
                    pct(samples, 50) * 1000,
                    "ms",
                    "",
                    None,
                    f"p50; p95 {pct(samples, 95) * 1000:,.0f} ms over 5 runs",
                )
            )
    return figures
