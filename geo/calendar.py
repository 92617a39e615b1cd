"""Working-time arithmetic for deadlines (处置时限), with Chinese public holidays and make-up workdays.

Rules
-----
* A **working day** is a date listed in ``workdays`` (make-up working days, 调休上班, often a Saturday or
  Sunday); otherwise not a working day if listed in ``holidays`` (放假); otherwise Monday to Friday.
* **Working time** is the union of the half-open daily periods ``[start, end)`` (default 09:00-12:00 and
  13:30-18:00, i.e. 7.5 h a day) on working days.
* All arithmetic happens on Asia/Shanghai wall-clock time (no daylight saving since 1991). Inputs must be
  timezone-aware (naive datetimes raise ``ValueError``); results are returned in Asia/Shanghai.

Units
-----
``natural_hours``
    Plain elapsed time.
``working_hours``
    Only time inside working periods counts. ``add`` returns the *earliest* instant at which the amount has
    elapsed, so a limit that runs out exactly at 12:00 ends at 12:00, not 13:30.
``working_days``
    ``add(start, n)``: if ``start`` is outside working time it first moves to the next working-period start;
    the deadline is then the same clock time on the n-th following working day (for a fractional ``n`` the
    fraction is added as that share of a working day's hours). ``elapsed`` counts working time divided by
    the length of a working day, so ``elapsed(start, add(start, n)) == n``.

Holiday data lives in ``db/seed/data/holidays_cn.yaml`` (format: :mod:`geo.holidays`).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from geo.crs import TZ
from geo.holidays import parse_holidays

__all__ = ["DEFAULT_PERIODS", "Unit", "WorkCalendar", "light"]

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 30), time(18, 0)))
_DAY = timedelta(days=1)

PeriodLike = tuple[time, time] | tuple[str, str] | str


class Unit(enum.StrEnum):
    """Unit of a time limit."""

    NATURAL_HOURS = "natural_hours"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"


def light(used_fraction: float) -> str:
    """Traffic light for the share of a time limit used.

    Parameters
    ----------
    used_fraction : float
        Elapsed / limit.

    Returns
    -------
    str
        ``"green"`` below 0.8, ``"yellow"`` from 0.8 to 1.0 inclusive, ``"red"`` above 1.0.

    Examples
    --------
    >>> light(0.5), light(0.8), light(1.0), light(1.01)
    ('green', 'yellow', 'yellow', 'red')
    """
    if math.isnan(used_fraction):
        raise ValueError("used_fraction is NaN")
    if used_fraction < 0.8:
        return "green"
    return "yellow" if used_fraction <= 1.0 else "red"


def _as_time(value: time | str) -> time:
    if isinstance(value, time):
        return value
    hh, mm = value.strip().split(":")
    return time(int(hh), int(mm))


def _parse_periods(periods: Sequence[PeriodLike]) -> tuple[tuple[time, time], ...]:
    pairs = [p.split("-") if isinstance(p, str) else p for p in periods]
    out = sorted((_as_time(a), _as_time(b)) for a, b in pairs)
    if not out:
        raise ValueError("at least one working period is needed")
    for k, (a, b) in enumerate(out):
        if not a < b:
            raise ValueError(f"working period {a}-{b} is empty or reversed")
        if k and out[k - 1][1] > a:
            raise ValueError("working periods overlap")
    return tuple(out)


def _local(dt: datetime) -> datetime:
    """Aware datetime -> naive Asia/Shanghai wall time."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt.isoformat()} refused: give a timezone")
    return dt.astimezone(TZ).replace(tzinfo=None)


def _aware(local: datetime) -> datetime:
    return local.replace(tzinfo=TZ)


class WorkCalendar:
    """Working days and working periods, with holiday and make-up-workday exceptions.

    Parameters
    ----------
    holidays : iterable of date
        Days off (放假), including those falling on weekdays.
    workdays : iterable of date
        Make-up working days (调休上班); they win over ``holidays`` and weekends.
    periods : sequence
        Daily working periods as ``(time, time)`` pairs, ``("09:00", "12:00")`` pairs or ``"09:00-12:00"``
        strings; sorted, non-overlapping.
    years : iterable of int, optional
        Years whose official schedule is loaded (informational; dates outside them follow Monday-Friday).
    """

    def __init__(
        self,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        periods: Sequence[PeriodLike] = DEFAULT_PERIODS,
        *,
        years: Iterable[int] = (),
    ) -> None:
        self.holidays: frozenset[date] = frozenset(holidays)
        self.workdays: frozenset[date] = frozenset(workdays)
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"dates both holiday and workday: {sorted(both)}")
        self.periods = _parse_periods(periods)
        self.years: frozenset[int] = frozenset(years)
        self.day_length = sum(
            (datetime.combine(date.min, b) - datetime.combine(date.min, a) for a, b in self.periods),
            timedelta(),
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, include_provisional: bool = True) -> WorkCalendar:
        """Build a calendar from the parsed holidays YAML (format: :mod:`geo.holidays`).

        Parameters
        ----------
        data : mapping
            ``{"years": {2025: {"holidays": [...], "workdays": [...], "provisional": bool}}, "periods": [...]}``;
            ``periods`` is optional.
        include_provisional : bool, default True
            Also load years marked ``provisional: true`` (no official notice yet).

        Returns
        -------
        WorkCalendar
        """
        s = parse_holidays(data, include_provisional=include_provisional)
        return cls(s.holidays, s.workdays, data.get("periods") or DEFAULT_PERIODS, years=s.years)

    @classmethod
    def from_yaml(cls, path: str | Path, *, include_provisional: bool = True) -> WorkCalendar:
        """Load a calendar from a holidays YAML file (see :meth:`from_mapping`)."""
        with open(path, encoding="utf-8") as fh:
            return cls.from_mapping(yaml.safe_load(fh), include_provisional=include_provisional)

    # --- predicates -----------------------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """Tell whether ``d`` is a working day (make-up workday > holiday > Monday-Friday)."""
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def is_working_time(self, dt: datetime) -> bool:
        """Tell whether the aware instant ``dt`` falls inside a working period of a working day."""
        t = _local(dt)
        return self.is_workday(t.date()) and any(a <= t.time() < b for a, b in self.periods)

    # --- local (naive Asia/Shanghai) arithmetic ---------------------------------------------------------------

    def _next_working(self, t: datetime) -> datetime:
        """``t`` if inside working time, else the next working-period start."""
        d = t.date()
        while True:
            if self.is_workday(d):
                for a, b in self.periods:
                    start, end = datetime.combine(d, a), datetime.combine(d, b)
                    if t < end:
                        return max(t, start)
            d += _DAY

    def _work_between(self, a: datetime, b: datetime) -> timedelta:
        total = timedelta()
        d = a.date()
        while d <= b.date():
            if self.is_workday(d):
                for pa, pb in self.periods:
                    lo, hi = max(a, datetime.combine(d, pa)), min(b, datetime.combine(d, pb))
                    if hi > lo:
                        total += hi - lo
            d += _DAY
        return total

    def _add_work(self, t: datetime, amount: timedelta) -> datetime:
        if amount <= timedelta():
            return t
        d = t.date()
        while True:
            if self.is_workday(d):
                for pa, pb in self.periods:
                    lo, hi = max(t, datetime.combine(d, pa)), datetime.combine(d, pb)
                    if hi <= lo:
                        continue
                    if amount <= hi - lo:
                        return lo + amount
                    amount -= hi - lo
            d += _DAY

    # --- public arithmetic ------------------------------------------------------------------------------------

    def add(self, start: datetime, amount: float, unit: Unit | str) -> datetime:
        """Return the deadline ``amount`` units after ``start``.

        Parameters
        ----------
        start : datetime
            Timezone-aware start.
        amount : float
            Non-negative amount of ``unit``.
        unit : Unit or str
            See the module docstring for the exact rule of each unit.

        Returns
        -------
        datetime
            Aware, in Asia/Shanghai.

        Examples
        --------
        >>> cal = WorkCalendar(set(), set())
        >>> fri = datetime(2025, 3, 7, 17, 0, tzinfo=TZ)
        >>> cal.add(fri, 2, Unit.WORKING_HOURS).isoformat()
        '2025-03-10T10:00:00+08:00'
        """
        unit = Unit(unit)
        if not (amount >= 0 and math.isfinite(amount)):
            raise ValueError(f"amount must be a finite non-negative number, got {amount!r}")
        if unit is Unit.NATURAL_HOURS:
            _local(start)
            return (start.astimezone(UTC) + timedelta(hours=amount)).astimezone(TZ)
        t = _local(start)
        if unit is Unit.WORKING_HOURS:
            return _aware(self._add_work(t, timedelta(hours=amount)))
        whole = math.floor(amount)
        t = self._next_working(t)
        d = t.date()
        for _ in range(whole):
            d += _DAY
            while not self.is_workday(d):
                d += _DAY
        t = datetime.combine(d, t.time())
        return _aware(self._add_work(t, (amount - whole) * self.day_length))

    def elapsed(
        self,
        start: datetime,
        end: datetime,
        unit: Unit | str,
        paused: Iterable[tuple[datetime, datetime]] = (),
    ) -> float:
        """Amount of ``unit`` between ``start`` and ``end``, suspensions (挂账) excluded.

        Parameters
        ----------
        start, end : datetime
            Timezone-aware bounds; ``end`` before ``start`` gives 0.0.
        unit : Unit or str
            Natural hours, working hours, or working days (working time / length of a working day).
        paused : iterable of (datetime, datetime)
            Aware intervals during which the clock stops; they may overlap each other and extend beyond
            ``[start, end]``.

        Returns
        -------
        float
        """
        unit = Unit(unit)
        a, b = _local(start), _local(end)
        spans: list[tuple[datetime, datetime]] = []
        for p0, p1 in paused:
            lo, hi = _local(p0), _local(p1)
            if hi < lo:
                raise ValueError(f"paused interval ends before it starts: {p0} .. {p1}")
            lo, hi = max(lo, a), min(hi, b)
            if hi > lo:
                spans.append((lo, hi))
        if b <= a:
            return 0.0
        spans.sort()
        merged: list[tuple[datetime, datetime]] = []
        for lo, hi in spans:
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
            else:
                merged.append((lo, hi))
        if unit is Unit.NATURAL_HOURS:
            total = (b - a) - sum((hi - lo for lo, hi in merged), timedelta())
            return total / timedelta(hours=1)
        total = self._work_between(a, b) - sum((self._work_between(lo, hi) for lo, hi in merged), timedelta())
        if unit is Unit.WORKING_HOURS:
            return total / timedelta(hours=1)
        return total / self.day_length
