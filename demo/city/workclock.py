"""Vectorised twin of :class:`geo.calendar.WorkCalendar` for the bulk generator.

Instants are ``int64`` microseconds since 2000-01-01 00:00 UTC (PostgreSQL's binary ``timestamptz``), so the
results go straight into a binary COPY. Working time is indexed once over a range of days: the working periods
as sorted arrays of local (Asia/Shanghai, fixed +08:00) start and end instants with the cumulative working time
before each, so ``add`` and ``elapsed`` are a few ``searchsorted`` calls per array.

The results are *identical* to ``WorkCalendar.add`` / ``WorkCalendar.elapsed`` for the same inputs: amounts are
turned into microseconds by Python's own ``timedelta`` arithmetic (on the distinct values), the rest is integer
arithmetic, and ratios are IEEE divisions of exactly representable integers, as in ``timedelta / timedelta``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt

from geo.calendar import Unit, WorkCalendar
from geo.crs import TZ

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]

PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_EPOCH_DAY = date(2000, 1, 1)
US = 1_000_000
HOUR = 3600 * US
DAY = 24 * HOUR
#: Asia/Shanghai has kept +08:00 without daylight saving since 1991.
LOCAL_OFFSET = 8 * HOUR
_ONE_US = timedelta(microseconds=1)


def to_pg(dt: datetime) -> int:
    """An aware datetime as microseconds since 2000-01-01 UTC."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return (dt - PG_EPOCH) // _ONE_US


def from_pg(us: int) -> datetime:
    """Microseconds since 2000-01-01 UTC as an aware datetime in Asia/Shanghai."""
    return (PG_EPOCH + timedelta(microseconds=int(us))).astimezone(TZ)


def _day_number(d: date) -> int:
    return (d - _EPOCH_DAY).days


def _tod(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * US + t.microsecond


def _map_unique(values: F8, convert: Callable[[float], int]) -> I8:
    """Apply a Python conversion to each distinct value (few for limits, many for elapsed-based amounts)."""
    if values.ndim == 0 or (
        values.size and values.strides and not any(values.strides)
    ):  # a scalar, broadcast
        return np.full(values.shape, convert(float(values.flat[0]) if values.size else 0.0), dtype=np.int64)
    uniq, inverse = np.unique(values, return_inverse=True)
    conv = np.fromiter((convert(float(v)) for v in uniq), dtype=np.int64, count=len(uniq))
    return conv[inverse.reshape(values.shape)]


class VecCalendar:
    """Working-time arithmetic on arrays, exact twin of ``cal`` between ``first`` and ``last`` (local dates).

    Every working day holds the same working periods, so working time is counted as ``rank × day_length``
    (working days before the day) plus the part of the day's periods already past: a few gathers per array,
    no search."""

    def __init__(self, cal: WorkCalendar, first: date, last: date) -> None:
        self.cal = cal
        self.first = _day_number(first)
        self.last = _day_number(last)
        ndays = self.last - self.first + 1
        is_work = np.fromiter(
            (cal.is_workday(first + timedelta(days=k)) for k in range(ndays)), dtype=bool, count=ndays
        )
        self.is_work = is_work
        self.rank_before = np.concatenate(([0], np.cumsum(is_work)[:-1])).astype(np.int64)
        self.workdays = np.flatnonzero(is_work).astype(np.int64) + self.first
        # the first working day strictly after each day (-1 past the last one)
        nxt = np.full(ndays, -1, dtype=np.int64)
        idx = np.searchsorted(self.workdays - self.first, np.arange(ndays), side="right")
        ok = idx < len(self.workdays)
        nxt[ok] = self.workdays[idx[ok]]
        self.next_workday = nxt
        self.p_start = np.asarray([_tod(a) for a, _ in cal.periods], dtype=np.int64)
        self.p_end = np.asarray([_tod(b) for _, b in cal.periods], dtype=np.int64)
        lengths = self.p_end - self.p_start
        self.p_cum = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        self.p_cum_end = self.p_cum + lengths
        self.day_length = int(cal.day_length // _ONE_US)
        self.min_pg = self.first * DAY - LOCAL_OFFSET
        self.max_pg = (self.last - 60) * DAY - LOCAL_OFFSET  # leave room for working-day jumps

    # --- conversions of amounts, exactly as timedelta does them ----------------------------------------------

    @staticmethod
    def hours_us(amount: F8) -> I8:
        """``timedelta(hours=amount)`` in microseconds, element-wise."""
        return _map_unique(np.asarray(amount, dtype=np.float64), lambda v: timedelta(hours=v) // _ONE_US)

    def dayfrac_us(self, frac: F8) -> I8:
        """``frac * day_length`` (a ``timedelta * float``) in microseconds, element-wise."""
        day = self.cal.day_length
        return _map_unique(np.asarray(frac, dtype=np.float64), lambda v: (day * v) // _ONE_US)

    # --- local working-time index ----------------------------------------------------------------------------

    def _check(self, t_pg: I8) -> None:
        if t_pg.size and (t_pg.min() < self.min_pg or t_pg.max() > self.max_pg):
            raise ValueError("instant outside the calendar's indexed range")

    def _split(self, local: I8) -> tuple[I8, I8]:
        day = local // DAY
        return day - self.first, local - day * DAY

    def _in_day(self, tod: I8) -> I8:
        """Working microseconds of a working day before the time of day ``tod``."""
        done = np.zeros(tod.shape, dtype=np.int64)
        for a, b in zip(self.p_start.tolist(), self.p_end.tolist(), strict=True):
            done += np.clip(tod - a, 0, b - a)
        return done

    def next_working_local(self, local: I8) -> I8:
        """``local`` if inside working time, else the start of the next working period."""
        k, tod = self._split(local)
        later = tod < self.p_end[-1]
        p = np.searchsorted(self.p_end, np.where(later, tod, 0), side="right")
        same_day = self.is_work[k] & later
        this = local - tod + np.maximum(tod, self.p_start[np.minimum(p, len(self.p_start) - 1)])
        nxt = self.next_workday[k]
        if np.any(~same_day & (nxt < 0)):
            raise ValueError("instant after the calendar's indexed range")
        return np.where(same_day, this, nxt * DAY + self.p_start[0])

    def work_at_local(self, local: I8) -> I8:
        """Working microseconds from the start of the index up to ``local``."""
        k, tod = self._split(local)
        return self.rank_before[k] * self.day_length + np.where(self.is_work[k], self._in_day(tod), 0)

    def add_work_local(self, local: I8, amount: I8) -> I8:
        """The earliest instant at which ``amount`` working microseconds have elapsed after ``local``."""
        target = self.work_at_local(local) + amount
        r = (np.maximum(target, 1) - 1) // self.day_length
        if r.size and r.max() >= len(self.workdays):
            raise ValueError("deadline after the calendar's indexed range")
        rem = target - r * self.day_length
        p = np.searchsorted(self.p_cum_end, rem, side="left")
        p = np.minimum(p, len(self.p_start) - 1)
        at = self.workdays[r] * DAY + self.p_start[p] + (rem - self.p_cum[p])
        return np.where(amount > 0, at, local)

    # --- the public arithmetic -------------------------------------------------------------------------------

    def add(self, start: I8, amount: F8 | float, unit: Unit | str) -> I8:
        """``WorkCalendar.add`` on arrays (``amount`` broadcast against ``start``)."""
        start = np.asarray(start, dtype=np.int64)
        amt = np.broadcast_to(np.asarray(amount, dtype=np.float64), start.shape)
        if amt.size and not (np.all(np.isfinite(amt)) and amt.min() >= 0):
            raise ValueError("amounts must be finite and non-negative")
        unit = Unit(unit)
        if unit is Unit.NATURAL_HOURS:
            return start + self.hours_us(amt)
        self._check(start)
        local = start + LOCAL_OFFSET
        if unit is Unit.WORKING_HOURS:
            return self.add_work_local(local, self.hours_us(amt)) - LOCAL_OFFSET
        whole = np.floor(amt)
        frac_us = self.dayfrac_us(amt - whole)
        t1 = self.next_working_local(local)
        day = t1 // DAY
        rank = self.rank_before[day - self.first] + whole.astype(np.int64)
        if rank.size and rank.max() >= len(self.workdays):
            raise ValueError("deadline after the calendar's indexed range")
        t2 = self.workdays[rank] * DAY + (t1 - day * DAY)
        return self.add_work_local(t2, frac_us) - LOCAL_OFFSET

    def add_us(self, start: I8, amount_us: I8, unit: Unit | str) -> I8:
        """Add a duration given in microseconds of ``unit``'s kind of time (natural, or working time for both
        working units): a generator's helper for event times, not a deadline rule."""
        start = np.asarray(start, dtype=np.int64)
        amount_us = np.broadcast_to(np.asarray(amount_us, dtype=np.int64), start.shape)
        if Unit(unit) is Unit.NATURAL_HOURS:
            return start + amount_us
        self._check(start)
        return self.add_work_local(start + LOCAL_OFFSET, amount_us) - LOCAL_OFFSET

    def elapsed(self, start: I8, end: I8, unit: Unit | str) -> F8:
        """``WorkCalendar.elapsed`` (without pauses) on arrays."""
        a = np.asarray(start, dtype=np.int64)
        b = np.asarray(end, dtype=np.int64)
        unit = Unit(unit)
        if unit is Unit.NATURAL_HOURS:
            span = (b - a).astype(np.float64) / float(HOUR)
        else:
            self._check(a)
            self._check(b)
            work = self.work_at_local(b + LOCAL_OFFSET) - self.work_at_local(a + LOCAL_OFFSET)
            span = work.astype(np.float64) / float(HOUR if unit is Unit.WORKING_HOURS else self.day_length)
        return np.where(b <= a, 0.0, span)

    def work_us(self, start: I8, end: I8, unit: Unit | str) -> I8:
        """Microseconds of ``unit``'s kind of time between two instants (0 when reversed)."""
        a = np.asarray(start, dtype=np.int64)
        b = np.asarray(end, dtype=np.int64)
        if Unit(unit) is Unit.NATURAL_HOURS:
            return np.maximum(b - a, 0)
        w = self.work_at_local(b + LOCAL_OFFSET) - self.work_at_local(a + LOCAL_OFFSET)
        return np.maximum(w, 0)


def calendar_range(start_pg: int, end_pg: int) -> tuple[date, date]:
    """Local dates to index for instants between ``start_pg`` and ``end_pg`` (with margins for deadlines)."""
    first = from_pg(start_pg).date() - timedelta(days=7)
    last = from_pg(end_pg).date() + timedelta(days=math.ceil(400))
    return first, last
