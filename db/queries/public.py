"""Read models of the public map: the ONLY queries public pages and endpoints use.

Read-only by construction: nothing here selects a person's fields (name, phone, account, email, home), a case's
description or address, nor a case_event's note, actor or payload. Reports appear only when both the case and its
小类 are public, at a coarsened position (the point on the surface of the case's unit-grid cell, or the centre
of a 50 m square when the case has no cell; coarser blocks and district label points when zoomed out), with their
status in plain words (:data:`db.states.PUBLIC_STAGE`). Photos appear only when approved and attached to an
approved 最美贵阳 post or a public report.

Map layers come back as GeoJSON text, built in the database (``json_agg``) or, for reports, cut from one
city-wide snapshot per TTL (so the database works once however many viewports are asked for).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, text

from db.states import CaseStatus
from geo.crs import TZ, get_transformer

#: Decimals of public coordinates (5 ≈ 1 m: enough for a marker, small on the wire).
COORD_DP = 5
#: Reports on the public map: created within this many days.
REPORT_WINDOW_DAYS = 30
#: At most this many report features in one answer (the busiest first).
MAX_REPORT_FEATURES = 1500
#: Recent reports listed per cell at street level.
ITEMS_PER_CELL = 3
#: Side of the square a report without a grid cell is snapped to (metres, EPSG:32648); how such squares are keyed.
SNAP_M = 50
_KEY = 10_000_000
SERVICE_KINDS = ("toilet", "parking", "service_station", "water", "charging", "recycling", "rest")
TICKET_RE = re.compile(r"^GY\d{6}-\d{1,12}$")

#: Public stage of each status: received (已受理) → progress (处理中) → resolved (已办结) | refused (不予受理).
_S = CaseStatus
_GROUPS = {
    "received": (_S.REPORTED, _S.FILED),
    "progress": (_S.DISPATCHED, _S.IN_PROGRESS, _S.HANDLED, _S.SUSPENDED),
    "resolved": (_S.CLOSED, _S.MERGED),
    "refused": (_S.REJECTED,),
}
STAGE_OF: dict[str, str] = {status: stage for stage, group in _GROUPS.items() for status in group}
STAGES = tuple(_GROUPS)
#: A status standing for each stage, to label it with ``PUBLIC_STAGE``.
STAGE_STATUS = {stage: group[0] if stage != "progress" else _S.DISPATCHED for stage, group in _GROUPS.items()}
_RANK = {"received": 0, "progress": 1, "resolved": 2, "refused": 2}


def _statuses(stage: str) -> str:
    return ", ".join(f"'{s}'" for s, st in STAGE_OF.items() if st == stage)


_STAGE_COUNTS = ", ".join(f"count(*) FILTER (WHERE status IN ({_statuses(s)})) AS {s}" for s in STAGES)
_STAGE_CASE = (
    "CASE " + " ".join(f"WHEN status IN ({_statuses(s)}) THEN {i}" for i, s in enumerate(STAGES)) + " END"
)


def _pt(geom: str) -> str:
    """A GeoJSON point from a geometry expression, coordinates rounded to COORD_DP."""
    return (
        f"json_build_object('type', 'Point', 'coordinates', json_build_array("
        f"round(ST_X({geom})::numeric, {COORD_DP}), round(ST_Y({geom})::numeric, {COORD_DP})))"
    )


def _collection(feature_sql: str, order: str = "") -> str:
    return (
        "SELECT json_build_object('type', 'FeatureCollection', 'features', "
        f"coalesce(json_agg({feature_sql}{' ORDER BY ' + order if order else ''}), '[]'::json))::text"
    )


# --- 最美贵阳 and service points ---------------------------------------------------------------------------------

_BEAUTY = text(
    _collection(
        "json_build_object('type', 'Feature', 'geometry', "
        + _pt("b.geom")
        + ", 'properties', json_build_object("
        "'id', b.id, 'title', b.title, 'body', b.body, 'photo', p.id, 'w', p.width, 'h', p.height))",
        "b.created_at DESC, b.id DESC",
    )
    + " FROM beauty_post b JOIN photo p ON p.id = b.photo_id AND p.approved WHERE b.state = 'approved'"
)


def beauty_geojson(conn: Connection) -> str:
    """Approved 最美贵阳 posts with an approved photo: title, text, photo id and size, newest first."""
    return str(conn.execute(_BEAUTY).scalar_one())


def clean_kinds(kinds: object) -> list[str]:
    """Known service-point kinds from a list or a comma-separated string (unknown ones dropped)."""
    items = (
        kinds.split(",") if isinstance(kinds, str) else list(kinds) if isinstance(kinds, list | tuple) else []
    )
    return [k for k in SERVICE_KINDS if k in {str(i).strip() for i in items}]


_POINTS = text(
    _collection(
        "json_build_object('type', 'Feature', 'geometry', "
        + _pt("geom")
        + ", 'properties', json_build_object("
        "'id', id, 'kind', kind, 'name_zh', name_zh, 'name_en', name_en, 'address', address, "
        "'hours', open_hours))",
        "kind, id",
    )
    + " FROM service_point WHERE retired_at IS NULL AND kind = ANY(:kinds)"
)


def service_points_geojson(conn: Connection, kinds: list[str] | None = None) -> str:
    """Service points in use, of the given kinds (all when None)."""
    return str(
        conn.execute(_POINTS, {"kinds": list(kinds if kinds is not None else SERVICE_KINDS)}).scalar_one()
    )


@dataclass(frozen=True)
class NearPoint:
    id: int
    kind: str
    name_zh: str
    name_en: str
    address: str | None
    hours: str | None
    lon: float
    lat: float
    distance_m: float


_NEAREST = text(
    """
    WITH p AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g),
    cand AS (
        SELECT s.id, s.kind, s.name_zh, s.name_en, s.address, s.open_hours, s.geom
          FROM service_point s, p
         WHERE s.retired_at IS NULL AND s.kind = ANY(:kinds)
         ORDER BY s.geom <-> p.g LIMIT :cand)
    SELECT sp.id, sp.kind, sp.name_zh, sp.name_en, sp.address, sp.open_hours AS hours,
           round(ST_X(sp.geom)::numeric, 5)::float8 AS lon, round(ST_Y(sp.geom)::numeric, 5)::float8 AS lat,
           ST_Distance(sp.geom::geography, p.g::geography) AS distance_m
      FROM cand sp, p ORDER BY distance_m, sp.id LIMIT :n
    """
)


def nearest_service_points(
    conn: Connection, lon: float, lat: float, kinds: list[str] | None = None, limit: int = 5
) -> list[NearPoint]:
    """The ``limit`` service points nearest to (lon, lat), with their distance in metres (on the spheroid)."""
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        return []
    use = list(kinds if kinds is not None else SERVICE_KINDS)
    n = max(1, min(int(limit), 20))
    rows = conn.execute(_NEAREST, {"lon": lon, "lat": lat, "kinds": use, "n": n, "cand": n * 4}).all()
    return [NearPoint(**row._mapping) for row in rows]


# --- reports ----------------------------------------------------------------------------------------------------

#: Aggregation levels, finest first: (name, largest bbox area in square degrees, bbox snapping step in degrees).
#: ``cell`` lists recent reports; ``b5`` / ``b10`` are blocks of 5 × 5 / 10 × 10 cells; ``district`` ignores the bbox.
LEVELS = (("cell", 0.003, 0.01), ("b5", 0.03, 0.02), ("b10", 0.2, 0.05), ("district", math.inf, 0.0))
#: Finest level shown at each zoom (street level from zoom 15).
ZOOM_LEVELS = {15: 0, 14: 1, 13: 2}
CITY_BBOX = (106.0, 26.0, 107.5, 27.5)


def report_level(
    west: float, south: float, east: float, north: float, zoom: int | None = None
) -> tuple[str, tuple[float, float, float, float]]:
    """The aggregation level for a viewport (the coarser of what its area and its zoom allow) and the viewport
    snapped outward to that level's step (so nearby viewports share one cached answer)."""
    area = max(0.0, east - west) * max(0.0, north - south)
    by_area = next(i for i, (_, max_area, _) in enumerate(LEVELS) if area <= max_area)
    by_zoom = 0 if zoom is None else next((i for z, i in ZOOM_LEVELS.items() if zoom >= z), len(LEVELS) - 1)
    name, _, step = LEVELS[max(by_area, by_zoom)]
    if not step:
        return name, CITY_BBOX
    w, s, e, n = (
        west // step * step,
        south // step * step,
        -(-east // step) * step,
        -(-north // step) * step,
    )
    return name, (round(w, 4), round(s, 4), round(e, 4), round(n, 4))


# One query for the whole city, per TTL, however many viewports are asked for: public reports of the window
# counted per cell (or per 50 m square for the few cases without a cell), with the cell's latest reports and the
# point on the cell's surface. Viewports and zoomed-out levels are then cut from this snapshot in memory.
_SNAPSHOT = text(
    f"""
    WITH r AS (
        SELECT c.id, c.status, c.created_at, c.category_code, c.district_code,
               CASE WHEN c.cell_id IS NOT NULL THEN c.cell_id::bigint
                    ELSE -(floor(ST_X(ST_Transform(c.geom, 32648)) / {SNAP_M})::bigint * {_KEY}
                           + floor(ST_Y(ST_Transform(c.geom, 32648)) / {SNAP_M})::bigint) END AS key
          FROM "case" c JOIN category k ON k.code = c.category_code
         WHERE c.created_at >= :since AND c.public AND k.public),
    g AS (SELECT key, min(district_code) AS district, {_STAGE_COUNTS} FROM r GROUP BY key),
    recent AS (
        SELECT * FROM (
            SELECT id, status, created_at, category_code, key,
                   row_number() OVER (PARTITION BY key ORDER BY created_at DESC, id DESC) AS rn
              FROM r) x
         WHERE rn <= {ITEMS_PER_CELL}),
    items AS (
        SELECT key, json_agg(json_build_array(category_code, {_STAGE_CASE},
                   to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'),
                   (SELECT min(p.id) FROM photo p WHERE p.case_id = recent.id AND p.approved))
                   ORDER BY created_at DESC, id DESC)::text AS items
          FROM recent GROUP BY key)
    SELECT g.*, i.items, gc.i, gc.j,
           round(ST_X(p.pos)::numeric, {COORD_DP})::float8 AS lon, round(ST_Y(p.pos)::numeric, {COORD_DP})::float8 AS lat
      FROM g JOIN items i ON i.key = g.key LEFT JOIN grid_cell gc ON gc.id = g.key
     CROSS JOIN LATERAL (SELECT CASE WHEN g.key > 0 THEN ST_PointOnSurface(gc.geom)
                  ELSE ST_Transform(ST_SetSRID(ST_MakePoint(((-g.key) / {_KEY} + 0.5) * {SNAP_M},
                                                            ((-g.key) % {_KEY} + 0.5) * {SNAP_M}), 32648), 4326)
                  END AS pos) p
    """
)
_DISTRICT_POINTS = text(
    "SELECT code, round(ST_X(pt)::numeric, 5)::float8, round(ST_Y(pt)::numeric, 5)::float8 "
    "FROM (SELECT code, coalesce(label_point, ST_PointOnSurface(geom)) AS pt FROM district) d"
)
_CATEGORIES = text(
    "SELECT coalesce(json_object_agg(code, json_build_array(name_zh, name_en) ORDER BY code), '{}'::json)::text "
    "FROM category WHERE level = 2 AND public"
)


def category_names(conn: Connection) -> str:
    """``{"C0101": ["井盖破损", "Damaged or missing manhole cover"], ...}`` for the public 小类 (JSON text)."""
    return str(conn.execute(_CATEGORIES).scalar_one())


def _no_jit(conn: Connection) -> None:
    """JIT compiling costs ~1 s on these aggregates (PostGIS functions look expensive to the planner) and saves
    nothing: off for this transaction only."""
    conn.execute(text("SET LOCAL jit = off"))


@dataclass(frozen=True)
class ReportSnapshot:
    """Public reports of the window per cell: coarsened position, 100 m cell indices, district, stage counts and
    the latest reports (JSON text). Nothing else: no case id, ticket, true point or person."""

    as_of: datetime
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    i: npt.NDArray[np.int64]
    j: npt.NDArray[np.int64]
    district: npt.NDArray[np.str_]
    counts: npt.NDArray[np.int64]  # (cells, 4): received, progress, resolved, refused
    items: list[str]
    district_points: dict[str, tuple[float, float]]


def report_snapshot(conn: Connection, now: datetime | None = None) -> ReportSnapshot:
    """The city-wide snapshot of public reports of the last REPORT_WINDOW_DAYS days (one query)."""
    at = now or datetime.now(TZ)
    _no_jit(conn)
    rows = conn.execute(_SNAPSHOT, {"since": at - timedelta(days=REPORT_WINDOW_DAYS)}).all()
    keys = np.array([r.key for r in rows], dtype=np.int64)
    snapped = np.where(keys < 0, -keys, 0)  # 50 m squares of cases without a cell: 100 m indices from them
    i = np.array([r.i if r.i is not None else 0 for r in rows], dtype=np.int64)
    j = np.array([r.j if r.j is not None else 0 for r in rows], dtype=np.int64)
    i = np.where(keys < 0, snapped // _KEY // 2, i)
    j = np.where(keys < 0, snapped % _KEY // 2, j)
    return ReportSnapshot(
        as_of=at,
        lon=np.array([r.lon for r in rows], dtype=np.float64),
        lat=np.array([r.lat for r in rows], dtype=np.float64),
        i=i,
        j=j,
        district=np.array([r.district or "" for r in rows], dtype=np.str_),
        counts=np.array([[getattr(r, s) for s in STAGES] for r in rows], dtype=np.int64).reshape(-1, 4),
        items=[r.items for r in rows],
        district_points={c: (x, y) for c, x, y in conn.execute(_DISTRICT_POINTS).all()},
    )


def _features(lon: Any, lat: Any, counts: Any, extra: list[str]) -> str:
    """A FeatureCollection (compact JSON text) of points with ``n``, ``s`` and extra properties, busiest first."""
    totals = counts.sum(axis=1)
    order = np.lexsort((np.arange(len(totals)), -totals))[:MAX_REPORT_FEATURES]
    parts = []
    for k in order:
        x, y, s = (
            round(float(lon[k]), COORD_DP),
            round(float(lat[k]), COORD_DP),
            ",".join(map(str, counts[k])),
        )
        parts.append(
            f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{x!r},{y!r}]}},'
            f'"properties":{{"n":{totals[k]},"s":[{s}]{extra[k]}}}}}'
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def render_reports(
    snap: ReportSnapshot, west: float, south: float, east: float, north: float, level: str
) -> str:
    """The reports layer of a (snapped) viewport at ``level``, cut from the snapshot."""
    if level == "district":
        codes = sorted(set(snap.district_points) & set(snap.district.tolist()))
        sums = np.array([snap.counts[snap.district == c].sum(axis=0) for c in codes], dtype=np.int64).reshape(
            -1, 4
        )
        pts = np.array([snap.district_points[c] for c in codes], dtype=np.float64).reshape(-1, 2)
        return _features(pts[:, 0], pts[:, 1], sums, [f',"district":"{c}"' for c in codes])
    inside = np.nonzero((snap.lon >= west) & (snap.lon <= east) & (snap.lat >= south) & (snap.lat <= north))[
        0
    ]
    if level == "cell":
        extra = [',"items":' + snap.items[k] for k in inside]
        return _features(snap.lon[inside], snap.lat[inside], snap.counts[inside], extra)
    size = 5 if level == "b5" else 10
    blocks = np.stack([snap.i[inside] // size, snap.j[inside] // size], axis=1).reshape(-1, 2)
    uniq, which = np.unique(blocks, axis=0, return_inverse=True)
    sums = np.zeros((len(uniq), 4), dtype=np.int64)
    np.add.at(sums, which.reshape(-1), snap.counts[inside])
    x, y = get_transformer(32648, 4326).transform(
        (uniq[:, 0] + 0.5) * size * 100, (uniq[:, 1] + 0.5) * size * 100
    )
    return _features(np.asarray(x), np.asarray(y), sums, [""] * len(uniq))


def reports_geojson(
    conn: Connection,
    west: float,
    south: float,
    east: float,
    north: float,
    *,
    level: str | None = None,
    zoom: int | None = None,
    now: datetime | None = None,
) -> str:
    """Public reports of the last REPORT_WINDOW_DAYS days in a viewport, aggregated at ``level`` (default: from
    the viewport's size and zoom): each feature has ``n`` reports and ``s`` = counts per stage (received,
    progress, resolved, refused); at street level also ``items``: the latest reports as [小类 code, stage index,
    date, approved photo id or null]. Never a true position, a ticket, a description or a person. (The app keeps
    one snapshot per TTL and renders viewports from it: :func:`report_snapshot`, :func:`render_reports`.)"""
    auto, (w, s, e, n) = report_level(west, south, east, north, zoom)
    return render_reports(report_snapshot(conn, now), w, s, e, n, level or auto)


# --- summary and tracking -----------------------------------------------------------------------------------------

_SUMMARY = text(
    f"""
    SELECT
      (SELECT count(*) FROM "case" WHERE created_at >= :month) AS reports_month,
      (SELECT count(*) FROM "case" WHERE created_at >= :since30) AS reports_30d,
      (SELECT count(*) FROM "case" WHERE status IN ({_statuses("received")}, {_statuses("progress")}))
          AS open_now,
      x.closed_month, x.on_time_month, x.with_deadline_month, x.median_hours
    FROM (
      SELECT count(*) AS closed_month,
             count(*) FILTER (WHERE deadline IS NOT NULL AND closed_at <= deadline) AS on_time_month,
             count(*) FILTER (WHERE deadline IS NOT NULL) AS with_deadline_month,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - created_at) / 3600)
                 AS median_hours
        -- closed_at <= updated_at always: the redundant updated_at bound lets the planner use its index
        FROM "case" WHERE updated_at >= :month AND status = 'closed' AND closed_at >= :month) x
    """
)


def summary(conn: Connection, now: datetime | None = None) -> dict[str, Any]:
    """The city's recent performance, counts only: reports this month and in the last 30 days, open now,
    closed this month, the share of those closed by their deadline (按期结案率), median hours to close."""
    at = (now or datetime.now(TZ)).astimezone(TZ)
    month = at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    _no_jit(conn)
    row = conn.execute(_SUMMARY, {"month": month, "since30": at - timedelta(days=30)}).one()
    due = int(row.with_deadline_month or 0)
    return {
        "month": month.strftime("%Y-%m"),
        "reports_month": int(row.reports_month),
        "reports_30d": int(row.reports_30d),
        "open_now": int(row.open_now),
        "closed_month": int(row.closed_month),
        "on_time_rate": round(int(row.on_time_month) / due, 4) if due else None,
        "median_hours_to_close": round(float(row.median_hours), 1) if row.median_hours is not None else None,
        "as_of": at.isoformat(timespec="minutes"),
    }


_TRACK_CASE = text(
    "SELECT c.id, c.ticket, c.status, c.merged_into_id, (c.public AND k.public) AS shown, k.name_zh, k.name_en "
    'FROM "case" c JOIN category k ON k.code = c.category_code WHERE c.{col} = :v'
)
_TRACK_BY_TICKET = text(str(_TRACK_CASE).replace("{col}", "ticket"))
_TRACK_BY_ID = text(str(_TRACK_CASE).replace("{col}", "id"))
_TRACK_EVENTS = text("SELECT to_status, at FROM case_event WHERE case_id = :id ORDER BY at, id")


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
        elif _RANK[stage] <= rank:
            continue
        rank = max(rank, _RANK.get(stage, 2))
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


# --- photos and basemap -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicPhoto:
    id: int
    path: str
    mime: str
    sha256: str


_PHOTO = text(
    """
    SELECT p.id, p.path, p.mime, p.sha256 FROM photo p
     WHERE p.id = :id AND p.approved AND (
           EXISTS (SELECT 1 FROM beauty_post b WHERE b.photo_id = p.id AND b.state = 'approved')
        OR EXISTS (SELECT 1 FROM "case" c JOIN category k ON k.code = c.category_code
                    WHERE c.id = p.case_id AND c.public AND k.public))
    """
)


def public_photo(conn: Connection, photo_id: int) -> PublicPhoto | None:
    """The stored file of a photo the public may see: approved, and on an approved post or a public report."""
    row = conn.execute(_PHOTO, {"id": photo_id}).first()
    return PublicPhoto(**row._mapping) if row else None


_BASEMAP = text(
    _collection(
        "json_build_object('type', 'Feature', 'geometry', "
        "ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.0005), 4)::json, 'properties', "
        "json_build_object('code', code, 'name_zh', name_zh, 'name_en', name_en, 'has_grid', has_grid))",
        "code",
    )
    + " FROM district"
)


#: The unit grid is drawn from this zoom on (a street-level basemap for the coarsened report positions).
GRID_MIN_ZOOM = 16
GRID_LIMIT = 3000
_GRID = text(
    _collection(
        "json_build_object('type', 'Feature', 'geometry', ST_AsGeoJSON(geom, 5)::json, "
        "'properties', json_build_object('code', code))"
    )
    + " FROM (SELECT code, geom FROM grid_cell WHERE geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326) "
    "ORDER BY id LIMIT :lim) g"
)


def grid_bbox(
    west: float, south: float, east: float, north: float
) -> tuple[float, float, float, float] | None:
    """A viewport snapped outward to 0.01°, or None when it is too large for the street-level grid."""
    box = (
        math.floor(west * 100) / 100,
        math.floor(south * 100) / 100,
        math.ceil(east * 100) / 100,
        math.ceil(north * 100) / 100,
    )
    return box if (box[2] - box[0]) * (box[3] - box[1]) <= 0.0016 else None


def grid_geojson(conn: Connection, west: float, south: float, east: float, north: float) -> str:
    """Unit-grid cells in a (small) viewport, for the street-level basemap."""
    params = {"w": west, "s": south, "e": east, "n": north, "lim": GRID_LIMIT}
    return str(conn.execute(_GRID, params).scalar_one())


def basemap_geojson(conn: Connection) -> str:
    """District outlines (simplified, 4 decimals): the basemap drawn from our own data, no tile server."""
    return str(conn.execute(_BASEMAP).scalar_one())
