"""The workbench's case card (/workbench): one case with its names and light, its history, photos, latest
挂账 / 延期 request, recurrences and the open duplicates nearby.

Like the queue and the pins (:mod:`db.queries.workbench`), every query here takes the reader's
:class:`~db.scope.RowScope` and adds it to the WHERE clause: a case out of scope has no card, and a duplicate out
of scope is not listed. The light is the workbench's (``gy_light`` at ``:now``, :mod:`db.light`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, text

from db.queries.recurrence import CaseRecurrence, case_recurrence
from db.queries.workbench import _OPEN, LIGHT_SQL, _now
from db.reference_rules import CATEGORY_AT_CASE
from db.scope import RowScope

DUPLICATE_LIMIT = 10


@dataclass(frozen=True)
class CaseCard:
    """Everything the case card shows; ``case`` carries the case's columns plus names and the light."""

    case: Row[Any]
    events: list[Row[Any]]
    duplicates: list[Row[Any]]
    photos: list[Row[Any]]
    #: The case's latest 挂账 / 延期 request (pending or decided), with the names of who asked and decided.
    request: Row[Any] | None = None
    #: 复发: the closed case this one recurs and the later cases that recur it (db.queries.recurrence).
    recurrence: CaseRecurrence = field(default_factory=CaseRecurrence)


_CARD = (
    "SELECT c.id, c.ticket, c.source, c.category_code, c.description, c.address, c.status, c.resume_status, "  # nosec B608 # SQL from constant fragments; values are bound parameters
    "c.urgency, c.escalated, c.district_code, c.department_code, c.suggested_department_code, "
    "c.merged_into_id, c.deadline, c.stage_started_at, c.stage_yellow_at, c.stage_deadline, c.paused_since, "
    "c.rework_count, c.return_count, c.extension_count, c.created_at, c.filed_at, c.dispatched_at, "
    "c.handled_at, c.closed_at, c.updated_at, c.version, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, "
    "cat.name_zh AS category_zh, cat.name_en AS category_en, "
    # the 小类's limit in force on the report date (the one its deadlines were computed with)
    "coalesce(crule.time_limit, cat.time_limit) AS time_limit, coalesce(crule.time_unit, cat.time_unit) AS time_unit, "
    "cat.close_condition, maj.code AS major_code, maj.name_zh AS major_zh, maj.name_en AS major_en, "
    "cat.kind, d.name_zh AS district_zh, d.name_en AS district_en, g.code AS cell_code, "
    "dep.name_zh AS department_zh, dep.name_en AS department_en, "
    "sdep.name_zh AS suggested_zh, sdep.name_en AS suggested_en, mi.ticket AS merged_into_ticket, "
    f"{LIGHT_SQL} AS light "
    f'FROM "case" c JOIN category cat ON cat.code = c.category_code {CATEGORY_AT_CASE} '
    "LEFT JOIN category maj ON maj.code = cat.parent_code LEFT JOIN district d ON d.code = c.district_code "
    "LEFT JOIN grid_cell g ON g.id = c.cell_id LEFT JOIN department dep ON dep.code = c.department_code "
    "LEFT JOIN department sdep ON sdep.code = c.suggested_department_code "
    'LEFT JOIN "case" mi ON mi.id = c.merged_into_id '
    "WHERE c.id = :id AND {scope}"
)
_EVENTS = text(
    "SELECT e.id, e.action, e.from_status, e.to_status, e.actor_role, e.note, e.payload, e.at, "
    "u.display_name AS actor_name, e.department_code, dep.name_zh AS department_zh, "
    "dep.name_en AS department_en FROM case_event e LEFT JOIN staff_user u ON u.id = e.actor_user_id "
    "LEFT JOIN department dep ON dep.code = e.department_code WHERE e.case_id = :id "
    # events are never before the report: the bound lets the partitioned history skip older months
    'AND e.at >= (SELECT created_at FROM "case" WHERE id = :id) ORDER BY e.at, e.id'
)
_REQUEST = text(
    "SELECT r.id, r.kind, r.state, r.amount, r.reason, r.requested_at, r.decided_at, r.decision_note, "
    "r.department_code, dep.name_zh AS department_zh, dep.name_en AS department_en, "
    "ru.display_name AS requested_by_name, du.display_name AS decided_by_name "
    "FROM case_request r LEFT JOIN department dep ON dep.code = r.department_code "
    "LEFT JOIN staff_user ru ON ru.id = r.requested_by LEFT JOIN staff_user du ON du.id = r.decided_by "
    "WHERE r.case_id = :id ORDER BY r.requested_at DESC, r.id DESC LIMIT 1"
)
_PHOTOS = text("SELECT id, kind, width, height, created_at FROM photo WHERE case_id = :id ORDER BY id")
# Open cases of the same 小类 within its duplicate radius: a bounding box on the geometry index first
# (degrees from metres, rounded up), then the spheroid distance.
_DUPLICATES = (
    "SELECT o.id, o.ticket, o.status, o.created_at, "
    "ST_Distance(o.geom::geography, x.geom::geography) AS distance_m "
    'FROM "case" x JOIN category cat ON cat.code = x.category_code '
    'JOIN "case" o ON o.geom && ST_Expand(x.geom, '
    "1.05 * cat.duplicate_radius_m / (111320.0 * cos(radians(ST_Y(x.geom)))), "
    "1.05 * cat.duplicate_radius_m / 110000.0) "
    "WHERE x.id = :id AND o.id <> x.id AND o.category_code = x.category_code "
    "AND o.status = ANY(CAST(:open AS text[])) "
    "AND ST_DWithin(o.geom::geography, x.geom::geography, cat.duplicate_radius_m) AND {scope} "
    "ORDER BY distance_m, o.id LIMIT :lim"
)


def case_card(
    conn: Connection, scope: RowScope, case_id: int, *, now: datetime | None = None
) -> CaseCard | None:
    """The case with its history, photos and open duplicates nearby; ``None`` if absent or out of scope."""
    sql = text(_CARD.format(scope=scope.where("c")))
    row = conn.execute(sql, {**scope.params(), "id": case_id, "now": _now(now)}).first()
    if row is None:
        return None
    events = list(conn.execute(_EVENTS, {"id": case_id}).all())
    photos = list(conn.execute(_PHOTOS, {"id": case_id}).all())
    request = conn.execute(_REQUEST, {"id": case_id}).first()
    return CaseCard(
        row,
        events,
        photos=photos,
        duplicates=duplicates(conn, scope, case_id),
        request=request,
        recurrence=case_recurrence(conn, scope, case_id),
    )


def duplicates(
    conn: Connection, scope: RowScope, case_id: int, *, limit: int = DUPLICATE_LIMIT
) -> list[Row[Any]]:
    """Open cases of the same 小类 within the 小类's duplicate radius of ``case_id``, nearest first."""
    return list(
        conn.execute(
            text(_DUPLICATES.format(scope=scope.where("o"))),
            {**scope.params(), "id": case_id, "open": list(_OPEN), "lim": limit},
        ).all()
    )
