"""Issue 3: the mean time of each workflow command over 1,000 runs on the 1M-case city.

All runs happen in one transaction that is rolled back at the end, so the benchmark leaves the city as it was;
the figures are the commands' own cost (load + compare-and-set UPDATE + event INSERT), without the COMMIT.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, text

from bench.common import BenchContext, Figure
from db.accounts import load_identity
from ops import workflow as wf

RUNS = 1000


def _actor(conn: Connection, username: str) -> wf.Actor:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).scalar_one()
    ident = load_identity(conn, uid)
    assert ident is not None  # nosec B101 # type narrowing for mypy, not a security check
    return wf.Actor.from_identity(ident)


def _points(conn: Connection, n: int, seed: int = 11) -> list[tuple[float, float]]:
    rows = conn.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grid_cell "
            "WHERE district_code = '520103' ORDER BY id LIMIT :n) x"
        ),
        {"n": n},
    ).all()
    rng = random.Random(seed)  # nosec B311 # deterministic demo/benchmark data, not security
    return [(float(x), float(y)) for x, y in rng.sample(rows, min(n, len(rows)))]


def run(ctx: BenchContext, runs: int = RUNS) -> list[Figure]:
    times: dict[str, list[float]] = {}

    def clock(name: str, fn: Callable[..., wf.CaseResult], *args: Any, **kwargs: Any) -> wf.CaseResult:
        t0 = time.perf_counter()
        out = fn(conn, *args, **kwargs)
        times.setdefault(name, []).append(time.perf_counter() - t0)
        return out

    with ctx.engine.connect() as conn:
        trans = conn.begin()
        try:
            system = wf.Actor.system()
            dispatcher, lead, dept = _actor(conn, "dispatcher"), _actor(conn, "lead"), _actor(conn, "cgj")
            category = conn.execute(
                text(
                    "SELECT c.code FROM category c WHERE c.level = 2 AND NOT c.urgent AND EXISTS (SELECT 1 FROM "
                    "responsibility r WHERE r.category_code = c.code AND r.department_code = 'CGJ') ORDER BY code "
                    "LIMIT 1"
                )
            ).scalar_one()
            pts = _points(conn, runs)

            def report(i: int) -> wf.CaseResult:
                lon, lat = pts[i % len(pts)]
                return clock(
                    "report",
                    wf.report,
                    system,
                    category_code=category,
                    lon=lon,
                    lat=lat,
                    description=f"bench {i}",
                    source="hotline",
                )

            target = report(0)
            for i in range(runs):
                # A: the whole happy path, with a suspension, an extension and one rework on the way
                c = report(i)
                c = clock("file_case", wf.file_case, dispatcher, c.id, c.version)
                c = clock("dispatch", wf.dispatch, dispatcher, c.id, c.version, department_code="CGJ")
                c = clock("start", wf.start, dept, c.id, c.version)
                c = clock("suspend", wf.suspend, lead, c.id, c.version, reason="bench")
                c = clock("resume", wf.resume, lead, c.id, c.version)
                c = clock("extend", wf.extend, lead, c.id, c.version, amount=1, reason="bench")
                c = clock("escalate", wf.escalate, lead, c.id, c.version)
                c = clock("handle", wf.handle, dept, c.id, c.version, note="done")
                c = clock("verify_fail", wf.verify, lead, c.id, c.version, passed=False, note="again")
                c = clock("handle", wf.handle, dept, c.id, c.version, note="done again")
                clock("verify_pass", wf.verify, lead, c.id, c.version, passed=True)
                # B: the other branches
                b = report(i + 1)
                if i % 3 == 0:
                    clock("reject", wf.reject, dispatcher, b.id, b.version, reason="bench")
                elif i % 3 == 1:
                    clock("merge", wf.merge, dispatcher, b.id, b.version, into_case_id=target.id)
                else:
                    b = wf.file_case(conn, dispatcher, b.id, b.version)
                    b = wf.dispatch(conn, dispatcher, b.id, b.version, department_code="CGJ")
                    clock("return_case", wf.return_case, dept, b.id, b.version, reason="bench")
        finally:
            trans.rollback()

    figures = []
    for name, samples in times.items():
        mean = sum(samples) / len(samples) * 1000
        figures.append(
            Figure(
                f"workflow {name}: mean of {len(samples):,}",
                mean,
                "ms",
                note="one rolled-back transaction; no COMMIT",
            )
        )
    return figures
