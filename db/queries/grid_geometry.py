"""Heatmap geometry: polygons of level keys, compact (quantised integer coordinates) and cached.

Sent only when the viewport or the aggregation level changes; the counts travel separately as a small
``{key: n}`` dict the browser feeds into the layer's ``hideout``. Cells and districts come from PostGIS, 500 m
and 1 km squares are computed from their ``(I, J)``. Part of the heatmap (see :mod:`db.queries.grid_levels`).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, text

from db.queries.grid_levels import FACTOR
from geo.crs import to_lonlat

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
