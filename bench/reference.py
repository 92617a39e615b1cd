"""Reference data with effective dates (/admin/reference): what pinning a case to the rules of its report day
costs the reads that use them. The workflow's one-query case load (now with the 小类's rule in force on the
report date, one index probe) and the report's preparation (routing by ``gy_responsible`` on the report date), each
with no 小类 edited and then with every 小类 given a new time limit from tomorrow; and the coverage check one
change runs. Everything runs in one transaction that is rolled back: the city is left as it was.

``python -m bench.reference DATABASE_URL`` measures any database without seeding."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, text

from bench.common import BenchContext, Figure
from db.engine import make_engine
from db.reference_rules import coverage_gaps
from geo.crs import TZ
from ops import reference as ref
from ops.workflow.core import _load_statement
from ops.workflow.intake import _PREPARE

LOADS = 500
PREPARES = 200
YUNYAN = (106.7135, 26.5838)


def _median_ms(fn: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _measure(conn: Connection) -> dict[str, float]:
    ids = [r[0] for r in conn.execute(text('SELECT id FROM "case" ORDER BY random() LIMIT :n'), {"n": LOADS})]
    load = _load_statement("", "")
    it = iter(ids * 2)
    now = datetime.now(TZ)
    params = {"lon": YUNYAN[0], "lat": YUNYAN[1], "category": "C0101", "since": now - timedelta(days=7)}
    params |= {"now": now, "today": now.date(), "reporter": None}
    _median_ms(lambda: conn.execute(load, {"id": next(it)}).first(), 20)  # warm
    return {
        "load": _median_ms(lambda: conn.execute(load, {"id": next(it)}).first(), len(ids)),
        "prepare": _median_ms(lambda: conn.execute(_PREPARE, params).one(), PREPARES),
    }


def measure(engine: Engine) -> list[Figure]:
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            cases = conn.execute(text('SELECT count(*) FROM "case"')).scalar_one()
            plain = _measure(conn)
            today = ref.today_in_beijing()
            editor = ref.Editor(user_id=None, username="bench")
            codes = [
                r[0] for r in conn.execute(text("SELECT code, time_limit FROM category WHERE level = 2"))
            ]
            t0 = time.perf_counter()
            for code in codes:
                limit = float(
                    conn.execute(
                        text("SELECT time_limit FROM category WHERE code = :c"), {"c": code}
                    ).scalar_one()
                )
                ref.change_category(
                    conn, editor, code, today + timedelta(days=1), {"time_limit": limit + 1}, today=today
                )
            per_change = (time.perf_counter() - t0) * 1000 / max(len(codes), 1)
            edited = _measure(conn)
            gaps = _median_ms(lambda: coverage_gaps(conn, today), 5)
        finally:
            trans.rollback()
    note = f"{cases:,} cases"
    return [
        Figure("reference: case load, no 小类 edited (median)", plain["load"], "ms", note=note),
        Figure("reference: case load, every 小类 edited (median)", edited["load"], "ms", note=note),
        Figure("reference: report preparation, no 小类 edited (median)", plain["prepare"], "ms", note=note),
        Figure(
            "reference: report preparation, every 小类 edited (median)", edited["prepare"], "ms", note=note
        ),
        Figure(
            "reference: one 小类 change (validation, coverage, history, audit)", per_change, "ms", note=note
        ),
        Figure("reference: coverage check on one date", gaps, "ms", note=note),
    ]


def run(ctx: BenchContext) -> list[Figure]:
    return measure(ctx.engine)


if __name__ == "__main__":
    eng = make_engine(sys.argv[1], pool_size=1)
    for f in measure(eng):
        print(f"{f.name}: {f.value:.3f} {f.unit} ({f.note})")
