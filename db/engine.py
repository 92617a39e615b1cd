"""Engines. Nothing is created at import time; the caller owns every transaction."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, Engine, create_engine, text

from db.calendar_repo import OPTION, Periods, WorkCalendars


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs (as DATABASE_URL is usually written)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def pyformat(sql: str, params: Mapping[str, Any]) -> str:
    """``sql`` written for SQLAlchemy's ``text`` (``:name``) with psycopg's placeholders (``%(name)s``) for the
    names in ``params``: for a query run on the raw driver connection (binary results, COPY)."""
    return re.sub(r":(\w+)", lambda m: f"%({m[1]})s" if m[1] in params else m[0], sql)


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 20,
    echo: bool = False,
    working_periods: Periods | None = None,
) -> Engine:
    """An engine that carries its own working-calendar source (``working_periods``: the settings'; ``None``: the
    default 09:00-12:00, 13:30-18:00), see :mod:`db.calendar_repo`."""
    return create_engine(
        normalize_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        echo=echo,
        # acknowledged means durable: every commit waits for its WAL flush, whatever the server's default
        # (a bulk load may turn it off for its own session only)
        connect_args={"options": "-c timezone=Asia/Shanghai -c synchronous_commit=on"},
        execution_options={OPTION: WorkCalendars(working_periods)},
    )


def one_snapshot(conn: Connection) -> None:
    """The statements that follow on ``conn`` read one snapshot of the database (REPEATABLE READ, for this
    transaction only), when its transaction has sent no statement yet: a read of several statements (the stats
    table's counts, then the durations in the bins those counts chose) agrees with itself while the workflow
    writes. A transaction already under way keeps its level (a test's, rolled back after)."""
    raw = conn.connection.dbapi_connection
    if raw is not None and raw.info.transaction_status == TransactionStatus.IDLE:
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
