"""The simulator acts as its own account (模拟器), never as a demo staff member: the history shows who really acted.

Real PostGIS, one rolled-back transaction per test."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import Connection, text

from dashboard.api.open311_settings import get_open311_settings
from dashboard.settings import Settings
from db.accounts import authenticate
from db.queries.wb_card import case_card
from db.scope import RowScope
from demo.simulate import SimContext, Verifying, advance_case, simulate_steps
from demo.users import DEMO_USERS, SIMULATOR_DISPLAY_NAME, SIMULATOR_USERNAME, ensure_simulator_account
from ops.states import CaseStatus
from ops.workflow import Actor
from tests.support.cases import MON, new_case

S = CaseStatus


def _context(conn: Connection, settings: Settings) -> SimContext:
    api = get_open311_settings()
    return SimContext.load(
        conn, Verifying(api.verification_radius_m, settings.media_path, api.max_photo_bytes, 0.0)
    )


def test_the_account_is_made_once_and_cannot_sign_in(conn: Connection) -> None:
    first = ensure_simulator_account(conn)
    assert ensure_simulator_account(conn) == first  # idempotent: setup may run again
    n = conn.execute(
        text("SELECT count(*) FROM staff_user WHERE username = :u"), {"u": SIMULATOR_USERNAME}
    ).scalar_one()
    assert n == 1
    for password in ("", "!no-sign-in", "simulator", "demo-lead-2026"):
        assert authenticate(conn, SIMULATOR_USERNAME, password, allow_demo=True) is None


def test_simulated_steps_are_the_simulators_acts(
    conn: Connection, staff: dict[str, Actor], settings: Settings
) -> None:
    sim = ensure_simulator_account(conn)
    demo_ids = set(
        conn.execute(
            text("SELECT id FROM staff_user WHERE username = ANY(:u)"),
            {"u": [u.username for u in DEMO_USERS]},
        ).scalars()
    )
    assert len(demo_ids) == len(DEMO_USERS)
    cases = [new_case(conn, staff, s) for s in (S.REPORTED, S.FILED, S.DISPATCHED, S.IN_PROGRESS, S.HANDLED)]
    before = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM case_event")).scalar_one())
    ctx = _context(conn, settings)
    rng = np.random.default_rng(12)
    now = MON + timedelta(hours=1)
    for c in cases:  # a step of every kind the staff take: file/dispatch/start/handle/verify...
        for _ in range(3):
            st = conn.execute(text('SELECT status FROM "case" WHERE id = :c'), {"c": c.id}).scalar_one()
            if st in ("closed", "rejected", "merged"):
                break
            advance_case(conn, c.id, rng, context=ctx, now=now)
            now += timedelta(minutes=30)
    steps = simulate_steps(conn, 20, rng, context=ctx, now=now)  # new reports too
    assert any(s.action == "report" for s in steps)
    rows = conn.execute(
        text(
            "SELECT action, actor_user_id, actor_person_id, actor_role FROM case_event WHERE id > :b "
            "AND actor_person_id IS NULL ORDER BY id"
        ),
        {"b": before},
    ).all()
    actions = {r.action for r in rows}
    assert {"report", "file", "dispatch", "handle"} <= actions, actions
    assert all(r.actor_user_id == sim for r in rows), rows
    assert not {r.actor_user_id for r in rows} & demo_ids
    # the roles acted in are still recorded per event (the center, the department, the intake)
    assert {r.actor_role for r in rows} >= {"system", "department"}
    # and the case history names it
    card = case_card(conn, RowScope.city(), cases[0].id, now=now)
    assert card is not None
    names = {e.actor_name for e in card.events if e.id > before}
    assert names == {SIMULATOR_DISPLAY_NAME}
