"""The moderation log: every change to the public layer (最美贵阳 posts, public photos, service points), who made
it and when. Append-only: the database refuses UPDATE, DELETE and TRUNCATE (migration 0002)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, sql_in

MODERATION_ACTIONS = (
    "submit",  # a citizen submitted a 最美贵阳 post (waits for approval)
    "approve",  # a post (and its photo) made public
    "hide",  # a post (and its photo) taken off the public map
    "photo_approve",  # a report photo shown on the public map
    "photo_hide",  # a report photo kept off the public map
    "point_add",
    "point_move",
    "point_edit",
    "point_retire",
)
MODERATION_TARGETS = ("beauty_post", "photo", "service_point")


class ModerationEntry(Base):
    """One change to the public layer; ``payload`` holds what changed (before / after)."""

    __tablename__ = "moderation_log"
    __table_args__ = (
        CheckConstraint(f"action IN {sql_in(MODERATION_ACTIONS)}", name="action"),
        CheckConstraint(f"target_kind IN {sql_in(MODERATION_TARGETS)}", name="target_kind"),
        CheckConstraint("actor_user_id IS NOT NULL OR actor_person_id IS NOT NULL", name="has_actor"),
        Index("ix_moderation_log_target_kind_target_id", "target_kind", "target_id"),
        Index("ix_moderation_log_at", "at"),
        Index("ix_moderation_log_actor_user_id_at", "actor_user_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(16))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
