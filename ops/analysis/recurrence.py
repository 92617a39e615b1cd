"""复发督办: a closed case's problem reported again at the same point is a *recurrence*; the third recurrence at a
place is escalated to the command center (issue 13, capability 6).

Rule (no statistics: a deterministic link, explained by its two numbers): a new report recurs the **nearest**
case of the same 小类 that was **closed** (结案, verified) within ``days`` days before the report and lies within
``radius_m`` metres of it (distance on the spheroid, as the workflow's duplicate search). Reports left out:
those already rejected or merged when the step reads them. Ties go to the most recently closed case.

Each link is a ``case_recurrence`` row: the new case, the earlier case, the distance, the days between the
closing and the report, the *place* (the first case of the chain: a report that recurs a recurrence belongs to
the same place) and the recurrence's number at the place (1, 2, 3 ...). When a link's number reaches
``escalate_at``, the new case is escalated (升级督办) through the workflow's escalate command as the system
actor, with a reason naming the place and the earlier tickets: the escalation is in the case's history and
escalated cases reach the shift lead. Every later recurrence at the place is escalated the same way. A refused
escalation (the case was closed, rejected or merged meanwhile, or changed under us) is logged and skipped; the
link stays.

The step is incremental and idempotent: the ``analysis_cursor`` row ``'recurrence'`` holds the last case id read
and the snapshot it was read in (``seen``, as :mod:`ops.analysis.hourly`). Each step reads, in one statement, the
cases above that id (at most ``batch``, in id order, so a first run over a long history catches up over several
cycles without a long one) and, below it, those whose report that snapshot did not see (committed after a case
with a higher id was read: by id alone never linked); it links and escalates, and moves the cursor, all in the
caller's transaction. A case is linked at most once (``case_id`` is unique), so running a step again changes
nothing.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.errors import DomainError, ValidationError
from db.snapshots import LATE_REPORTS
from ops import workflow as wf
from ops.workflow import Actor

log = logging.getLogger(__name__)

#: Defaults of ``GUIYANG_RECURRENCE_RADIUS_M``, ``GUIYANG_RECURRENCE_DAYS``, ``GUIYANG_RECURRENCE_ESCALATE_AT``.
RADIUS_M = 30.0
DAYS = 90
ESCALATE_AT = 3
#: Most new cases one step reads.
BATCH = 1000
CURSOR = "recurrence"
#: Most earlier tickets named in an escalation's reason.
MAX_TICKETS = 8

_CANDIDATES = text(
    """
    SELECT n.id, e.id AS earlier_id, e.dist, e.days
      FROM "case" n
      CROSS JOIN LATERAL (
            SELECT e.id, ST_Distance(e.geom::geography, n.geom::geography) AS dist,
                   extract(epoch FROM n.created_at - e.closed_at) / 86400.0 AS days
              FROM "case" e
             WHERE e.category_code = n.category_code AND e.status = 'closed' AND e.id <> n.id
               AND e.closed_at <= n.created_at
               AND e.closed_at >= n.created_at - make_interval(days => :days)
               AND ST_DWithin(e.geom, n.geom, 1.05 * :radius / (111320.0 * cos(radians(ST_Y(n.geom)))))
               AND ST_DWithin(e.geom::geography, n.geom::geography, :radius)
             ORDER BY dist, e.closed_at DESC, e.id
             LIMIT 1) e
     WHERE n.id = ANY(:ids) AND n.status NOT IN ('rejected', 'merged')
     ORDER BY n.id
    """
)
#: The cases a step reads, in one statement (one snapshot, returned as ``seen``): at most ``:b`` above the last id
#: read, and below it the ones whose report the last step's snapshot ``:seen`` did not see; ``upto``: the newest id.
_PENDING = text(
    f"""
    WITH fresh AS (SELECT id FROM "case" WHERE id > :last ORDER BY id LIMIT :b)
    SELECT pg_current_snapshot()::text AS seen, (SELECT max(id) FROM fresh) AS upto,
           ARRAY(SELECT id FROM fresh
                 UNION SELECT c.id FROM "case" c WHERE c.id <= :last AND c.id = ANY ({LATE_REPORTS})
                 ORDER BY 1) AS ids
    """  # nosec B608 # a constant fragment of db.snapshots; values are bound parameters
)
_INSERT = text(
    "INSERT INTO case_recurrence (case_id, earlier_case_id, distance_m, days_after_close, place_case_id, number, "
    "created_at) VALUES (:case_id, :earlier, :dist, :days, :place, :number, :now) "
    "ON CONFLICT (case_id) DO NOTHING RETURNING id"
)


@dataclass(frozen=True, slots=True)
class Link:
    case_id: int
    earlier_case_id: int
    distance_m: float
    days_after_close: float
    place_case_id: int
    number: int


def check_parameters(radius_m: float, days: int, escalate_at: int) -> None:
    if not (math.isfinite(radius_m) and 1 <= radius_m <= 1000) or not 1 <= days <= 3650 or escalate_at < 1:
        raise ValidationError(
            "复发参数无效（半径 1–1000 米，1–3650 天，阈值 ≥ 1）。",
            "Invalid recurrence parameters (radius 1–1000 m, 1–3650 days, threshold ≥ 1).",
            field="radius_m",
        )


def _cursor(conn: Connection) -> tuple[int, str | None]:
    """The last case id read and the snapshot it was read in, the cursor row locked."""
    conn.execute(
        text("INSERT INTO analysis_cursor (name, last_id) VALUES (:n, 0) ON CONFLICT (name) DO NOTHING"),
        {"n": CURSOR},
    )
    last, seen = conn.execute(
        text("SELECT last_id, seen FROM analysis_cursor WHERE name = :n FOR UPDATE"), {"n": CURSOR}
    ).one()
    return int(last), seen


def _links(conn: Connection, ids: list[int], radius_m: float, days: int) -> list[Link]:
    """The links of the cases ``ids``, each with its place and number (chains inside the batch included: the
    cases are taken in id order)."""
    conn.execute(text("SET LOCAL jit = off"))  # compiling the lateral search costs more than it saves
    found = conn.execute(_CANDIDATES, {"ids": ids, "radius": radius_m, "days": days}).all()
    if not found:
        return []
    earlier = sorted({int(r.earlier_id) for r in found})
    place_of: dict[int, int] = {
        int(a): int(b)
        for a, b in conn.execute(
            text("SELECT case_id, place_case_id FROM case_recurrence WHERE case_id = ANY(:ids)"),
            {"ids": earlier},
        ).all()
    }
    places = sorted({place_of.get(e, e) for e in earlier})
    numbers: dict[int, int] = {
        int(a): int(b)
        for a, b in conn.execute(
            text(
                "SELECT place_case_id, max(number) FROM case_recurrence WHERE place_case_id = ANY(:p) "
                "GROUP BY place_case_id"
            ),
            {"p": places},
        ).all()
    }
    out = []
    for r in found:
        e = int(r.earlier_id)
        place = place_of.get(e, e)
        number = numbers.get(place, 0) + 1
        numbers[place] = number
        place_of[int(r.id)] = place
        out.append(Link(int(r.id), e, max(0.0, float(r.dist)), max(0.0, float(r.days)), place, number))
    return out


def _reason(conn: Connection, link: Link) -> str:
    """The escalation's reason: the place (the first case's address, else its district) and the earlier
    tickets of the place, oldest first."""
    rows = conn.execute(
        text(
            'SELECT c.ticket, c.address, d.name_zh FROM "case" c LEFT JOIN district d ON d.code = c.district_code '
            "WHERE c.id = :p UNION ALL "
            'SELECT c.ticket, NULL, NULL FROM case_recurrence r JOIN "case" c ON c.id = r.case_id '
            "WHERE r.place_case_id = :p AND r.number < :n"
        ),
        {"p": link.place_case_id, "n": link.number},
    ).all()
    where = (rows[0].address or rows[0].name_zh or "") if rows else ""
    tickets = [r.ticket for r in rows]
    shown = "、".join(tickets[:MAX_TICKETS]) + ("等" if len(tickets) > MAX_TICKETS else "")
    return (
        f"复发督办：同一地点第 {link.number} 次复发（{where}，此前案件 {shown}）"
        f" / Recurrence {link.number} at this place ({where}; earlier cases {', '.join(tickets[:MAX_TICKETS])})"
    )[:500]


def _escalate(conn: Connection, link: Link, now: datetime) -> bool:
    """Escalate the link's case as the system; a refusal is logged and leaves everything as it was."""
    version = conn.execute(text('SELECT version FROM "case" WHERE id = :id'), {"id": link.case_id}).scalar()
    if version is None:
        return False
    reason = _reason(conn, link)
    try:
        with conn.begin_nested():
            wf.escalate(conn, Actor.system(), link.case_id, int(version), reason=reason, now=now)
    except DomainError as exc:
        log.info("recurrence: case %s not escalated: %s", link.case_id, exc.en)
        return False
    return True


def recurrence_step(
    conn: Connection,
    now: datetime,
    *,
    radius_m: float = RADIUS_M,
    days: int = DAYS,
    escalate_at: int = ESCALATE_AT,
    batch: int = BATCH,
) -> int:
    """Link the cases reported since the last step to the closed cases they recur, escalate each recurrence
    numbered ``escalate_at`` or more at its place, and move the cursor; returns the number of links made. Runs
    in the caller's transaction (commits nothing)."""
    check_parameters(radius_m, days, escalate_at)
    last, seen = _cursor(conn)
    step = conn.execute(_PENDING, {"last": last, "b": max(1, int(batch)), "seen": seen}).one()
    made = 0
    for link in _links(conn, list(step.ids), radius_m, days) if step.ids else []:
        params: dict[str, Any] = {
            "case_id": link.case_id,
            "earlier": link.earlier_case_id,
            "dist": link.distance_m,
            "days": link.days_after_close,
            "place": link.place_case_id,
            "number": link.number,
            "now": now,
        }
        if conn.execute(_INSERT, params).scalar() is None:
            continue  # linked before (a cursor moved back): nothing to do
        made += 1
        if link.number >= escalate_at:
            _escalate(conn, link, now)
    conn.execute(
        text(
            "UPDATE analysis_cursor SET last_id = COALESCE(:upto, last_id), seen = :seen, last_at = :now, "
            "updated_at = :now WHERE name = :n"
        ),
        {"upto": step.upto, "seen": step.seen, "now": now, "n": CURSOR},
    )
    return made
