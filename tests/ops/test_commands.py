"""The command registry (:mod:`ops.commands`): one entry per action on a case, and the workbench, the simulator and
the citizens' verification (the Open311 API's path) all reach it. A spy around every entry records which ran."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Connection, Engine, text

from dashboard import runtime
from dashboard.api.open311_settings import get_open311_settings
from dashboard.callbacks import workbench_actions
from dashboard.settings import Settings
from db.accounts import load_identity
from demo.simulate import SimContext, Verifying, advance_case
from ops import commands
from ops.citizen import verification
from ops.citizen.persons import ReporterIdentity, register_account
from ops.policy import PERMISSIONS
from ops.states import TRANSITIONS, Action, CaseStatus, Role
from ops.workflow import Actor, CaseResult
from tests.support.cases import MON, YUNYAN, jpeg_with_exif, new_case

pytestmark = pytest.mark.db

A, S = Action, CaseStatus
NEAR = (YUNYAN[0] + 0.001, YUNYAN[1] + 0.001)  # ~150 m away


def test_one_entry_per_action_on_a_case() -> None:
    # every action some role may take on an existing case (report creates one: not a registry entry)
    takeable = {a for (a, s) in TRANSITIONS if s is not None and PERMISSIONS[a] - {Role.SYSTEM}}
    assert takeable == set(Action) - {A.REPORT}
    assert set(commands.REGISTRY) == takeable
    # the workbench parses its fields for exactly these actions, and has no mapping of its own
    assert set(workbench_actions.PARAMS) == takeable
    assert not hasattr(workbench_actions, "COMMANDS")


def test_report_is_not_a_case_action(conn: Connection) -> None:
    with pytest.raises(ValueError, match="report"):
        commands.run(conn, Actor.system(), A.REPORT, 1, 1)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Action]]:
    """Every registry entry wrapped: the actions that ran, in order."""
    ran: list[Action] = []

    def wrap(action: Action, entry: commands.Command) -> commands.Command:
        def spied(*args: Any) -> CaseResult:
            ran.append(action)
            return entry(*args)

        return spied

    for action, entry in list(commands.REGISTRY.items()):
        monkeypatch.setitem(commands.REGISTRY, action, wrap(action, entry))
    yield ran


def test_the_workbench_runs_the_registry(
    conn: Connection, engine: Engine, settings: Settings, staff: dict[str, Actor], spy: list[Action]
) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    assert staff["cgj"].user_id is not None
    cgj = load_identity(conn, staff["cgj"].user_id)
    assert cgj is not None
    with runtime.using(runtime.Services(settings=settings, engine=engine)):  # as inside a request of the app
        started = workbench_actions.perform(conn, cgj, A.START, case.id, case.version, {}, [])
        handled = workbench_actions.perform(
            conn, cgj, A.HANDLE, case.id, started.version, {"note": "修好了"}, []
        )
    assert spy == [A.START, A.HANDLE]
    assert handled.status is S.HANDLED
    # reported handled and the neighbours asked, in one operation: the supervisors' task of the new round
    asked = conn.execute(
        text("SELECT count(*) FROM verification_task WHERE case_id = :c AND person_id IS NULL"),
        {"c": case.id},
    ).scalar_one()
    assert asked == 1


def test_the_simulator_runs_the_registry(
    conn: Connection, staff: dict[str, Actor], settings: Settings, spy: list[Action]
) -> None:
    api = get_open311_settings()
    ctx = SimContext.load(
        conn, Verifying(api.verification_radius_m, settings.media_path, api.max_photo_bytes, 0.0)
    )
    case = new_case(conn, staff, S.REPORTED)
    rng = np.random.default_rng(5)
    now: datetime = MON + timedelta(hours=1)
    steps = []
    for _ in range(6):
        if conn.execute(text('SELECT status FROM "case" WHERE id = :c'), {"c": case.id}).scalar_one() in (
            "closed",
            "rejected",
            "merged",
        ):
            break
        steps.append(A(advance_case(conn, case.id, rng, context=ctx, now=now).action))
        now += timedelta(minutes=30)
    assert steps and spy == steps


def test_a_citizens_verification_runs_the_registry(
    conn: Connection, staff: dict[str, Actor], tmp_path: Path, spy: list[Action]
) -> None:
    neighbour = register_account(conn, ReporterIdentity(account_id="acct-registry"), home=NEAR)
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    commands.run(
        conn,
        staff["cgj"],
        A.HANDLE,
        case.id,
        case.version,
        {"note": "好了", "radius_m": 500},
        now=MON + timedelta(hours=3),
    )
    (task,) = verification.tasks_for(conn, neighbour, radius_m=500)
    done = verification.answer(
        conn,
        neighbour,
        task.id,
        passed=True,
        note="确实修好了",
        photos=[jpeg_with_exif()],
        media_dir=tmp_path,
        max_photo_bytes=10**7,
        now=MON + timedelta(days=1),
    )
    assert done.status is S.CLOSED
    assert spy == [A.HANDLE, A.VERIFY_PASS]
