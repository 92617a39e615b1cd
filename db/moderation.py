"""Moderation of the public layer: 最美贵阳 posts and public photos (approve / hide), service points (add, move,
edit, retire), and the citizens' post submission. Every change appends one ``moderation_log`` row (who, when,
what, before → after) in the same transaction; the caller owns the transaction (nothing here commits).

The moderation screen's reads live here too (staff only: never call them from a public page).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import bindparam

from db.errors import NotFound, ValidationError
from db.models.public import SERVICE_KINDS

MAX_TITLE = 80
MAX_BODY = 2000
MAX_REASON = 500
POST_STATES = ("pending", "approved", "hidden")
POINT_FIELDS = ("kind", "name_zh", "name_en", "address", "open_hours")
_LIMITS = {"name_zh": 80, "name_en": 160, "address": 500, "open_hours": 40}

_LOG = text(
    "INSERT INTO moderation_log (actor_user_id, actor_person_id, action, target_kind, target_id, reason, payload) "
    "VALUES (:user, :person, :action, :kind, :target, :reason, :payload) RETURNING id"
).bindparams(bindparam("payload", type_=JSONB))


def record(
    conn: Connection,
    action: str,
    target_kind: str,
    target_id: int,
    *,
    user_id: int | None = None,
    person_id: int | None = None,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Append one moderation_log row (the table refuses UPDATE, DELETE and TRUNCATE)."""
    return int(
        conn.execute(
            _LOG,
            {
                "user": user_id,
                "person": person_id,
                "action": action,
                "kind": target_kind,
                "target": target_id,
                "reason": reason,
                "payload": payload or {},
            },
        ).scalar_one()
    )


# --- input checks -------------------------------------------------------------------------------------------------


def _text(value: object, field: str, limit: int, zh: str, en: str, *, required: bool) -> str | None:
    cleaned = value.strip() if isinstance(value, str) else ""
    if not cleaned:
        if required:
            raise ValidationError(f"请填写{zh}。", f"Please give the {en}.", field=field)
        return None
    if "\x00" in cleaned or len(cleaned) > limit:
        raise ValidationError(
            f"{zh}不能超过 {limit} 个字符。", f"The {en} may not exceed {limit} characters.", field=field
        )
    return cleaned


def _reason(reason: object) -> str | None:
    return _text(reason, "reason", MAX_REASON, "原因", "reason", required=False)


def _point(conn: Connection, lon: object, lat: object) -> tuple[float, float]:
    """A finite point inside one of Guiyang's districts (rounded to 6 decimals, ~0.1 m)."""
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (lon, lat))
    if ok:
        x, y = round(float(lon), 6), round(float(lat), 6)  # type: ignore[arg-type]
        inside = conn.execute(
            text("SELECT (gy_route(ST_SetSRID(ST_MakePoint(:x, :y), 4326))).district_code"), {"x": x, "y": y}
        ).scalar()
        if inside is not None:
            return x, y
    raise ValidationError(
        "位置必须在贵阳市范围内。", "The location must be inside Guiyang.", field="location"
    )


# --- 最美贵阳 posts and photos -------------------------------------------------------------------------------------


def submit_beauty_post(
    conn: Connection, person_id: int, title: str, body: str, lon: float, lat: float, photo_id: int
) -> int:
    """A citizen's 最美贵阳 post, waiting for approval (state ``pending``); returns its id.

    ``photo_id`` must be a ``beauty`` photo this person uploaded (``db.media.store_photo(..., kind="beauty",
    person_id=...)``), not yet used by another post nor attached to a case. Raises ValidationError / NotFound
    before writing anything."""
    t = _text(title, "title", MAX_TITLE, "标题", "title", required=True)
    b = _text(body, "body", MAX_BODY, "说明", "text", required=False) or ""
    x, y = _point(conn, lon, lat)
    row = conn.execute(
        text(
            "SELECT p.id, p.kind, p.case_id, p.uploaded_by_person_id, "
            "EXISTS (SELECT 1 FROM beauty_post b WHERE b.photo_id = p.id) AS used, "
            "EXISTS (SELECT 1 FROM person WHERE id = :person) AS person_ok FROM photo p WHERE p.id = :photo"
        ),
        {"photo": photo_id, "person": person_id},
    ).first()
    if row is None:
        raise NotFound(f"没有编号为 {photo_id} 的照片。", f"No photo with id {photo_id}.", field="photo_id")
    if not row.person_ok:
        raise NotFound(
            f"没有编号为 {person_id} 的市民。", f"No citizen with id {person_id}.", field="person_id"
        )
    if row.kind != "beauty" or row.case_id is not None or row.uploaded_by_person_id != person_id or row.used:
        raise ValidationError(
            "该照片不能用于“最美贵阳”投稿。",
            "This photo cannot be used for a 最美贵阳 post.",
            field="photo_id",
        )
    post_id = int(
        conn.execute(
            text(
                "INSERT INTO beauty_post (title, body, geom, photo_id, person_id, state) VALUES "
                "(:t, :b, ST_SetSRID(ST_MakePoint(:x, :y), 4326), :photo, :person, 'pending') RETURNING id"
            ),
            {"t": t, "b": b, "x": x, "y": y, "photo": photo_id, "person": person_id},
        ).scalar_one()
    )
    record(conn, "submit", "beauty_post", post_id, person_id=person_id, payload={"photo": photo_id})
    return post_id


def set_post_state(
    conn: Connection, user_id: int, post_id: int, state: str, reason: str | None = None
) -> bool:
    """Approve (``approved``: the post and its photo become public) or hide (``hidden``: both leave the public
    map) a post. Returns False when the post already was in that state (nothing written)."""
    if state not in ("approved", "hidden"):
        raise ValidationError("无效的审核操作。", "Invalid moderation action.", field="state")
    why = _reason(reason)
    row = conn.execute(
        text("SELECT id, state, photo_id FROM beauty_post WHERE id = :id FOR UPDATE"), {"id": post_id}
    ).first()
    if row is None:
        raise NotFound(f"没有编号为 {post_id} 的投稿。", f"No post with id {post_id}.", field="post_id")
    if row.state == state:
        return False
    conn.execute(
        text(
            "UPDATE beauty_post SET state = :s, moderated_at = now(), moderated_by_user_id = :u WHERE id = :id"
        ),
        {"s": state, "u": user_id, "id": post_id},
    )
    if row.photo_id is not None:
        conn.execute(
            text("UPDATE photo SET approved = :a WHERE id = :id"),
            {"a": state == "approved", "id": row.photo_id},
        )
    action = "approve" if state == "approved" else "hide"
    record(
        conn,
        action,
        "beauty_post",
        post_id,
        user_id=user_id,
        reason=why,
        payload={"from": row.state, "to": state, "photo": row.photo_id},
    )
    return True


def set_photo_public(
    conn: Connection, user_id: int, photo_id: int, approved: bool, reason: str | None = None
) -> bool:
    """Show (``approved``) or keep off the public map a report's photo. Returns False when nothing changed."""
    why = _reason(reason)
    row = conn.execute(
        text("SELECT id, approved, case_id FROM photo WHERE id = :id FOR UPDATE"), {"id": photo_id}
    ).first()
    if row is None or row.case_id is None:
        raise NotFound(
            f"没有编号为 {photo_id} 的举报照片。", f"No report photo with id {photo_id}.", field="photo_id"
        )
    logged = conn.execute(
        text("SELECT 1 FROM moderation_log WHERE target_kind = 'photo' AND target_id = :id LIMIT 1"),
        {"id": photo_id},
    ).first()
    if row.approved == approved and logged is not None:
        return False
    conn.execute(text("UPDATE photo SET approved = :a WHERE id = :id"), {"a": approved, "id": photo_id})
    action = "photo_approve" if approved else "photo_hide"
    record(conn, action, "photo", photo_id, user_id=user_id, reason=why, payload={"case": row.case_id})
    return True


# --- service points -----------------------------------------------------------------------------------------------


def _point_fields(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "kind" in values or not partial:
        if values.get("kind") not in SERVICE_KINDS:
            raise ValidationError(
                "请选择服务点类型。", "Please choose the kind of service point.", field="kind"
            )
        out["kind"] = values["kind"]
    labels = {
        "name_zh": ("中文名称", "Chinese name"),
        "name_en": ("英文名称", "English name"),
        "address": ("地址", "address"),
        "open_hours": ("开放时间", "opening hours"),
    }
    for field, limit in _LIMITS.items():
        if field in values or (not partial and field == "name_zh"):
            zh, en = labels[field]
            out[field] = _text(values.get(field), field, limit, zh, en, required=field == "name_zh")
    if "name_en" in out and out["name_en"] is None:
        out["name_en"] = out.get("name_zh") or values.get("name_zh") or ""
    return out


def add_service_point(
    conn: Connection,
    user_id: int,
    *,
    kind: str,
    name_zh: str,
    lon: float,
    lat: float,
    name_en: str | None = None,
    address: str | None = None,
    open_hours: str | None = None,
) -> int:
    """A new service point at (lon, lat); returns its id."""
    f = _point_fields(
        {"kind": kind, "name_zh": name_zh, "name_en": name_en, "address": address, "open_hours": open_hours},
        partial=False,
    )
    if not f.get("name_en"):
        f["name_en"] = f["name_zh"]
    x, y = _point(conn, lon, lat)
    point_id = int(
        conn.execute(
            text(
                "INSERT INTO service_point (kind, name_zh, name_en, address, open_hours, geom) VALUES "
                "(:kind, :name_zh, :name_en, :address, :open_hours, ST_SetSRID(ST_MakePoint(:x, :y), 4326)) "
                "RETURNING id"
            ),
            {**f, "x": x, "y": y},
        ).scalar_one()
    )
    record(conn, "point_add", "service_point", point_id, user_id=user_id, payload={**f, "lon": x, "lat": y})
    return point_id


_GET_POINT = text(
    "SELECT id, kind, name_zh, name_en, address, open_hours, ST_X(geom) AS lon, ST_Y(geom) AS lat, retired_at "
    "FROM service_point WHERE id = :id"
)


def get_service_point(conn: Connection, point_id: int, *, lock: bool = False) -> dict[str, Any]:
    row = conn.execute(text(str(_GET_POINT) + (" FOR UPDATE" if lock else "")), {"id": point_id}).first()
    if row is None:
        raise NotFound(
            f"没有编号为 {point_id} 的服务点。", f"No service point with id {point_id}.", field="point_id"
        )
    return dict(row._mapping)


def _active(conn: Connection, point_id: int) -> dict[str, Any]:
    before = get_service_point(conn, point_id, lock=True)
    if before["retired_at"] is not None:
        raise ValidationError("该服务点已停用。", "This service point has been retired.", field="point_id")
    return before


def move_service_point(conn: Connection, user_id: int, point_id: int, lon: float, lat: float) -> bool:
    """Move a service point; False when it already is there."""
    before = _active(conn, point_id)
    x, y = _point(conn, lon, lat)
    if (round(before["lon"], 6), round(before["lat"], 6)) == (x, y):
        return False
    conn.execute(
        text(
            "UPDATE service_point SET geom = ST_SetSRID(ST_MakePoint(:x, :y), 4326), updated_at = now() "
            "WHERE id = :id"
        ),
        {"x": x, "y": y, "id": point_id},
    )
    payload = {"from": [before["lon"], before["lat"]], "to": [x, y]}
    record(conn, "point_move", "service_point", point_id, user_id=user_id, payload=payload)
    return True


def edit_service_point(conn: Connection, user_id: int, point_id: int, **changes: Any) -> bool:
    """Change some of kind, name_zh, name_en, address, open_hours; False when nothing differs."""
    unknown = set(changes) - set(POINT_FIELDS)
    if unknown:
        raise ValidationError("无效的字段。", "Unknown field.", detail=", ".join(sorted(unknown)))
    before = _active(conn, point_id)
    f = _point_fields(changes, partial=True)
    diff = {k: v for k, v in f.items() if before[k] != v}
    if not diff:
        return False
    sets = ", ".join(f"{k} = :{k}" for k in diff)
    conn.execute(
        text(f"UPDATE service_point SET {sets}, updated_at = now() WHERE id = :id"), {**diff, "id": point_id}
    )
    payload = {"before": {k: before[k] for k in diff}, "after": diff}
    record(conn, "point_edit", "service_point", point_id, user_id=user_id, payload=payload)
    return True


def retire_service_point(conn: Connection, user_id: int, point_id: int, reason: str | None = None) -> bool:
    """Take a service point off the map (kept in the database, ``retired_at`` set)."""
    why = _reason(reason)
    before = get_service_point(conn, point_id, lock=True)
    if before["retired_at"] is not None:
        return False
    conn.execute(
        text("UPDATE service_point SET retired_at = now(), updated_at = now() WHERE id = :id"),
        {"id": point_id},
    )
    record(conn, "point_retire", "service_point", point_id, user_id=user_id, reason=why)
    return True


# --- the moderation screen's reads (staff only) -----------------------------------------------------------------


@dataclass(frozen=True)
class PhotoFile:
    id: int
    path: str
    mime: str
    sha256: str


def photo_file(conn: Connection, photo_id: int) -> PhotoFile | None:
    """Any stored photo (for moderators' previews)."""
    row = conn.execute(
        text("SELECT id, path, mime, sha256 FROM photo WHERE id = :id"), {"id": photo_id}
    ).first()
    return PhotoFile(**row._mapping) if row else None


@dataclass(frozen=True)
class PostRow:
    id: int
    title: str
    body: str
    state: str
    photo_id: int | None
    lon: float
    lat: float
    created_at: datetime
    moderated_at: datetime | None


def posts_for_review(conn: Connection, state: str = "pending", limit: int = 60) -> list[PostRow]:
    """Posts in ``state`` (pending: oldest first, so none waits forever; others: latest moderated first)."""
    if state not in POST_STATES:
        state = "pending"
    order = "created_at, id" if state == "pending" else "moderated_at DESC NULLS LAST, id DESC"
    rows = conn.execute(
        text(
            "SELECT id, title, body, state, photo_id, ST_X(geom) AS lon, ST_Y(geom) AS lat, created_at, "
            f"moderated_at FROM beauty_post WHERE state = :s ORDER BY {order} LIMIT :n"
        ),
        {"s": state, "n": limit},
    ).all()
    return [PostRow(**r._mapping) for r in rows]


@dataclass(frozen=True)
class ReportPhotoRow:
    id: int
    case_id: int
    ticket: str
    category: str
    kind: str
    approved: bool
    created_at: datetime


def report_photos_for_review(
    conn: Connection, which: str = "pending", limit: int = 60
) -> list[ReportPhotoRow]:
    """Photos of public reports: ``pending`` (never moderated), ``approved`` or ``hidden``."""
    cond = {
        "approved": "p.approved",
        "hidden": "NOT p.approved AND EXISTS (SELECT 1 FROM moderation_log m WHERE m.target_kind = 'photo' "
        "AND m.target_id = p.id)",
    }.get(
        which,
        "NOT p.approved AND NOT EXISTS (SELECT 1 FROM moderation_log m WHERE m.target_kind = 'photo' "
        "AND m.target_id = p.id)",
    )
    rows = conn.execute(
        text(
            "SELECT p.id, p.case_id, c.ticket, k.name_zh AS category, p.kind, p.approved, p.created_at "
            'FROM photo p JOIN "case" c ON c.id = p.case_id JOIN category k ON k.code = c.category_code '
            f"WHERE c.public AND k.public AND {cond} ORDER BY p.created_at DESC, p.id DESC LIMIT :n"
        ),
        {"n": limit},
    ).all()
    return [ReportPhotoRow(**r._mapping) for r in rows]


@dataclass(frozen=True)
class LogRow:
    id: int
    at: datetime
    actor: str
    action: str
    target_kind: str
    target_id: int
    reason: str | None


def recent_log(conn: Connection, limit: int = 50) -> list[LogRow]:
    """The latest moderation changes; a citizen actor shows as 'citizen' (no personal data on this screen)."""
    rows = conn.execute(
        text(
            "SELECT m.id, m.at, coalesce(u.display_name, 'citizen') AS actor, m.action, m.target_kind, "
            "m.target_id, m.reason FROM moderation_log m LEFT JOIN staff_user u ON u.id = m.actor_user_id "
            "ORDER BY m.id DESC LIMIT :n"
        ),
        {"n": limit},
    ).all()
    return [LogRow(**r._mapping) for r in rows]
