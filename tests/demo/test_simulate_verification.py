"""The simulator's 我来核实 on real PostGIS (one rolled-back transaction per test): a case the simulator reports
handled asks the supervisors and the registered citizens living nearby, as the workbench does; one of those
citizens answers through ``verification.answer`` with a photo, which closes the case and earns points."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from dashboard.api.open311_settings import get_open311_settings
from dashboard.settings import Settings
from demo.simulate import SimContext, Verifying, advance_case
from ops.citizen import points
from ops.states import CaseStatus
from ops.workflow import Actor
from tests.support.cases import CATEGORY, MON, citizen, new_case, new_person

S = CaseStatus
PLACE = (106.6975, 26.6105)  # 云岩区, north-west, away from the other tests' points
NEAR = (PLACE[0] + 0.002, PLACE[1] + 0.001)  # ~220 m
FAR = (PLACE[0] + 0.02, PLACE[1])  # ~2 km


@dataclass
class Outcome:
    actions: list[str]  # the simulator's steps up to handled
    asked: set[int | None]  # who got a task (None: the supervisors)
    near: list[int]
    reporter: int
    case: int
    step: str  # the simulator's step after handled
    answered: Any  # the answered task
    open_after: int


def context(conn: Connection, settings: Settings, citizen_share: float) -> SimContext:
    api = get_open311_settings()
    return SimContext.load(
        conn, Verifying(api.verification_radius_m, settings.media_path, api.max_photo_bytes, citizen_share)
    )


def status(conn: Connection, case_id: int) -> str:
    return str(conn.execute(text('SELECT status FROM "case" WHERE id = :c'), {"c": case_id}).scalar_one())


def run(conn: Connection, settings: Settings, staff: dict[str, Actor], seed: int) -> Outcome:
    """Report a case at PLACE, let the simulator (seeded) take it to handled and one step further, where a
    citizen always answers when one was asked (``citizen_share`` 1)."""
    reporter = citizen(conn, "acct-sim-reporter", home=PLACE)
    near = [citizen(conn, f"acct-sim-near-{k}", home=NEAR) for k in range(2)]
    citizen(conn, "acct-sim-far", home=FAR)
    unregistered = new_person(conn)
    conn.execute(
        text(
            "UPDATE person SET registered = false, home = ST_SetSRID(ST_MakePoint(:x, :y), 4326) WHERE id = :i"
        ),
        {"x": NEAR[0], "y": NEAR[1], "i": unregistered},
    )
    case = new_case(conn, staff, S.DISPATCHED, point=PLACE, reporter=Actor.citizen(reporter))
    rng = np.random.default_rng(seed)
    ctx = context(conn, settings, citizen_share=1.0)
    now = MON + timedelta(hours=2)
    actions: list[str] = []
    while status(conn, case.id) != S.HANDLED.value:
        assert len(actions) < 30, actions
        actions.append(advance_case(conn, case.id, rng, context=ctx, now=now).action)
        now += timedelta(minutes=30)
    tasks = conn.execute(
        text("SELECT person_id FROM verification_task WHERE case_id = :c AND state = 'open'"), {"c": case.id}
    ).scalars()
    asked = set(tasks)
    step = advance_case(conn, case.id, rng, context=ctx, now=now)
    answered = conn.execute(
        text(
            "SELECT id, person_id, result, photo_ids FROM verification_task "
            "WHERE case_id = :c AND state = 'answered'"
        ),
        {"c": case.id},
    ).one()
    open_after = conn.execute(
        text("SELECT count(*) FROM verification_task WHERE case_id = :c AND state = 'open'"), {"c": case.id}
    ).scalar_one()
    return Outcome(actions, asked, near, reporter, case.id, step.action, answered, open_after)


def test_simulated_handling_asks_neighbours_and_a_citizen_answer_closes_with_points(
    conn: Connection, settings: Settings, staff: dict[str, Actor]
) -> None:
    r = run(conn, settings, staff, seed=3)
    assert r.actions[-1] == "handle"
    # the supervisors and the registered neighbours; not the reporter, not 2 km away, not the unregistered
    assert r.asked == {None, *r.near}
    # a neighbour answered through verification.answer: task answered with a photo, the round's others closed
    assert r.step == "citizen_pass"
    assert r.answered.person_id in r.near and r.answered.result == "pass" and len(r.answered.photo_ids) == 1
    assert r.open_after == 0
    assert status(conn, r.case) == S.CLOSED.value
    photo = conn.execute(
        text("SELECT kind, case_id, uploaded_by_person_id AS person, path, mime FROM photo WHERE id = :p"),
        {"p": r.answered.photo_ids[0]},
    ).one()
    assert (photo.kind, photo.case_id, photo.person) == ("verification", r.case, r.answered.person_id)
    assert photo.mime == "image/jpeg" and (settings.media_path / photo.path).is_file()
    # the verifier's points and, as the case closed, the reporter's
    ledger = {
        (x.person_id, x.reason, x.points)
        for x in conn.execute(
            text("SELECT person_id, reason, points FROM points_ledger WHERE case_id = :c"), {"c": r.case}
        )
    }
    assert ledger == {
        (r.answered.person_id, "verification", points.points_for(conn, "verification", CATEGORY)),
        (r.reporter, "report", points.points_for(conn, "report", CATEGORY)),
    }
    # the verification in the history is the citizen's
    last = conn.execute(
        text("SELECT action, actor_person_id FROM case_event WHERE case_id = :c ORDER BY id DESC LIMIT 1"),
        {"c": r.case},
    ).one()
    assert (last.action, last.actor_person_id) == ("verify_pass", r.answered.person_id)


def test_same_seed_same_simulation(conn: Connection, settings: Settings, staff: dict[str, Actor]) -> None:
    seen = []
    for seed in (3, 3):
        sp = conn.begin_nested()
        r = run(conn, settings, staff, seed=seed)
        seen.append((r.actions, r.step, r.near.index(r.answered.person_id), r.answered.result))
        sp.rollback()
    assert seen[0] == seen[1]
