"""意见反馈: citizens' feedback about the service, read and marked handled by staff in the operator app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError

MAX_FEEDBACK = 2000


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    id: int
    text: str
    person_pseudonym: str | None
    created_at: datetime
    handled_at: datetime | None


def submit_feedback(
    conn: Connection, body: str, *, person_id: int | None = None, api_key_id: int | None = None
) -> int:
    cleaned = body.strip() if isinstance(body, str) else ""
    if not cleaned:
        raise ValidationError("请填写反馈内容。", "Please write your feedback.", field="text")
    if len(cleaned) > MAX_FEEDBACK or "\x00" in cleaned:
        raise ValidationError(
            f"反馈内容最多 {MAX_FEEDBACK} 个字符。",
            f"Feedback may be at most {MAX_FEEDBACK} characters.",
            field="text",
        )
    return int(
        conn.execute(
            text("INSERT INTO feedback (person_id, api_key_id, text) VALUES (:p, :k, :t) RETURNING id"),
            {"p": person_id, "k": api_key_id, "t": cleaned},
        ).scalar_one()
    )


def list_feedback(conn: Connection, *, handled: bool | None = None, limit: int = 200) -> list[FeedbackRow]:
    """For staff: newest first; ``handled`` filters (None: all). Shows the pseudonym, never personal data."""
    cond = (
        ""
        if handled is None
        else ("WHERE f.handled_at IS NOT NULL" if handled else "WHERE f.handled_at IS NULL")
    )
    rows = conn.execute(
        text(
            f"SELECT f.id, f.text, p.pseudonym, f.created_at, f.handled_at FROM feedback f "  # nosec B608 # SQL from constant fragments; values are bound parameters
            f"LEFT JOIN person p ON p.id = f.person_id {cond} ORDER BY f.created_at DESC, f.id DESC LIMIT :n"
        ),
        {"n": limit},
    ).all()
    return [FeedbackRow(*r) for r in rows]


def mark_handled(conn: Connection, feedback_id: int, user_id: int) -> None:
    row = conn.execute(
        text(
            "UPDATE feedback SET handled_at = coalesce(handled_at, now()), handled_by_user_id = "
            "coalesce(handled_by_user_id, :u) WHERE id = :i RETURNING id"
        ),
        {"u": user_id, "i": feedback_id},
    ).first()
    if row is None:
        raise NotFound(f"没有编号为 {feedback_id} 的反馈。", f"No feedback {feedback_id}.", field="id")
