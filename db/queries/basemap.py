"""The city's own basemap served by zoom: one Mapbox vector tile (``ST_AsMVT``) per (z, x, y), and what the maps
need to know of it (whether one was imported, its version and attribution).

A tile holds one layer ``basemap`` whose features carry ``layer`` (green, water, building, road, poi), ``class``,
``rank`` and, where a map writes it, ``name``; geometries in tile coordinates (extent 4096, a 64-unit buffer so
lines and outlines run on across tile edges), clipped and snapped to that grid by ``ST_AsMVTGeom``. Only features
whose ``min_zoom`` the tile's zoom reaches are in it (minor roads from 14, buildings from 15, points of interest
from 16, :mod:`db.seed.basemap_rules`), drawn bottom first: green, water, buildings, roads from the least to the
most important, points. Tiles are cut from the Web Mercator copy of each geometry (no reprojection per tile), and
below zoom 14 the pieces of one road are merged into one line per tile (fewer, longer features to encode).

Measured against a GeoJSON answer of the same features (``bench/basemap.py``, a generated 131,000-feature city):
about the same time in PostGIS and a third of the bytes gzip-ed at street zoom (7 KB against 24 KB); before the
Web Mercator copy and the merging below zoom 14, 29 against 41 ms (median) at zoom 15.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

EXTENT = 4096
BUFFER = 64
MIN_ZOOM = 8
MAX_ZOOM = 20
#: names travel only where a map writes them: roads from this zoom, points of interest from LABEL_POI_ZOOM
LABEL_ZOOM = 15
LABEL_POI_ZOOM = 16
LAYER_ORDER = (
    "CASE layer WHEN 'green' THEN 0 WHEN 'water' THEN 1 WHEN 'building' THEN 2 WHEN 'road' THEN 3 ELSE 4 END"
)

#: below this zoom the pieces of one road (name, class) are merged into one line per tile before encoding
MERGE_BELOW = 14
_NAME = (
    f"CASE WHEN (f.layer IN ('road', 'water', 'green') AND :z >= {LABEL_ZOOM}) OR :z >= {LABEL_POI_ZOOM} "
    "THEN f.name END"
)
_MVT_GEOM = f"ST_AsMVTGeom({{g}}, ST_TileEnvelope(:z, :x, :y), {EXTENT}, {BUFFER}, true)"
_IN_TILE = f"f.geom_mercator && ST_TileEnvelope(:z, :x, :y, margin => {BUFFER / EXTENT}) AND f.min_zoom <= :z"

TILE_SQL = f"""
WITH u AS (
  SELECT f.layer, f.class, f.rank, {_NAME} AS name, {_MVT_GEOM.format(g="f.geom_mercator")} AS g, f.id AS ord
  FROM basemap_feature f
  WHERE {_IN_TILE} AND NOT (f.layer = 'road' AND :z < {MERGE_BELOW})
  UNION ALL
  SELECT 'road', f.class, min(f.rank), NULL, {_MVT_GEOM.format(g="ST_LineMerge(ST_Collect(f.geom_mercator))")},
         min(f.id)
  FROM basemap_feature f
  WHERE {_IN_TILE} AND f.layer = 'road' AND :z < {MERGE_BELOW}
  GROUP BY f.class, f.name
),
q AS (
  SELECT layer, class, rank, name, g FROM u WHERE g IS NOT NULL
  ORDER BY {LAYER_ORDER}, rank DESC, ord
)
SELECT ST_AsMVT(q, 'basemap', {EXTENT}, 'g') FROM q
"""  # nosec B608 # SQL from constant fragments of this module; values are bound parameters


@dataclass(frozen=True)
class BasemapInfo:
    """The imported basemap: ``version`` (the latest import's id, in the tiles' URLs), its attribution, size."""

    version: int
    attribution: str
    features: int


def basemap_info(conn: Connection) -> BasemapInfo | None:
    """The latest import, or None when the city has no basemap of its own."""
    row = conn.execute(
        text("SELECT id, attribution, features FROM basemap_source ORDER BY id DESC LIMIT 1")
    ).first()
    return (
        None
        if row is None or not row.features
        else BasemapInfo(int(row.id), str(row.attribution), int(row.features))
    )


def valid_tile(z: int, x: int, y: int) -> bool:
    """Whether (z, x, y) names a tile the basemap serves."""
    return MIN_ZOOM <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def tile(conn: Connection, z: int, x: int, y: int) -> bytes:
    """The vector tile (z, x, y) of the basemap (empty bytes when nothing lies there)."""
    value = conn.execute(text(TILE_SQL), {"z": z, "x": x, "y": y}).scalar()
    return bytes(value) if value is not None else b""
