"""专项整治 campaigns: create, edit and end one, each validated first and written with its history row in one
transaction (a savepoint of the caller's: a refusal leaves the database as it was).

Only the roles of ``Screen.CAMPAIGN`` (shift lead, admin) may. A campaign needs a name (1–80 characters), at least
one existing category (大类 or 小类), a start and a later end date, and an area: the union of chosen districts
(``source = "districts"``) or a polygon (drawn on the map, or taken from a hot spot, a place or an alert) that lies
inside the city's serviced districts (it is clipped to them; more than 10 % outside is refused as a mistake).
Creating a campaign from an alert also moves the alert to ``campaign`` (:func:`ops.analysis.alert_states.transition`)
in the same transaction. Refusals are :class:`~db.errors.DomainError` with a message in zh and en and the form
field they are about.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import shapely
from shapely.geometry import shape
from sqlalchemy import Connection, text

from db.accounts import StaffIdentity
from db.errors import DomainError, Forbidden, InvalidTransition, NotFound, ValidationError
from db.models.campaign import CAMPAIGN_SOURCES, NAME_MAX
from geo.crs import TZ
from ops.analysis import alert_states
from ops.policy import Screen, reach

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


class StaleCampaign(DomainError):
    status = 409
    code = "stale"

    def __init__(self) -> None:
        super().__init__(
            "该专项整治已被他人修改，请刷新后重试。",
            "Someone else changed this campaign; refresh and try again.",
        )


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


def may_manage(user: StaffIdentity) -> bool:
    return reach(user.role, Screen.CAMPAIGN) is not None


def _require(user: StaffIdentity) -> None:
    if not may_manage(user):
        raise Forbidden(
            "只有值班长和管理员可以设立或修改专项整治。",
            "Only shift leads and administrators may define or change campaigns.",
            detail=f"user={user.id} role={user.role}",
        )


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


_INSERT = text(
    """
    INSERT INTO campaign (name, note, categories, area, district_codes, starts_on, ends_on, source, alert_id,
                          created_by, created_at, updated_at)
    VALUES (:name, :note, :categories, ST_GeomFromEWKB(decode(:wkb, 'hex')), :districts, :starts_on, :ends_on,
            :source, :alert_id, :actor, :now, :now)
    RETURNING id
    """
)
_EVENT = text(
    "INSERT INTO campaign_event (campaign_id, at, kind, actor_id, changes)"
    " VALUES (:campaign_id, :at, :kind, :actor, CAST(:changes AS jsonb))"
)
_GET = text(
    """
    SELECT id, name, note, categories, district_codes, starts_on, ends_on, source, ended_at, version,
           ST_AsHEXEWKB(area) AS wkb, ST_Area(ST_Transform(area, 32648)) / 1e6 AS km2
      FROM campaign WHERE id = :id
    """
)


def _event(
    conn: Connection, campaign_id: int, kind: str, user: StaffIdentity, now: datetime, ch: Any
) -> None:
    conn.execute(
        _EVENT,
        {
            "campaign_id": campaign_id,
            "at": now,
            "kind": kind,
            "actor": user.id,
            "changes": json.dumps(ch, ensure_ascii=False),
        },
    )


def create(
    conn: Connection,
    user: StaffIdentity,
    draft: CampaignDraft,
    *,
    now: datetime,
    alert_version: int | None = None,
) -> int:
    """Define a campaign as ``user``; returns its id. From an alert (``draft.alert_id``, at ``alert_version``,
    or its current version when the caller read none) the alert moves to ``campaign`` in the same transaction."""
    _require(user)
    ok = validate(conn, draft, today=now.astimezone(TZ).date())
    if ok.alert_id is not None and alert_version is None:
        alert_version = conn.execute(
            text("SELECT version FROM analysis_alert WHERE id = :a"), {"a": ok.alert_id}
        ).scalar_one_or_none()
        if alert_version is None:
            raise NotFound("预警不存在。", "No such alert.", detail=str(ok.alert_id))
    with conn.begin_nested():
        cid = int(
            conn.execute(
                _INSERT,
                {
                    "name": ok.name,
                    "note": ok.note,
                    "categories": ok.categories,
                    "wkb": ok.area_wkb,
                    "districts": ok.district_codes,
                    "starts_on": ok.starts_on,
                    "ends_on": ok.ends_on,
                    "source": ok.source,
                    "alert_id": ok.alert_id,
                    "actor": user.id,
                    "now": now,
                },
            ).scalar_one()
        )
        _event(conn, cid, "created", user, now, {**ok.summary(), "alert_id": ok.alert_id})
        if ok.alert_id is not None and alert_version is not None:
            alert_states.transition(
                conn, user, ok.alert_id, "campaign", version=alert_version, now=now, campaign_id=cid
            )
    return cid


def _current(conn: Connection, campaign_id: int) -> Any:
    row = conn.execute(_GET, {"id": campaign_id}).one_or_none()
    if row is None:
        raise NotFound("专项整治不存在。", "No such campaign.", detail=str(campaign_id))
    if row.ended_at is not None:
        raise InvalidTransition(
            "该专项整治已结束，不能再修改。", "This campaign has ended; it cannot change."
        )
    return row


_UPDATE = text(
    """
    UPDATE campaign SET name = :name, note = :note, categories = :categories,
           area = ST_GeomFromEWKB(decode(:wkb, 'hex')), district_codes = :districts, starts_on = :starts_on,
           ends_on = :ends_on, source = :source, updated_at = :now, version = version + 1
     WHERE id = :id AND version = :version AND ended_at IS NULL
    """
)


def edit(
    conn: Connection,
    user: StaffIdentity,
    campaign_id: int,
    draft: CampaignDraft,
    *,
    version: int,
    now: datetime,
) -> int:
    """Change a running or planned campaign (compare-and-set on ``version``); returns the new version. The
    history row names each field that changed, old and new."""
    _require(user)
    row = _current(conn, campaign_id)
    ok = validate(conn, draft, today=now.astimezone(TZ).date())
    old = {
        "name": row.name,
        "note": row.note,
        "categories": sorted(row.categories),
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "source": row.source,
        "district_codes": sorted(row.district_codes),
        "area_km2": round(float(row.km2), 3),
    }
    new = ok.summary()
    changes = {k: [old[k], new[k]] for k in new if old[k] != new[k]}
    if row.wkb != ok.area_wkb and "area_km2" not in changes:
        changes["area"] = ["changed", "changed"]
    if not changes:
        raise _bad("没有任何修改。", "Nothing was changed.", "name")
    with conn.begin_nested():
        done = conn.execute(
            _UPDATE,
            {
                "name": ok.name,
                "note": ok.note,
                "categories": ok.categories,
                "wkb": ok.area_wkb,
                "districts": ok.district_codes,
                "starts_on": ok.starts_on,
                "ends_on": ok.ends_on,
                "source": ok.source,
                "now": now,
                "id": campaign_id,
                "version": version,
            },
        ).rowcount
        if done != 1:
            raise StaleCampaign()
        _event(conn, campaign_id, "edited", user, now, changes)
    return version + 1


_END = text(
    """
    UPDATE campaign SET ended_at = :now, ends_on = :ends_on, updated_at = :now, version = version + 1
     WHERE id = :id AND version = :version AND ended_at IS NULL
    """
)


def end(
    conn: Connection,
    user: StaffIdentity,
    campaign_id: int,
    *,
    version: int,
    now: datetime,
    note: str | None = None,
) -> int:
    """End a campaign today (its end date becomes today, or the day after its start when ended on its first day);
    returns the new version."""
    _require(user)
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise _bad(f"说明最多 {NOTE_MAX} 字。", f"The note is at most {NOTE_MAX} characters.", "note")
    row = _current(conn, campaign_id)
    today = now.astimezone(TZ).date()
    ends_on = max(row.starts_on + timedelta(days=1), min(row.ends_on, today))
    with conn.begin_nested():
        done = conn.execute(
            _END, {"now": now, "ends_on": ends_on, "id": campaign_id, "version": version}
        ).rowcount
        if done != 1:
            raise StaleCampaign()
        changes = {"ends_on": [row.ends_on.isoformat(), ends_on.isoformat()], "note": note}
        _event(conn, campaign_id, "ended", user, now, changes)
    return version + 1
