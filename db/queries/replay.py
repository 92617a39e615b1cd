"""Events for case replay (:mod:`ops.replay`): one case's history, or every event of a district's day, in the
order they happened, limited to the cases the user may see (a :class:`~db.scope.RowScope`, as the workbench).

Staff appear by their display name (as in the case card's history); a citizen's name is never read."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, text

from db.scope import RowScope
from geo.crs import TZ

#: Most events one replay plays (a district's busiest day is a few hundred in the demo city).
EVENT_CAP = 3000

_SELECT = (
    "SELECT e.id, e.case_id, c.ticket, e.action, e.to_status, e.at, e.actor_role, "
    "CASE WHEN e.actor_user_id IS NOT NULL THEN u.display_name END AS actor_name, "
    'ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat FROM case_event e JOIN "case" c ON c.id = e.case_id '
    "LEFT JOIN staff_user u ON u.id = e.actor_user_id "
)
# the case by ticket or id; its events through ix_case_event_case_id_id
_CASE = (
    _SELECT  # nosec B608 # SQL from constant fragments; values are bound parameters
    + 'WHERE c.id = (SELECT id FROM "case" WHERE ticket = :q OR id = :qid LIMIT 1) AND {scope} '
    + "ORDER BY e.at, e.id LIMIT :cap"
)
# a district's local day: the events of the day through ix_case_event_at, then the district and the scope
_DAY = (
    _SELECT
    + "WHERE e.at >= :start AND e.at < :end AND c.district_code = :district AND {scope} "
    + "ORDER BY e.at, e.id LIMIT :cap"
)


def case_events(conn: Connection, scope: RowScope, query: str, *, cap: int = EVENT_CAP) -> list[Any]:
    """The events of the case whose ticket (or id) is ``query``; empty when absent or out of scope."""
    q = query.strip()
    qid = int(q) if q.isdigit() and len(q) < 18 else -1
    sql = text(_CASE.format(scope=scope.where("c")))  # nosec B608 # SQL from constant fragments; values are bound parameters
    return list(conn.execute(sql, {**scope.params(), "q": q, "qid": qid, "cap": cap}).all())


def district_day_events(
    conn: Connection, scope: RowScope, district: str, day: date, *, cap: int = EVENT_CAP
) -> list[Any]:
    """Every event of ``day`` (local, Asia/Shanghai) on the cases of ``district`` the scope reaches."""
    start = datetime.combine(day, time.min, tzinfo=TZ)
    params = {
        **scope.params(),
        "start": start,
        "end": start + timedelta(days=1),
        "district": district,
        "cap": cap,
    }
    sql = text(_DAY.format(scope=scope.where("c")))  # nosec B608 # SQL from constant fragments; values are bound parameters
    return list(conn.execute(sql, params).all())
