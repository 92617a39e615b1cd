"""Rate limits shared by every worker process of the app (``GUIYANG_WORKERS``): one row per limit and client (or
partner key) holding its GCRA "theoretical arrival time" (``tat``), updated by one atomic upsert per request
(:mod:`db.rate_limit`). UNLOGGED: no WAL, emptied by a crash (a limit starting afresh after a crash is fine)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class RateBucket(Base):
    __tablename__ = "rate_bucket"
    __table_args__ = (Index("ix_rate_bucket_tat", "tat"), {"prefixes": ["UNLOGGED"]})

    limit_name: Mapped[str] = mapped_column(String(32), primary_key=True)  # "track", "partner", ...
    client: Mapped[str] = mapped_column(String(80), primary_key=True)  # client_key() or a partner key id
    tat: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # full again (a new bucket) from then
