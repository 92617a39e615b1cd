"""挂账 / 延期 on request: the department (or the district officer) asks, a shift lead approves or refuses.

- ``request_suspend`` / ``request_extend`` (reason; amount for 延期): the case (dispatched | in progress, at the
  asker's department or district) keeps its status; a ``case_request`` row is opened (``pending``) and the event
  ``suspend_request`` / ``extend_request`` records who asked, when and why (note = reason, payload
  ``{"request": id, "kind": k}`` plus ``amount``/``unit`` for 延期). At most one pending request per case.
- ``approve_request`` (request_id; lead/admin): the request must be pending and the case still at the requesting
  department in a status the asked action applies from; it is marked ``approved`` (compare-and-set on its state:
  a second approval finds it decided) and the asked action is carried out as :func:`~ops.workflow.suspend` /
  :func:`~ops.workflow.extend` would (the clock stops / the deadline moves), in ONE event ``request_approve``
  (from → to the approved action's target; note = the request's reason; payload ``{"request": id, "kind": k,
  "requested_by": user id}`` plus the extension's ``amount``/``unit``/``deadline``).
- ``refuse_request`` (request_id, reason required; lead/admin): ``refused``; event ``request_refuse``, note =
  the reason. ``withdraw_request`` (request_id; the asking side): ``withdrawn``; event ``request_withdraw``.

A pending request of a case that leaves the department's hands (returned, handled, suspended, re-dispatched)
becomes ``outdated`` in the same transaction (:meth:`ops.workflow.core.Step.write`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, text

from db.errors import InvalidTransition, NotFound, ValidationError
from ops.states import APPROVES, LABELS, Action, CaseStatus
from ops.workflow.base import MAX_REASON, Actor, CaseResult, require_text
from ops.workflow.core import load, precheck
from ops.workflow.field import check_extension, extend_step, extension_amount, suspend_step

A = Action
KIND_LABELS = {"suspend": ("挂账", "suspension"), "extend": ("延期", "extension")}
STATE_LABELS = {
    "pending": ("待审批", "pending"),
    "approved": ("已批准", "approved"),
    "refused": ("已驳回", "refused"),
    "withdrawn": ("已撤回", "withdrawn"),
    "outdated": ("已失效（案件已变化）", "outdated (the case has moved on)"),
}

_PENDING = text("SELECT id, kind FROM case_request WHERE case_id = :case AND state = 'pending' LIMIT 1")
_INSERT = text(
    "INSERT INTO case_request (case_id, kind, amount, reason, department_code, requested_by, requested_at) "
    "VALUES (:case, :kind, :amount, :reason, :dept, :uid, :at) RETURNING id"
)
_GET = text(
    "SELECT id, case_id, kind, state, amount, reason, department_code, requested_by, requested_at "
    "FROM case_request WHERE id = :id FOR UPDATE"
)
_DECIDE = text(
    "UPDATE case_request SET state = :state, decided_by = :uid, decided_at = :at, decision_note = :note "
    "WHERE id = :id AND state = 'pending'"
)


def _decide(
    conn: Connection, req: Row[Any], state: str, actor: Actor, at: datetime, note: str | None
) -> None:
    """Compare-and-set the request's state (the row is locked: a concurrent decision waits, then finds it
    decided in :func:`_request`)."""
    params = {"state": state, "uid": actor.user_id, "at": at, "note": note, "id": req.id}
    if conn.execute(_DECIDE, params).rowcount != 1:
        raise InvalidTransition(
            "该申请刚被其他人处理，请刷新。",
            "This request was just decided by someone else; refresh.",
            detail=f"request={req.id}",
        )


def _kind_text(kind: str) -> tuple[str, str]:
    return KIND_LABELS.get(kind, (kind, kind))


def _request(conn: Connection, case_id: int, request_id: object) -> Row[Any]:
    if isinstance(request_id, bool) or not isinstance(request_id, int):
        raise ValidationError("请选择要处理的申请。", "Please choose the request.", field="request_id")
    row = conn.execute(_GET, {"id": request_id}).first()
    if row is None or row.case_id != case_id:
        raise NotFound(
            f"该案件没有编号为 {request_id} 的申请。",
            f"This case has no request {request_id}.",
            field="request_id",
        )
    if row.state != "pending":
        kzh, ken = _kind_text(row.kind)
        szh, sen = STATE_LABELS.get(row.state, (row.state, row.state))
        raise InvalidTransition(
            f"该{kzh}申请{szh}，不能再处理。",
            f"This {ken} request is {sen}; it cannot be decided again.",
            detail=f"request={row.id} state={row.state}",
        )
    return row


def _ask(
    conn: Connection,
    actor: Actor,
    action: Action,
    case_id: int,
    version: int,
    reason: object,
    amount: object,
    now: datetime | None,
) -> CaseResult:
    at = precheck(actor, action, version, now)
    kind = "suspend" if action is A.SUSPEND_REQUEST else "extend"
    kzh, ken = _kind_text(kind)
    value = extension_amount(amount) if kind == "extend" else None
    note = require_text(reason, field="reason", limit=MAX_REASON, zh=f"{kzh}原因", en=f"reason for the {ken}")
    step = load(conn, actor, action, case_id, version, at)
    if value is not None:
        check_extension(step, value)
    pending = conn.execute(_PENDING, {"case": case_id}).first()
    if pending is not None:
        pzh, pen = _kind_text(pending.kind)
        raise ValidationError(
            f"案件 {step.case.ticket} 已有一条待审批的{pzh}申请，请等值班长处理或先撤回。",
            f"Case {step.case.ticket} already has a pending {pen} request; wait for the decision or withdraw it.",
            field="request_id",
        )
    request_id = conn.execute(
        _INSERT,
        {
            "case": case_id,
            "kind": kind,
            "amount": value,
            "reason": note,
            "dept": step.case.department_code,
            "uid": actor.user_id,
            "at": at,
        },
    ).scalar_one()
    payload: dict[str, Any] = {"request": request_id, "kind": kind}
    if value is not None:
        payload |= {"amount": value, "unit": step.unit}
    return step.write(note=note, payload=payload)


def request_suspend(
    conn: Connection, actor: Actor, case_id: int, version: int, *, reason: str, now: datetime | None = None
) -> CaseResult:
    """申请挂账: the department asks a shift lead to stop the clock; the case keeps its status meanwhile."""
    return _ask(conn, actor, A.SUSPEND_REQUEST, case_id, version, reason, None, now)


def request_extend(
    conn: Connection,
    actor: Actor,
    case_id: int,
    version: int,
    *,
    amount: float,
    reason: str,
    now: datetime | None = None,
) -> CaseResult:
    """申请延期: the department asks a shift lead for ``amount`` more (in the 小类's time unit)."""
    return _ask(conn, actor, A.EXTEND_REQUEST, case_id, version, reason, amount, now)


def _outdated(ticket: str, status: CaseStatus, kind: str) -> InvalidTransition:
    szh, sen = LABELS[status]
    kzh, ken = _kind_text(kind)
    return InvalidTransition(
        f"案件 {ticket} 已变化（当前为“{szh}”），该{kzh}申请已过时，不能批准。",
        f"Case {ticket} has moved on (now {sen.lower()}); this {ken} request is outdated and cannot be approved.",
        detail=f"status={status.value} kind={kind}",
    )


def approve_request(
    conn: Connection,
    actor: Actor,
    case_id: int,
    version: int,
    *,
    request_id: int,
    now: datetime | None = None,
) -> CaseResult:
    """批准: carry out the pending request's 挂账 or 延期 now, recorded as one ``request_approve`` event."""
    at = precheck(actor, A.REQUEST_APPROVE, version, now)
    req = _request(conn, case_id, request_id)
    approved = APPROVES[req.kind]
    try:
        step = load(conn, actor, approved, case_id, version, at)
    except InvalidTransition:
        row = conn.execute(text('SELECT ticket, status FROM "case" WHERE id = :id'), {"id": case_id}).one()
        raise _outdated(row.ticket, CaseStatus(row.status), req.kind) from None
    if step.case.department_code != req.department_code:
        raise _outdated(step.case.ticket, CaseStatus(step.case.status), req.kind)
    amount = float(req.amount) if req.amount is not None else None
    if amount is not None:
        check_extension(step, amount)
    _decide(conn, req, "approved", actor, at, None)
    step.action = A.REQUEST_APPROVE
    payload = {"request": req.id, "kind": req.kind, "requested_by": req.requested_by}
    if amount is not None:
        return extend_step(step, amount, req.reason, payload)
    return suspend_step(step, req.reason, payload)


def _close(
    conn: Connection,
    actor: Actor,
    action: Action,
    case_id: int,
    version: int,
    request_id: object,
    note: str | None,
    now: datetime | None,
    at: datetime,
) -> CaseResult:
    req = _request(conn, case_id, request_id)
    step = load(conn, actor, action, case_id, version, at)
    state = "refused" if action is A.REQUEST_REFUSE else "withdrawn"
    _decide(conn, req, state, actor, at, note)
    return step.write(
        note=note, payload={"request": req.id, "kind": req.kind}, department=req.department_code
    )


def refuse_request(
    conn: Connection,
    actor: Actor,
    case_id: int,
    version: int,
    *,
    request_id: int,
    reason: str,
    now: datetime | None = None,
) -> CaseResult:
    """驳回: the pending request is refused, with a reason the department sees."""
    at = precheck(actor, A.REQUEST_REFUSE, version, now)
    note = require_text(reason, field="reason", limit=MAX_REASON, zh="驳回原因", en="reason for refusing")
    return _close(conn, actor, A.REQUEST_REFUSE, case_id, version, request_id, note, now, at)


def withdraw_request(
    conn: Connection,
    actor: Actor,
    case_id: int,
    version: int,
    *,
    request_id: int,
    now: datetime | None = None,
) -> CaseResult:
    """撤回: the asking side takes its pending request back."""
    at = precheck(actor, A.REQUEST_WITHDRAW, version, now)
    return _close(conn, actor, A.REQUEST_WITHDRAW, case_id, version, request_id, None, now, at)


__all__ = [
    "approve_request",
    "refuse_request",
    "request_extend",
    "request_suspend",
    "withdraw_request",
]
