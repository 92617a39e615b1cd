"""The deadline lights turning yellow and red: not events, so a periodic scan (the worker runs it every
``GUIYANG_NOTIFY_LIGHT_INTERVAL_S``) finds the cases whose light turned and enqueues their messages.

A case counts while it is at a department and its clock runs (dispatched, in progress: :mod:`ops.notify.rules`);
its light is the ONE definition, ``gy_light`` through :func:`db.light.light_sql`. The moment a light turned is
the stage's ``stage_yellow_at`` (yellow) or ``stage_deadline`` (red); when both passed unseen (the worker was
down), only red is told. A light is told to the routes that existed at its moment, and only within
:data:`LOOKBACK` of now: adding a route does not replay a city's past. The keys (``light:<case>:<moment>:<kind>``
per route) make a rescan, a restart or two workers at once harmless: nothing is sent twice.

Cheap: with no route that could hear a light, one query on ``notify_route`` and nothing else; otherwise one query
over the open cases at departments (``ix_case_status``; only the routes' departments when no role listens), which
skips the cases already told for their moment (their keys, through ``ix_notify_outbox_case_id``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from db.light import light_sql
from ops.notify.outbox import enqueue_light
from ops.notify.rules import RULES

LOOKBACK = timedelta(hours=24)
_LIGHTS = ("yellow", "red")
_ROLES = sorted({r for k in _LIGHTS for r in RULES[k].roles})

_LISTENERS = text(
    """
    SELECT array_agg(DISTINCT department_code) FILTER (WHERE department_code IS NOT NULL) AS depts,
           bool_or(role IS NOT NULL) AS roles, min(created_at) AS first
      FROM notify_route
     WHERE enabled AND removed_at IS NULL
       AND (kinds IS NULL OR kinds && ARRAY['yellow', 'red']::varchar[])
       AND (department_code IS NOT NULL OR role = ANY(CAST(:roles AS varchar[])))
    """
)
_LIGHT = light_sql("c", ":now")
_TURNED = text(
    f"""
    SELECT id, department_code, light, moment FROM (
        SELECT c.id, c.department_code, {_LIGHT} AS light,
               CASE WHEN {_LIGHT} = 'red' THEN c.stage_deadline ELSE c.stage_yellow_at END AS moment
          FROM "case" c
         WHERE c.status IN ('dispatched', 'in_progress')
           AND c.stage_yellow_at <= CAST(:now AS timestamptz)
           AND (CAST(:all AS boolean) OR c.department_code = ANY(CAST(:depts AS varchar[])))
    ) lit
     WHERE light IN ('yellow', 'red') AND moment > CAST(:since AS timestamptz)
       AND NOT EXISTS (SELECT 1 FROM notify_outbox o
                        WHERE o.case_id = lit.id AND o.kind = lit.light
                          AND o.idem_key LIKE 'light:' || lit.id || ':' || floor(extract(epoch FROM lit.moment))::bigint
                                              || ':' || lit.light || ':route:%')
     ORDER BY moment, id
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)


def scan(conn: Connection, now: datetime) -> int:
    """Enqueue the messages of the lights that turned yellow or red by ``now`` and were not told yet, in the
    caller's transaction; returns how many outbox rows were written."""
    who = conn.execute(_LISTENERS, {"roles": _ROLES}).one()
    if who.first is None:
        return 0
    since = max(now - LOOKBACK, who.first)
    params = {"now": now, "since": since, "all": bool(who.roles), "depts": list(who.depts or [])}
    added = 0
    for row in conn.execute(_TURNED, params).all():
        added += enqueue_light(
            conn, case_id=row.id, kind=row.light, moment=row.moment, department=row.department_code
        )
    return added
