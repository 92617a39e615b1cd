"""最美贵阳 posts: a citizen's submission (``pending``), a moderator's approval or hiding (the post's
photo follows), and the review queue of the moderation screen (staff only: never call :func:`posts_for_review`
from a public page). Every change is logged through :func:`ops.moderation.log.record`; the caller owns the
transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError
from ops.moderation.base import checked_point, checked_reason, checked_text
from ops.moderation.log import record

MAX_TITLE = 80
MAX_BODY = 2000
POST_STATES = ("pending", "approved", "hidden")


def submit_beauty_post(
    conn: Connection, person_id: int, title: str, body: str, lon: float, lat: float, photo_id: int
) -> int:
    """A citizen's 最美贵阳 post, waiting for approval (state ``pending``); returns its id.

    ``photo_id`` must be a ``beauty`` photo this person uploaded (``db.media.store_photo(..., kind="beauty",
    person_id=...)``), not yet used by another post nor attached to a case. Raises ValidationError / NotFound
    before writing anything."""
    t = checked_text(title, "title", MAX_TITLE, "标题", "title", required=True)
    b = checked_text(body, "body", MAX_BODY, "说明", "text", required=False) or ""
    x, y = checked_point(conn, lon, lat)
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
    why = checked_reason(reason)
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
            "SELECT id, title, body, state, photo_id, ST_X(geom) AS lon, ST_Y(geom) AS lat, created_at, "  # nosec B608 # SQL from constant fragments; values are bound parameters
            f"moderated_at FROM beauty_post WHERE state = :s ORDER BY {order} LIMIT :n"
        ),
        {"s": state, "n": limit},
    ).all()
    return [PostRow(**r._mapping) for r in rows]
