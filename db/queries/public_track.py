"""Tracking one report by its ticket (``GY251120-123``): its public stages with dates, nothing else.

No person, note, place or description: only the stage a report reached and when, and its 小类 when the report
is public. Part of :mod:`db.queries.public`.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, text

from db.queries.public_common import STAGE_OF, STAGE_RANK
from db.vocabulary import CaseStatus
from geo.crs import TZ

TICKET_RE = re.compile(r"^GY\d{6}-\d{1,12}$")

_TRACK_CASE = text(
    "SELECT c.id, c.ticket, c.status, c.merged_into_id, (c.public AND k.public) AS shown, k.name_zh, k.name_en "
    'FROM "case" c JOIN category k ON k.code = c.category_code WHERE c.{col} = :v'
)
_TRACK_BY_TICKET = text(str(_TRACK_CASE).replace("{col}", "ticket"))
_TRACK_BY_ID = text(str(_TRACK_CASE).replace("{col}", "id"))
_TRACK_EVENTS = text(  # the report-time bound skips older months of the partitioned history
    "SELECT to_status, at FROM case_event WHERE case_id = :id "
    'AND at >= (SELECT created_at FROM "case" WHERE id = :id) ORDER BY at, id'
)


def normalize_ticket(ticket: object) -> str | None:
    """``GY251120-123`` from what a person typed (spaces, lower case, full-width dash); None if not a ticket."""
    if not isinstance(ticket, str):
        return None
    t = ticket.strip().upper().replace(" ", "").replace("－", "-").replace("—", "-")
    return t if TICKET_RE.match(t) else None


def _stages(conn: Connection, case_id: int) -> list[dict[str, str]]:
    """First time each public stage was reached, in order; a step back (回退) does not show as a stage."""
    out: list[dict[str, str]] = []
    rank = -1
    for to_status, at in conn.execute(_TRACK_EVENTS, {"id": case_id}).all():
        stage = STAGE_OF.get(to_status)
        if stage is None:
            continue
        if to_status == CaseStatus.MERGED:
            stage = "merged"
        elif STAGE_RANK[stage] <= rank:
            continue
        rank = max(rank, STAGE_RANK.get(stage, 2))
        out.append({"stage": stage, "at": at.astimezone(TZ).isoformat(timespec="minutes")})
    return out


def track(conn: Connection, ticket: object) -> dict[str, Any] | None:
    """A report's progress by its ticket: public stages with dates, nothing about people, notes or places.
    The 小类 shows only for public reports. A merged report also carries the progress of the case it was
    merged into (``merged_progress``), whose stage is the current one."""
    t = normalize_ticket(ticket)
    if t is None:
        return None
    row = conn.execute(_TRACK_BY_TICKET, {"v": t}).first()
    if row is None:
        return None
    result: dict[str, Any] = {
        "ticket": row.ticket,
        "category": {"zh": row.name_zh, "en": row.name_en} if row.shown else None,
        "stage": STAGE_OF[row.status],
        "stages": _stages(conn, row.id),
        "merged_progress": None,
    }
    target, hops = row, 0
    while target.status == CaseStatus.MERGED and target.merged_into_id is not None and hops < 5:
        nxt = conn.execute(_TRACK_BY_ID, {"v": target.merged_into_id}).first()
        if nxt is None:
            break
        target, hops = nxt, hops + 1
    if target is not row:
        result["stage"] = STAGE_OF[target.status]
        result["merged_progress"] = [s for s in _stages(conn, target.id) if s["stage"] != "merged"]
    return result
