"""The queue's focus (issue 12): an officer's own work (待处置 / 处置中 / 返工) comes before the 待受理 reports
they cannot touch, "仅我可处理" shows only that work, and the command center can list the cases with a 挂账 /
延期 request waiting for a decision (待审批). The case card carries the case's latest request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Connection, text

from db.accounts import StaffIdentity, load_identity
from db.queries import wb_card
from db.queries import workbench as q
from ops import workflow as wf
from ops.policy import actionable_statuses, workbench_scope
from ops.states import CaseStatus
from ops.workflow import Actor
from tests.support.cases import MON, new_case

S = CaseStatus
LATER = MON + timedelta(hours=3)


@pytest.fixture
def people(conn: Connection) -> dict[str, StaffIdentity]:
    out = {}
    for (uid,) in conn.execute(text("SELECT id FROM staff_user")).all():
        ident = load_identity(conn, uid)
        assert ident is not None
        out[ident.username] = ident
    return out


def test_officer_queue_puts_their_own_work_first(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    officer = people["yunyan"]
    mine = actionable_statuses(officer.role)
    assert mine == ("dispatched", "in_progress")
    # a report waiting since Friday: its (center's) clock is the most pressing of all
    report = new_case(conn, staff, S.REPORTED, start=MON - timedelta(days=3))
    dispatched = new_case(conn, staff, S.DISPATCHED)
    working = new_case(conn, staff, S.IN_PROGRESS)
    rework = new_case(conn, staff, S.HANDLED)
    rework = wf.verify(conn, staff["lead"], rework.id, rework.version, passed=False, note="未修好", now=LATER)
    assert rework.status is S.DISPATCHED  # 返工: back at the department
    scope, f = workbench_scope(officer), q.Filters(district="520103")

    plain = [r.id for r in q.queue(conn, scope, f, now=LATER, limit=10_000).rows]
    assert plain.index(report.id) < plain.index(dispatched.id)  # by deadline alone, the report came first

    rows = q.queue(conn, scope, f, now=LATER, limit=10_000, first=mine).rows
    ids = [r.id for r in rows]
    assert set(ids) == set(plain)  # the same cases, in another order
    for own in (dispatched.id, working.id, rework.id):
        assert ids.index(own) < ids.index(report.id)
    first_other = next(i for i, r in enumerate(rows) if r.status not in mine)
    assert all(r.status not in mine for r in rows[first_other:])  # nothing of theirs after the rest

    only = q.queue(conn, scope, f, now=LATER, limit=10_000, first=mine, only_first=True)
    assert {r.status for r in only.rows} <= set(mine)
    assert report.id not in {r.id for r in only.rows} and rework.id in {r.id for r in only.rows}
    assert only.total == len(only.rows)


def test_pending_requests_for_the_lead(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    asked = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    other = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    asked = wf.request_extend(
        conn, staff["cgj"], asked.id, asked.version, amount=2, reason="等待配件", now=LATER
    )
    scope, f = workbench_scope(people["lead"]), q.Filters(district="520103")
    rows = q.queue(conn, scope, f, now=LATER, limit=10_000, pending_only=True).rows
    assert asked.id in {r.id for r in rows} and other.id not in {r.id for r in rows}
    assert all(r.pending_request for r in rows)
    flags = {r.id: r.pending_request for r in q.queue(conn, scope, f, now=LATER, limit=10_000).rows}
    assert flags[asked.id] is True and flags[other.id] is False

    card = wb_card.case_card(conn, scope, asked.id, now=LATER)
    assert card is not None and card.request is not None
    assert (card.request.kind, card.request.state, float(card.request.amount)) == ("extend", "pending", 2.0)
    assert card.request.department_code == "CGJ" and card.request.reason == "等待配件"
    # the department sees its own request on its card, then the outcome
    dept_card = wb_card.case_card(conn, workbench_scope(people["cgj"]), asked.id, now=LATER)
    assert dept_card is not None and dept_card.request is not None and dept_card.request.state == "pending"
    wf.refuse_request(
        conn,
        staff["lead"],
        asked.id,
        asked.version,
        request_id=card.request.id,
        reason="请按期完成",
        now=LATER,
    )
    dept_card = wb_card.case_card(conn, workbench_scope(people["cgj"]), asked.id, now=LATER)
    assert dept_card is not None and dept_card.request is not None
    assert (dept_card.request.state, dept_card.request.decision_note) == ("refused", "请按期完成")
    assert dept_card.request.decided_by_name == people["lead"].display_name
    assert q.queue(conn, scope, f, now=LATER, limit=10_000, pending_only=True).rows == []
