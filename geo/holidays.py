"""Parse the holidays YAML (``db/seed/data/holidays_cn.yaml``) into plain sets of dates.

Format::

    source: "国务院办公厅关于…节假日安排的通知 ..."
    periods: ["09:00-12:00", "13:30-18:00"]          # optional daily working periods
    years:
      2026:
        provisional: false                           # true: no State Council notice yet
        holidays:                                    # days off (放假)
          - {from: 2026-02-15, to: 2026-02-23, name_zh: 春节, name_en: Spring Festival}   # inclusive range
        workdays:                                    # make-up working days (调休上班)
          - {date: 2026-02-14, name_zh: 春节调休上班, name_en: Spring Festival make-up workday}

An entry is ``{date: ...}``, an inclusive ``{from: ..., to: ...}`` range, or a bare date; other keys are
ignored. Dates may be YAML dates or ISO strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

__all__ = ["HolidaySchedule", "parse_holidays"]


@dataclass(frozen=True)
class HolidaySchedule:
    """Days off, make-up workdays and the years they cover."""

    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]
    provisional_years: frozenset[int]


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _entry_dates(entry: Any) -> list[date]:
    if not isinstance(entry, Mapping):
        return [_as_date(entry)]
    if "date" in entry:
        return [_as_date(entry["date"])]
    first, last = _as_date(entry["from"]), _as_date(entry["to"])
    if last < first:
        raise ValueError(f"holiday range ends before it starts: {first} .. {last}")
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def parse_holidays(data: Mapping[str, Any], *, include_provisional: bool = True) -> HolidaySchedule:
    """Collect the holidays and make-up workdays of a parsed holidays YAML document.

    Parameters
    ----------
    data : mapping
        The parsed YAML (see the module docstring).
    include_provisional : bool, default True
        Also take years marked ``provisional: true``.

    Returns
    -------
    HolidaySchedule

    Raises
    ------
    ValueError
        On a reversed range or a date that is both a holiday and a workday.

    Examples
    --------
    >>> s = parse_holidays({"years": {2025: {"holidays": [{"from": "2025-05-01", "to": "2025-05-05"}],
    ...                                       "workdays": ["2025-04-27"]}}})
    >>> len(s.holidays), sorted(s.workdays), sorted(s.years)
    (5, [datetime.date(2025, 4, 27)], [2025])
    """
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    provisional: set[int] = set()
    for year, spec in (data.get("years") or {}).items():
        spec = spec or {}
        if spec.get("provisional"):
            if not include_provisional:
                continue
            provisional.add(int(year))
        years.add(int(year))
        for entry in spec.get("holidays") or ():
            holidays.update(_entry_dates(entry))
        for entry in spec.get("workdays") or ():
            workdays.update(_entry_dates(entry))
    both = holidays & workdays
    if both:
        raise ValueError(f"dates both holiday and workday: {sorted(both)}")
    return HolidaySchedule(frozenset(holidays), frozenset(workdays), frozenset(years), frozenset(provisional))
