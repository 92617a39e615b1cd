"""The alert state machine and its append-only history.

    new ──► acknowledged ──► dismissed | campaign | escalated
     └──────────────────────► dismissed | campaign | escalated

``dismissed`` (误报/已知), ``campaign`` (turned into a 专项整治 campaign, ``campaign_id`` set) and ``escalated``
(reported up to the shift lead) are final. Every state an alert enters is an ``analysis_alert_event`` row written
in the same transaction as the state (the database refuses to change or delete those rows). A change is a
compare-and-set on ``version``: two people acting on one alert get one success and one clear conflict.

:func:`record` is how the analysis cycle raises an alert; :func:`transition` is how staff act on one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.accounts import StaffIdentity
from db.errors import DomainError, Forbidden, InvalidTransition, NotFound, ValidationError
from db.vocabulary import ALERT_KINDS, ALERT_LEVELS, ALERT_STATES
from ops.alarms import raise_for_alert
from ops.notify.outbox import enqueue_for_alert
from ops.policy import Reach, Screen, reach

FINAL = frozenset({"dismissed", "campaign", "escalated"})
#: state -> the states it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"acknowledged", "dismissed", "campaign", "escalated"}),
    "acknowledged": frozenset({"dismissed", "campaign", "escalated"}),
    **{s: frozenset() for s in FINAL},
}
NOTE_MAX = 500
STATE_NAMES = {
    "new": ("新预警", "new"),
    "acknowledged": ("已确认", "acknowledged"),
    "dismissed": ("已排除", "dismissed"),
    "campaign": ("已转专项整治", "turned into a campaign"),
    "escalated": ("已上报督办", "escalated"),
}
assert set(TRANSITIONS) == set(ALERT_STATES) == set(STATE_NAMES)  # nosec B101 # a data check at import


class StaleAlert(DomainError):
    status = 409
    code = "stale"

    def __init__(self) -> None:
        super().__init__(
            "该预警已被他人处理，请刷新后重试。", "Someone else acted on this alert; refresh and try again."
        )


@dataclass(frozen=True, slots=True)
class NewAlert:
    """What the analysis cycle knows about an alert it raises (geometries as WKT in WGS-84)."""

    kind: str
    area_level: str
    area_key: str
    district_code: str | None
    category_code: str
    geom_wkt: str
    point_wkt: str
    window_start: datetime
    window_end: datetime
    observed: int
    expected: float
    score: float
    p_value: float | None
    explanation_zh: str
    explanation_en: str


_INSERT = text(
    """
    INSERT INTO analysis_alert (kind, area_level, area_key, district_code, category_code, geom, point,
                                window_start, window_end, observed, expected, score, p_value,
                                explanation_zh, explanation_en, created_at, updated_at)
    VALUES (:kind, :area_level, :area_key, :district_code, :category_code,
            ST_GeomFromText(:geom_wkt, 4326), ST_GeomFromText(:point_wkt, 4326),
            :window_start, :window_end, :observed, :expected, :score, :p_value,
            :explanation_zh, :explanation_en, :now, :now)
    RETURNING id
    """
)
_EVENT = text(
    "INSERT INTO analysis_alert_event (alert_id, at, from_state, to_state, actor_id, note)"
    " VALUES (:alert_id, :at, :from_state, :to_state, :actor_id, :note)"
)
_GET = text("SELECT id, state, version, district_code FROM analysis_alert WHERE id = :id")
_SET = text(
    """
    UPDATE analysis_alert SET state = :state, version = version + 1, updated_at = :now, acted_by = :actor,
           acted_at = :now, campaign_id = COALESCE(:campaign_id, campaign_id)
     WHERE id = :id AND version = :version
    """
)


def record(conn: Connection, alert: NewAlert, now: datetime) -> int:
    """Insert ``alert`` in state ``new`` with its first history row and its notifications (the outbox rows of
    :func:`ops.notify.outbox.enqueue_for_alert`); returns its id. The caller commits."""
    if alert.kind not in ALERT_KINDS or alert.area_level not in ALERT_LEVELS:
        raise ValueError(f"bad alert kind/level: {alert.kind}/{alert.area_level}")
    params: dict[str, Any] = {f.name: getattr(alert, f.name) for f in fields(alert)}
    alert_id = int(conn.execute(_INSERT, {**params, "now": now}).scalar_one())
    conn.execute(
        _EVENT,
        {
            "alert_id": alert_id,
            "at": now,
            "from_state": None,
            "to_state": "new",
            "actor_id": None,
            "note": None,
        },
    )
    enqueue_for_alert(conn, alert_id=alert_id)  # the notifications it tells, in the same transaction
    raise_for_alert(conn, alert_id=alert_id, at=now)  # the alarm that rings until a lead acknowledges it
    return alert_id


def may_act(user: StaffIdentity, district_code: str | None) -> bool:
    """The center acts on any alert, an officer on their district's; no one else."""
    how = reach(user.role, Screen.ALERT_ACTION)
    if how is Reach.CITY:
        return True
    return how is Reach.DISTRICT and user.district_code is not None and user.district_code == district_code


def transition(
    conn: Connection,
    user: StaffIdentity,
    alert_id: int,
    to_state: str,
    *,
    version: int,
    now: datetime,
    note: str | None = None,
    campaign_id: int | None = None,
) -> int:
    """Move alert ``alert_id`` (at ``version``) to ``to_state`` as ``user``; returns the new version.

    Refuses (nothing written) an unknown state, a note too long, a user who may not act on the alert, a move the
    machine does not allow, and a stale version. ``campaign`` needs the campaign's id. The caller's transaction
    holds the change and its history row together.
    """
    note = (note or "").strip() or None
    if to_state not in TRANSITIONS:
        raise ValidationError("未知的预警状态。", "Unknown alert state.", detail=to_state)
    if note is not None and len(note) > NOTE_MAX:
        raise ValidationError(
            f"说明最多 {NOTE_MAX} 字。", f"The note is at most {NOTE_MAX} characters.", field="note"
        )
    if (to_state == "campaign") != (campaign_id is not None):
        raise ValidationError("转专项整治需要指定整治行动。", "Choose the campaign.", field="campaign")
    row = conn.execute(_GET, {"id": alert_id}).one_or_none()
    if row is None:
        raise NotFound("预警不存在。", "No such alert.", detail=str(alert_id))
    if not may_act(user, row.district_code):
        raise Forbidden("您无权处理该预警。", "You may not act on this alert.", detail=f"user={user.id}")
    if to_state not in TRANSITIONS[row.state]:
        zh, en = STATE_NAMES[row.state]
        raise InvalidTransition(
            f"该预警{zh}，不能再改变。", f"This alert is {en}; it cannot change that way."
        )
    done = conn.execute(
        _SET,
        {
            "state": to_state,
            "now": now,
            "actor": user.id,
            "id": alert_id,
            "version": version,
            "campaign_id": campaign_id,
        },
    ).rowcount
    if done != 1:
        raise StaleAlert()
    conn.execute(
        _EVENT,
        {
            "alert_id": alert_id,
            "at": now,
            "from_state": row.state,
            "to_state": to_state,
            "actor_id": user.id,
            "note": note,
        },
    )
    return version + 1
