"""意见反馈: citizens' feedback about the service; staff read, answer and mark it handled in the /feedback inbox,
and the citizen reads the answer over Open311 (``GET feedback.json``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError

MAX_FEEDBACK = 2000
MAX_ANSWER = 2000
#: most rows of one inbox page
INBOX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """One feedback item for staff. ``name`` and ``phone`` are personal data: a screen shows them only to a role
    that may see citizens' contact data (:func:`ops.policy.sees_contact`), masked otherwise."""

    id: int
    text: str
    person_pseudonym: str | None
    created_at: datetime
    handled_at: datetime | None
    answer: str | None = None
    answered_at: datetime | None = None
    name: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class FeedbackCounts:
    unhandled: int
    handled: int
    answered: int

    @property
    def total(self) -> int:
        return self.unhandled + self.handled


@dataclass(frozen=True, slots=True)
class CitizenFeedback:
    """What the citizen sees of their own feedback: never who answered."""

    id: int
    text: str
    created_at: datetime
    status: str  # 'open' | 'handled'
    answer: str | None
    answered_at: datetime | None


def _clean(body: object, *, field: str, limit: int, empty: tuple[str, str], long: tuple[str, str]) -> str:
    cleaned = body.strip() if isinstance(body, str) else ""
    if not cleaned:
        raise ValidationError(*empty, field=field)
    if len(cleaned) > limit or "\x00" in cleaned:
        raise ValidationError(*long, field=field)
    return cleaned


def submit_feedback(
    conn: Connection, body: str, *, person_id: int | None = None, api_key_id: int | None = None
) -> int:
    cleaned = _clean(
        body,
        field="text",
        limit=MAX_FEEDBACK,
        empty=("请填写反馈内容。", "Please write your feedback."),
        long=(f"反馈内容最多 {MAX_FEEDBACK} 个字符。", f"Feedback may be at most {MAX_FEEDBACK} characters."),
    )
    return int(
        conn.execute(
            text("INSERT INTO feedback (person_id, api_key_id, text) VALUES (:p, :k, :t) RETURNING id"),
            {"p": person_id, "k": api_key_id, "t": cleaned},
        ).scalar_one()
    )


def list_feedback(
    conn: Connection, *, handled: bool | None = None, query: str | None = None, limit: int = INBOX_LIMIT
) -> list[FeedbackRow]:
    """For staff: unhandled first, then newest first; ``handled`` filters (None: all), ``query`` searches the
    text and the answer. Carries the reporter's contact for the screens to show or mask by role."""
    conds = []
    if handled is not None:
        conds.append("f.handled_at IS NOT NULL" if handled else "f.handled_at IS NULL")
    if query:
        conds.append("(strpos(f.text, :q) > 0 OR strpos(coalesce(f.answer, ''), :q) > 0)")
    where = f"WHERE {' AND '.join(conds)}" if conds else ""
    rows = conn.execute(
        text(
            "SELECT f.id, f.text, p.pseudonym, f.created_at, f.handled_at, f.answer, f.answered_at, p.name, "  # nosec B608 # SQL from constant fragments; values are bound parameters
            f"p.phone FROM feedback f LEFT JOIN person p ON p.id = f.person_id {where} "
            "ORDER BY (f.handled_at IS NULL) DESC, f.created_at DESC, f.id DESC LIMIT :n"
        ),
        {"n": limit, "q": query or ""},
    ).all()
    return [FeedbackRow(*r) for r in rows]


def feedback_counts(conn: Connection) -> FeedbackCounts:
    row = conn.execute(
        text(
            "SELECT count(*) FILTER (WHERE handled_at IS NULL), count(*) FILTER (WHERE handled_at IS NOT NULL), "
            "count(*) FILTER (WHERE answer IS NOT NULL) FROM feedback"
        )
    ).one()
    return FeedbackCounts(int(row[0]), int(row[1]), int(row[2]))


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


def answer_feedback(
    conn: Connection, feedback_id: int, user_id: int, body: str, *, handled: bool = False
) -> None:
    """Answer a feedback item (a later answer replaces an earlier one); ``handled`` also marks it handled, in
    the same statement. Validated before anything is written."""
    cleaned = _clean(
        body,
        field="answer",
        limit=MAX_ANSWER,
        empty=("请填写答复内容。", "Please write the answer."),
        long=(f"答复最多 {MAX_ANSWER} 个字符。", f"The answer may be at most {MAX_ANSWER} characters."),
    )
    row = conn.execute(
        text(
            "UPDATE feedback SET answer = :a, answered_at = now(), answered_by_user_id = :u, "
            "handled_at = CASE WHEN :h THEN coalesce(handled_at, now()) ELSE handled_at END, "
            "handled_by_user_id = CASE WHEN :h THEN coalesce(handled_by_user_id, :u) ELSE handled_by_user_id END "
            "WHERE id = :i RETURNING id"
        ),
        {"a": cleaned, "u": user_id, "i": feedback_id, "h": handled},
    ).first()
    if row is None:
        raise NotFound(f"没有编号为 {feedback_id} 的反馈。", f"No feedback {feedback_id}.", field="id")


def feedback_of_person(conn: Connection, person_id: int, *, limit: int = 100) -> list[CitizenFeedback]:
    """A citizen's own feedback, newest first, with the staff's answers."""
    rows = conn.execute(
        text(
            "SELECT id, text, created_at, CASE WHEN handled_at IS NULL THEN 'open' ELSE 'handled' END, answer, "
            "answered_at FROM feedback WHERE person_id = :p ORDER BY created_at DESC, id DESC LIMIT :n"
        ),
        {"p": person_id, "n": limit},
    ).all()
    return [CitizenFeedback(*r) for r in rows]
