"""The input checks every moderation write shares: free text (trimmed, within a length limit, no NUL),
the optional reason a moderator gives, and a point that must lie inside Guiyang. Each raises ValidationError
(zh-CN and English) before anything is written."""

from __future__ import annotations

import math

from sqlalchemy import Connection, text

from db.errors import ValidationError

MAX_REASON = 500


def checked_text(value: object, field: str, limit: int, zh: str, en: str, *, required: bool) -> str | None:
    """``value`` stripped; None when empty and not ``required``."""
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


def checked_reason(reason: object) -> str | None:
    return checked_text(reason, "reason", MAX_REASON, "原因", "reason", required=False)


def checked_point(conn: Connection, lon: object, lat: object) -> tuple[float, float]:
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
