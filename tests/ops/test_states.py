"""The workflow machine as data: every (action, status) pair, every (role, action) pair, scope rules.

The expected tables are written out here independently of ``ops.states`` so a change there must be deliberate.
"""

from __future__ import annotations

import itertools

import pytest

from ops.policy import PERMISSIONS, allowed_actions, in_scope, may
from ops.states import (
    APPROVES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    REQUEST_DECISIONS,
    TRANSITIONS,
    Action,
    CaseStatus,
    Role,
    target,
)

A, S, R = Action, CaseStatus, Role

OPEN = [S.REPORTED, S.FILED, S.DISPATCHED, S.IN_PROGRESS, S.HANDLED, S.SUSPENDED]

#: (action, from) -> to, for every allowed pair (RESUME is tested separately: its target is the saved status).
ALLOWED: dict[tuple[Action, CaseStatus | None], CaseStatus] = {
    (A.REPORT, None): S.REPORTED,
    (A.FILE, S.REPORTED): S.FILED,
    (A.REJECT, S.REPORTED): S.REJECTED,
    (A.MERGE, S.REPORTED): S.MERGED,
    (A.MERGE, S.FILED): S.MERGED,
    (A.DISPATCH, S.FILED): S.DISPATCHED,
    (A.RETURN, S.DISPATCHED): S.FILED,
    (A.RETURN, S.IN_PROGRESS): S.FILED,
    (A.START, S.DISPATCHED): S.IN_PROGRESS,
    (A.HANDLE, S.DISPATCHED): S.HANDLED,
    (A.HANDLE, S.IN_PROGRESS): S.HANDLED,
    (A.VERIFY_PASS, S.HANDLED): S.CLOSED,
    (A.VERIFY_FAIL, S.HANDLED): S.DISPATCHED,
    (A.SUSPEND, S.DISPATCHED): S.SUSPENDED,
    (A.SUSPEND, S.IN_PROGRESS): S.SUSPENDED,
    (A.EXTEND, S.DISPATCHED): S.DISPATCHED,
    (A.EXTEND, S.IN_PROGRESS): S.IN_PROGRESS,
    **{(A.ESCALATE, s): s for s in OPEN},
    **{
        (a, s): s
        for a in (A.SUSPEND_REQUEST, A.EXTEND_REQUEST, A.REQUEST_REFUSE, A.REQUEST_WITHDRAW)
        for s in (S.DISPATCHED, S.IN_PROGRESS)
    },
}
#: An approval leads where the approved action leads (ops.states.APPROVES); target() alone says None.
APPROVABLE = {S.DISPATCHED, S.IN_PROGRESS}

PAIRS = [(a, s) for a in Action if a not in (A.RESUME, A.REQUEST_APPROVE) for s in [None, *CaseStatus]]


def test_an_approval_is_possible_where_its_action_is() -> None:
    assert {s for (a, s) in TRANSITIONS if a is A.REQUEST_APPROVE} == APPROVABLE
    for kind, action in APPROVES.items():
        assert {s for s in APPROVABLE if target(action, s) is not None} == APPROVABLE, kind
    assert all(target(A.REQUEST_APPROVE, s) is None for s in [None, *CaseStatus])


@pytest.mark.parametrize(("action", "status"), PAIRS, ids=[f"{a.value}-{s and s.value}" for a, s in PAIRS])
def test_every_action_status_pair(action: Action, status: CaseStatus | None) -> None:
    assert target(action, status) == ALLOWED.get((action, status))


@pytest.mark.parametrize("status", [None, *CaseStatus], ids=lambda s: str(s and s.value))
@pytest.mark.parametrize("resume_to", [None, *CaseStatus], ids=lambda s: f"to-{s and s.value}")
def test_resume_returns_to_the_saved_status_only(
    status: CaseStatus | None, resume_to: CaseStatus | None
) -> None:
    expected = resume_to if status is S.SUSPENDED and resume_to in (S.DISPATCHED, S.IN_PROGRESS) else None
    assert target(A.RESUME, status, resume_to) == expected


def test_statuses_partition() -> None:
    assert set(OPEN) == OPEN_STATUSES
    assert {S.CLOSED, S.REJECTED, S.MERGED} == FINAL_STATUSES
    assert OPEN_STATUSES | FINAL_STATUSES == set(CaseStatus)
    for status in FINAL_STATUSES:  # nothing leaves a final status
        assert all(target(a, status, S.DISPATCHED) is None for a in Action)


CENTER = {R.ADMIN, R.LEAD, R.DISPATCHER}
HANDLERS = {R.ADMIN, R.LEAD, R.OFFICER, R.DEPARTMENT}
VERIFIERS = {R.ADMIN, R.LEAD, R.DISPATCHER, R.CITIZEN, R.SYSTEM}
MAY: dict[Action, set[Role]] = {
    A.REPORT: {R.ADMIN, R.LEAD, R.DISPATCHER, R.OFFICER, R.CITIZEN, R.SYSTEM},
    A.FILE: CENTER,
    A.REJECT: CENTER,
    A.MERGE: CENTER,
    A.DISPATCH: CENTER,
    A.RETURN: HANDLERS,
    A.START: HANDLERS,
    A.HANDLE: HANDLERS,
    A.VERIFY_PASS: VERIFIERS,
    A.VERIFY_FAIL: VERIFIERS,
    A.SUSPEND: {R.ADMIN, R.LEAD},
    A.RESUME: {R.ADMIN, R.LEAD},
    A.EXTEND: {R.ADMIN, R.LEAD},
    A.ESCALATE: {R.ADMIN, R.LEAD, R.DISPATCHER, R.OFFICER, R.SYSTEM},
    A.SUSPEND_REQUEST: {R.OFFICER, R.DEPARTMENT},
    A.EXTEND_REQUEST: {R.OFFICER, R.DEPARTMENT},
    A.REQUEST_WITHDRAW: {R.OFFICER, R.DEPARTMENT},
    A.REQUEST_APPROVE: {R.ADMIN, R.LEAD},
    A.REQUEST_REFUSE: {R.ADMIN, R.LEAD},
}
ROLE_ACTION = list(itertools.product(Role, Action))


def test_permission_table_covers_every_action() -> None:
    assert set(PERMISSIONS) == set(Action) == set(MAY)


@pytest.mark.parametrize(
    ("role", "action"), ROLE_ACTION, ids=[f"{r.value}-{a.value}" for r, a in ROLE_ACTION]
)
def test_permissions_per_role(role: Role, action: Action) -> None:
    assert may(role, action) is (role in MAY[action])


def test_moderator_never_touches_cases() -> None:
    assert not any(may(R.MODERATOR, a) for a in Action)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("status", list(CaseStatus), ids=lambda s: s.value)
def test_allowed_actions_is_transitions_and_permissions(role: Role, status: CaseStatus) -> None:
    expected = [
        a
        for a in Action
        if a is not A.REPORT
        and a not in REQUEST_DECISIONS
        and role in MAY[a]
        and ((a, status) in ALLOWED or (a is A.RESUME and status is S.SUSPENDED))
    ]
    assert allowed_actions(role, status) == expected


SCOPE = [
    # role, user district, user department, case district, case department, expected
    (R.OFFICER, "520103", None, "520103", None, True),
    (R.OFFICER, "520103", None, "520103", "520103-CGJ", True),
    (R.OFFICER, "520103", None, "520102", "520103-CGJ", False),
    (R.OFFICER, "520103", None, None, None, False),
    (R.OFFICER, None, None, None, None, False),
    (R.DEPARTMENT, None, "CGJ", "520102", "CGJ", True),
    (R.DEPARTMENT, None, "CGJ", "520103", "CGJ", True),
    (R.DEPARTMENT, None, "CGJ", "520103", "520103-CGJ", False),
    (R.DEPARTMENT, None, "CGJ", "520103", None, False),
    (R.DEPARTMENT, None, None, "520103", None, False),
    (R.DEPARTMENT, "520103", "520103-HW", "520103", "520103-CGJ", False),
    (R.ADMIN, None, None, "520102", "CGJ", True),
    (R.LEAD, None, None, "520102", None, True),
    (R.DISPATCHER, None, None, "520111", "520111-HW", True),
    (R.CITIZEN, None, None, "520102", "CGJ", True),
    (R.SYSTEM, None, None, None, None, True),
    (R.MODERATOR, None, None, "520102", "CGJ", False),
]


@pytest.mark.parametrize(("role", "u_dist", "u_dept", "c_dist", "c_dept", "expected"), SCOPE)
def test_in_scope(
    role: Role, u_dist: str | None, u_dept: str | None, c_dist: str | None, c_dept: str | None, expected: bool
) -> None:
    got = in_scope(
        role, user_district=u_dist, user_department=u_dept, case_district=c_dist, case_department=c_dept
    )
    assert got is expected
