"""Writing the outbox, in the caller's transaction: one ``notify_outbox`` row per matching route, so a message
exists exactly when what it tells committed (a rolled-back dispatch leaves none).

Cheap when nobody listens: an action no rule tells about costs nothing; one that does costs ONE query on the
small ``notify_route`` table (its routes), and the case is read only when a route matches. Rows are keyed
(``idem_key``, unique) and inserted with ``ON CONFLICT DO NOTHING``: the same event, alert or light never makes
two messages for one route, however often it is enqueued.

Keys: ``event:<case_event id>:route:<route id>``, ``alert:<analysis_alert id>:route:<id>``,
``light:<case id>:<moment, epoch seconds>:<yellow|red>:route:<id>`` (the moment the light turned: the stage's
``stage_yellow_at`` or ``stage_deadline``; an extension or a resume moves it, so a light that turns again is told
again).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, text

from ops.notify.messages import AlertFacts, CaseFacts, Message, alert_message, case_message
from ops.notify.rules import EVENT_KINDS, RULES

_ROUTES = text(
    """
    SELECT id, lang FROM notify_route
     WHERE enabled AND removed_at IS NULL
       AND (kinds IS NULL OR CAST(:kind AS varchar) = ANY(kinds))
       AND (department_code = :dept OR role = ANY(CAST(:roles AS varchar[])))
       AND created_at <= COALESCE(CAST(:since AS timestamptz), created_at)
     ORDER BY id
    """
)
CASE_FACTS = text(
    """
    SELECT c.ticket, cat.name_zh AS category_zh, cat.name_en AS category_en,
           d.name_zh AS district_zh, d.name_en AS district_en, c.address, c.description,
           COALESCE(c.stage_deadline, c.deadline) AS deadline,
           dep.name_zh AS department_zh, dep.name_en AS department_en, c.urgency = 'urgent' AS urgent
      FROM "case" c
      JOIN category cat ON cat.code = c.category_code
      LEFT JOIN district d ON d.code = c.district_code
      LEFT JOIN department dep ON dep.code = CAST(:dept AS varchar)
     WHERE c.id = :id
    """
)
_ALERT_FACTS = text(
    """
    SELECT a.id AS alert_id, cat.name_zh AS category_zh, cat.name_en AS category_en,
           d.name_zh AS district_zh, d.name_en AS district_en, a.window_start, a.window_end,
           a.explanation_zh, a.explanation_en
      FROM analysis_alert a
      JOIN category cat ON cat.code = a.category_code
      LEFT JOIN district d ON d.code = a.district_code
     WHERE a.id = :id
    """
)
#: One statement for every route of a message (a route's language picks its title and body).
#: Each message's key is claimed first (``notify_key``: unique over all time, the outbox being partitioned by month);
#: only the messages whose keys were claimed are written.
_INSERT = text(
    """
    WITH m AS (
        SELECT CAST(:key AS text) || ':route:' || r.id AS idem_key, r.id, r.title, r.body
          FROM unnest(CAST(:routes AS int[]), CAST(:titles AS text[]), CAST(:bodies AS text[])) AS r(id, title, body)
    ), k AS (
        INSERT INTO notify_key (idem_key) SELECT idem_key FROM m ON CONFLICT DO NOTHING RETURNING idem_key
    )
    INSERT INTO notify_outbox (idem_key, route_id, kind, case_id, alert_id, event_id, title, body, link)
    SELECT m.idem_key, m.id, :kind, :case_id, :alert_id, :event_id, m.title, m.body, :link
      FROM m JOIN k USING (idem_key)
    """
)
#: Rings the worker's doorbell at commit (``ops.notify.worker.CHANNEL``): a message is sent at once, not at the
#: next poll.
_RING = text("SELECT pg_notify('notify_outbox', '')")


def routes_for(
    conn: Connection, kind: str, department: str | None, *, added_by: datetime | None = None
) -> Sequence[Row[Any]]:
    """The live routes a message of ``kind`` about a case at ``department`` goes to (:data:`RULES`); with
    ``added_by``, only the routes that existed then (a light tells the routes it turned under, not the past's)."""
    rule = RULES[kind]
    params = {
        "kind": kind,
        "dept": department if rule.department else None,
        "roles": list(rule.roles),
        "since": added_by,
    }
    return conn.execute(_ROUTES, params).all()


def insert(
    conn: Connection,
    routes: Sequence[Row[Any]],
    key: str,
    kind: str,
    render: Callable[[str], Message],
    *,
    case_id: int | None = None,
    alert_id: int | None = None,
    event_id: int | None = None,
) -> int:
    """One row per route (``<key>:route:<id>``), each in its route's language, in one statement; returns how
    many were new."""
    by_lang: dict[str, Message] = {}
    messages = [by_lang.get(r.lang) or by_lang.setdefault(r.lang, render(r.lang)) for r in routes]
    added = conn.execute(
        _INSERT,
        {
            "key": key,
            "kind": kind,
            "case_id": case_id,
            "alert_id": alert_id,
            "event_id": event_id,
            "link": messages[0].link,
            "routes": [r.id for r in routes],
            "titles": [m.title for m in messages],
            "bodies": [m.body for m in messages],
        },
    ).rowcount
    if added:
        conn.execute(_RING)
    return added


def case_facts(conn: Connection, case_id: int, department: str | None) -> CaseFacts | None:
    row = conn.execute(CASE_FACTS, {"id": case_id, "dept": department}).one_or_none()
    return None if row is None else CaseFacts.of(row)


def enqueue_for_event(
    conn: Connection,
    *,
    event_id: int,
    case_id: int,
    action: str,
    department: str | None,
    at: datetime,
    note: str | None = None,
) -> int:
    """The messages a case event tells (:data:`ops.notify.rules.EVENT_KINDS`), in the caller's transaction;
    returns how many rows were written. ``department``: the event's (the case's after the step; for 回退 the
    department that sent it back). ``at`` is the event's time (kept for the interface: the row's own times are the
    database's, so a message is due at once)."""
    kind = EVENT_KINDS.get(str(action))
    if kind is None:
        return 0
    routes = routes_for(conn, kind, department)
    if not routes:
        return 0
    facts = case_facts(conn, case_id, department)
    if facts is None:
        return 0
    return insert(
        conn,
        routes,
        f"event:{event_id}",
        kind,
        lambda lang: case_message(kind, facts, lang, note=note),
        case_id=case_id,
        event_id=event_id,
    )


def enqueue_for_alert(conn: Connection, *, alert_id: int) -> int:
    """The messages a new 研判预警 alert tells (to the roles of ``RULES['alert']``), in the caller's
    transaction; returns how many rows were written."""
    routes = routes_for(conn, "alert", None)
    if not routes:
        return 0
    row = conn.execute(_ALERT_FACTS, {"id": alert_id}).one_or_none()
    if row is None:
        return 0
    facts = AlertFacts(**row._asdict())
    return insert(
        conn, routes, f"alert:{alert_id}", "alert", lambda lang: alert_message(facts, lang), alert_id=alert_id
    )


def enqueue_light(
    conn: Connection, *, case_id: int, kind: str, moment: datetime, department: str | None
) -> int:
    """The messages of a case's light turning ``kind`` (yellow or red) at ``moment``; returns rows written."""
    if kind not in ("yellow", "red"):
        raise ValueError(f"not a light: {kind}")
    routes = routes_for(conn, kind, department, added_by=moment)
    if not routes:
        return 0
    facts = case_facts(conn, case_id, department)
    if facts is None:
        return 0
    return insert(
        conn,
        routes,
        light_key(case_id, moment, kind),
        kind,
        lambda lang: case_message(kind, facts, lang),
        case_id=case_id,
    )


def light_key(case_id: int, moment: datetime, kind: str) -> str:
    return f"light:{case_id}:{int(moment.timestamp())}:{kind}"


_RESEND = text(
    "UPDATE notify_outbox SET status = 'pending', attempts = 0, next_attempt_at = now()"
    " WHERE id = :id AND status = 'failed'"
)


def resend(conn: Connection, outbox_id: int) -> bool:
    """An admin sends a failed message again: it is pending and due now, its tries counted afresh (its last error
    stays until a try replaces it). False when the row is not failed (pending, delivered or missing). The worker
    is woken at commit. The caller checks the admin's role and commits."""
    if conn.execute(_RESEND, {"id": outbox_id}).rowcount != 1:
        return False
    conn.execute(_RING)
    return True
