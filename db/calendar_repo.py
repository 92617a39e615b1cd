"""The working-time calendar (:class:`geo.calendar.WorkCalendar`) built from the ``holiday`` table.

A :class:`WorkCalendars` is the *calendar source* of one engine: its working periods (from the settings,
``GUIYANG_WORKING_PERIODS``, e.g. ``"09:00-12:00,13:30-18:00"``) and its cache of built calendars, one per (holiday
data, working periods). :func:`db.engine.make_engine` attaches one to every engine it makes (execution option
``calendars``), so :func:`load_calendar` finds it from any connection: there is no process-wide setting, and two
apps in one process (two engines) each have their own periods and cache.

The holiday data is identified by a cheap *stamp* computed in the database: row count, last day and an md5
of every (day, kind), so editing a row in place is noticed too. :data:`STAMP_SQL` is a scalar subquery that
callers may embed in a query they run anyway (the workflow commands do, so a cached calendar costs no extra
round trip); :func:`load_calendar` runs it itself when no stamp is given.

Edited days (/admin/reference) keep their history (``holiday_rule``, :mod:`db.reference_rules`): the calendar
*as of* a date (``as_of``: a case's report date, so a case keeps the calendar it was judged by) takes the
history's version of each edited day in force on that date; its stamp is :func:`stamp_at_sql`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from sqlalchemy import Connection, text

from db.cache import Cache
from db.reference_rules import HOLIDAYS_AT, holiday_stamp_sql
from geo.calendar import DEFAULT_PERIODS, WorkCalendar

__all__ = [
    "OPTION",
    "STAMP_SQL",
    "stamp_at_sql",
    "WorkCalendars",
    "calendars_of",
    "holiday_stamp",
    "load_calendar",
]

PeriodLike = tuple[time, time] | tuple[str, str] | str
Periods = str | Sequence[PeriodLike]

#: Scalar subquery identifying the content of the ``holiday`` table.
STAMP_SQL = (
    "(SELECT count(*)::text || ':' || coalesce(max(day)::text, '-') || ':' || "
    "coalesce(md5(string_agg(day::text || kind, ',' ORDER BY day)), '-') FROM holiday)"
)
_STAMP = text(f"SELECT {STAMP_SQL}")


def stamp_at_sql(date_expr: str) -> str:
    """SQL scalar: the stamp of the calendar as of the date ``date_expr`` (code, never input)."""
    return f"({STAMP_SQL} || '|' || {holiday_stamp_sql(date_expr)})"


_STAMP_AT = text(f"SELECT {stamp_at_sql('CAST(:d AS date)')}")
_ROWS = text("SELECT day, kind FROM holiday")
#: Calendars kept per engine (holiday data x working periods).
MAX_ENTRIES = 16
#: The execution option under which an engine carries its :class:`WorkCalendars`.
OPTION = "calendars"


def _normalize(periods: Periods) -> tuple[PeriodLike, ...]:
    if isinstance(periods, str):
        parts = tuple(p.strip() for p in periods.split(",") if p.strip())
        if not parts:
            raise ValueError("no working period given")
        return parts
    return tuple(periods)


class WorkCalendars:
    """The calendar source of one engine: default working periods (validated at once: a bad value raises
    ``ValueError`` here rather than in the first command; ``None``: 09:00-12:00, 13:30-18:00) and the cache."""

    def __init__(self, periods: Periods | None = None, *, max_entries: int = MAX_ENTRIES) -> None:
        value = tuple(DEFAULT_PERIODS) if periods is None else _normalize(periods)
        WorkCalendar(periods=value)
        self.periods: tuple[PeriodLike, ...] = value
        self.cache: Cache[tuple[str, tuple[PeriodLike, ...]], WorkCalendar] = Cache(max_size=max_entries)

    def load(
        self,
        conn: Connection,
        periods: Periods | None = None,
        *,
        stamp: str | None = None,
        as_of: date | None = None,
    ) -> WorkCalendar:
        """See :func:`load_calendar`."""
        normalized = self.periods if periods is None else _normalize(periods)
        if stamp is None:
            stamp = (
                holiday_stamp(conn)
                if as_of is None
                else str(conn.execute(_STAMP_AT, {"d": as_of}).scalar_one())
            )
        key = (stamp, normalized)
        cal = self.cache.get(key)
        if cal is not None:
            return cal
        holidays: list[date] = []
        workdays: list[date] = []
        rows = conn.execute(_ROWS) if as_of is None else conn.execute(HOLIDAYS_AT, {"d": as_of})
        for day, kind in rows:
            (holidays if kind == "holiday" else workdays).append(day)
        cal = WorkCalendar(holidays, workdays, normalized, years={d.year for d in holidays + workdays})
        return self.cache.put(key, cal)


def calendars_of(conn: Connection) -> WorkCalendars:
    """The calendar source of the connection's engine (an engine not made by ``make_engine``: a fresh one with
    the default periods, i.e. nothing cached)."""
    found = conn.get_execution_options().get(OPTION)
    return found if isinstance(found, WorkCalendars) else WorkCalendars()


def holiday_stamp(conn: Connection) -> str:
    """The stamp of the ``holiday`` table's content (see :data:`STAMP_SQL`)."""
    return str(conn.execute(_STAMP).scalar_one())


def load_calendar(
    conn: Connection, periods: Periods | None = None, *, stamp: str | None = None, as_of: date | None = None
) -> WorkCalendar:
    """The working calendar of the connected database, cached by the engine's :class:`WorkCalendars`.

    Parameters
    ----------
    conn : Connection
        Any connection; only reads.
    periods : str or sequence, optional
        Working periods (``"09:00-12:00,13:30-18:00"`` or pairs); default: the engine's (the settings').
    stamp : str, optional
        The value of :data:`STAMP_SQL` (with ``as_of``: of :func:`stamp_at_sql`) if the caller already fetched it
        (saves a round trip).
    as_of : date, optional
        The calendar in force on this (Beijing) date, edited days taken from their history; default: the
        current ``holiday`` table.
    """
    return calendars_of(conn).load(conn, periods, stamp=stamp, as_of=as_of)
