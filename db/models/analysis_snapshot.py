"""Analyses too slow to compute while a user waits, computed by the analysis cycle and kept here (issue 13).

One row per analysis (``name``, e.g. ``correlations``): when it was computed and its result as JSON, replaced
at each refresh. The page reads the row when the user asks for exactly what it holds (its docstring in
:mod:`ops.analysis.correlation_snapshot` says what that is) and computes live otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class AnalysisSnapshot(Base):
    __tablename__ = "analysis_snapshot"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float] = mapped_column()
    result: Mapped[dict[str, Any]] = mapped_column(JSONB)
