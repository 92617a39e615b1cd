"""The history tables' monthly partitions (migration 0032): the reads that touch ``case_event`` most, their p95
and how many partitions each scans. Run it before and after the migration to compare (``measure(engine)`` on a
database at 0026 gives the "before"); the migration's own time is measured once, by hand (see the README)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import Engine, text

from bench.common import BenchContext, Figure, pct, timed
from ops.workflow.base import _HISTORY

_CATCH_UP = "SELECT e.id, e.case_id, e.action, e.to_status, e.at FROM case_event e WHERE e.id > :n ORDER BY e.id LIMIT 200"
_TICKER = "SELECT e.id, e.case_id, e.action, e.at FROM case_event e ORDER BY e.id DESC LIMIT 20"
_PERIOD = (
    "SELECT date_trunc('hour', at) AS h, count(*) FROM case_event "
    "WHERE at >= now() - interval '37 days' AND at < now() - interval '30 days' GROUP BY 1"
)
_AUDIT_PAGE = "SELECT id, at, kind FROM audit_log WHERE at >= now() - interval '30 days' ORDER BY at DESC, id DESC LIMIT 50"


def scanned(conn: Any, sql: str, params: dict[str, Any]) -> int:
    """How many partitions (or the one plain table) the plan actually read."""
    plan = conn.execute(
        text("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql), params
    ).scalars()
    names = set()
    for line in plan:
        m = re.search(r" on ((?:case_event|audit_log)(?:_p\d{6}|_default)?)\b", line)
        if m and "never executed" not in line:
            names.add(m.group(1))
    return len(names)


def measure(engine: Engine, runs: int = 60) -> list[tuple[str, float, int]]:
    """(query, p95 ms, partitions scanned) for the representative reads."""
    rng = np.random.default_rng(7)
    with engine.connect() as conn:
        top = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM case_event")).scalar_one())
        lo, hi = conn.execute(text('SELECT min(id), max(id) FROM "case"')).one()
        case_ids = rng.integers(int(lo or 1), int(hi or 1) + 1, runs + 3).tolist()
        it = itertools.cycle(case_ids)
        queries: list[tuple[str, str, Callable[[], dict[str, Any]]]] = [
            ("catch-up: events after id N", _CATCH_UP, lambda: {"n": top - 50}),
            ("ticker: newest 20 events", _TICKER, dict),
            ("case history by case id", str(_HISTORY), lambda: {"id": next(it)}),
            ("events of one week, by hour", _PERIOD, dict),
            ("audit view: a page of 30 days", _AUDIT_PAGE, dict),
        ]
        out = []
        for name, sql, params in queries:
            stmt = text(sql)

            def once(stmt: Any = stmt, params: Callable[[], dict[str, Any]] = params) -> Any:
                return conn.execute(stmt, params()).all()

            samples = timed(once, runs)
            out.append((name, pct(samples, 95) * 1000.0, scanned(conn, sql, params())))
    return out


def run(ctx: BenchContext) -> list[Figure]:
    with ctx.engine.connect() as conn:
        parts = int(
            conn.execute(
                text("SELECT count(*) FROM pg_inherits WHERE inhparent = to_regclass('case_event')")
            ).scalar_one()
        )
    layout = f"case_event: {parts} partitions" if parts else "case_event not partitioned"
    return [
        Figure(
            f"history: {name}", p95, "ms", "p95; partitions scanned in note", None, f"{n} scanned; {layout}"
        )
        for name, p95, n in measure(ctx.engine)
    ]
