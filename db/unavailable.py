"""Is an exception "the database is not there right now" (down, restarting, unreachable, out of connections)?

Such failures are not bugs: the web answers 503 with ``Retry-After`` and logs one line, the commands print one
line and exit 1. Everything else stays an error with its traceback."""

from __future__ import annotations

import psycopg
from sqlalchemy import exc as sa

#: Exception classes that may mean the database is unavailable (each checked by :func:`is_unavailable`).
CLASSES: tuple[type[Exception], ...] = (
    sa.OperationalError,
    sa.InterfaceError,
    sa.TimeoutError,  # the pool had no connection to give within its timeout
    sa.DBAPIError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or what it wraps) says the database cannot be reached or dropped the connection."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, sa.OperationalError | sa.InterfaceError | sa.TimeoutError):
            return True
        if isinstance(current, psycopg.OperationalError | psycopg.InterfaceError):
            return True
        current = current.__cause__ or current.__context__
    return False


def summary(exc: BaseException) -> str:
    """One line saying what failed: the class and the first line of the driver's message."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [""])[0]
    return f"{type(orig).__name__}: {first[:200]}"
