"""Read models of the wall screen: open-case pins, the catch-up after a push doorbell, KPI tiles, preset views.

Lights follow :func:`ops.workflow.light` (green before ``stage_yellow_at``, yellow up to ``stage_deadline``, red
after; a suspended case shows its light at ``paused_since``), computed in SQL with an explicit ``now``.
Pins carry no personal data: id, ticket, light, urgency. These functions return plain data; the compact lists
the browser gets are built by :mod:`dashboard.components.wall_wire`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, text

from db import snapshots
from db.light import OPEN_SQL, light_sql, open_sql, overdue_sql
from db.queries.grid_levels import window_start
from db.queries.stats_sql import CONDITIONS
from geo.bbox import BBox
from geo.crs import TZ

#: Pins in one viewport at most (newest first); clustering keeps them readable.
PIN_CAP = 20_000
#: Below this zoom the base layer is server-side bubbles, BUBBLES_ACROSS of them across the view's longer side
#: (the same picture on a 4K wall and on a laptop; see :func:`viewport_pins`).
BUBBLE_MAX_ZOOM = 15
BUBBLES_ACROSS = 15
#: From this zoom on a view always gets single pins. Between BUBBLE_MAX_ZOOM and it, a view holding more than
#: DENSE_PINS open cases (the centre of a big city: 12,765 in one street view of the 10M-case city) gets bubbles
#: on a finer grid, DENSE_BUBBLES_ACROSS across: thousands of overlapping pins tell a screen nothing, and sending
#: them took 336 ms (258 KiB) where the bubbles take a few ms.
PINS_ALWAYS_ZOOM = 17
DENSE_PINS = 3000
DENSE_BUBBLES_ACROSS = 40
#: Escalated cases reported within this many hours are the wall's alarms (never clustered, pulsing).
ALERT_HOURS = 24
#: KPI rates look at the cases reported in this many days.
RATE_DAYS = 30
#: The light's first letter (g / y / r, NULL without a stage clock), for the wall's compact rows.
LIGHT_SQL = f"left({light_sql('c', ':now')}, 1)"


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(TZ)).astimezone(TZ)


@dataclass(frozen=True)
class Pin:
    """An open case on the wall: where, its light (``g``/``y``/``r``; no stage clock: ``g``), whether it is
    escalated and an alarm (escalated and reported within :data:`ALERT_HOURS`); in a catch-up also its ticket and
    the case's last event id."""

    id: int
    lon: float
    lat: float
    light: str
    escalated: bool
    alarm: bool = False
    ticket: str | None = None
    event_id: int | None = None


@dataclass(frozen=True)
class Bubble:
    """Open cases grouped (zoomed out): how many, their centroid, how many are yellow, red and escalated."""

    n: int
    lon: float
    lat: float
    yellow: int
    red: int
    escalated: int


# The open cases of the viewport alone, through the partial geometry index of open cases (ix_case_open_geom):
# the cost follows the open cases in view, neither the city's open cases nor years of closed history. The
# OFFSET 0 fence keeps the planner from walking the id index backwards for ORDER BY id DESC LIMIT (or the full
# geometry index, which at street zoom walks ~250k closed cases in the city centre).
_OPEN_IN_VIEW = f"""SELECT * FROM "case" WHERE status IN {OPEN_SQL}
                       AND geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326) OFFSET 0"""  # nosec B608 # constant
_PINS = text(
    f"""
    SELECT (SELECT coalesce(max(id), 0) FROM case_event) AS as_of,
           c.id, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, c.escalated, {LIGHT_SQL} AS light,
           c.escalated AND c.created_at >= CAST(:now AS timestamptz) - make_interval(hours => :alert) AS alarm
      FROM ({_OPEN_IN_VIEW}) c
     ORDER BY c.id DESC
     LIMIT :cap
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)
_AS_OF = text("SELECT coalesce(max(id), 0) FROM case_event")
#: open cases in view, counted up to :lim (the partial index of open cases; stops early in a dense view)
_OPEN_COUNT = text(f"SELECT count(*) FROM (SELECT 1 FROM ({_OPEN_IN_VIEW}) c LIMIT :lim) c")  # nosec B608 # constant


@dataclass(frozen=True)
class Pins:
    """Open cases in a viewport: ``mode`` "pins" (every one, newest first, in ``pins``) or "bubbles" (``bubbles``,
    and the alarms kept single in ``pins``); ``as_of`` is the last event id the snapshot includes."""

    mode: str
    pins: Sequence[Pin]
    as_of: int
    capped: bool
    bubbles: Sequence[Bubble] = ()
    dense: bool = False  # bubbles at street zoom: too many open cases in view for single pins

    def __len__(self) -> int:
        """Open cases shown (a bubble counts several)."""
        return len(self.pins) + sum(b.n for b in self.bubbles)


def open_pins(conn: Connection, bbox: BBox, now: datetime | None = None, cap: int = PIN_CAP) -> Pins:
    w, s, e, n = bbox
    params = {"w": w, "s": s, "e": e, "n": n, "now": _now(now), "cap": cap, "alert": ALERT_HOURS}
    rows = conn.execute(_PINS, params).all()
    as_of = int(rows[0].as_of) if rows else int(conn.execute(_AS_OF).scalar_one())
    pins = [Pin(r.id, r.lon, r.lat, r.light or "g", bool(r.escalated), bool(r.alarm)) for r in rows]
    return Pins("pins", pins, as_of, capped=len(rows) >= cap)


# Zoomed out, open cases travel as bubbles: grouped on the server by a square grid in Web Mercator (a fraction of
# the view), each with its count, centroid and the count of yellow, red and escalated cases.
# Today's escalations (alarms) stay single. A city view is then a few hundred numbers instead of 10k pins.
_BUBBLES = text(
    f"""
    WITH p AS (
        SELECT c.id, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, c.escalated, {LIGHT_SQL} AS light,
               c.escalated AND c.created_at >= CAST(:now AS timestamptz) - make_interval(hours => :alert) AS alarm
          FROM ({_OPEN_IN_VIEW}) c)
    SELECT (SELECT coalesce(max(id), 0) FROM case_event) AS as_of, NULL::bigint AS id, count(*) AS n,
           avg(lon) AS lon, avg(lat) AS lat, count(*) FILTER (WHERE light = 'y') AS y,
           count(*) FILTER (WHERE light = 'r') AS r, count(*) FILTER (WHERE escalated) AS u
      FROM p WHERE NOT alarm
     GROUP BY floor(lon / :dx), floor(ln(tan(radians(45 + lat / 2))) / :dy)
    UNION ALL
    SELECT NULL, id, 1, lon, lat, (light = 'y')::int, (light = 'r')::int, 1 FROM p WHERE alarm
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)


def viewport_pins(
    conn: Connection, bbox: BBox, zoom: float, now: datetime | None = None, cap: int = PIN_CAP
) -> Pins:
    """The wall's base layer: bubbles below :data:`BUBBLE_MAX_ZOOM`; single pins from it on, unless the view holds
    more than :data:`DENSE_PINS` open cases below :data:`PINS_ALWAYS_ZOOM` (then finer bubbles, ``dense``)."""
    w, s, e, n = bbox
    across, dense = BUBBLES_ACROSS, False
    if zoom >= BUBBLE_MAX_ZOOM:
        if zoom >= PINS_ALWAYS_ZOOM or _open_count(conn, bbox, DENSE_PINS + 1) <= DENSE_PINS:
            return open_pins(conn, bbox, now, cap)
        across, dense = DENSE_BUBBLES_ACROSS, True
    merc = math.log(math.tan(math.radians(45 + n / 2))) - math.log(math.tan(math.radians(45 + s / 2)))
    dy = max(math.radians(e - w), merc) / across  # Web Mercator units (radians of longitude)
    params = {"w": w, "s": s, "e": e, "n": n, "now": _now(now), "alert": ALERT_HOURS,
              "dx": math.degrees(dy), "dy": dy}  # fmt: skip
    rows = conn.execute(_BUBBLES, params).all()
    as_of = next((int(r.as_of) for r in rows if r.as_of is not None), None)
    bubbles = [Bubble(int(r.n), r.lon, r.lat, int(r.y), int(r.r), int(r.u)) for r in rows if r.id is None]
    alarms = [
        Pin(int(r.id), r.lon, r.lat, "r" if r.r else ("y" if r.y else "g"), True, True)
        for r in rows
        if r.id is not None
    ]
    return Pins(
        "bubbles",
        alarms,
        as_of if as_of is not None else int(conn.execute(_AS_OF).scalar_one()),
        False,
        bubbles,
        dense,
    )


def _open_count(conn: Connection, bbox: BBox, limit: int) -> int:
    w, s, e, n = bbox
    return int(conn.execute(_OPEN_COUNT, {"w": w, "s": s, "e": e, "n": n, "lim": limit}).scalar_one())


# --- the catch-up after a doorbell -----------------------------------------------------------------------------

_EVENT_COLUMNS = (
    "e.id, e.case_id, e.action, e.to_status, e.at, c.ticket, c.escalated, "
    "cat.name_zh AS cat_zh, cat.name_en AS cat_en, d.name_zh AS dist_zh, d.name_en AS dist_en"
)
_EVENT_FROM = (
    'case_event e JOIN "case" c ON c.id = e.case_id LEFT JOIN category cat ON cat.code = c.category_code '
    "LEFT JOIN district d ON d.code = c.district_code"
)
# one statement each: the snapshot handed back as the cursor is the one the events were read in; the new events in
# the order of ix_case_event_tx, so the plan reads that index from the snapshot's xmin on (by id, a plan filtering
# every event was chosen before ``tx`` had statistics: 7.7 s at 1M cases)
_EVENTS_AFTER = text(
    f"WITH s AS MATERIALIZED (SELECT {snapshots.CURRENT}) "  # nosec B608 # SQL from constant fragments; values are bound parameters
    f"SELECT s.seen, s.top, ev.* FROM s LEFT JOIN (SELECT {_EVENT_COLUMNS} FROM {_EVENT_FROM} "
    f"WHERE {snapshots.NEW_SINCE} ORDER BY e.tx LIMIT :lim) ev ON true ORDER BY ev.id"
)
_LATEST_EVENTS = text(
    f"WITH s AS MATERIALIZED (SELECT {snapshots.CURRENT}) "  # nosec B608 # SQL from constant fragments; values are bound parameters
    f"SELECT s.seen, s.top, ev.* FROM s LEFT JOIN (SELECT {_EVENT_COLUMNS} FROM {_EVENT_FROM} "
    "ORDER BY e.id DESC LIMIT :lim) ev ON true ORDER BY ev.id DESC"
)
_CASES = text(
    f"""
    SELECT c.id, c.ticket, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, c.escalated, c.status,
           c.status IN {OPEN_SQL} AS open, {LIGHT_SQL} AS light
      FROM "case" c WHERE c.id IN :ids
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
).bindparams(bindparam("ids", expanding=True))


def event_item(row: Any) -> dict[str, Any]:
    """A ticker entry (plain JSON for a dcc.Store)."""
    return {
        "id": int(row.id),
        "case": int(row.case_id),
        "action": row.action,
        "status": row.to_status,
        "at": row.at.astimezone(TZ).isoformat(),
        "ticket": row.ticket,
        "urgent": bool(row.escalated),
        "cat": [row.cat_zh or "", row.cat_en or ""],
        "dist": [row.dist_zh or "", row.dist_en or ""],
    }


@dataclass
class CatchUp:
    """What happened since a snapshot: the events (newest first), the touched cases' current pins (open ones,
    with ``event_id`` = the case's last event id) and ``[case id, last event id]`` of touched cases that are
    no longer open; ``overflow`` when more events than ``limit`` arrived (the caller then reloads its base).
    ``cursor``: the snapshot the events were read in (:mod:`db.snapshots`), what the next catch-up starts from."""

    cursor: str
    events: list[dict[str, Any]] = field(default_factory=list)
    pins: list[Pin] = field(default_factory=list)
    gone: list[list[int]] = field(default_factory=list)
    overflow: bool = False


def latest_events(conn: Connection, n: int = 12) -> CatchUp:
    """The newest ``n`` events (newest first) and the snapshot to continue from: the first call of a fresh
    screen."""
    rows = conn.execute(_LATEST_EVENTS, {"lim": n}).all()
    cursor = snapshots.canonical(rows[0].seen, rows[0].top)
    return CatchUp(cursor=cursor, events=[event_item(r) for r in rows if r.id is not None])


def catch_up(conn: Connection, seen: str, limit: int = 500, now: datetime | None = None) -> CatchUp:
    """The events whose transactions the snapshot ``seen`` did not see (at most ``limit``, in id order), and the
    current state of the cases they touched."""
    got = conn.execute(_EVENTS_AFTER, {"seen": seen, "lim": limit + 1}).all()
    cursor = snapshots.canonical(got[0].seen, got[0].top)
    rows = [r for r in got if r.id is not None]
    overflow = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return CatchUp(cursor=cursor)
    last_event: dict[int, int] = {}
    for r in rows:
        last_event[int(r.case_id)] = max(int(r.id), last_event.get(int(r.case_id), 0))
    cases = conn.execute(_CASES, {"ids": list(last_event), "now": _now(now)}).all()
    pins = [
        Pin(
            int(c.id),
            float(c.lon),
            float(c.lat),
            c.light or "g",
            bool(c.escalated),
            ticket=c.ticket,
            event_id=last_event[int(c.id)],
        )
        for c in cases
        if c.open
    ]
    gone = [[int(c.id), last_event[int(c.id)]] for c in cases if not c.open]
    return CatchUp(
        cursor=cursor,
        events=[event_item(r) for r in reversed(rows)],
        pins=pins,
        gone=gone,
        overflow=overflow,
    )


# --- KPI tiles -------------------------------------------------------------------------------------------------

# The tiles' words are the ones of /stats and the legend: 在办 and 超期 from :mod:`db.light`, the rates with the
# conditions of :mod:`db.queries.stats_sql` over the filed cases (merged ones excluded) reported in the window.
_KPIS = text(
    f"""
    WITH cohort AS (
        SELECT count(*) FILTER (WHERE {CONDITIONS["handled_on_time"]}) AS on_time,
               count(*) FILTER (WHERE {CONDITIONS["due_handle"]}) AS due_handle,
               count(*) FILTER (WHERE {CONDITIONS["closed"]}) AS closed,
               count(*) FILTER (WHERE {CONDITIONS["due_close"]}) AS due_close
          FROM "case" c
         WHERE c.created_at >= :since AND c.created_at <= :now AND c.filed_at IS NOT NULL
           AND c.status <> 'merged')
    SELECT (SELECT coalesce(max(id), 0) FROM case_event) AS as_of,
           (SELECT count(*) FROM "case" WHERE created_at >= :today AND created_at <= :now) AS today_reports,
           (SELECT count(*) FROM "case" c WHERE {open_sql("c")}) AS open_cases,
           (SELECT count(*) FROM "case" c WHERE {overdue_sql("c", ":now")}) AS overdue,
           cohort.*
      FROM cohort
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)


@dataclass(frozen=True)
class Kpis:
    """The wall's tiles and the pin legend's count, one snapshot (``as_of``). 在办 ``open_cases`` and 超期
    ``overdue`` are :func:`db.light.open_sql` and :func:`db.light.overdue_sql`; the rates are those of ``/stats``
    (:mod:`db.queries.stats_sql`) over the filed cases reported in the last :data:`RATE_DAYS` days (``None``: no
    case was due yet):

    - ``on_time_rate`` 按期处置率 = ``on_time / due_handling``: handled by the deadline / (handled, or past the
      deadline);
    - ``closing_rate`` 结案率 = ``closed / due_close``: closed / (closed, or past the deadline).
    """

    today_reports: int
    open_cases: int
    overdue: int
    on_time_rate: float | None
    closing_rate: float | None
    on_time: int
    due_handling: int
    closed: int
    due_close: int
    as_of: int = 0  # the last event id these numbers include


def kpis(conn: Connection, now: datetime | None = None, days: int = RATE_DAYS) -> Kpis:
    at = _now(now)
    r = conn.execute(
        _KPIS, {"now": at, "today": window_start("today", at), "since": at - timedelta(days=days)}
    ).one()
    return Kpis(
        today_reports=int(r.today_reports),
        open_cases=int(r.open_cases),
        overdue=int(r.overdue),
        on_time_rate=(int(r.on_time) / int(r.due_handle)) if r.due_handle else None,
        closing_rate=(int(r.closed) / int(r.due_close)) if r.due_close else None,
        on_time=int(r.on_time),
        due_handling=int(r.due_handle),
        closed=int(r.closed),
        due_close=int(r.due_close),
        as_of=int(r.as_of),
    )


# --- districts: outlines (compact) and labels --------------------------------------------------------------------

_DISTRICTS = text(
    "SELECT code, has_grid, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, :tol), 6) AS g FROM district ORDER BY code"
)


@dataclass(frozen=True)
class DistrictOutline:
    """A district's simplified outline (GeoJSON Polygon or MultiPolygon coordinates) and whether it carries the
    unit grid (the service area)."""

    code: str
    coordinates: Any
    has_grid: bool


def district_outlines(conn: Connection, tolerance: float = 0.0005) -> list[DistrictOutline]:
    """Every district's outline for the wall, simplified by ``tolerance`` degrees, by code."""
    rows = conn.execute(_DISTRICTS, {"tol": tolerance}).all()
    return [DistrictOutline(r.code, json.loads(r.g)["coordinates"], bool(r.has_grid)) for r in rows]


# --- preset views ----------------------------------------------------------------------------------------------

_PRESETS = text(
    """
    SELECT 'city' AS key, '全市' AS zh, 'Whole city' AS en,
           ST_XMin(b) AS w, ST_YMin(b) AS s, ST_XMax(b) AS e, ST_YMax(b) AS n, 0 AS ord
      FROM (SELECT ST_Extent(geom)::geometry AS b FROM district WHERE has_grid) x
    UNION ALL
    SELECT code, name_zh, name_en, ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom), 1
      FROM district WHERE has_grid
    ORDER BY ord, key
    """
)


def view_presets(conn: Connection) -> list[dict[str, Any]]:
    """The wall's rotation: the whole city (the districts with a grid), then each central district."""
    return [
        {"key": r.key, "zh": r.zh, "en": r.en, "bounds": [[float(r.s), float(r.w)], [float(r.n), float(r.e)]]}
        for r in conn.execute(_PRESETS)
        if r.w is not None
    ]
