"""Shared pieces of the workflow: the actor, the result, constants, input checks, lights and read helpers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, text

from db.accounts import StaffIdentity
from db.errors import Forbidden, NotFound, ValidationError
from geo.crs import TZ
from ops.policy import may
from ops.states import ACTION_LABELS, Action, CaseStatus, Role

#: Duplicate suggestions look at open cases created within this window before the report.
DUPLICATE_WINDOW = timedelta(days=7)
#: At most this many duplicate suggestions, nearest first.
MAX_DUPLICATES = 5
#: Share of a stage's limit after which its light turns yellow.
YELLOW_SHARE = 0.8
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 500
MAX_REASON = 500
MAX_NOTE = 4000
#: An extension may add at most this many times the 小类's time limit.
MAX_EXTENSION_FACTOR = 10
URGENCIES = ("normal", "urgent")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a staff user (``user_id``), a citizen (``person_id``) or the system (neither)."""

    role: Role
    user_id: int | None = None
    person_id: int | None = None
    district: str | None = None
    department: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.role, Role):
            object.__setattr__(self, "role", Role(self.role))
        if self.role is Role.CITIZEN and self.person_id is None:
            raise ValueError("a citizen actor needs a person_id")

    @classmethod
    def from_identity(cls, identity: StaffIdentity) -> Actor:
        return cls(
            Role(identity.role),
            user_id=identity.id,
            district=identity.district_code,
            department=identity.department_code,
        )

    @classmethod
    def system(cls) -> Actor:
        return cls(Role.SYSTEM)

    @classmethod
    def citizen(cls, person_id: int) -> Actor:
        return cls(Role.CITIZEN, person_id=person_id)


@dataclass(frozen=True, slots=True)
class CaseResult:
    """What a command wrote: the case's new state (``light(result, now)`` works on it) and the event id."""

    id: int
    ticket: str
    status: CaseStatus
    version: int
    event_id: int
    district_code: str | None
    cell_id: int | None
    department_code: str | None
    deadline: datetime | None
    stage_yellow_at: datetime | None
    stage_deadline: datetime | None
    paused_since: datetime | None
    duplicates: tuple[int, ...] = ()


RETURNING = (
    "id, ticket, status, version, district_code, cell_id, department_code, deadline, stage_yellow_at, "
    "stage_deadline, paused_since"
)


def result(row: Row[Any], event_id: int, duplicates: tuple[int, ...] = ()) -> CaseResult:
    return CaseResult(
        id=row.id,
        ticket=row.ticket,
        status=CaseStatus(row.status),
        version=row.version,
        event_id=event_id,
        district_code=row.district_code,
        cell_id=row.cell_id,
        department_code=row.department_code,
        deadline=row.deadline,
        stage_yellow_at=row.stage_yellow_at,
        stage_deadline=row.stage_deadline,
        paused_since=row.paused_since,
        duplicates=duplicates,
    )


# --- input checks (no database) ------------------------------------------------------------------------------


def resolve_now(now: datetime | None) -> datetime:
    """``now`` in Asia/Shanghai; default the current time. Naive datetimes are a programming error."""
    if now is None:
        return datetime.now(TZ)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"naive datetime {now.isoformat()} refused: give a timezone")
    return now.astimezone(TZ)


def require_role(actor: Actor, action: Action) -> None:
    if not may(actor.role, action):
        zh, en = ACTION_LABELS[action]
        raise Forbidden(
            f"您的角色（{actor.role.value}）无权执行“{zh}”。",
            f"Your role ({actor.role.value}) may not do this: {en}.",
            detail=f"role={actor.role.value} action={action.value}",
        )


def require_version(version: object) -> int:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValidationError(
            "案件版本号无效，请刷新后重试。", "Invalid case version; refresh and try again.", field="version"
        )
    return version


def require_text(value: object, *, field: str, limit: int, zh: str, en: str) -> str:
    """A required free text (reason, note): stripped, non-empty, at most ``limit`` characters."""
    cleaned = value.strip() if isinstance(value, str) else ""
    if not cleaned:
        raise ValidationError(f"请填写{zh}。", f"Please give a {en}.", field=field)
    if "\x00" in cleaned:
        raise ValidationError(f"{zh}含有无效字符。", f"The {en} contains an invalid character.", field=field)
    if len(cleaned) > limit:
        raise ValidationError(
            f"{zh}不能超过 {limit} 个字符。", f"The {en} may not exceed {limit} characters.", field=field
        )
    return cleaned


def optional_text(value: object, *, field: str, limit: int, zh: str, en: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return require_text(value, field=field, limit=limit, zh=zh, en=en)


def require_number(value: object, *, field: str, zh: str, en: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(f"{zh}必须是有限数值。", f"The {en} must be a finite number.", field=field)
    return float(value)


# --- lights and reads ----------------------------------------------------------------------------------------


def light(case: Any, now: datetime | None = None) -> str | None:
    """The current stage's light of a case row (or :class:`CaseResult`): ``'green'`` before
    ``stage_yellow_at``, ``'yellow'`` up to and including ``stage_deadline``, ``'red'`` after it; ``None``
    without a stage clock (closed, rejected, merged). A suspended case shows its light at ``paused_since``.
    The Python mirror of the SQL function ``gy_light`` (:mod:`db.light`) the read queries call; a parity test
    holds the two together."""
    deadline = case.stage_deadline
    if deadline is None:
        return None
    at = case.paused_since or now or datetime.now(TZ)
    yellow = case.stage_yellow_at or deadline
    if at < yellow:
        return "green"
    return "yellow" if at <= deadline else "red"


CASE_COLUMNS = (
    "id, ticket, source, category_code, description, ST_X(geom) AS lon, ST_Y(geom) AS lat, district_code, "
    "cell_id, address, status, resume_status, urgency, escalated, public, department_code, "
    "suggested_department_code, reporter_id, merged_into_id, deadline, stage_started_at, stage_yellow_at, "
    "stage_deadline, paused_since, rework_count, return_count, extension_count, created_at, filed_at, "
    "dispatched_at, handled_at, closed_at, updated_at, version"
)
_GET = text(f'SELECT {CASE_COLUMNS} FROM "case" WHERE id = :id')  # nosec B608 # SQL from constant fragments; values are bound parameters
_HISTORY = text(
    "SELECT id, case_id, action, from_status, to_status, actor_user_id, actor_person_id, actor_role, "
    "department_code, note, payload, at FROM case_event WHERE case_id = :id "
    # events are never before the report: the bound lets the partitioned history skip older months
    'AND at >= (SELECT created_at FROM "case" WHERE id = :id) ORDER BY at, id'
)


def not_found(case_id: object) -> NotFound:
    return NotFound(f"没有编号为 {case_id} 的案件。", f"No case with id {case_id}.", field="case_id")


def get_case(conn: Connection, case_id: int) -> Row[Any]:
    """The case row (every column but the geometry, plus ``lon``/``lat``); :class:`NotFound` if absent."""
    row = conn.execute(_GET, {"id": case_id}).first()
    if row is None:
        raise not_found(case_id)
    return row


def history(conn: Connection, case_id: int) -> list[Row[Any]]:
    """The case's events in order (by ``at``, then id)."""
    return list(conn.execute(_HISTORY, {"id": case_id}).all())
