"""The command center's commands: 立案 file, 不予立案 reject, 合并 merge, 派遣 dispatch, 升级督办 escalate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from db.errors import ValidationError
from ops.states import OPEN_STATUSES, Action, CaseStatus
from ops.workflow.base import MAX_REASON, URGENCIES, Actor, CaseResult, optional_text, require_text
from ops.workflow.core import NO_CLOCK, load, precheck


def _reason(reason: object) -> str:
    return require_text(reason, field="reason", limit=MAX_REASON, zh="原因", en="reason")


def file_case(
    conn: Connection,
    actor: Actor,
    case_id: int,
    version: int,
    *,
    urgency: str | None = None,
    now: datetime | None = None,
) -> CaseResult:
    """立案: reported → filed with ``urgency`` ('normal' | 'urgent'; ``None`` keeps the urgency set at report
    time from the 小类); starts the dispatch stage clock."""
    at = precheck(actor, Action.FILE, version, now)
    if urgency is not None and urgency not in URGENCIES:
        raise ValidationError(
            f"紧急程度必须是 {' / '.join(URGENCIES)}。",
            f"Urgency must be one of {', '.join(URGENCIES)}.",
            field="urgency",
        )
    step = load(conn, actor, Action.FILE, case_id, version, at)
    level = urgency or str(step.case.urgency)
    changes = {"filed_at": at, "urgency": level, **step.center_clock(CaseStatus.FILED)}
    if level == "urgent":
        changes["escalated"] = True
    return step.write(changes, payload={"urgency": level})


def reject(
    conn: Connection, actor: Actor, case_id: int, version: int, *, reason: str, now: datetime | None = None
) -> CaseResult:
    """不予立案: reported → rejected, with a reason (the event's note)."""
    at = precheck(actor, Action.REJECT, version, now)
    note = _reason(reason)
    step = load(conn, actor, Action.REJECT, case_id, version, at)
    return step.write({"closed_at": at, **NO_CLOCK}, note=note)


def merge(
    conn: Connection,
    actor: Actor,
    case_id: int,
    version: int,
    *,
    into_case_id: int,
    now: datetime | None = None,
) -> CaseResult:
    """合并: reported|filed → merged into another open case of the same 小类."""
    at = precheck(actor, Action.MERGE, version, now)
    if isinstance(into_case_id, bool) or not isinstance(into_case_id, int):
        raise ValidationError(
            "请指定要合并到的案件。", "Please choose the case to merge into.", field="into_case_id"
        )
    step = load(
        conn,
        actor,
        Action.MERGE,
        case_id,
        version,
        at,
        extra="i.id AS into_id, i.ticket AS into_ticket, i.status AS into_status, i.category_code AS into_category",
        join='LEFT JOIN "case" i ON i.id = :into',
        params={"into": into_case_id},
    )
    case = step.case
    if case.into_id is None:
        raise ValidationError(
            f"没有编号为 {into_case_id} 的案件。", f"No case with id {into_case_id}.", field="into_case_id"
        )
    if case.into_id == case.id:
        raise ValidationError(
            "案件不能合并到自身。", "A case cannot be merged into itself.", field="into_case_id"
        )
    if CaseStatus(case.into_status) not in OPEN_STATUSES:
        raise ValidationError(
            f"案件 {case.into_ticket} 已办结，只能合并到未办结的案件。",
            f"Case {case.into_ticket} is finished; merge only into an open case.",
            field="into_case_id",
        )
    if case.into_category != case.category_code:
        raise ValidationError(
            f"案件 {case.into_ticket} 的小类不同（{case.into_category}），不能合并。",
            f"Case {case.into_ticket} has another category ({case.into_category}); cannot merge.",
            field="into_case_id",
        )
    return step.write(
        {"merged_into_id": case.into_id, "closed_at": at, **NO_CLOCK},
        payload={"into": case.into_id, "into_ticket": case.into_ticket},
    )


def dispatch(
    conn: Connection,
    actor: Actor,
    case_id: int,
    version: int,
    *,
    department_code: str | None = None,
    now: datetime | None = None,
) -> CaseResult:
    """派遣: filed → dispatched to ``department_code`` (default: the suggested one); sets the deadline."""
    at = precheck(actor, Action.DISPATCH, version, now)
    if department_code is not None and (not isinstance(department_code, str) or not department_code.strip()):
        raise ValidationError("请选择处置部门。", "Please choose a department.", field="department_code")
    chosen = department_code.strip() if department_code else None
    step = load(
        conn,
        actor,
        Action.DISPATCH,
        case_id,
        version,
        at,
        extra="dep.code AS chosen_department",
        join="LEFT JOIN department dep ON dep.code = coalesce(CAST(:dept AS varchar), c.suggested_department_code)",
        params={"dept": chosen},
    )
    case = step.case
    if case.chosen_department is None:
        if chosen is not None:
            raise ValidationError(
                f"没有部门代码 {chosen}。", f"No department with code {chosen}.", field="department_code"
            )
        raise ValidationError(
            f"案件 {case.ticket} 没有建议的处置部门，请选择部门。",
            f"Case {case.ticket} has no suggested department; please choose one.",
            field="department_code",
        )
    department = str(case.chosen_department)
    clock = step.handling_clock()
    deadline = clock["deadline"]
    return step.write(
        {"department_code": department, "dispatched_at": at, **clock},
        payload={
            "department": department,
            "suggested": case.suggested_department_code,
            "deadline": deadline.isoformat(),
            "accurate": department == case.suggested_department_code,
        },
    )


def escalate(
    conn: Connection,
    actor: Actor,
    case_id: int,
    version: int,
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> CaseResult:
    """升级督办: flag an open case for the command center; the status stays."""
    at = precheck(actor, Action.ESCALATE, version, now)
    note = optional_text(reason, field="reason", limit=MAX_REASON, zh="原因", en="reason")
    step = load(conn, actor, Action.ESCALATE, case_id, version, at)
    return step.write({"escalated": True}, note=note)
