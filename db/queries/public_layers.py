"""The public map's layers other than reports: 最美贵阳 posts, service points (and the nearest ones to a place),
the district basemap and the street-level unit grid; and the one way to a photo file the public may see.

Layers come back as GeoJSON text built in the database (``json_agg``). Photos appear only when approved and
attached to an approved 最美贵阳 post or a public report. Part of :mod:`db.queries.public`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Connection, text

from db.queries.public_common import collection_sql, point_sql

SERVICE_KINDS = ("toilet", "parking", "service_station", "water", "charging", "recycling", "rest")

# --- 最美贵阳 and service points ---------------------------------------------------------------------------------

_BEAUTY = text(
    collection_sql(
        "json_build_object('type', 'Feature', 'geometry', "
        + point_sql("b.geom")
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
    collection_sql(
        "json_build_object('type', 'Feature', 'geometry', "
        + point_sql("geom")
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
    collection_sql(
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
    collection_sql(
        "json_build_object('type', 'Feature', 'geometry', ST_AsGeoJSON(geom, 5)::json, "
        "'properties', json_build_object('code', code))"
    )
    + " FROM (SELECT code, geom FROM grid_cell WHERE geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326) "  # nosec B608 # SQL from constant fragments; values are bound parameters
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
