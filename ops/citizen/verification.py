"""我来核实: after a department reports a case handled, registered citizens living near it (``person.home``
within a radius) and the supervisors get a verification task; the first valid answer drives
``workflow.verify`` (pass → close, fail → rework) and closes the other tasks of that round.

A round is the case's latest 'handle' event. Tasks are created by
:func:`~ops.citizen.verification_round.create_tasks` (push: in the transaction that handles the case, by
:func:`ops.commands.report_handled`) and, for a citizen, also when they ask for their tasks (pull), so no
handled case is missed whatever path handled it. The answer verifies through the command registry
(:mod:`ops.commands`), as the workbench does. Only public cases go to citizens; nobody is asked to verify
their own report (and ``workflow.verify`` refuses it anyway).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError
from db.media import DEFAULT_LIMITS, CleanPhoto, ImageLimits, store_photo
from db.vocabulary import Action
from ops import commands
from ops.citizen.intake import check_photos
from ops.citizen.points import award, points_for
from ops.citizen.verification_round import NEAR_SQL, ROUND_SQL
from ops.states import CaseStatus
from ops.workflow import Actor
from ops.workflow.base import MAX_NOTE, optional_text, require_text

TASK_LIMIT = 100
_PULL = text(
    f"""
    WITH me AS (SELECT id, home FROM person WHERE id = :person AND registered AND home IS NOT NULL)
    INSERT INTO verification_task (case_id, round_event_id, person_id)
    SELECT c.id, {ROUND_SQL}, me.id FROM me JOIN "case" c
        ON c.status = 'handled' AND c.public AND {NEAR_SQL.format(a="c.geom", b="me.home")}
     WHERE c.reporter_id IS DISTINCT FROM me.id AND {ROUND_SQL} IS NOT NULL
    ON CONFLICT DO NOTHING
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)
_CLOSE_STALE = text(
    f"""
    UPDATE verification_task t SET state = 'closed' FROM "case" c
     WHERE t.person_id = :person AND t.state = 'open' AND c.id = t.case_id
       AND (c.status <> 'handled' OR t.round_event_id <> {ROUND_SQL})
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)
_LIST = text(
    """
    SELECT t.id, c.ticket, c.category_code, cat.name_zh, cat.name_en, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
           c.address, c.handled_at, t.created_at
      FROM verification_task t JOIN "case" c ON c.id = t.case_id JOIN category cat ON cat.code = c.category_code
     WHERE t.person_id = :person AND t.state = 'open' ORDER BY t.id LIMIT :limit
    """
)
_LOAD = text(
    f"""
    SELECT t.id, t.person_id, t.state, t.round_event_id, c.id AS case_id, c.ticket, c.version, c.status,
           c.category_code, {ROUND_SQL} AS current_round
      FROM verification_task t JOIN "case" c ON c.id = t.case_id
     WHERE t.id = :task FOR UPDATE OF t
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)


@dataclass(frozen=True, slots=True)
class Task:
    id: int
    ticket: str
    service_code: str
    service_name_zh: str
    service_name_en: str
    lon: float
    lat: float
    address: str | None
    handled_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Answer:
    task_id: int
    ticket: str
    passed: bool
    status: CaseStatus
    points: int


def tasks_for(conn: Connection, person_id: int, *, radius_m: float, limit: int = TASK_LIMIT) -> list[Task]:
    """A citizen's open tasks (current rounds only), after offering them handled cases near their home."""
    params = {"person": person_id, "radius": float(radius_m), "limit": limit}
    conn.execute(_CLOSE_STALE, params)
    conn.execute(_PULL, params)
    return [Task(*r) for r in conn.execute(_LIST, params)]


def answer(
    conn: Connection,
    person_id: int,
    task_id: int,
    *,
    passed: bool,
    note: str | None,
    photos: Sequence[bytes | CleanPhoto],
    media_dir: Path,
    max_photo_bytes: int,
    now: datetime | None = None,
    limits: ImageLimits = DEFAULT_LIMITS,
) -> Answer:
    """A citizen's answer with 1 to ``limits.max_photos`` photos: verify the case through the workflow, store the photos, close the
    round's other tasks, award the verification points. Any refusal writes nothing."""
    if passed:
        text_note = optional_text(note, field="note", limit=MAX_NOTE, zh="核实说明", en="note")
    else:
        text_note = require_text(note, field="note", limit=MAX_NOTE, zh="未解决的情况说明", en="note")
    cleaned = check_photos(photos, max_photo_bytes, required=True, limits=limits)
    task = conn.execute(_LOAD, {"task": task_id}).first()
    if task is None or task.person_id != person_id:
        raise NotFound(
            f"没有编号为 {task_id} 的核实任务。", f"No verification task {task_id}.", field="task_id"
        )
    if task.state != "open" or task.status != CaseStatus.HANDLED or task.round_event_id != task.current_round:
        raise ValidationError(
            "该核实任务已结束。", "This verification task is no longer open.", field="task_id"
        )
    action = Action.VERIFY_PASS if passed else Action.VERIFY_FAIL
    params = {"note": text_note}
    result = commands.run(conn, Actor.citizen(person_id), action, task.case_id, task.version, params, now=now)
    photo_ids = [
        store_photo(conn, media_dir, photo, kind="verification", case_id=task.case_id, person_id=person_id).id
        for photo in cleaned
    ]
    conn.execute(
        text(
            "UPDATE verification_task SET state = 'answered', result = :r, note = :n, photo_ids = :p, "
            "answered_at = coalesce(CAST(:now AS timestamptz), now()) WHERE id = :i"
        ),
        {"r": "pass" if passed else "fail", "n": text_note, "p": photo_ids, "now": now, "i": task_id},
    )
    conn.execute(
        text(
            "UPDATE verification_task SET state = 'closed' WHERE round_event_id = :round AND id <> :i "
            "AND state = 'open'"
        ),
        {"round": task.round_event_id, "i": task_id},
    )
    points = points_for(conn, "verification", task.category_code)
    ref = f"verify:{task.case_id}:{task.round_event_id}"
    awarded = award(conn, person_id, "verification", ref, points, case_id=task.case_id)
    return Answer(task_id, task.ticket, passed, result.status, points if awarded else 0)
