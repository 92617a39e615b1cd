"""The heatmap's vocabulary: aggregation levels, time windows and viewports, shared by its SQL path, its
in-memory index and its geometry.

A level is the unit grid's 100 m cell, a 500 m or 1 km square of cells (integer ``(i // 5, j // 5)`` /
``(i // 10, j // 10)`` of the cell's ``(i, j)``), or a district; a window is a number of calendar days ending
today (Asia/Shanghai).

The heatmap (report counts per cell, square and district for the wall and the maps) counts from the cell id
stored on every case (``case.cell_id``, btree-indexed with ``created_at``), never a per-request spatial join.
Its parts, each in its own module:

- here: levels, windows, viewports (what the others share);
- :mod:`db.queries.grid_sql`: :func:`~db.queries.grid_sql.counts_sql`, one statement, the reference for tests
  and the benchmark;
- :mod:`db.queries.grid_index`: :class:`~db.queries.grid_index.HeatIndex`, the wall's read model:
  ``(cell, created_at)`` of the last days in numpy arrays, topped up by id on each call and rebuilt now and
  then; counting a window in a viewport is a ``bincount``, whatever the zoom;
- :mod:`db.queries.grid_geometry`: :func:`~db.queries.grid_geometry.geometry` (compact, quantised coordinates)
  and its cache, sent only when the viewport or the level changes.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import text

from geo.bbox import BBox
from geo.crs import TZ, to_metric

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
EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}
IntArray = npt.NDArray[np.int64]

#: Extents of the districts that have a grid, by code: ``code, west, south, east, north``.
DISTRICT_BOXES = text(
    "SELECT code, ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM district WHERE has_grid ORDER BY code"
)


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


def ij_range(bbox: BBox) -> tuple[int, int, int, int]:
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


def boxes_meet(a: tuple[float, ...], b: BBox) -> bool:
    """Whether two lon/lat boxes ``(west, south, east, north)`` overlap (touching counts)."""
    return a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]
