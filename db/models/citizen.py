"""The citizens' API side: API keys, idempotent retries, what came with an API report, verification tasks
(我来核实), feedback (意见反馈) and the points rules (积分规则) kept as data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, sql_in

TASK_STATES = ("open", "answered", "closed")
TASK_RESULTS = ("pass", "fail")
RULE_REASONS = ("report", "verification", "beauty")
COORDINATE_SYSTEMS = ("wgs84", "gcj02")


class ApiKey(Base):
    """A client of the Open311 API. Only the SHA-256 of the key is kept; the key is shown once at creation."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))  # the key's first characters, to recognise it in a list
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class IdempotencyKey(Base):
    """A POST's ``Idempotency-Key`` header per API key, with the answer to replay on a retry."""

    __tablename__ = "idempotency_key"
    __table_args__ = (
        UniqueConstraint("api_key_id", "client_key"),
        Index("ix_idempotency_key_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id"))
    client_key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), nullable=True)
    response: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseIntake(Base):
    """What an API report brought besides the case itself: the client, the answers to the 小类's questions
    (Open311 attributes), media links, the device and the coordinate system the point came in."""

    __tablename__ = "case_intake"
    __table_args__ = (
        CheckConstraint(f"coordinate_system IN {sql_in(COORDINATE_SYSTEMS)}", name="coordinate_system"),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"), nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    media_urls: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    coordinate_system: Mapped[str] = mapped_column(String(8), default="wgs84", server_default="wgs84")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class VerificationTask(Base):
    """我来核实: one verification round of a handled case (``round_event_id`` = its 'handle' event) offered to
    one registered citizen nearby, or to the supervisors (``person_id`` NULL). The first valid answer drives
    ``workflow.verify``; the other tasks of the round are then closed."""

    __tablename__ = "verification_task"
    __table_args__ = (
        CheckConstraint(f"state IN {sql_in(TASK_STATES)}", name="state"),
        CheckConstraint(f"result IS NULL OR result IN {sql_in(TASK_RESULTS)}", name="result"),
        CheckConstraint("(state = 'answered') = (answered_at IS NOT NULL)", name="answered"),
        UniqueConstraint("round_event_id", "person_id", postgresql_nulls_not_distinct=True),
        Index("ix_verification_task_person_id_state", "person_id", "state"),
        Index("ix_verification_task_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    #: the round's 'handle' event (no foreign key: case_event stays truncate-proof by its own trigger alone)
    round_event_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    state: Mapped[str] = mapped_column(String(12), default="open", server_default="open")
    result: Mapped[str | None] = mapped_column(String(8), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    photo_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), default=list, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Feedback(Base):
    """意见反馈 about the service; staff read, answer and mark it handled in the /feedback inbox."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("char_length(text) BETWEEN 1 AND 2000", name="text_length"),
        CheckConstraint("answer IS NULL OR char_length(answer) BETWEEN 1 AND 2000", name="answer_length"),
        Index("ix_feedback_created_at", "created_at"),
        Index("ix_feedback_handled_at", "handled_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    handled_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    #: the staff's answer, which the citizen reads over Open311 (``GET feedback.json``)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)


class PointsRule(Base):
    """积分规则 as data: points per reason and 小类; ``category_code`` NULL is the reason's default.

    For 'report' without any rule the 小类's catalog points (``category.points``) apply."""

    __tablename__ = "points_rule"
    __table_args__ = (
        CheckConstraint(f"reason IN {sql_in(RULE_REASONS)}", name="reason"),
        CheckConstraint("points >= 0", name="points"),
        UniqueConstraint("reason", "category_code", postgresql_nulls_not_distinct=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(16))
    category_code: Mapped[str | None] = mapped_column(
        ForeignKey("category.code", ondelete="CASCADE"), nullable=True
    )
    points: Mapped[int] = mapped_column(Integer)
