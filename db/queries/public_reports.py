"""The reports layer of the public map: public reports of the last :data:`REPORT_WINDOW_DAYS` days, aggregated.

Reports appear only when both the case and its 小类 are public, at a coarsened position (the rule of
:mod:`db.queries.public_position`: the point on the surface of the case's unit-grid cell, or the centre of a 50 m
square when the case has no cell; coarser blocks and district label points when zoomed out), counted per public stage. One city-wide snapshot per TTL
(:func:`report_snapshot`, one query) is cut into viewports in memory (:func:`render_reports`), so the database
works once however many viewports are asked for. Part of :mod:`db.queries.public`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, text

from db.queries.public_common import COORD_DP, STAGE_CASE_SQL, STAGE_COUNTS_SQL, STAGES, no_jit
from db.queries.public_position import KEY, coarse_key_sql, key_point_sql
from geo.crs import TZ, get_transformer

#: Reports on the public map: created within this many days.
REPORT_WINDOW_DAYS = 30
#: At most this many report features in one answer (the busiest first).
MAX_REPORT_FEATURES = 1500
#: Recent reports listed per cell at street level.
ITEMS_PER_CELL = 3
#: How a report without a grid cell is placed: the centre of its 50 m square (:mod:`.public_position`).
_KEY = KEY

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
               {coarse_key_sql("c")} AS key
          FROM "case" c JOIN category k ON k.code = c.category_code
         WHERE c.created_at >= :since AND c.public AND k.public),
    g AS (SELECT key, min(district_code) AS district, {STAGE_COUNTS_SQL} FROM r GROUP BY key),
    recent AS (
        SELECT * FROM (
            SELECT id, status, created_at, category_code, key,
                   row_number() OVER (PARTITION BY key ORDER BY created_at DESC, id DESC) AS rn
              FROM r) x
         WHERE rn <= {ITEMS_PER_CELL}),
    items AS (
        SELECT key, json_agg(json_build_array(category_code, {STAGE_CASE_SQL},
                   to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'),
                   (SELECT min(p.id) FROM photo p WHERE p.case_id = recent.id AND p.approved))
                   ORDER BY created_at DESC, id DESC)::text AS items
          FROM recent GROUP BY key)
    SELECT g.*, i.items, gc.i, gc.j,
           round(ST_X(p.pos)::numeric, {COORD_DP})::float8 AS lon, round(ST_Y(p.pos)::numeric, {COORD_DP})::float8 AS lat
      FROM g JOIN items i ON i.key = g.key LEFT JOIN grid_cell gc ON gc.id = g.key
     CROSS JOIN LATERAL (SELECT {key_point_sql("g.key", "gc.geom")} AS pos) p
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
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
    no_jit(conn)
    # a background refresh: one core, not all of them (~2 s at 10M cases; the other core keeps serving)
    conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
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
