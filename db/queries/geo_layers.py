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


# --- district labels -------------------------------------------------------------------------------------------

_LABELS = text(
    """
    SELECT code, name_zh, name_en, has_grid, ST_X(pt) AS lon, ST_Y(pt) AS lat
      FROM (SELECT d.*, coalesce(d.label_point, (SELECT ST_PointOnSurface(p.geom) FROM ST_Dump(d.geom) p
                                                  ORDER BY ST_Area(p.geom) DESC LIMIT 1)) AS pt
              FROM district d) x
     ORDER BY code
    """
)


def district_labels(conn: Connection) -> dict[str, Any]:
    """One point per district where its name goes: the label point stored with it, computed when the layer was
    loaded by :func:`geo.labels.label_point` (the pole of inaccessibility of its largest part); a point inside its
    largest part for a row stored without one. Every map that names districts draws these."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": r.code,
                "geometry": {"type": "Point", "coordinates": [round(r.lon, 5), round(r.lat, 5)]},
                "properties": {"code": r.code, "zh": r.name_zh, "en": r.name_en, "grid": bool(r.has_grid)},
            }
            for r in conn.execute(_LABELS)
        ],
    }
