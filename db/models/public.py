"""The public layer: convenience service points, 最美贵阳 posts and the citizens' points ledger."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

SERVICE_KINDS = ("toilet", "parking", "service_station", "water", "charging", "recycling", "rest")


class ServicePoint(Base):
    """便民服务点."""

    __tablename__ = "service_point"
    __table_args__ = (
        CheckConstraint("kind IN " + "(" + ", ".join(f"'{k}'" for k in SERVICE_KINDS) + ")", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(160))
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    open_hours: Mapped[str | None] = mapped_column(String(40), nullable=True)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BeautyPost(Base):
    """最美贵阳: a photo of a beautiful city scene at its place, shown once approved."""

    __tablename__ = "beauty_post"
    __table_args__ = (CheckConstraint("state IN ('pending', 'approved', 'hidden')", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photo.id"), nullable=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    state: Mapped[str] = mapped_column(String(12), default="pending", server_default="pending", index=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    moderated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    moderated_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)


class PointsEntry(Base):
    """积分 ledger, append-only, partitioned by month on ``created_at`` (migration 0037, :mod:`db.partitions`).
    One award per (person, reason, ref): its key is claimed in :class:`PointsClaim` first."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        CheckConstraint("reason IN ('report', 'verification', 'beauty', 'redeem', 'adjust')", name="reason"),
        {"postgresql_partition_by": "RANGE (created_at)"},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), nullable=True)
    reason: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(40))  # the act rewarded, e.g. "case:123"
    points: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), primary_key=True
    )


class PointsClaim(Base):
    """The key of every award ever made, unique over all time (the partitioned ledger can keep a key unique
    only within a month); append-only. An award claims its key here and writes the ledger only if it did."""

    __tablename__ = "points_claim"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(16), primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
