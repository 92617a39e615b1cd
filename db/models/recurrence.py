"""复发 (issue 13, capability 6): a new report linked to the earlier, closed case of the same 小类 near the same
point that it repeats. One row per recurring case (``case_id`` unique), written by
:func:`ops.analysis.recurrence.recurrence_step`; never changed afterwards (the app role may only add rows).

``place_case_id`` names the place: the first case of the chain (a case that recurs a case that itself recurred
belongs to the same place), and ``number`` is the recurrence's rank at that place (1 for the first recurrence).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, func
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class CaseRecurrence(Base):
    __tablename__ = "case_recurrence"
    __table_args__ = (
        CheckConstraint("earlier_case_id <> case_id", name="not_itself"),
        CheckConstraint("distance_m >= 0 AND days_after_close >= 0", name="measures"),
        CheckConstraint("number >= 1", name="number"),
        Index("ix_case_recurrence_earlier_case_id", "earlier_case_id"),
        Index("ix_case_recurrence_place_case_id", "place_case_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    earlier_case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    distance_m: Mapped[float] = mapped_column(Float)
    days_after_close: Mapped[float] = mapped_column(Float)
    place_case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
