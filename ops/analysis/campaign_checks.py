"""What makes a 专项整治 campaign acceptable, checked before anything is written (:mod:`ops.analysis.campaigns`
writes): a name (1–80 characters), a note of at most 1000, existing active categories, an end after the start, and
an area: chosen districts of the gridded city, or a valid polygon inside it (clipped to it; more than 10 % outside
is refused as a mistake). Each refusal is a :class:`~db.errors.ValidationError` in zh and en naming its form field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import shapely
from shapely.geometry import shape
from sqlalchemy import Connection, text

from db.errors import ValidationError
from db.models.campaign import CAMPAIGN_SOURCES, NAME_MAX

NOTE_MAX = 1000
MAX_CATEGORIES = 30
MAX_DAYS = 366
#: How far back a campaign may start (so a past campaign can still be evaluated) and ahead.
PAST_DAYS = 3 * 365
AHEAD_DAYS = 365
MAX_POINTS = 5000
#: Least area of a campaign (half a unit-grid cell) and the share of a drawn area allowed outside the city.
MIN_AREA_M2 = 5_000.0
MAX_OUTSIDE = 0.10


@dataclass(frozen=True, slots=True)
class CampaignDraft:
    """What a lead asks for. ``geometry`` (a GeoJSON Polygon/MultiPolygon in WGS-84) for every source but
    ``districts``, which uses ``district_codes``."""

    name: str
    categories: tuple[str, ...]
    starts_on: date
    ends_on: date
    source: str = "districts"
    district_codes: tuple[str, ...] = ()
    geometry: dict[str, Any] | None = None
    note: str | None = None
    alert_id: int | None = None


@dataclass(frozen=True, slots=True)
class Checked:
    """A draft that passed: the values to store (the area as WKB hex, clipped to the city)."""

    name: str
    note: str | None
    categories: list[str]
    starts_on: date
    ends_on: date
    source: str
    district_codes: list[str]
    area_wkb: str
    area_km2: float
    alert_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "note": self.note,
            "categories": self.categories,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "source": self.source,
            "district_codes": self.district_codes,
            "area_km2": round(self.area_km2, 3),
        }


def _bad(zh: str, en: str, field_name: str, detail: str = "") -> ValidationError:
    return ValidationError(zh, en, field=field_name, detail=detail)


def parse_date(value: Any, field_name: str) -> date:
    """A date from the form (``YYYY-MM-DD``, or a datetime string whose date part is taken)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise _bad("请选择日期。", "Choose a date.", field_name, repr(value)[:40])


def _check_text(draft: CampaignDraft) -> tuple[str, str | None]:
    name = (draft.name or "").strip() if isinstance(draft.name, str) else ""
    if not name:
        raise _bad("请填写整治名称。", "Enter the campaign's name.", "name")
    if len(name) > NAME_MAX:
        raise _bad(f"名称最多 {NAME_MAX} 字。", f"The name is at most {NAME_MAX} characters.", "name")
    note = (draft.note or "").strip() or None if isinstance(draft.note, str | None) else None
    if note is not None and len(note) > NOTE_MAX:
        raise _bad(f"说明最多 {NOTE_MAX} 字。", f"The note is at most {NOTE_MAX} characters.", "note")
    return name, note


def _check_dates(draft: CampaignDraft, today: date) -> None:
    if draft.ends_on <= draft.starts_on:
        raise _bad("结束日期应晚于开始日期。", "The end date must be after the start date.", "ends_on")
    if (draft.ends_on - draft.starts_on).days > MAX_DAYS:
        raise _bad(f"整治期最长 {MAX_DAYS} 天。", f"A campaign lasts at most {MAX_DAYS} days.", "ends_on")
    if draft.starts_on < today - timedelta(days=PAST_DAYS) or draft.starts_on > today + timedelta(
        days=AHEAD_DAYS
    ):
        raise _bad(
            "开始日期应在过去三年到未来一年之内。",
            "The start date must lie between three years ago and a year ahead.",
            "starts_on",
        )


def _check_categories(conn: Connection, codes: tuple[str, ...]) -> list[str]:
    wanted = sorted({c for c in codes if isinstance(c, str) and c})
    if not wanted:
        raise _bad("请至少选择一个类别。", "Choose at least one category.", "categories")
    if len(wanted) > MAX_CATEGORIES:
        raise _bad(
            f"最多选择 {MAX_CATEGORIES} 个类别。",
            f"Choose at most {MAX_CATEGORIES} categories.",
            "categories",
        )
    found = set(
        conn.execute(
            text("SELECT code FROM category WHERE code = ANY(:c) AND active"), {"c": wanted}
        ).scalars()
    )
    missing = [c for c in wanted if c not in found]
    if missing:
        raise _bad(
            "类别不存在或已停用。", "A category does not exist or is retired.", "categories", str(missing)
        )
    return wanted


_DISTRICT_AREA = text(
    """
    SELECT ST_AsHEXEWKB(ST_Multi(ST_Union(geom))),
           ST_Area(ST_Transform(ST_Union(geom), 32648)), array_agg(code ORDER BY code)
      FROM district WHERE has_grid AND code = ANY(:codes)
    """
)
_DRAWN_AREA = text(
    """
    WITH a AS (SELECT ST_SetSRID(ST_GeomFromWKB(decode(:wkb, 'hex')), 4326) AS g),
         city AS (SELECT ST_Union(geom) AS g FROM district WHERE has_grid),
         inside AS (SELECT ST_Multi(ST_CollectionExtract(ST_Intersection(a.g, city.g), 3)) AS g FROM a, city)
    SELECT ST_AsHEXEWKB(inside.g), ST_Area(ST_Transform(a.g, 32648)), ST_Area(ST_Transform(inside.g, 32648)),
           ARRAY(SELECT d.code FROM district d
                  WHERE d.has_grid AND ST_Intersects(d.geom, inside.g)
                    AND ST_Area(ST_Intersection(d.geom, inside.g)) > 0 ORDER BY d.code)
      FROM a, inside
    """
)


def _polygon(geometry: Any) -> shapely.Geometry:
    """The drawn area as a valid (Multi)Polygon in lon/lat, else a clear refusal."""
    if not isinstance(geometry, dict) or not geometry.get("type"):
        raise _bad(
            "请在地图上画出整治区域，或选择区县。", "Draw the area on the map, or choose districts.", "area"
        )
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise _bad(
            "整治区域的图形无法识别。", "The area's shape cannot be read.", "area", str(exc)[:80]
        ) from None
    if geom.geom_type == "GeometryCollection":
        geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise _bad("整治区域应为多边形。", "The area must be a polygon.", "area", geom.geom_type)
    if shapely.get_num_coordinates(geom) > MAX_POINTS:
        raise _bad("整治区域的边界点太多。", "The area has too many points.", "area")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90) or any(
        not math.isfinite(v) for v in geom.bounds
    ):
        raise _bad("整治区域的坐标无效。", "The area's coordinates are invalid.", "area")
    if not geom.is_valid:
        raise _bad(
            "整治区域的边线自相交，请重新绘制。", "The area's outline crosses itself; draw it again.", "area"
        )
    return geom


def _check_area(conn: Connection, draft: CampaignDraft) -> tuple[str, float, list[str]]:
    if draft.source not in CAMPAIGN_SOURCES:
        raise _bad("未知的区域来源。", "Unknown area source.", "area", str(draft.source))
    if draft.source == "districts":
        codes = sorted({c for c in draft.district_codes if isinstance(c, str) and c})
        if not codes:
            raise _bad("请至少选择一个区县。", "Choose at least one district.", "districts")
        wkb, m2, found = conn.execute(_DISTRICT_AREA, {"codes": codes}).one()
        if wkb is None or list(found or []) != codes:
            raise _bad(
                "所选区县不在网格化管理范围内。", "A chosen district is not in the gridded city.", "districts"
            )
        return str(wkb), float(m2), codes
    geom = _polygon(draft.geometry)
    wkb, whole, inside, codes = conn.execute(_DRAWN_AREA, {"wkb": shapely.to_wkb(geom, hex=True)}).one()
    if wkb is None or inside is None or float(inside) < MIN_AREA_M2:
        raise _bad(
            "整治区域不在城市网格范围内或太小。", "The area is outside the gridded city or too small.", "area"
        )
    if float(inside) < (1.0 - MAX_OUTSIDE) * float(whole):
        raise _bad(
            "整治区域有一部分超出了城市网格范围。", "Part of the area lies outside the gridded city.", "area"
        )
    return str(wkb), float(inside), list(codes)


def validate(conn: Connection, draft: CampaignDraft, *, today: date) -> Checked:
    """Check every field of ``draft`` (in form order, so the first wrong field is the one named)."""
    name, note = _check_text(draft)
    categories = _check_categories(conn, draft.categories)
    _check_dates(draft, today)
    wkb, m2, districts = _check_area(conn, draft)
    if draft.alert_id is not None and draft.source != "alert":
        raise _bad("只有来自预警的整治才能关联预警。", "Only a campaign from an alert names one.", "area")
    return Checked(
        name,
        note,
        categories,
        draft.starts_on,
        draft.ends_on,
        draft.source,
        districts,
        wkb,
        m2 / 1e6,
        draft.alert_id,
    )
