"""The handling side: 回退 return, 开始处置 start, 处置反馈 handle, 核查 verify, 挂账/恢复 suspend/resume, 延期 extend."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, text

from db.errors import Forbidden, ValidationError
from db.media import DEFAULT_LIMITS
from ops.states import Action, CaseStatus, Role
from ops.workflow.base import (
    MAX_EXTENSION_FACTOR,
    MAX_NOTE,
    MAX_REASON,
    YELLOW_SHARE,
    Actor,
    CaseResult,
    optional_text,
    require_number,
    require_text,
)
from ops.workflow.core import NO_CLOCK, Step, load, precheck

_LINK_PHOTOS = text(
    "UPDATE photo SET case_id = :id WHERE id = ANY(CAST(:ids AS bigint[])) AND case_id IS NULL"
)


def _reason(reason: object, zh: str = "原因", en: str = "reason") -> str:
    return require_text(reason, field="reason", limit=MAX_REASON, zh=zh, en=en)


def return_case(
    conn: Connection, actor: Actor, case_id: int, version: int, *, reason: str, now: datetime | None = None
) -> CaseResult:
    """回退: the department says the case is not theirs; dispatched|in_progress → filed, to be re-dispatched."""
    at = precheck(actor, Action.RETURN, version, now)
    note = _reason(reason, "回退原因", "reason for returning")
    step = load(conn, actor, Action.RETURN, case_id, version, at)
    return step.write(
        {"department_code": None, "deadline": None, **step.center_clock(CaseStatus.FILED)},
        counters=("return_count",),
        note=note,
        department=step.case.department_code,
    )


def start(
    conn: Connection, actor: Actor, case_id: int, version: int, *, now: datetime | None = None
) -> CaseResult:
    """开始处置: dispatched → in_progress; the clock runs on unchanged."""
    at = precheck(actor, Action.START, version, now)
    return load(conn, actor, Action.START, case_id, version, at).write()


def _photo_ids(photo_ids: Iterable[int], max_photos: int) -> list[int]:
    ids: list[int] = []
    for pid in photo_ids:
        if isinstance(pid, bool) or not isinstance(pid, int):
            raise ValidationError("照片编号无效。", "Invalid photo id.", field="photo_ids")
        if pid not in ids:
            ids.append(pid)
    if len(ids) > max_photos:
        raise ValidationError(
            f"最多 {max_photos} 张照片。", f"At most {max_photos} photos.", field="photo_ids"
        )
    return ids


def handle(
    conn: Connection,
    actor: Actor,
    case_id: int,
    version: int,
    *,
    note: str,
    photo_ids: Iterable[int] = (),
    now: datetime | None = None,
    max_photos: int = DEFAULT_LIMITS.max_photos,
) -> CaseResult:
    """处置反馈: dispatched|in_progress → handled with a note and at most ``max_photos`` photos (the settings';
    stored before, kind 'handled')."""
    at = precheck(actor, Action.HANDLE, version, now)
    text_note = require_text(note, field="note", limit=MAX_NOTE, zh="处置说明", en="note on the work done")
    ids = _photo_ids(photo_ids, max_photos)
    step = load(
        conn,
        actor,
        Action.HANDLE,
        case_id,
        version,
        at,
        extra="(SELECT count(*) FROM photo ph WHERE ph.id = ANY(CAST(:photos AS bigint[])) "
        "AND ph.kind = 'handled' AND (ph.case_id IS NULL OR ph.case_id = c.id)) AS usable_photos",
        params={"photos": ids},
    )
    if step.case.usable_photos != len(ids):
        raise ValidationError(
            "有照片不存在、不是处置照片或属于其他案件。",
            "A photo does not exist, is not a photo of the work done, or belongs to another case.",
            field="photo_ids",
        )
    deadline = step.case.deadline

    def link(c: Connection, row: Row[Any]) -> None:
        if ids:
            c.execute(_LINK_PHOTOS, {"id": row.id, "ids": ids})

    return step.write(
        {"handled_at": at, **step.center_clock(CaseStatus.HANDLED)},
        note=text_note,
        payload={"photos": ids, "on_time": deadline is None or at <= deadline},
        after_update=link,
    )


def verify(
    conn: Connection,
    actor: Actor,
    case_id: int,
    version: int,
    *,
    passed: bool,
    note: str | None = None,
    now: datetime | None = None,
) -> CaseResult:
    """核查: handled → closed (passed) or → dispatched for rework with a new deadline (failed, note required).
    A citizen may verify, but not a case they reported."""
    action = Action.VERIFY_PASS if passed else Action.VERIFY_FAIL
    at = precheck(actor, action, version, now)
    if passed:
        text_note = optional_text(note, field="note", limit=MAX_NOTE, zh="核查说明", en="verification note")
    else:
        text_note = require_text(
            note, field="note", limit=MAX_NOTE, zh="核查不通过的原因", en="reason for failing"
        )
    step = load(conn, actor, action, case_id, version, at)
    if actor.role is Role.CITIZEN and step.case.reporter_id == actor.person_id:
        raise Forbidden(
            "不能核查自己举报的案件。", "You cannot verify a case you reported yourself.", field="case_id"
        )
    if passed:
        return step.write({"closed_at": at, **NO_CLOCK}, note=text_note)
    clock = step.handling_clock()
    return step.write(
        clock, counters=("rework_count",), note=text_note, payload={"deadline": clock["deadline"].isoformat()}
    )


def suspend(
    conn: Connection, actor: Actor, case_id: int, version: int, *, reason: str, now: datetime | None = None
) -> CaseResult:
    """挂账: dispatched|in_progress → suspended; the clock stops at ``now``."""
    at = precheck(actor, Action.SUSPEND, version, now)
    note = _reason(reason, "挂账原因", "reason for suspending")
    step = load(conn, actor, Action.SUSPEND, case_id, version, at)
    return suspend_step(step, note)


def suspend_step(step: Step, note: str, payload: dict[str, Any] | None = None) -> CaseResult:
    """The writes of 挂账 on a loaded case (directly, or approving a department's request)."""
    return step.write(
        {"resume_status": step.case.status, "paused_since": step.now}, note=note, payload=payload
    )


def resume(
    conn: Connection, actor: Actor, case_id: int, version: int, *, now: datetime | None = None
) -> CaseResult:
    """恢复: suspended → the status before; every future clock instant moves by the working time paused."""
    at = precheck(actor, Action.RESUME, version, now)
    step = load(conn, actor, Action.RESUME, case_id, version, at)
    case, cal, unit = step.case, step.calendar, step.unit
    paused = case.paused_since or at

    def shift(value: datetime | None) -> datetime | None:
        if value is None or value <= paused:
            return value  # already passed when the clock stopped: stays passed (an overdue case stays red)
        return cal.add(at, max(0.0, cal.elapsed(paused, value, unit)), unit)

    changes = {
        "stage_yellow_at": shift(case.stage_yellow_at),
        "stage_deadline": shift(case.stage_deadline),
        "deadline": shift(case.deadline),
        "paused_since": None,
        "resume_status": None,
    }
    return step.write(changes, payload={"paused_seconds": round((at - paused).total_seconds())})


def extend(
    conn: Connection,
    actor: Actor,
    case_id: int,
    version: int,
    *,
    amount: float,
    reason: str,
    now: datetime | None = None,
) -> CaseResult:
    """延期: add ``amount`` (in the 小类's time unit) to the deadline and the stage deadline."""
    at = precheck(actor, Action.EXTEND, version, now)
    value = extension_amount(amount)
    note = _reason(reason, "延期原因", "reason for extending")
    step = load(conn, actor, Action.EXTEND, case_id, version, at)
    check_extension(step, value)
    return extend_step(step, value, note)


def extension_amount(amount: object) -> float:
    """An extension's amount, checked without the database: a finite number > 0."""
    value = require_number(amount, field="amount", zh="延期时长", en="extension")
    if value <= 0:
        raise ValidationError("延期时长必须大于 0。", "The extension must be greater than 0.", field="amount")
    return value


def check_extension(step: Step, value: float) -> None:
    """At most MAX_EXTENSION_FACTOR × the 小类's time limit."""
    limit = float(step.case.time_limit) * MAX_EXTENSION_FACTOR
    if value > limit:
        raise ValidationError(
            f"延期时长不能超过时限的 {MAX_EXTENSION_FACTOR} 倍（{limit:g} {step.unit}）。",
            f"The extension may not exceed {MAX_EXTENSION_FACTOR}× the time limit ({limit:g} {step.unit}).",
            field="amount",
        )


def extend_step(step: Step, value: float, note: str, payload: dict[str, Any] | None = None) -> CaseResult:
    """The writes of 延期 on a loaded, checked case (directly, or approving a department's request)."""
    case, cal, unit, at = step.case, step.calendar, step.unit, step.now
    base = case.stage_deadline or at
    stage_deadline = cal.add(base, value, unit)
    deadline = cal.add(case.deadline, value, unit) if case.deadline is not None else stage_deadline
    started = case.stage_started_at or at
    yellow = cal.add(started, YELLOW_SHARE * cal.elapsed(started, stage_deadline, unit), unit)
    return step.write(
        {"deadline": deadline, "stage_deadline": stage_deadline, "stage_yellow_at": yellow},
        counters=("extension_count",),
        note=note,
        payload={**(payload or {}), "amount": value, "unit": unit, "deadline": deadline.isoformat()},
    )
