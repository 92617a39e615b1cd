"""挂账 / 延期 on request: the department asks, a shift lead approves or refuses (issue 12). Each decision is
recorded as a case event with who, when and why; refusals change nothing and say why."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text

from db.errors import DomainError, Forbidden, InvalidTransition, StaleCase, ValidationError
from ops import commands
from ops import workflow as wf
from ops.policy import allowed_actions, request_actions
from ops.states import Action, CaseStatus, Role
from ops.workflow import Actor
from tests.support.cases import MON, event, new_case, snapshot

pytestmark = pytest.mark.db

A, S = Action, CaseStatus
LATER = MON + timedelta(hours=3)  # Monday 13:00, the case dispatched at 11:00


def request_row(conn: Connection, request_id: int) -> Any:
    return conn.execute(text("SELECT * FROM case_request WHERE id = :id"), {"id": request_id}).one()


def case_row(conn: Connection, case_id: int) -> Any:
    return conn.execute(text('SELECT * FROM "case" WHERE id = :id'), {"id": case_id}).one()


def refused(conn: Connection, case_id: int, error: type[DomainError], call: Any) -> DomainError:
    before = snapshot(conn, case_id)
    requests = conn.execute(text("SELECT * FROM case_request ORDER BY id")).all()
    with pytest.raises(error) as info:
        call()
    assert info.value.zh and info.value.en
    assert snapshot(conn, case_id) == before
    assert conn.execute(text("SELECT * FROM case_request ORDER BY id")).all() == requests
    return info.value


def test_department_asks_for_an_extension_and_the_lead_approves(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    deadline = case_row(conn, case.id).deadline
    asked = wf.request_extend(
        conn, staff["cgj"], case.id, case.version, amount=2, reason="等待配件", now=LATER
    )
    assert asked.status is S.DISPATCHED and asked.deadline == deadline  # nothing moves while pending
    ev = event(conn, asked.event_id)
    assert (ev.action, ev.actor_role, ev.note) == ("extend_request", "department", "等待配件")
    req = request_row(conn, ev.payload["request"])
    assert (req.state, float(req.amount), req.department_code) == ("pending", 2.0, "CGJ")
    assert req.requested_by == staff["cgj"].user_id

    approved = wf.approve_request(
        conn, staff["lead"], case.id, asked.version, request_id=req.id, now=LATER + timedelta(minutes=5)
    )
    assert approved.deadline is not None and deadline is not None and approved.deadline > deadline
    row = case_row(conn, case.id)
    assert row.extension_count == 1 and row.status == "dispatched"
    ev = event(conn, approved.event_id)
    assert (ev.action, ev.actor_user_id, ev.note) == ("request_approve", staff["lead"].user_id, "等待配件")
    assert ev.payload["request"] == req.id and ev.payload["kind"] == "extend" and ev.payload["amount"] == 2
    req = request_row(conn, req.id)
    assert (req.state, req.decided_by) == ("approved", staff["lead"].user_id)


def test_approved_suspension_stops_the_clock(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.IN_PROGRESS, department="CGJ")
    asked = wf.request_suspend(conn, staff["cgj"], case.id, case.version, reason="雨天无法施工", now=LATER)
    rid = event(conn, asked.event_id).payload["request"]
    done = wf.approve_request(conn, staff["lead"], case.id, asked.version, request_id=rid, now=LATER)
    assert done.status is S.SUSPENDED and done.paused_since == LATER
    row = case_row(conn, case.id)
    assert row.resume_status == "in_progress"
    assert event(conn, done.event_id).from_status == "in_progress"
    assert event(conn, done.event_id).to_status == "suspended"
    back = wf.resume(conn, staff["lead"], case.id, done.version, now=LATER + timedelta(days=1))
    assert back.status is S.IN_PROGRESS  # resumes as a directly suspended case does


def test_refusal_needs_a_reason_and_is_recorded(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    asked = wf.request_suspend(conn, staff["cgj"], case.id, case.version, reason="等待材料", now=LATER)
    rid = event(conn, asked.event_id).payload["request"]
    err = refused(
        conn,
        case.id,
        ValidationError,
        lambda: wf.refuse_request(conn, staff["lead"], case.id, asked.version, request_id=rid, reason=" "),
    )
    assert err.zh == "请填写驳回原因。"
    done = wf.refuse_request(
        conn, staff["lead"], case.id, asked.version, request_id=rid, reason="材料已到", now=LATER
    )
    assert done.status is S.DISPATCHED
    ev = event(conn, done.event_id)
    assert (ev.action, ev.note, ev.department_code) == ("request_refuse", "材料已到", "CGJ")
    assert request_row(conn, rid).state == "refused"
    assert request_row(conn, rid).decision_note == "材料已到"


def test_double_approval_is_refused(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    asked = wf.request_extend(
        conn, staff["cgj"], case.id, case.version, amount=1, reason="等待配件", now=LATER
    )
    rid = event(conn, asked.event_id).payload["request"]
    done = wf.approve_request(conn, staff["lead"], case.id, asked.version, request_id=rid, now=LATER)
    err = refused(
        conn,
        case.id,
        InvalidTransition,
        lambda: wf.approve_request(conn, staff["lead"], case.id, done.version, request_id=rid, now=LATER),
    )
    assert "已批准" in err.zh and "approved" in err.en
    assert case_row(conn, case.id).extension_count == 1


def test_a_withdrawn_request_cannot_be_approved(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    asked = wf.request_suspend(conn, staff["cgj"], case.id, case.version, reason="等待材料", now=LATER)
    rid = event(conn, asked.event_id).payload["request"]
    back = wf.withdraw_request(conn, staff["cgj"], case.id, asked.version, request_id=rid, now=LATER)
    assert event(conn, back.event_id).action == "request_withdraw"
    err = refused(
        conn,
        case.id,
        InvalidTransition,
        lambda: wf.approve_request(conn, staff["lead"], case.id, back.version, request_id=rid, now=LATER),
    )
    assert "已撤回" in err.zh


def test_a_request_of_a_case_that_moved_on_is_outdated(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    asked = wf.request_extend(
        conn, staff["cgj"], case.id, case.version, amount=1, reason="等待配件", now=LATER
    )
    rid = event(conn, asked.event_id).payload["request"]
    handled = wf.handle(conn, staff["cgj"], case.id, asked.version, note="已修好", now=LATER)
    assert request_row(conn, rid).state == "outdated"
    err = refused(
        conn,
        case.id,
        InvalidTransition,
        lambda: wf.approve_request(conn, staff["lead"], case.id, handled.version, request_id=rid, now=LATER),
    )
    assert "失效" in err.zh


def test_a_returned_case_outdates_its_request(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    asked = wf.request_suspend(conn, staff["cgj"], case.id, case.version, reason="等待材料", now=LATER)
    rid = event(conn, asked.event_id).payload["request"]
    wf.return_case(conn, staff["cgj"], case.id, asked.version, reason="不属本部门", now=LATER)
    assert request_row(conn, rid).state == "outdated"


def test_department_cannot_ask_for_a_case_not_at_it(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="520103-CGJ")
    err = refused(
        conn,
        case.id,
        Forbidden,
        lambda: wf.request_suspend(conn, staff["cgj"], case.id, case.version, reason="等待材料", now=LATER),
    )
    assert "不在您的辖区或部门范围内" in err.zh


def test_only_one_pending_request_per_case(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    asked = wf.request_suspend(conn, staff["cgj"], case.id, case.version, reason="等待材料", now=LATER)
    err = refused(
        conn,
        case.id,
        ValidationError,
        lambda: wf.request_extend(
            conn, staff["cgj"], case.id, asked.version, amount=1, reason="等待配件", now=LATER
        ),
    )
    assert "待审批" in err.zh


@pytest.mark.parametrize(
    ("call", "error", "zh"),
    [
        (
            lambda c, s, i, v: wf.request_suspend(c, s["cgj"], i, v, reason=""),
            ValidationError,
            "请填写挂账原因。",
        ),
        (
            lambda c, s, i, v: wf.request_extend(c, s["cgj"], i, v, amount=1, reason=""),
            ValidationError,
            "请填写延期原因。",
        ),
        (
            lambda c, s, i, v: wf.request_extend(c, s["cgj"], i, v, amount=0, reason="x"),
            ValidationError,
            "延期时长必须大于 0。",
        ),
        (lambda c, s, i, v: wf.request_suspend(c, s["lead"], i, v, reason="x"), Forbidden, "申请挂账"),
        (lambda c, s, i, v: wf.approve_request(c, s["cgj"], i, v, request_id=1), Forbidden, "批准申请"),
        (lambda c, s, i, v: wf.suspend(c, s["lead"], i, v, reason=""), ValidationError, "请填写挂账原因。"),
        (
            lambda c, s, i, v: wf.return_case(c, s["lead"], i, v, reason=""),
            ValidationError,
            "请填写回退原因。",
        ),
        (
            lambda c, s, i, v: wf.extend(c, s["lead"], i, v, amount=1, reason=""),
            ValidationError,
            "请填写延期原因。",
        ),
    ],
    ids=[
        "suspend-no-reason",
        "extend-no-reason",
        "extend-zero",
        "lead-asks",
        "dept-approves",
        "lead-suspend",
        "return",
        "lead-extend",
    ],
)
def test_refusals_name_the_field(
    conn: Connection, staff: dict[str, Actor], call: Any, error: type[DomainError], zh: str
) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    err = refused(conn, case.id, error, lambda: call(conn, staff, case.id, case.version))
    assert zh in err.zh


def test_a_stale_request_is_refused(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    wf.start(conn, staff["cgj"], case.id, case.version, now=LATER)
    refused(
        conn,
        case.id,
        StaleCase,
        lambda: wf.request_suspend(conn, staff["cgj"], case.id, case.version, reason="x", now=LATER),
    )


def test_lead_still_acts_directly_and_it_is_recorded_as_such(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    done = commands.run(conn, staff["lead"], A.EXTEND, case.id, case.version, {"amount": 1, "reason": "雨天"})
    ev = event(conn, done.event_id)
    assert ev.action == "extend" and "request" not in ev.payload


def test_the_registry_carries_requests(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    asked = commands.run(conn, staff["cgj"], A.SUSPEND_REQUEST, case.id, case.version, {"reason": "等待材料"})
    rid = event(conn, asked.event_id).payload["request"]
    done = commands.run(conn, staff["lead"], A.REQUEST_APPROVE, case.id, asked.version, {"request_id": rid})
    assert done.status is S.SUSPENDED


def test_who_sees_which_actions() -> None:
    assert A.SUSPEND_REQUEST in allowed_actions(Role.DEPARTMENT, S.DISPATCHED)
    assert A.EXTEND_REQUEST in allowed_actions(Role.OFFICER, S.IN_PROGRESS)
    assert A.SUSPEND not in allowed_actions(Role.DEPARTMENT, S.DISPATCHED)
    assert A.SUSPEND_REQUEST not in allowed_actions(Role.LEAD, S.DISPATCHED)
    assert request_actions(Role.LEAD, S.DISPATCHED) == [A.REQUEST_APPROVE, A.REQUEST_REFUSE]
    assert request_actions(Role.DEPARTMENT, S.IN_PROGRESS) == [A.REQUEST_WITHDRAW]
    assert request_actions(Role.DISPATCHER, S.DISPATCHED) == []
