"""The analysis cycle's read model for 异常/趋势预警: reports per hour × area × 小类, topped up incrementally.

One row per UTC hour, 1 km square of the unit grid (``area_key = '1km:I:J'``, ``''`` for a case outside the
grid), district (``''`` for none) and 小类, with the number of reports created in that hour. The cycle adds the
cases its ``analysis_cursor`` row ``'hourly'`` has not seen (by snapshot, :mod:`ops.analysis.hourly`), so the
baselines never rescan the case table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class AnalysisHourly(Base):
    __tablename__ = "analysis_hourly"
    __table_args__ = (CheckConstraint("n > 0", name="n"),)

    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    area_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    category_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
