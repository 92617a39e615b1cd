"""The period a statistic covers: whole days in Asia/Shanghai, ``start``..``end`` inclusive.

``[start 00:00, end + 1 day 00:00)``; default the last 30 days with today; quick picks this month, last month, the
last 90 days; at most 400 days. The stats queries take it as input; the pages parse it from the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from db.errors import ValidationError
from geo.crs import TZ

DEFAULT_DAYS = 30
MAX_DAYS = 400


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_at(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=TZ)

    @property
    def end_at(self) -> datetime:
        return self.start_at + timedelta(days=self.days)


def default_period(today: date) -> Period:
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def quick_period(name: str, today: date) -> Period:
    """``this_month``, ``last_month``, ``d30`` or ``d90`` (the last 30 / 90 days, today included)."""
    first = today.replace(day=1)
    if name == "this_month":
        return Period(first, today)
    if name == "last_month":
        last = first - timedelta(days=1)
        return Period(last.replace(day=1), last)
    if name == "d90":
        return Period(today - timedelta(days=89), today)
    return default_period(today)


def parse_period(start: str | None, end: str | None, today: date) -> Period:
    """Dates as ``YYYY-MM-DD`` (missing → the default period); refuses reversed or over-long periods."""
    if not start and not end:
        return default_period(today)
    try:
        s = date.fromisoformat(str(start)[:10]) if start else None
        e = date.fromisoformat(str(end)[:10]) if end else None
    except ValueError as exc:
        raise ValidationError("日期格式应为 YYYY-MM-DD。", "Dates are YYYY-MM-DD.", field="period") from exc
    s = s or (e - timedelta(days=DEFAULT_DAYS - 1) if e else today)
    e = e or today
    if e < s:
        raise ValidationError(
            "结束日期早于开始日期。", "The end date is before the start date.", field="period"
        )
    if (e - s).days + 1 > MAX_DAYS:
        raise ValidationError(
            f"统计时段最长 {MAX_DAYS} 天。", f"A period may span at most {MAX_DAYS} days.", field="period"
        )
    return Period(s, e)
