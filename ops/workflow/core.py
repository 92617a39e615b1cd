"""The one path every transition takes: load (one query), check, compare-and-set UPDATE, one event INSERT."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, TextClause, text
from sqlalchemy.exc import DBAPIError

from db.calendar_repo import load_calendar, stamp_at_sql
from db.errors import Forbidden, InvalidTransition, StaleCase
from db.reference_rules import CATEGORY_AT_CASE, local_date
from geo.calendar import WorkCalendar
from ops.alarms import raise_for_event
from ops.notify.outbox import enqueue_for_event
from ops.policy import in_scope
from ops.states import (
    ACTION_LABELS,
    LABELS,
    STAGE_LIMITS,
    URGENT_FACTOR,
    Action,
    CaseStatus,
    target,
)
from ops.subscriptions.matching import enqueue_for_event as enqueue_subscriptions
from ops.workflow.base import (
    RETURNING,
    YELLOW_SHARE,
    Actor,
    CaseResult,
    not_found,
    require_role,
    require_version,
    resolve_now,
    result,
)

_LOAD_COLUMNS = (
    "c.id, c.ticket, c.status, c.resume_status, c.version, c.district_code, c.department_code, "
    "c.suggested_department_code, c.reporter_id, c.category_code, c.urgency, c.deadline, c.stage_started_at, "
    "c.stage_yellow_at, c.stage_deadline, c.paused_since, "
    # the 小类's limit and the calendar in force on the case's report date: a case keeps the rules it was
    # judged by when they change later (/admin/reference)
    "coalesce(crule.time_limit, cat.time_limit) AS time_limit, coalesce(crule.time_unit, cat.time_unit) AS time_unit, "
    f"{local_date('c.created_at')} AS rule_day, {stamp_at_sql(local_date('c.created_at'))} AS cal_stamp"
)
#: Columns a command may set (a guard: column names are code, never input).
_WRITABLE = frozenset(
    {
        "resume_status",
        "urgency",
        "escalated",
        "department_code",
        "merged_into_id",
        "deadline",
        "stage_started_at",
        "stage_yellow_at",
        "stage_deadline",
        "paused_since",
        "filed_at",
        "dispatched_at",
        "handled_at",
        "closed_at",
    }
)
_COUNTERS = frozenset({"rework_count", "return_count", "extension_count"})
_EVENT = text(
    "INSERT INTO case_event (case_id, action, from_status, to_status, actor_user_id, actor_person_id, "
    "actor_role, department_code, note, payload, at) VALUES (:case_id, :action, :from_status, :to_status, "
    ":uid, :pid, :role, :dept, :note, CAST(:payload AS jsonb), :at) RETURNING id"
)
_statements: dict[tuple[str, ...], TextClause] = {}
#: A 挂账 / 延期 request waits on a case at the requesting department; when the case leaves its hands (returned,
#: handled, suspended...), the request can no longer be decided: it becomes 'outdated' in the same transaction.
_ASKABLE = frozenset({CaseStatus.DISPATCHED.value, CaseStatus.IN_PROGRESS.value})
_OUTDATE = text(
    "UPDATE case_request SET state = 'outdated', decided_at = :at WHERE case_id = :case AND state = 'pending'"
)


class _Same:
    """Sentinel: the event's department is the case's department after the change."""


_SAME = _Same()


def _load_statement(extra: str, join: str) -> TextClause:
    key = ("load", extra, join)
    stmt = _statements.get(key)
    if stmt is None:
        stmt = text(
            f'SELECT {_LOAD_COLUMNS}{", " + extra if extra else ""} FROM "case" c '  # nosec B608 # SQL from constant fragments; values are bound parameters
            f"JOIN category cat ON cat.code = c.category_code {CATEGORY_AT_CASE} {join} WHERE c.id = :id"
        )
        _statements[key] = stmt
    return stmt


def _update_statement(columns: tuple[str, ...], counters: tuple[str, ...]) -> TextClause:
    key = ("update", *columns, "|", *counters)
    stmt = _statements.get(key)
    if stmt is None:
        bad = (set(columns) - _WRITABLE) | (set(counters) - _COUNTERS)
        if bad:
            raise ValueError(f"not writable by a workflow command: {sorted(bad)}")
        sets = [f"{c} = :s_{c}" for c in columns] + [f"{c} = {c} + 1" for c in counters]
        sets += ["status = :s_status", "version = version + 1", "updated_at = :now"]
        stmt = text(
            f'UPDATE "case" SET {", ".join(sets)} WHERE id = :id AND version = :version RETURNING {RETURNING}'  # nosec B608 # SQL from constant fragments; values are bound parameters
        )
        _statements[key] = stmt
    return stmt


def stage_clock(cal: WorkCalendar, start: datetime, amount: float, unit: str) -> dict[str, datetime]:
    """A fresh stage clock: started now, yellow at 80 % of ``amount``, deadline at ``amount``."""
    return {
        "stage_started_at": start,
        "stage_yellow_at": cal.add(start, YELLOW_SHARE * amount, unit),
        "stage_deadline": cal.add(start, amount, unit),
    }


NO_CLOCK: dict[str, Any] = {"stage_started_at": None, "stage_yellow_at": None, "stage_deadline": None}


@dataclass(slots=True)
class Step:
    """A loaded, checked case about to take ``action`` into status ``to``."""

    conn: Connection
    actor: Actor
    action: Action
    case: Row[Any]
    to: CaseStatus
    now: datetime
    _cal: WorkCalendar | None = field(default=None, repr=False)

    @property
    def calendar(self) -> WorkCalendar:
        if self._cal is None:
            self._cal = load_calendar(self.conn, stamp=self.case.cal_stamp, as_of=self.case.rule_day)
        return self._cal

    @property
    def unit(self) -> str:
        return str(self.case.time_unit)

    def handling_limit(self) -> float:
        """The department's limit in :attr:`unit`: the 小类's, times URGENT_FACTOR for urgent cases."""
        limit = float(self.case.time_limit)
        return limit * URGENT_FACTOR if self.case.urgency == "urgent" else limit

    def center_clock(self, status: CaseStatus) -> dict[str, datetime]:
        amount, unit = STAGE_LIMITS[status]
        return stage_clock(self.calendar, self.now, amount, unit)

    def handling_clock(self) -> dict[str, datetime]:
        """Deadline and stage clock of a (re)dispatch at ``now``."""
        clock = stage_clock(self.calendar, self.now, self.handling_limit(), self.unit)
        return {**clock, "deadline": clock["stage_deadline"]}

    def write(
        self,
        changes: Mapping[str, Any] | None = None,
        *,
        counters: Iterable[str] = (),
        note: str | None = None,
        payload: Mapping[str, Any] | None = None,
        department: str | None | _Same = _SAME,
        after_update: Callable[[Connection, Row[Any]], None] | None = None,
    ) -> CaseResult:
        """Compare-and-set the case, then append the one event. ``after_update(conn, row)`` runs between."""
        changes = dict(changes or {})
        stmt = _update_statement(tuple(changes), tuple(counters))
        params = {f"s_{k}": v for k, v in changes.items()}
        params.update(s_status=self.to.value, now=self.now, id=self.case.id, version=self.case.version)
        try:
            row = self.conn.execute(stmt, params).first()
        except (
            DBAPIError
        ) as exc:  # REPEATABLE READ / SERIALIZABLE callers: a concurrent update aborts instead
            if getattr(exc.orig, "sqlstate", None) == "40001":
                raise StaleCase(self.case.ticket) from exc
            raise
        if row is None:
            raise StaleCase(self.case.ticket)
        if after_update is not None:
            after_update(self.conn, row)
        if row.status not in _ASKABLE or row.department_code != self.case.department_code:
            self.conn.execute(_OUTDATE, {"case": row.id, "at": self.now})
        dept = row.department_code if isinstance(department, _Same) else department
        event_id = append_event(
            self.conn,
            self.actor,
            row.id,
            self.action,
            self.case.status,
            self.to.value,
            self.now,
            department=dept,
            note=note,
            payload=payload,
        )
        return result(row, event_id)


def append_event(
    conn: Connection,
    actor: Actor,
    case_id: int,
    action: Action,
    from_status: str | None,
    to_status: str,
    at: datetime,
    *,
    department: str | None,
    note: str | None,
    payload: Mapping[str, Any] | None,
) -> int:
    event_id = int(
        conn.execute(
            _EVENT,
            {
                "case_id": case_id,
                "action": action.value,
                "from_status": from_status,
                "to_status": to_status,
                "uid": actor.user_id,
                "pid": actor.person_id,
                "role": actor.role.value,
                "dept": department,
                "note": note,
                "payload": json.dumps(dict(payload or {}), ensure_ascii=False, separators=(",", ":")),
                "at": at,
            },
        ).scalar_one()
    )
    # the notifications this event tells, in the same transaction (ops.notify.rules: who is told what)
    enqueue_for_event(
        conn, event_id=event_id, case_id=case_id, action=action.value, department=department, at=at, note=note
    )
    raise_for_event(conn, event_id=event_id, case_id=case_id, action=action, at=at)  # 突发 / 督办 alarms
    # area subscriptions (区域订阅): a new report or a closure inside someone's area, within their reach
    enqueue_subscriptions(
        conn, event_id=event_id, case_id=case_id, action=action.value, to_status=to_status, at=at
    )
    return event_id


def out_of_scope(ticket: str) -> Forbidden:
    return Forbidden(
        f"案件 {ticket} 不在您的辖区或部门范围内。",
        f"Case {ticket} is outside your district or department.",
        field="case_id",
    )


def precheck(actor: Actor, action: Action, version: int, now: datetime | None) -> datetime:
    """Checks that need no database, done first: the role may act, the version is sane; returns ``now``."""
    at = resolve_now(now)
    require_role(actor, action)
    require_version(version)
    return at


def load(
    conn: Connection,
    actor: Actor,
    action: Action,
    case_id: int,
    version: int,
    at: datetime,
    *,
    extra: str = "",
    join: str = "",
    params: Mapping[str, Any] | None = None,
) -> Step:
    """Load the case in one query (with its 小类's limit, the calendar stamp, ``extra`` columns from an optional
    ``join``) and check existence, version, scope and transition. ``extra``/``join`` are code, never input."""
    row = conn.execute(_load_statement(extra, join), {**(params or {}), "id": case_id}).first()
    if row is None:
        raise not_found(case_id)
    if row.version != version:
        raise StaleCase(row.ticket)
    if not in_scope(
        actor.role,
        user_district=actor.district,
        user_department=actor.department,
        case_district=row.district_code,
        case_department=row.department_code,
    ):
        raise out_of_scope(row.ticket)
    status = CaseStatus(row.status)
    resume_to = CaseStatus(row.resume_status) if row.resume_status else None
    to = target(action, status, resume_to)
    if to is None:
        szh, sen = LABELS[status]
        azh, aen = ACTION_LABELS[action]
        raise InvalidTransition(
            f"案件 {row.ticket} 当前为“{szh}”，不能执行“{azh}”。",
            f"Case {row.ticket} is {sen.lower()}; '{aen}' is not possible now.",
            detail=f"action={action.value} status={status.value}",
        )
    return Step(conn, actor, action, row, to, at)
