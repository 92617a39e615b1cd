"""Service points on the public map (toilets, parking, water, charging …): a moderator adds one, moves
it, edits its kind, names, address or opening hours, or retires it (kept in the database with ``retired_at``
set). Every change is logged through :func:`ops.moderation.log.record` with what it was before; the caller
owns the transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError
from db.models.public import SERVICE_KINDS
from ops.moderation.base import checked_point, checked_reason, checked_text
from ops.moderation.log import record

POINT_FIELDS = ("kind", "name_zh", "name_en", "address", "open_hours")
_LIMITS = {"name_zh": 80, "name_en": 160, "address": 500, "open_hours": 40}


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
            out[field] = checked_text(values.get(field), field, limit, zh, en, required=field == "name_zh")
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
    x, y = checked_point(conn, lon, lat)
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
    x, y = checked_point(conn, lon, lat)
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
        text(
            f"UPDATE service_point SET {sets}, updated_at = now() WHERE id = :id"  # nosec B608 # columns: POINT_FIELDS
        ),
        {**diff, "id": point_id},
    )
    payload = {"before": {k: before[k] for k in diff}, "after": diff}
    record(conn, "point_edit", "service_point", point_id, user_id=user_id, payload=payload)
    return True


def retire_service_point(conn: Connection, user_id: int, point_id: int, reason: str | None = None) -> bool:
    """Take a service point off the map (kept in the database, ``retired_at`` set)."""
    why = checked_reason(reason)
    before = get_service_point(conn, point_id, lock=True)
    if before["retired_at"] is not None:
        return False
    conn.execute(
        text("UPDATE service_point SET retired_at = now(), updated_at = now() WHERE id = :id"),
        {"id": point_id},
    )
    record(conn, "point_retire", "service_point", point_id, user_id=user_id, reason=why)
    return True
