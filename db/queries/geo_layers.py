"""Read models for map layers that need no login: district outlines and grid cells in a viewport."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}


def districts_geojson(conn: Connection, tolerance: float = 0.0002) -> dict[str, Any]:
    row = conn.execute(
        text(
            "SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object("
            "'type', 'Feature', 'id', code, 'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, :tol), 6)::json,"
            "'properties', json_build_object('code', code, 'name_zh', name_zh, 'name_en', name_en, "
            "'has_grid', has_grid)) ORDER BY code), '[]'::json)) FROM district"
        ),
        {"tol": tolerance},
    ).scalar_one()
    return json.loads(row) if isinstance(row, str) else row


def cells_in_bbox(
    conn: Connection, west: float, south: float, east: float, north: float, limit: int = 6000
) -> dict[str, Any]:
    """Grid cells intersecting a viewport (at most ``limit``: a viewport is never the whole city)."""
    row = conn.execute(
        text(
            "SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object("
            "'type', 'Feature', 'id', id, 'geometry', ST_AsGeoJSON(geom, 6)::json, 'properties', "
            "json_build_object('id', id, 'code', code, 'district', district_code))), '[]'::json)) "
            "FROM (SELECT id, code, district_code, geom FROM grid_cell "
            "WHERE geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326) LIMIT :lim) c"
        ),
        {"w": west, "s": south, "e": east, "n": north, "lim": limit},
    ).scalar_one()
    return json.loads(row) if isinstance(row, str) else row
