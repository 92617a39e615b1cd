"""Report photos on the public map: a moderator shows or keeps off a public report's photo, the photos waiting
for (or past) that decision, and any stored photo's file for the moderators' previews. Staff only: never call
:func:`photo_file` or :func:`report_photos_for_review` from a public page. Every change is logged through
:func:`ops.moderation.log.record`; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from db.errors import NotFound
from ops.moderation.base import checked_reason
from ops.moderation.log import record


def set_photo_public(
    conn: Connection, user_id: int, photo_id: int, approved: bool, reason: str | None = None
) -> bool:
    """Show (``approved``) or keep off the public map a report's photo. Returns False when nothing changed."""
    why = checked_reason(reason)
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
class ReportPhotoRow:
    id: int
    case_id: int
    ticket: str
    category: str
    category_en: str
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
            "SELECT p.id, p.case_id, c.ticket, k.name_zh AS category, k.name_en AS category_en, p.kind, p.approved, p.created_at "  # nosec B608 # SQL from constant fragments; values are bound parameters
            'FROM photo p JOIN "case" c ON c.id = p.case_id JOIN category k ON k.code = c.category_code '
            f"WHERE c.public AND k.public AND {cond} ORDER BY p.created_at DESC, p.id DESC LIMIT :n"
        ),
        {"n": limit},
    ).all()
    return [ReportPhotoRow(**r._mapping) for r in rows]
