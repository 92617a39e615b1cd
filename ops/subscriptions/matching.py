"""Matching a case event against the area subscriptions, in the event's transaction
(:func:`ops.workflow.core.append_event` calls :func:`enqueue_for_event`): a message exists exactly when the event
committed, one per event and subscription (key ``event:<id>:sub:<id>``).

Cost: an event that is neither a new report nor a closure costs nothing (no query). A report or a closure costs
ONE query when nothing matches: the case's point against the live subscriptions' areas through the partial GiST
index ``ix_subscription_area_live`` (a few index pages whatever the number of subscriptions elsewhere), with the
events, categories (小类, or its 大类) and owners (an active staff user; a registered citizen, and only for a
public case of a public 小类) filtered in the same statement. Staff are then held to their reach
(:data:`ops.policy.Screen.SUBSCRIPTIONS`: an officer their district, department staff their department's cases);
only when someone is told is the case read for its message, and the rows written in one INSERT.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, text

from db.models.subscriptions import SUBSCRIPTION_KINDS
from db.queries.public_position import public_position_sql
from db.vocabulary import Action, CaseStatus
from ops.notify.messages import Message
from ops.notify.outbox import case_facts
from ops.policy import Reach, Screen, reach
from ops.subscriptions.messages import PublicFacts, citizen_message, label_of, staff_message

#: The case is read first (a CTE), and its point reaches the subscriptions as a value (an InitPlan), not as a
#: join: whatever the planner believes of the table's size, ``area && <a point>`` is an index probe (measured: as a
#: join, a generic plan scanned 1,000 subscriptions whole, ~25 ms, where the probe takes ~0.2 ms).
_MATCH = text(
    """
    WITH c AS MATERIALIZED (
        SELECT c.geom, c.category_code, cat.parent_code, c.district_code, c.department_code,
               c.public AND cat.public AS public
          FROM "case" c JOIN category cat ON cat.code = c.category_code
         WHERE c.id = :case_id)
    SELECT s.id, s.staff_user_id, s.lang, s.label, u.role, u.district_code AS user_district,
           u.department_code AS user_department, c.district_code, c.department_code
      FROM subscription s
      CROSS JOIN c
      LEFT JOIN staff_user u ON u.id = s.staff_user_id
      LEFT JOIN person p ON p.id = s.person_id
     WHERE s.area && (SELECT geom FROM c) AND ST_Intersects(s.area, (SELECT geom FROM c))
       AND s.active AND s.removed_at IS NULL
       AND CAST(:event AS varchar) = ANY(s.events)
       AND (s.categories IS NULL OR c.category_code = ANY(s.categories) OR c.parent_code = ANY(s.categories))
       AND CASE WHEN s.staff_user_id IS NOT NULL THEN u.active ELSE p.registered AND c.public END
     ORDER BY s.id
    """
)
_LATERAL, _LON_LAT = public_position_sql("c")
PUBLIC_FACTS = text(
    f"""
    SELECT c.ticket, cat.name_zh AS category_zh, cat.name_en AS category_en, d.name_zh AS district_zh,
           d.name_en AS district_en, {_LON_LAT}
      FROM "case" c{_LATERAL}
      JOIN category cat ON cat.code = c.category_code
      LEFT JOIN district d ON d.code = c.district_code
     WHERE c.id = :id
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)
# each message's key claimed first (notify_key, unique over all time), as ops.notify.outbox does
_INSERT = text(
    """
    WITH m AS (
        SELECT 'event:' || CAST(:event_id AS text) || ':sub:' || s.id AS idem_key, s.id, s.title, s.body, s.link
          FROM unnest(CAST(:subs AS int[]), CAST(:titles AS text[]), CAST(:bodies AS text[]),
                      CAST(:links AS text[])) AS s(id, title, body, link)
    ), k AS (
        INSERT INTO notify_key (idem_key) SELECT idem_key FROM m ON CONFLICT DO NOTHING RETURNING idem_key
    )
    INSERT INTO notify_outbox (idem_key, subscription_id, kind, case_id, event_id, title, body, link)
    SELECT m.idem_key, m.id, :kind, :case_id, :event_id, m.title, m.body, m.link
      FROM m JOIN k USING (idem_key)
    """
)
_RING = text("SELECT pg_notify('notify_outbox', '')")


def event_of(action: str, to_status: str) -> str | None:
    """``new`` for a report (上报), ``closed`` for a step into 已结案, else None (no subscription is told)."""
    if action == Action.REPORT.value:
        return "new"
    if to_status == CaseStatus.CLOSED.value:
        return "closed"
    return None


def _reaches(row: Row[Any]) -> bool:
    """A citizen's row passed the public filter in SQL; a staff user's is held to their reach."""
    if row.staff_user_id is None:
        return True
    how = reach(row.role, Screen.SUBSCRIPTIONS)
    if how is Reach.CITY:
        return True
    if how is Reach.DISTRICT:
        return row.user_district is not None and row.user_district == row.district_code
    if how is Reach.DEPARTMENT:
        return row.user_department is not None and row.user_department == row.department_code
    return False


def matches(conn: Connection, case_id: int, event: str) -> list[Row[Any]]:
    """The live subscriptions told of ``event`` (``new``/``closed``) on the case, each owner within reach."""
    return [r for r in conn.execute(_MATCH, {"case_id": case_id, "event": event}) if _reaches(r)]


def _messages(
    conn: Connection, rows: Sequence[Row[Any]], case_id: int, event: str, status: str
) -> list[Message] | None:
    staff_facts = public = None
    out: list[Message] = []
    cache: dict[tuple[bool, str, str], Message] = {}
    for r in rows:
        staff = r.staff_user_id is not None
        label = label_of(r.label, r.id)
        key = (staff, r.lang, label)
        if key not in cache:
            if staff:
                staff_facts = staff_facts or case_facts(conn, case_id, r.department_code)
                if staff_facts is None:
                    return None
                cache[key] = staff_message(event, staff_facts, status, label, r.lang)
            else:
                if public is None:
                    found = conn.execute(PUBLIC_FACTS, {"id": case_id, "public_exact": []}).one_or_none()
                    if found is None:
                        return None
                    public = PublicFacts.of(found)
                cache[key] = citizen_message(event, public, status, label, r.lang)
        out.append(cache[key])
    return out


def enqueue_for_event(
    conn: Connection, *, event_id: int, case_id: int, action: str, to_status: str, at: datetime | None = None
) -> int:
    """The messages of a case event to the area subscriptions it matches, in the caller's transaction; returns
    how many rows were written. ``at`` is kept for the interface (rows take the database's time)."""
    event = event_of(str(action), str(to_status))
    if event is None:
        return 0
    rows = matches(conn, case_id, event)
    if not rows:
        return 0
    messages = _messages(conn, rows, case_id, event, str(to_status))
    if not messages:
        return 0
    added = conn.execute(
        _INSERT,
        {
            "event_id": event_id,
            "kind": SUBSCRIPTION_KINDS[event],
            "case_id": case_id,
            "subs": [r.id for r in rows],
            "titles": [m.title for m in messages],
            "bodies": [m.body for m in messages],
            "links": [m.link for m in messages],
        },
    ).rowcount
    if added:
        conn.execute(_RING)
    return int(added)
