"""``stats_daily``: the daily rollup of ``/stats`` (migration 0031), kept current by statement triggers on
``"case"`` and ``case_event`` and rebuilt from raw rows by :func:`db.rollups.rebuild`.

One row per report day (Asia/Shanghai) × department × district ('' for none) holding each cohort case's
now-independent contribution: what is read from it and what stays raw is explained in :mod:`db.rollups`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, text
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

COUNT_COLUMNS = (
    "cases",
    "closed",
    "due_close_settled",
    "closed_on_time",
    "due_handle_settled",
    "handled_on_time",
    "handled_ever",
    "reworked",
    "dispatches",
    "returns",
)
#: cumulative duration counts (migration 0036, bins of ``gy_duration_edges()``): ``hb07`` counts the handling
#: durations in bins 0-7, which is also where bin 8 starts in the sorted ``handle_s``; ``cb..`` for closing
BINS = 25
HANDLE_BINS = tuple(f"hb{k:02d}" for k in range(BINS))
CLOSE_BINS = tuple(f"cb{k:02d}" for k in range(BINS))


def _count() -> Mapped[int]:
    return mapped_column(Integer, nullable=False, server_default=text("0"))


def _durations() -> Mapped[list[float]]:
    return mapped_column(ARRAY(DOUBLE_PRECISION), nullable=False, server_default=text("'{}'"))


class StatsDaily(Base):
    __tablename__ = "stats_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    department_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    cases: Mapped[int] = _count()
    closed: Mapped[int] = _count()
    due_close_settled: Mapped[int] = _count()
    closed_on_time: Mapped[int] = _count()
    due_handle_settled: Mapped[int] = _count()
    handled_on_time: Mapped[int] = _count()
    handled_ever: Mapped[int] = _count()
    reworked: Mapped[int] = _count()
    dispatches: Mapped[int] = _count()
    returns: Mapped[int] = _count()
    handle_s: Mapped[list[float]] = _durations()  # sorted
    close_s: Mapped[list[float]] = _durations()  # sorted
    for _name in (*HANDLE_BINS, *CLOSE_BINS):  # the 50 cumulative bin counts, one column each
        locals()[_name] = _count()
    del _name
