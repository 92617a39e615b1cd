"""Heatmap aggregates for the wall and the maps: report counts per unit-grid cell, 500 m and 1 km square, district.

Counts come from the cell id stored on every case (``case.cell_id``, btree-indexed with ``created_at``) and the
integer ``(i, j)`` of its grid cell (``i // 5`` = 500 m, ``i // 10`` = 1 km): never a per-request spatial join.

Two ways to the same numbers: :func:`counts_sql` (one statement; the reference for tests and the benchmark) and
:class:`HeatIndex`, the wall's read model: ``(cell, created_at)`` of the last :data:`KEEP_DAYS` days in numpy
arrays, topped up by id on each call (a few rows through the primary key) and rebuilt every
:data:`REBUILD_SECONDS`; counting a window in a viewport is then a ``bincount``, whatever the zoom.

Geometry is separate (:func:`geometry`, compact: quantised coordinates): sent only when the viewport or the
aggregation level changes; the counts are a small ``{key: n}`` dict the browser feeds into the layer's ``hideout``.

This module is the one import path for all of it; the code lives in single-purpose modules beside it:

- :mod:`db.queries.grid_levels`: levels, windows, viewports (what the others share);
- :mod:`db.queries.grid_sql`: :func:`counts_sql`, the reference path;
- :mod:`db.queries.grid_index`: :class:`HeatIndex`, the in-memory read model;
- :mod:`db.queries.grid_geometry`: :func:`geometry` and its cache.
"""

from __future__ import annotations

from db.queries.grid_geometry import (
    FEATURE_CACHE,
    ORIGIN,
    QUANTUM,
    FeatureCache,
    geometry,
    quantize,
    squares,
)
from db.queries.grid_index import GAP_IDS, KEEP_DAYS, REBUILD_SECONDS, HeatIndex
from db.queries.grid_levels import (
    EMPTY,
    FACTOR,
    LEVELS,
    MAX_FEATURES,
    MIN_PX,
    WIDEST,
    WINDOWS,
    Bbox,
    IntArray,
    coarser,
    ij_range,
    level_for,
    window_start,
)
from db.queries.grid_sql import counts_sql

__all__ = [
    "EMPTY",
    "FACTOR",
    "FEATURE_CACHE",
    "GAP_IDS",
    "KEEP_DAYS",
    "LEVELS",
    "MAX_FEATURES",
    "MIN_PX",
    "ORIGIN",
    "QUANTUM",
    "REBUILD_SECONDS",
    "WIDEST",
    "WINDOWS",
    "Bbox",
    "FeatureCache",
    "HeatIndex",
    "IntArray",
    "coarser",
    "counts_sql",
    "geometry",
    "ij_range",
    "level_for",
    "quantize",
    "squares",
    "window_start",
]
