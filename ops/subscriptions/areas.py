"""The area of a subscription: a polygon (GeoJSON ``Polygon``/``MultiPolygon``, bare or in a ``Feature``) or a
circle (a point and a radius in metres, made a 32-sided polygon in UTM 48N). Checked in Python first (shape,
size, coordinates, validity), then in the database (its area, and that it touches the gridded city)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape
from sqlalchemy import Connection, text

from db.errors import ValidationError

MAX_POINTS = 1000
RADIUS_MIN_M = 50
RADIUS_MAX_M = 20_000
#: larger than the six gridded districts together (about 2,400 km²): a typo, not an area
MAX_AREA_KM2 = 3000.0
MIN_AREA_M2 = 100.0


@dataclass(frozen=True, slots=True)
class AreaInput:
    """What the user gave: ``geometry`` (GeoJSON), or ``lon``/``lat``/``radius_m``."""

    geometry: Any = None
    lon: float | None = None
    lat: float | None = None
    radius_m: float | None = None


@dataclass(frozen=True, slots=True)
class Area:
    """The checked area: hex EWKB of a MultiPolygon (EPSG:4326), its size, and the circle it came from."""

    ewkb: str
    area_m2: float
    center: tuple[float, float] | None
    radius_m: int | None


def bad(zh: str, en: str, detail: str = "", field: str = "area") -> ValidationError:
    return ValidationError(zh, en, field=field, detail=detail)


def _polygon(geometry: Any) -> shapely.Geometry:
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or not geometry.get("type"):
        raise bad("请在地图上画出区域，或给出中心点和半径。", "Draw the area, or give a point and a radius.")
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise bad("区域的图形无法识别。", "The area's shape cannot be read.", str(exc)[:80]) from None
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise bad(
            "区域应为多边形（Polygon）。", "The area must be a Polygon or MultiPolygon.", geom.geom_type
        )
    if shapely.get_num_coordinates(geom) > MAX_POINTS:
        raise bad(
            f"区域的边界点太多（最多 {MAX_POINTS} 个）。",
            f"The area has too many points (at most {MAX_POINTS}).",
        )
    minx, miny, maxx, maxy = geom.bounds
    if any(not math.isfinite(v) for v in geom.bounds) or not (
        -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
    ):
        raise bad(
            "区域的坐标无效（应为 WGS-84 经纬度）。", "The area's coordinates are not valid (WGS-84 lon/lat)."
        )
    if not geom.is_valid:
        raise bad("区域的边线自相交，请重新绘制。", "The area's outline crosses itself; draw it again.")
    return geom


def _circle(lon: Any, lat: Any, radius: Any) -> tuple[float, float, int]:
    try:
        x, y, r = float(lon), float(lat), float(radius)
    except (TypeError, ValueError):
        raise bad(
            "请给出中心点的经纬度和半径（米）。", "Give the centre's lat/long and the radius in metres."
        ) from None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        raise bad("中心点的坐标无效。", "The centre's coordinates are not valid.", field="lat")
    if not math.isfinite(r) or not RADIUS_MIN_M <= r <= RADIUS_MAX_M:
        raise bad(
            f"半径应在 {RADIUS_MIN_M} 到 {RADIUS_MAX_M} 米之间。",
            f"The radius must be between {RADIUS_MIN_M} and {RADIUS_MAX_M} metres.",
            field="radius",
        )
    return x, y, round(r)


_CHECK = text(
    """
    WITH a AS (
        SELECT CASE WHEN CAST(:wkb AS text) IS NOT NULL
                    THEN ST_SetSRID(ST_GeomFromWKB(decode(CAST(:wkb AS text), 'hex')), 4326)
                    ELSE ST_Transform(ST_Buffer(ST_Transform(ST_SetSRID(ST_MakePoint(
                             CAST(:x AS float8), CAST(:y AS float8)), 4326), 32648), CAST(:r AS float8), 8), 4326)
               END AS g)
    SELECT ST_AsHEXEWKB(ST_Multi(a.g)) AS ewkb, ST_Area(ST_Transform(a.g, 32648)) AS m2,
           EXISTS (SELECT 1 FROM district d WHERE d.has_grid AND ST_Intersects(d.geom, a.g)) AS inside
      FROM a
    """
)


def check_area(conn: Connection, given: AreaInput) -> Area:
    """The area as stored, or a :class:`ValidationError` (field ``area``, ``lat`` or ``radius``) saying what is
    wrong: a shape that is not a polygon, too many points, crossing edges, a radius out of range, an area too
    large, too small, or away from the gridded city."""
    center: tuple[float, float] | None = None
    radius: int | None = None
    params: dict[str, Any] = {"wkb": None, "x": None, "y": None, "r": None}
    if given.geometry is not None:
        params["wkb"] = shapely.to_wkb(_polygon(given.geometry), hex=True)
    elif given.lon is not None or given.lat is not None or given.radius_m is not None:
        x, y, radius = _circle(given.lon, given.lat, given.radius_m)
        center = (x, y)
        params.update(x=x, y=y, r=radius)
    else:
        raise bad("请在地图上画出区域，或给出中心点和半径。", "Draw the area, or give a point and a radius.")
    row = conn.execute(_CHECK, params).one()
    m2 = float(row.m2)
    if m2 > MAX_AREA_KM2 * 1e6:
        raise bad(
            f"区域太大（{m2 / 1e6:,.0f} 平方公里；最多 {MAX_AREA_KM2:,.0f}）。",
            f"The area is too large ({m2 / 1e6:,.0f} km²; at most {MAX_AREA_KM2:,.0f}).",
        )
    if m2 < MIN_AREA_M2:
        raise bad("区域太小。", "The area is too small.")
    if not row.inside:
        raise bad("区域不在城市网格化管理范围内。", "The area lies outside the gridded city.")
    return Area(ewkb=str(row.ewkb), area_m2=m2, center=center, radius_m=radius)
