"""Heatmap aggregates for the wall and the maps: report counts per unit-grid cell, 500 m and 1 km square, district.

Counts come from the cell id stored on every case (``case.cell_id``, btree-indexed with ``created_at``) and the
integer ``(i, j)`` of its grid cell (``i // 5`` = 500 m, ``i // 10`` = 1 km): never a per-request spatial join.

Two ways to the same numbers: :func:`counts_sql` (one statement; the reference for tests and the benchmark) and
:class:`HeatIndex`, the wall's read model: ``(cell, created_at)`` of the last :data:`KEEP_DAYS` days in numpy
arrays, topped up by id on each call (a few rows through the primary key) and rebuilt every
:data:`REBUILD_SECONDS`; counting a window in a viewport is then a ``bincount``, whatever the zoom.

Geometry is separate (:func:`geometry`, compact: quantised coordinates): sent only when the viewport or the
aggregation level changes; the counts are a small ``{key: n}`` dict the browser feeds into the layer's ``hideout``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, bindparam, text

from geo.crs import TZ, to_lonlat, to_metric

LEVELS = ("cell", "500m", "1km", "district")
#: Side of a square level in 100 m cells.
FACTOR = {"cell": 1, "500m": 5, "1km": 10}
#: Window name -> calendar days including today (Asia/Shanghai).
WINDOWS = {"today": 1, "7d": 7, "30d": 30}
WIDEST = "30d"
#: A level is drawn only when its squares are at least this many screen pixels wide.
MIN_PX = 8
#: Never send more features than this; a busier viewport goes one level coarser.
MAX_FEATURES = 6_000
KEEP_DAYS = 32
#: Ids are handed out at INSERT but become visible at COMMIT: each refresh looks this far below the high-water
#: mark again, so a transaction committing after a later one is not missed.
GAP_IDS = 500
REBUILD_SECONDS = 600.0
EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}
Bbox = tuple[float, float, float, float]  # west, south, east, north
IntArray = npt.NDArray[np.int64]


def window_start(window: str, now: datetime | None = None) -> datetime:
    """Local midnight that starts ``window`` (``today`` = since 00:00 today, ``7d`` = the last 7 calendar days)."""
    days = WINDOWS[window]
    local = (now or datetime.now(TZ)).astimezone(TZ)
    return datetime.combine(local.date() - timedelta(days=days - 1), datetime.min.time(), tzinfo=TZ)


def level_for(zoom: float, lat: float) -> str:
    """The finest level whose squares are at least :data:`MIN_PX` pixels wide at ``zoom``; else districts."""
    metres_per_px = 156543.034 * math.cos(math.radians(lat)) / (2**zoom)
    for level in ("cell", "500m", "1km"):
        if 100 * FACTOR[level] / metres_per_px >= MIN_PX:
            return level
    return "district"


def coarser(level: str) -> str:
    return LEVELS[min(LEVELS.index(level) + 1, len(LEVELS) - 1)]


def ij_range(bbox: Bbox) -> tuple[int, int, int, int]:
    """The 100 m cell index range ``(i0, i1, j0, j1)`` covering a lon/lat box (one cell of margin)."""
    west, south, east, north = bbox
    lons = np.array([west, east, west, east, (west + east) / 2, (west + east) / 2, west, east])
    lats = np.array([south, south, north, north, south, north, (south + north) / 2, (south + north) / 2])
    x, y = to_metric(lons, lats)
    return (
        int(np.floor(x.min() / 100)) - 1,
        int(np.floor(x.max() / 100)) + 1,
        int(np.floor(y.min() / 100)) - 1,
        int(np.floor(y.max() / 100)) + 1,
    )


# --- SQL: the reference path -----------------------------------------------------------------------------------

_COUNT_CELLS = text(
    """
    SELECT w.cell_id, w.n, g.i, g.j, w.district_code
      FROM (SELECT cell_id, district_code, count(*) AS n FROM "case"
             WHERE created_at >= :since AND created_at <= :until
             GROUP BY cell_id, district_code) w
      LEFT JOIN LATERAL (SELECT i, j FROM grid_cell WHERE id = w.cell_id) g ON true
    """
)


_TOP = text('SELECT coalesce(max(id), 0) FROM "case"')
_DISTRICT_BOXES = text(
    "SELECT code, ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM district WHERE has_grid ORDER BY code"
)


def counts_sql(
    conn: Connection, level: str, window: str, bbox: Bbox | None = None, now: datetime | None = None
) -> dict[str, int]:
    """Report counts per key of ``level`` for ``window`` (keys as in :func:`geometry`), optionally in a viewport."""
    at = now or datetime.now(TZ)
    rows = conn.execute(_COUNT_CELLS, {"since": window_start(window, at), "until": at}).all()
    rng = ij_range(bbox) if bbox else None
    boxes = {r[0]: tuple(map(float, r[1:])) for r in conn.execute(_DISTRICT_BOXES)} if bbox else {}
    out: dict[str, int] = {}
    for cell_id, n, i, j, district in rows:
        if level == "district":
            key = (
                district
                if bbox is None or (district in boxes and _boxes_meet(boxes[district], bbox))
                else None
            )
        elif cell_id is not None:
            f = FACTOR[level]
            key = str(cell_id) if level == "cell" else f"{i // f}_{j // f}"
            key = key if rng is None or _overlaps(i // f, j // f, f, rng) else None
        else:
            key = None
        if key is not None:
            out[key] = out.get(key, 0) + int(n)
    return out


def _overlaps(si: Any, sj: Any, f: int, rng: tuple[int, int, int, int]) -> Any:
    """Whether square(s) ``(si, sj)`` of ``f`` cells overlap the cell range (numbers or numpy arrays)."""
    return (
        (si * f <= rng[1]) & ((si + 1) * f - 1 >= rng[0]) & (sj * f <= rng[3]) & ((sj + 1) * f - 1 >= rng[2])
    )


def _boxes_meet(a: tuple[float, ...], b: Bbox) -> bool:
    return a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]


# --- the in-memory read model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    ids: IntArray  # sorted grid_cell ids
    i: IntArray
    j: IntArray
    district: IntArray  # index into codes
    codes: tuple[str, ...]  # district codes with a grid
    boxes: dict[str, Bbox]  # district extents
    signature: tuple[int, int]


@dataclass(frozen=True)
class _Cases:
    pos: IntArray  # grid position of each kept case (-1: no cell)
    district: IntArray  # district index (-1: none)
    created: npt.NDArray[np.float64]  # epoch seconds
    high_water: int  # largest case id in the table when loaded
    recent: IntArray  # ids loaded above high_water - GAP_IDS (a late commit of a lower id is still picked up)


@dataclass(frozen=True)
class _Level:
    """A level's squares, precomputed from the grid: each cell's square, each square's ``(I, J)`` and key."""

    grid: _Grid
    inverse: IntArray  # grid position -> square index
    si: IntArray
    sj: IntArray
    keys: npt.NDArray[np.object_]

    @classmethod
    def build(cls, grid: _Grid, level: str) -> _Level:
        if level == "cell":
            keys = np.array([str(x) for x in grid.ids.tolist()], dtype=object)
            return cls(grid, np.arange(len(grid.ids)), grid.i, grid.j, keys)
        f = FACTOR[level]
        code = (grid.i // f) * 100_000 + grid.j // f
        uniq, inverse = np.unique(code, return_inverse=True)
        si, sj = uniq // 100_000, uniq % 100_000
        keys = np.array([f"{a}_{b}" for a, b in zip(si.tolist(), sj.tolist(), strict=True)], dtype=object)
        return cls(grid, inverse.astype(np.int64), si, sj, keys)


class HeatIndex:
    """Counts of the last :data:`KEEP_DAYS` days in memory, refreshed incrementally; safe across threads."""

    def __init__(self, rebuild_seconds: float = REBUILD_SECONDS) -> None:
        self.rebuild_seconds = rebuild_seconds
        self._lock = threading.Lock()
        self._grid: _Grid | None = None
        self._cases: _Cases | None = None
        self._built_at = 0.0
        self._memo: dict[str, tuple[Any, IntArray, IntArray]] = {}
        self._levels: dict[str, _Level] = {}

    @property
    def ready(self) -> bool:
        return self._cases is not None

    # loading
    def _load_grid(self, conn: Connection) -> _Grid:
        rows = conn.execute(text("SELECT id, i, j, district_code FROM grid_cell ORDER BY id")).all()
        dist = conn.execute(_DISTRICT_BOXES).all()
        codes = tuple(r[0] for r in dist)
        index = {c: k for k, c in enumerate(codes)}
        arr = np.array([(r[0], r[1], r[2], index.get(r[3], -1)) for r in rows], dtype=np.int64).reshape(-1, 4)
        return _Grid(
            ids=arr[:, 0].copy(),
            i=arr[:, 1].copy(),
            j=arr[:, 2].copy(),
            district=arr[:, 3].copy(),
            codes=codes,
            boxes={r[0]: (float(r[1]), float(r[2]), float(r[3]), float(r[4])) for r in dist},
            signature=(len(rows), int(arr[:, 0].max()) if len(rows) else 0),
        )

    def _fetch(
        self, conn: Connection, grid: _Grid, where: str, params: dict[str, Any]
    ) -> tuple[_Cases, IntArray]:
        """Cases matching ``where``, and the table's largest id in the same snapshot (the next high-water mark)."""
        rows = conn.execute(
            text(
                'SELECT (SELECT coalesce(max(id), 0) FROM "case") AS top, coalesce(cell_id, -1) AS cell, '
                f'district_code, extract(epoch FROM created_at), id FROM "case" WHERE {where} ORDER BY id'
            ),
            params,
        ).all()
        top = int(rows[0][0]) if rows else int(conn.execute(_TOP).scalar_one())
        ids = np.array([r[4] for r in rows], dtype=np.int64)
        index = {c: k for k, c in enumerate(grid.codes)}
        cells = np.array([r[1] for r in rows], dtype=np.int64)
        pos = np.minimum(np.searchsorted(grid.ids, cells), max(len(grid.ids) - 1, 0))
        cases = _Cases(
            pos=np.where(grid.ids[pos] == cells, pos, -1).astype(np.int64) if len(grid.ids) else pos - 1,
            district=np.array([index.get(r[2], -1) for r in rows], dtype=np.int64),
            created=np.array([float(r[3]) for r in rows], dtype=np.float64),
            high_water=top,
            recent=ids[ids > top - GAP_IDS],
        )
        return cases, ids

    def refresh(self, conn: Connection, now: datetime | None = None) -> None:
        """Add the cases inserted since the last call; rebuild everything when due or when cases vanished."""
        at = now or datetime.now(TZ)
        with self._lock:
            grid, cases = self._grid, self._cases
            if (
                grid is not None
                and cases is not None
                and time.monotonic() - self._built_at < self.rebuild_seconds
            ):
                new, ids = self._fetch(conn, grid, "id > :low", {"low": cases.high_water - GAP_IDS})
                if new.high_water >= cases.high_water:  # else cases vanished (a re-seed): rebuild
                    fresh = ~np.isin(ids, cases.recent)
                    if fresh.any():
                        recent = np.union1d(cases.recent, ids)
                        self._cases = _Cases(
                            np.concatenate([cases.pos, new.pos[fresh]]),
                            np.concatenate([cases.district, new.district[fresh]]),
                            np.concatenate([cases.created, new.created[fresh]]),
                            new.high_water,
                            recent[recent > new.high_water - GAP_IDS],
                        )
                    elif new.high_water != cases.high_water:
                        self._cases = dataclasses.replace(cases, high_water=new.high_water)
                    return
            grid = self._load_grid(conn) if grid is None or self._grid_changed(conn, grid) else grid
            since = datetime.combine(
                at.astimezone(TZ).date() - timedelta(days=KEEP_DAYS), datetime.min.time(), TZ
            )
            self._cases, _ = self._fetch(conn, grid, "created_at >= :since", {"since": since})
            self._grid, self._built_at = grid, time.monotonic()

    def _grid_changed(self, conn: Connection, grid: _Grid) -> bool:
        row = conn.execute(text("SELECT count(*), coalesce(max(id), 0) FROM grid_cell")).one()
        return (int(row[0]), int(row[1])) != grid.signature

    # counting
    def _per_cell(self, window: str, now: datetime | None) -> tuple[_Grid, _Cases, IntArray, IntArray]:
        """Counts per grid cell and per district in ``window``; memoised until new cases or a new day (when
        ``now`` is not given: an explicit ``now`` also caps the window's end)."""
        grid, cases = self._grid, self._cases
        assert grid is not None and cases is not None
        start = window_start(window, now).timestamp()
        key = (window, start, cases.high_water, len(cases.pos), grid.signature, None if now is None else now)
        hit = self._memo.get(window)
        if hit is not None and hit[0] == key:
            return grid, cases, hit[1], hit[2]
        mask = cases.created >= start
        if now is not None:
            mask &= cases.created <= now.timestamp()
        pos = cases.pos[mask]
        per_cell = np.bincount(pos[pos >= 0], minlength=len(grid.ids))
        dist = cases.district[mask]
        per_district = np.bincount(dist[dist >= 0], minlength=len(grid.codes))
        self._memo[window] = (key, per_cell, per_district)
        return grid, cases, per_cell, per_district

    def _level(self, grid: _Grid, level: str) -> _Level:
        made = self._levels.get(level)
        if made is None or made.grid is not grid:
            made = _Level.build(grid, level)
            self._levels[level] = made
        return made

    def counts(
        self,
        conn: Connection,
        level: str,
        window: str,
        bbox: Bbox | None = None,
        now: datetime | None = None,
        refresh: bool = True,
    ) -> dict[str, int]:
        """Report counts per key of ``level`` in ``window`` (same numbers as :func:`counts_sql`); ``refresh``
        first adds the cases inserted since the last call."""
        if refresh or self._cases is None:
            self.refresh(conn, now)
        grid, _, per_cell, per_district = self._per_cell(window, now)
        if level == "district":
            return {
                code: int(per_district[k])
                for k, code in enumerate(grid.codes)
                if per_district[k] and (bbox is None or _boxes_meet(grid.boxes[code], bbox))
            }
        agg = self._level(grid, level)
        per = (
            per_cell
            if level == "cell"
            else np.bincount(agg.inverse, weights=per_cell, minlength=len(agg.keys))
        )
        keep = per > 0
        if bbox is not None:
            f = FACTOR[level]
            i0, i1, j0, j1 = ij_range(bbox)
            keep &= (
                (agg.si * f <= i1)
                & ((agg.si + 1) * f - 1 >= i0)
                & (agg.sj * f <= j1)
                & ((agg.sj + 1) * f - 1 >= j0)
            )
        idx = np.flatnonzero(keep)
        return dict(zip(agg.keys[idx].tolist(), per[idx].astype(np.int64).tolist(), strict=True))

    def keys(
        self,
        conn: Connection,
        level: str,
        bbox: Bbox | None,
        now: datetime | None = None,
        refresh: bool = True,
    ) -> list[str]:
        """Keys of ``level`` with at least one report in the widest window: the features worth drawing."""
        return list(self.counts(conn, level, WIDEST, bbox, now, refresh))


# --- geometry --------------------------------------------------------------------------------------------------

_CELL_GEOMETRY = text("SELECT id::text, ST_AsGeoJSON(geom, 6) FROM grid_cell WHERE id = ANY(:ids)")
_DISTRICT_GEOMETRY = text(
    "SELECT code, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.0005), 6) FROM district WHERE code IN :codes"
).bindparams(bindparam("codes", expanding=True))
#: Polygons kept in memory (the grid is reference data: a wall rotating through its views hits this cache).
FEATURE_CACHE = 80_000
#: Geometry goes to the browser as integers: ``lon = ORIGIN[0] + x / QUANTUM`` (1e5: about 1 m), a third of the
#: size of GeoJSON text; ``wall.js`` turns it back into GeoJSON.
ORIGIN = (106.0, 26.0)
QUANTUM = 100_000


class FeatureCache:
    """Quantised polygon coordinates by ``(level, key)``; emptied when it holds more than ``size``."""

    def __init__(self, size: int = FEATURE_CACHE) -> None:
        self.size = size
        self._items: dict[tuple[str, str], Any] = {}

    def get_many(self, level: str, keys: list[str]) -> tuple[dict[str, Any], list[str]]:
        items = self._items
        found = {k: items[(level, k)] for k in keys if (level, k) in items}
        return found, [k for k in keys if k not in found]

    def put_many(self, level: str, coords: dict[str, Any]) -> None:
        if len(self._items) + len(coords) > self.size:
            self._items = {}  # a new dict: readers in other threads keep the one they hold
        self._items.update({(level, k): c for k, c in coords.items()})


def quantize(coords: Any) -> Any:
    """GeoJSON coordinates (any nesting) as integers relative to :data:`ORIGIN`."""
    if coords and isinstance(coords[0], int | float):
        return [round((coords[0] - ORIGIN[0]) * QUANTUM), round((coords[1] - ORIGIN[1]) * QUANTUM)]
    return [quantize(c) for c in coords]


def geometry(
    conn: Connection, level: str, keys: list[str], cache: FeatureCache | None = None
) -> dict[str, Any]:
    """Polygons of the given keys of ``level`` (cells and districts from PostGIS, squares computed from ``(i, j)``),
    compact: ``{"level", "o": ORIGIN, "q": QUANTUM, "k": [keys], "g": [quantised Polygon or MultiPolygon
    coordinates]}``; ``wall.js`` makes GeoJSON of it, each feature with its key as ``id`` and ``properties.k``.
    Styling reads the counts from ``hideout``."""
    found, missing = cache.get_many(level, keys) if cache else ({}, keys)
    if missing:
        if level == "cell":
            rows = conn.execute(_CELL_GEOMETRY, {"ids": [int(k) for k in missing]}).all()
        elif level == "district":
            rows = conn.execute(_DISTRICT_GEOMETRY, {"codes": missing}).all()
        else:
            rows = []
        made = (
            {k: quantize(json.loads(g)["coordinates"]) for k, g in rows} if rows else squares(level, missing)
        )
        if cache:
            cache.put_many(level, made)
        found.update(made)
    present = [k for k in keys if k in found]
    return {"level": level, "o": list(ORIGIN), "q": QUANTUM, "k": present, "g": [found[k] for k in present]}


def squares(level: str, keys: list[str]) -> dict[str, Any]:
    """Quantised rings of 500 m / 1 km squares ``"I_J"`` (corners of EPSG:32648 squares, in lon/lat)."""
    size = 100.0 * FACTOR[level]
    ij = np.array([k.split("_") for k in keys], dtype=np.int64).reshape(-1, 2)
    x0, y0 = ij[:, 0] * size, ij[:, 1] * size
    xs = np.stack([x0, x0 + size, x0 + size, x0, x0], axis=1)
    ys = np.stack([y0, y0, y0 + size, y0 + size, y0], axis=1)
    lon, lat = to_lonlat(xs.ravel(), ys.ravel())
    qx = np.round((lon - ORIGIN[0]) * QUANTUM).astype(np.int64).reshape(-1, 5).tolist()
    qy = np.round((lat - ORIGIN[1]) * QUANTUM).astype(np.int64).reshape(-1, 5).tolist()
    return {k: [[list(p) for p in zip(a, b, strict=True)]] for k, a, b in zip(keys, qx, qy, strict=True)}
