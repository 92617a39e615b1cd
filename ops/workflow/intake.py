"""上报 (report): validate, route in the database, suggest duplicates, insert the case and its first event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from db.calendar_repo import load_calendar, stamp_at_sql
from db.errors import Forbidden, OutsideServiceArea, ValidationError
from db.vocabulary import SOURCES
from ops.policy import in_scope
from ops.states import OPEN_STATUSES, STAGE_LIMITS, Action, CaseStatus, Role
from ops.workflow.base import (
    DUPLICATE_WINDOW,
    MAX_ADDRESS,
    MAX_DESCRIPTION,
    MAX_DUPLICATES,
    RETURNING,
    Actor,
    CaseResult,
    optional_text,
    require_number,
    require_role,
    resolve_now,
    result,
)
from ops.workflow.core import append_event, stage_clock

_OPEN = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES))

# One round trip: routing, service area, 小类, responsibility, duplicates, reporter, calendar stamp; the 小类's
# active and public flags, the responsibility and the calendar as in force on the report's (Beijing) date.
# Duplicates: a bounding-box prefilter on the geometry index (degrees from metres, generously rounded up; OFFSET 0
# keeps the planner from AND-ing in the much less selective created_at index), then the spheroid distance.
_PREPARE = text(
    f"""
    WITH p AS (SELECT ST_SetSRID(ST_MakePoint(CAST(:lon AS float8), CAST(:lat AS float8)), 4326) AS g)
    SELECT r.district_code, r.cell_id, coalesce(d.has_grid, false) AS has_grid,
           cat.code AS category, cat.level, coalesce(cr.active, cat.active) AS active, cat.urgent,
           coalesce(cr.public, cat.public) AS public,
           gy_responsible(cat.code, r.district_code, CAST(:today AS date)) AS suggested,
           CASE WHEN r.district_code IS NULL OR cat.code IS NULL THEN ARRAY[]::bigint[] ELSE ARRAY(
               SELECT n.id FROM (
                   SELECT c.id, c.geom, c.category_code, c.status, c.created_at FROM "case" c
                    WHERE c.geom && ST_Expand(p.g,
                              1.05 * cat.duplicate_radius_m / (111320.0 * cos(radians(CAST(:lat AS float8)))),
                              1.05 * cat.duplicate_radius_m / 110000.0)
                   OFFSET 0) n
                WHERE n.category_code = cat.code AND n.status IN ({_OPEN})
                  AND n.created_at >= :since AND n.created_at <= :now
                  AND ST_DWithin(n.geom::geography, p.g::geography, cat.duplicate_radius_m)
                ORDER BY ST_Distance(n.geom::geography, p.g::geography), n.id
                LIMIT {MAX_DUPLICATES}) END AS duplicates,
           (CAST(:reporter AS integer) IS NULL
               OR EXISTS (SELECT 1 FROM person WHERE id = CAST(:reporter AS integer))) AS reporter_ok,
           {stamp_at_sql("CAST(:today AS date)")} AS cal_stamp
      FROM p CROSS JOIN LATERAL gy_route(p.g) r
      LEFT JOIN district d ON d.code = r.district_code
      LEFT JOIN category cat ON cat.code = :category
      LEFT JOIN LATERAL (SELECT x.active, x.public FROM category_rule x
                          WHERE x.category_code = cat.code AND x.valid_from <= CAST(:today AS date)
                          ORDER BY x.valid_from DESC, x.id DESC LIMIT 1) cr ON true
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)
_INSERT = text(
    f"""
    INSERT INTO "case" (source, category_code, description, geom, address, status, urgency, escalated, public,
                        suggested_department_code, reporter_id, stage_started_at, stage_yellow_at,
                        stage_deadline, created_at, updated_at, version)
    VALUES (:source, :category, :description,
            ST_SetSRID(ST_MakePoint(CAST(:lon AS float8), CAST(:lat AS float8)), 4326), :address,
            'reported', :urgency, :escalated, :public, :suggested, :reporter, :stage_started_at,
            :stage_yellow_at, :stage_deadline, :now, :now, 1)
    RETURNING {RETURNING}
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)


def _bad_category(code: object, why_zh: str, why_en: str) -> ValidationError:
    return ValidationError(
        f"案件小类 {code} {why_zh}。", f"Case category {code} {why_en}.", field="category_code"
    )


def report(
    conn: Connection,
    actor: Actor,
    *,
    category_code: str,
    lon: float,
    lat: float,
    description: str,
    source: str,
    address: str | None = None,
    reporter_id: int | None = None,
    public: bool | None = None,
    now: datetime | None = None,
) -> CaseResult:
    """上报: a new case in status ``reported`` (see the package docstring for every field written)."""
    at = resolve_now(now)
    require_role(actor, Action.REPORT)
    x = require_number(lon, field="lon", zh="经度", en="longitude")
    y = require_number(lat, field="lat", zh="纬度", en="latitude")
    if not isinstance(category_code, str) or not category_code.strip():
        raise ValidationError("请选择案件小类。", "Please choose a case category.", field="category_code")
    if not isinstance(description, str) or "\x00" in description:
        raise ValidationError(
            "问题描述必须是有效文本。", "The description must be valid text.", field="description"
        )
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            f"问题描述不能超过 {MAX_DESCRIPTION} 个字符（现为 {len(description)}）。",
            f"The description may not exceed {MAX_DESCRIPTION} characters (it has {len(description)}).",
            field="description",
        )
    if source not in SOURCES:
        raise ValidationError(
            f"未知的来源 {source}，可选：{', '.join(SOURCES)}。",
            f"Unknown source {source}; choose one of {', '.join(SOURCES)}.",
            field="source",
        )
    addr = optional_text(address, field="address", limit=MAX_ADDRESS, zh="地址", en="address")
    if reporter_id is None and actor.person_id is not None:
        reporter_id = actor.person_id
    if actor.role is Role.CITIZEN and reporter_id != actor.person_id:
        raise Forbidden(
            "市民只能以本人名义举报。", "Citizens report in their own name only.", field="reporter_id"
        )
    if reporter_id is not None and (isinstance(reporter_id, bool) or not isinstance(reporter_id, int)):
        raise ValidationError("举报人编号无效。", "Invalid reporter id.", field="reporter_id")
    if public is not None and not isinstance(public, bool):
        raise ValidationError("“公开”必须是是或否。", "'public' must be true or false.", field="public")
    if not (-180.0 <= x <= 180.0 and -90.0 <= y <= 90.0):
        raise OutsideServiceArea(x, y)

    code = category_code.strip()
    pre = conn.execute(
        _PREPARE,
        {
            "lon": x,
            "lat": y,
            "category": code,
            "since": at - DUPLICATE_WINDOW,
            "now": at,
            "today": at.date(),
            "reporter": reporter_id,
        },
    ).one()
    if pre.category is None:
        raise _bad_category(code, "不存在", "does not exist")
    if pre.level != 2:
        raise _bad_category(code, "是大类，请选择具体小类", "is a major class; choose a minor class")
    if not pre.active:
        raise _bad_category(code, "已停用", "is no longer in use")
    if pre.district_code is None or not pre.has_grid:
        raise OutsideServiceArea(x, y)
    if not pre.reporter_ok:
        raise ValidationError(
            f"没有编号为 {reporter_id} 的举报人。", f"No reporter with id {reporter_id}.", field="reporter_id"
        )
    if not in_scope(
        actor.role,
        user_district=actor.district,
        user_department=actor.department,
        case_district=pre.district_code,
        case_department=None,
    ):
        raise Forbidden(
            f"该位置（{pre.district_code}）不在您的辖区内。",
            f"That location ({pre.district_code}) is outside your district.",
            field="location",
        )

    cal = load_calendar(conn, stamp=pre.cal_stamp, as_of=at.date())
    amount, unit = STAGE_LIMITS[CaseStatus.REPORTED]
    row = conn.execute(
        _INSERT,
        {
            "source": source,
            "category": code,
            "description": description,
            "lon": x,
            "lat": y,
            "address": addr,
            "urgency": "urgent" if pre.urgent else "normal",
            "escalated": bool(pre.urgent),
            "public": bool(pre.public) if public is None else (public and bool(pre.public)),
            "suggested": pre.suggested,
            "reporter": reporter_id,
            "now": at,
            **stage_clock(cal, at, amount, unit),
        },
    ).one()
    duplicates = tuple(int(i) for i in pre.duplicates)
    event_id = append_event(
        conn,
        actor,
        row.id,
        Action.REPORT,
        None,
        CaseStatus.REPORTED.value,
        at,
        department=None,
        note=None,
        payload={"duplicates": list(duplicates)},
    )
    return result(row, event_id, duplicates)
