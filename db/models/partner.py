"""Data-sharing partners (数据共享): the keys of the OGC API – Features endpoint's partner departments (交警, 公安,
住建 ...). A key grants the ``cases`` collection for some 小类 (``categories``) in some districts (``districts``),
at most ``per_minute`` requests a minute. Only the key's SHA-256 hash is kept (the key is shown once); a key is
revoked by setting ``active`` false and ``revoked_at`` (its audit rows keep pointing at it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Integer, String, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

#: Most requests a minute a partner key may be given.
MAX_PER_MINUTE = 10_000


class PartnerKey(Base):
    __tablename__ = "partner_key"
    __table_args__ = (
        CheckConstraint("char_length(name) BETWEEN 1 AND 80", name="name"),
        CheckConstraint(f"per_minute BETWEEN 1 AND {MAX_PER_MINUTE}", name="per_minute"),
        CheckConstraint("cardinality(categories) >= 1 AND cardinality(districts) >= 1", name="grants"),
        CheckConstraint("active = (revoked_at IS NULL)", name="revoked"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))  # the key's first characters, to tell keys apart
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    categories: Mapped[list[str]] = mapped_column(ARRAY(String(12)))  # 小类 codes
    districts: Mapped[list[str]] = mapped_column(ARRAY(String(6)))  # district codes
    per_minute: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
