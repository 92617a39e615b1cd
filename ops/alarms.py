"""Alarms (报警提示): what rings on the wall and on the workbenches until a shift lead acknowledges it.

Three things raise an alarm, each in the same transaction as what raised it (the caller commits):

- ``urgent`` (突发): a case reported with an urgent 小类 (``category.urgent``, the 突发事件 class) or filed as
  urgent (``urgency = 'urgent'``). A case becomes 突发 once: at most one such alarm per case, ever.
- ``escalated`` (督办): a case escalated (``Action.ESCALATE``, by a person or by the recurrence rule). One
  unacknowledged alarm per case: escalating again while it rings adds nothing; after an acknowledgement a new
  escalation rings again.
- ``alert`` (研判预警): a new analysis alert (:func:`ops.analysis.alert_states.record`).

:func:`raise_for_event` is called by :func:`ops.workflow.core.append_event` right after the event's INSERT, and
:func:`raise_for_alert` by ``alert_states.record`` right after the alert's. Acknowledging (:func:`acknowledge`)
is a compare-and-set (``WHERE acknowledged_at IS NULL``): of two leads acknowledging at once one succeeds, the
other is told who already did it and when.

Who sees an alarm (:data:`ops.policy.Screen.ALARMS`): the command center all of them, a district officer those of
their district, department staff those of the cases at (or meant for) their department and the alerts of the
categories their department answers for. Who acknowledges (:data:`~ops.policy.Screen.ALARM_ACK`): a shift lead or
an admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.accounts import StaffIdentity
from db.errors import DomainError, Forbidden, NotFound, ValidationError
from db.vocabulary import Action
from ops.analysis.scope import analysis_scope
from ops.policy import Reach, Screen, reach

KINDS: tuple[str, ...] = ("urgent", "escalated", "alert")
KIND_NAMES: dict[str, tuple[str, str]] = {
    "urgent": ("突发", "Emergency"),
    "escalated": ("督办", "Escalated"),
    "alert": ("预警", "Alert"),
}
NOTE_MAX = 500
#: the actions that may make a case 突发 (report with an urgent 小类, filed as urgent) or 督办 (escalate)
_URGENT_ACTIONS = frozenset({Action.REPORT, Action.FILE})

_RAISE_CASE = """
    INSERT INTO alarm (kind, case_id, case_event_id, district_code, department_code, raised_at)
    SELECT :kind, c.id, :event_id, c.district_code, coalesce(c.department_code, c.suggested_department_code), :at
      FROM "case" c JOIN category cat ON cat.code = c.category_code
     WHERE c.id = :case_id AND {condition}
    ON CONFLICT (case_id, kind) WHERE acknowledged_at IS NULL DO NOTHING
    RETURNING id
"""
_RAISE_URGENT = text(
    _RAISE_CASE.format(
        condition="(c.urgency = 'urgent' OR cat.urgent)"
        " AND NOT EXISTS (SELECT 1 FROM alarm a WHERE a.case_id = c.id AND a.kind = 'urgent')"
    )
)
_RAISE_ESCALATED = text(_RAISE_CASE.format(condition="TRUE"))
_RAISE_ALERT = text(
    """
    INSERT INTO alarm (kind, alert_id, district_code, department_code, raised_at)
    SELECT 'alert', al.id, al.district_code, cat.default_department_code, :at
      FROM analysis_alert al LEFT JOIN category cat ON cat.code = al.category_code
     WHERE al.id = :alert_id
    ON CONFLICT (alert_id) WHERE acknowledged_at IS NULL DO NOTHING
    RETURNING id
    """
)
_ACK = text(
    """
    UPDATE alarm SET acknowledged_at = :now, acknowledged_by = :uid, ack_note = :note
     WHERE id = :id AND acknowledged_at IS NULL
    RETURNING id
    """
)
_WHO_ACKED = text(
    """
    SELECT a.acknowledged_at, su.display_name FROM alarm a LEFT JOIN staff_user su ON su.id = a.acknowledged_by
     WHERE a.id = :id
    """
)
_SELECT = """
    SELECT a.id, a.kind, a.raised_at, a.case_id, a.alert_id, a.acknowledged_at, a.ack_note,
           su.display_name AS acknowledged_by, c.ticket, c.address, cat.name_zh AS category_zh,
           cat.name_en AS category_en, d.name_zh AS district_zh, d.name_en AS district_en,
           al.observed, al.expected
      FROM alarm a
      LEFT JOIN "case" c ON c.id = a.case_id
      LEFT JOIN analysis_alert al ON al.id = a.alert_id
      LEFT JOIN category cat ON cat.code = coalesce(c.category_code, al.category_code)
      LEFT JOIN district d ON d.code = a.district_code
      LEFT JOIN staff_user su ON su.id = a.acknowledged_by
     WHERE {where}
     ORDER BY {order}
     LIMIT :limit
"""


_COUNT = """
    SELECT a.kind, count(*) AS n
      FROM alarm a
      LEFT JOIN "case" c ON c.id = a.case_id
      LEFT JOIN analysis_alert al ON al.id = a.alert_id
     WHERE a.acknowledged_at IS NULL AND {scope}
     GROUP BY a.kind
"""


class AlarmAcknowledged(DomainError):
    """The alarm was acknowledged already (by someone else, or by a second click)."""

    status = 409
    code = "stale"


@dataclass(frozen=True, slots=True)
class AlarmView:
    """One alarm as a screen shows it."""

    id: int
    kind: str
    raised_at: datetime
    case_id: int | None
    alert_id: int | None
    ticket: str | None
    address: str | None
    category_zh: str | None
    category_en: str | None
    district_zh: str | None
    district_en: str | None
    observed: int | None
    expected: float | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    ack_note: str | None


def raise_for_event(
    conn: Connection, *, event_id: int, case_id: int, action: Action | str, at: datetime
) -> int | None:
    """The alarm a case event raises, if any (``None``: none, or one of its kind still rings for the case)."""
    act = Action(action)
    if act in _URGENT_ACTIONS:
        stmt = _RAISE_URGENT
    elif act is Action.ESCALATE:
        stmt = _RAISE_ESCALATED
    else:
        return None
    kind = "urgent" if stmt is _RAISE_URGENT else "escalated"
    got = conn.execute(stmt, {"kind": kind, "event_id": event_id, "case_id": case_id, "at": at}).scalar()
    return None if got is None else int(got)


def raise_for_alert(conn: Connection, *, alert_id: int, at: datetime) -> int | None:
    """The alarm of a new analysis alert (``None`` if one rings for it already)."""
    got = conn.execute(_RAISE_ALERT, {"alert_id": alert_id, "at": at}).scalar()
    return None if got is None else int(got)


def may_acknowledge(user: StaffIdentity) -> bool:
    return reach(user.role, Screen.ALARM_ACK) is not None


def _scope(conn: Connection, user: StaffIdentity) -> tuple[str, dict[str, Any]]:
    """The alarms ``user`` sees, as a WHERE fragment over ``a`` (alarm), ``c`` (case), ``al`` (alert)."""
    how = reach(user.role, Screen.ALARMS)
    if how is Reach.CITY:
        return "TRUE", {}
    if how is Reach.DISTRICT and user.district_code:
        return "a.district_code = :s_district", {"s_district": user.district_code}
    if how is Reach.DEPARTMENT and user.department_code:
        scope = analysis_scope(conn, user)
        cats = sorted(scope.categories or ())
        return (
            "((a.case_id IS NOT NULL AND (a.department_code = :s_dep OR c.department_code = :s_dep))"
            " OR (a.alert_id IS NOT NULL AND al.category_code = ANY(:s_cats)))",
            {"s_dep": user.department_code, "s_cats": cats},
        )
    return "FALSE", {}


def _read(
    conn: Connection, user: StaffIdentity, where: str, order: str, limit: int, **params: Any
) -> list[AlarmView]:
    scope, sp = _scope(conn, user)
    stmt = text(_SELECT.format(where=f"({where}) AND {scope}", order=order))  # nosec B608 # constant fragments; values bound
    rows = conn.execute(stmt, {**sp, **params, "limit": limit}).mappings().all()
    return [AlarmView(**dict(r)) for r in rows]


def open_alarms(conn: Connection, user: StaffIdentity, *, limit: int = 50) -> list[AlarmView]:
    """The alarms still ringing that ``user`` sees, newest first."""
    return _read(conn, user, "a.acknowledged_at IS NULL", "a.raised_at DESC, a.id DESC", limit)


def open_counts(conn: Connection, user: StaffIdentity) -> dict[str, int]:
    """How many alarms still ring that ``user`` sees, by kind (all of them: a screen lists only the newest)."""
    scope, sp = _scope(conn, user)
    stmt = text(_COUNT.format(scope=scope))  # nosec B608 # constant fragments; values bound
    return {str(k): int(n) for k, n in conn.execute(stmt, sp).all()}


def acknowledged(conn: Connection, user: StaffIdentity, *, limit: int = 10) -> list[AlarmView]:
    """The latest acknowledged alarms ``user`` sees (the leads' history), latest acknowledgement first."""
    return _read(conn, user, "a.acknowledged_at IS NOT NULL", "a.acknowledged_at DESC, a.id DESC", limit)


def get_alarm(conn: Connection, user: StaffIdentity, alarm_id: int) -> AlarmView | None:
    """One alarm, if ``user`` sees it."""
    found = _read(conn, user, "a.id = :alarm_id", "a.id", 1, alarm_id=alarm_id)
    return found[0] if found else None


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str):
        raise ValidationError("备注必须是文字。", "The note must be text.", field="note")
    s = note.strip()
    if len(s) > NOTE_MAX:
        raise ValidationError(
            f"备注不能超过 {NOTE_MAX} 字。", f"The note may have at most {NOTE_MAX} characters.", field="note"
        )
    return s or None


def acknowledge(
    conn: Connection, user: StaffIdentity, alarm_id: int, *, now: datetime, note: str | None = None
) -> AlarmView:
    """确认: a shift lead (or an admin) stops the alarm on every screen; records who, when and the note.
    ``Forbidden`` for anyone else, ``NotFound`` for an alarm the user does not see, :class:`AlarmAcknowledged` when
    it was acknowledged already. Writes nothing on failure; the caller commits."""
    if not may_acknowledge(user):
        raise Forbidden(
            "只有值班长可以确认报警。",
            "Only a shift lead may acknowledge an alarm.",
            detail=f"role={user.role}",
        )
    if isinstance(alarm_id, bool) or not isinstance(alarm_id, int):
        raise ValidationError("请选择要确认的报警。", "Choose the alarm to acknowledge.", field="alarm_id")
    text_note = _note(note)
    if get_alarm(conn, user, alarm_id) is None:
        raise NotFound("报警不存在。", "No such alarm.", detail=str(alarm_id))
    done = conn.execute(_ACK, {"id": alarm_id, "now": now, "uid": user.id, "note": text_note}).scalar()
    if done is None:
        row = conn.execute(_WHO_ACKED, {"id": alarm_id}).one()
        when = row.acknowledged_at.astimezone(now.tzinfo).strftime("%H:%M:%S") if row.acknowledged_at else "?"
        who = row.display_name or "?"
        raise AlarmAcknowledged(
            f"该报警已由 {who} 于 {when} 确认。",
            f"This alarm was already acknowledged by {who} at {when}.",
            detail=f"alarm={alarm_id}",
        )
    found = get_alarm(conn, user, alarm_id)
    assert found is not None  # nosec B101 # read back in the same transaction
    return found
