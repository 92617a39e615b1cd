"""Issue 3: the mean time of each workflow command over 1,000 runs on the 1M-case city.

All runs happen in one transaction that is rolled back at the end, so the benchmark leaves the city as it was;
the figures are the commands' own cost (load + compare-and-set UPDATE + event INSERT), without the COMMIT. The
case actions go through the command registry (:mod:`ops.commands`), as the workbench's do: ``handle`` is the
whole intent, 处置反馈 with its 我来核实 tasks.
"""

from __future__ import annotations

import random
import time
from typing import Any

from sqlalchemy import Connection, text

from bench.common import BenchContext, Figure
from dashboard.api.open311_settings import get_open311_settings
from db.accounts import load_identity
from db.vocabulary import Action
from ops import commands
from ops import workflow as wf

RUNS = 1000
A = Action


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

    radius = get_open311_settings().verification_radius_m

    def timed(name: str, t0: float, out: wf.CaseResult) -> wf.CaseResult:
        times.setdefault(name, []).append(time.perf_counter() - t0)
        return out

    def clock(
        name: str, action: Action, actor: wf.Actor, case: wf.CaseResult, **params: Any
    ) -> wf.CaseResult:
        t0 = time.perf_counter()
        return timed(name, t0, commands.run(conn, actor, action, case.id, case.version, params))

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
                t0 = time.perf_counter()
                out = wf.report(
                    conn,
                    system,
                    category_code=category,
                    lon=lon,
                    lat=lat,
                    description=f"bench {i}",
                    source="hotline",
                )
                return timed("report", t0, out)

            target = report(0)
            for i in range(runs):
                # A: the whole happy path, with a suspension, an extension and one rework on the way
                c = report(i)
                c = clock("file_case", A.FILE, dispatcher, c)
                c = clock("dispatch", A.DISPATCH, dispatcher, c, department_code="CGJ")
                c = clock("start", A.START, dept, c)
                c = clock("suspend", A.SUSPEND, lead, c, reason="bench")
                c = clock("resume", A.RESUME, lead, c)
                c = clock("extend", A.EXTEND, lead, c, amount=1, reason="bench")
                c = clock("escalate", A.ESCALATE, lead, c)
                c = clock("handle", A.HANDLE, dept, c, note="done", radius_m=radius)
                c = clock("verify_fail", A.VERIFY_FAIL, lead, c, note="again")
                c = clock("handle", A.HANDLE, dept, c, note="done again", radius_m=radius)
                clock("verify_pass", A.VERIFY_PASS, lead, c)
                # B: the other branches
                b = report(i + 1)
                if i % 3 == 0:
                    clock("reject", A.REJECT, dispatcher, b, reason="bench")
                elif i % 3 == 1:
                    clock("merge", A.MERGE, dispatcher, b, into_case_id=target.id)
                else:
                    b = commands.run(conn, dispatcher, A.FILE, b.id, b.version)
                    b = commands.run(
                        conn, dispatcher, A.DISPATCH, b.id, b.version, {"department_code": "CGJ"}
                    )
                    clock("return_case", A.RETURN, dept, b, reason="bench")
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
