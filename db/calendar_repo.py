"""The working-time calendar (:class:`geo.calendar.WorkCalendar`) built from the ``holiday`` table.

One calendar per (database, holiday data, working periods) is built and kept for the life of the process.
The holiday data is identified by a cheap *stamp* computed in the database: row count, last day and an md5
of every (day, kind), so editing a row in place is noticed too. :data:`STAMP_SQL` is a scalar subquery that
callers may embed in a query they run anyway (the workflow commands do, so a cached calendar costs no extra
round trip); :func:`load_calendar` runs it itself when no stamp is given.

Working periods come from the settings (``GUIYANG_WORKING_PERIODS``, e.g. ``"09:00-12:00,13:30-18:00"``): pass
them in, or set the process default once at start-up with :func:`set_working_periods`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date, time

from sqlalchemy import Connection, text

from geo.calendar import DEFAULT_PERIODS, WorkCalendar

__all__ = ["STAMP_SQL", "clear_cache", "holiday_stamp", "load_calendar", "set_working_periods"]

PeriodLike = tuple[time, time] | tuple[str, str] | str
Periods = str | Sequence[PeriodLike]

#: Scalar subquery identifying the content of the ``holiday`` table.
STAMP_SQL = (
    "(SELECT count(*)::text || ':' || coalesce(max(day)::text, '-') || ':' || "
    "coalesce(md5(string_agg(day::text || kind, ',' ORDER BY day)), '-') FROM holiday)"
)
_STAMP = text(f"SELECT {STAMP_SQL}")
_ROWS = text("SELECT day, kind FROM holiday")
_MAX_ENTRIES = 16

_lock = threading.Lock()
_cache: dict[tuple[str, str, tuple[PeriodLike, ...]], WorkCalendar] = {}
_default_periods: tuple[PeriodLike, ...] = tuple(DEFAULT_PERIODS)


def _normalize(periods: Periods | None) -> tuple[PeriodLike, ...]:
    if periods is None:
        return _default_periods
    if isinstance(periods, str):
        parts = tuple(p.strip() for p in periods.split(",") if p.strip())
        if not parts:
            raise ValueError("no working period given")
        return parts
    return tuple(periods)


def set_working_periods(periods: Periods | None) -> None:
    """Set the process-wide default working periods (``None`` restores 09:00-12:00, 13:30-18:00).

    Validated at once: a bad value raises ``ValueError`` here rather than in the first command.
    """
    global _default_periods
    value = tuple(DEFAULT_PERIODS) if periods is None else _normalize(periods)
    WorkCalendar(periods=value)
    _default_periods = value


def holiday_stamp(conn: Connection) -> str:
    """The stamp of the ``holiday`` table's content (see :data:`STAMP_SQL`)."""
    return str(conn.execute(_STAMP).scalar_one())


def _identity(conn: Connection) -> str:
    return conn.engine.url.render_as_string(hide_password=True)


def load_calendar(
    conn: Connection, periods: Periods | None = None, *, stamp: str | None = None
) -> WorkCalendar:
    """The working calendar of the connected database, cached per process.

    Parameters
    ----------
    conn : Connection
        Any connection; only reads.
    periods : str or sequence, optional
        Working periods (``"09:00-12:00,13:30-18:00"`` or pairs); default: :func:`set_working_periods`.
    stamp : str, optional
        The value of :data:`STAMP_SQL` if the caller already fetched it (saves a round trip).
    """
    normalized = _normalize(periods)
    if stamp is None:
        stamp = holiday_stamp(conn)
    key = (_identity(conn), stamp, normalized)
    cal = _cache.get(key)
    if cal is not None:
        return cal
    holidays: list[date] = []
    workdays: list[date] = []
    for day, kind in conn.execute(_ROWS):
        (holidays if kind == "holiday" else workdays).append(day)
    cal = WorkCalendar(holidays, workdays, normalized, years={d.year for d in holidays + workdays})
    with _lock:
        if len(_cache) >= _MAX_ENTRIES:
            _cache.clear()
        _cache[key] = cal
    return cal


def clear_cache() -> None:
    """Forget every cached calendar (tests; after bulk holiday edits the stamp changes by itself)."""
    with _lock:
        _cache.clear()
