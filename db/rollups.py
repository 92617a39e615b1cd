"""The daily rollup of ``/stats`` (table ``stats_daily``, migrations 0031 and 0036): what it holds, how it stays exact, and
its rebuild from raw rows.

What is rolled up, per report day (Asia/Shanghai) × department × district
--------------------------------------------------------------------------
Every count of :mod:`db.queries.stats_sql` attributed exactly as the raw query attributes it: a cohort case (reported
that day, filed, not merged) counts at its current department and its district; a returned case's dispatch and
return events count at the event's department (准确派遣率). The part of a count that depends on "now" is NOT in the
rollup: 应结案/应处置 (``due_close``/``due_handle``) of a case that is open, not suspended and has a deadline grows
when the deadline passes, without any write. The rollup keeps the *settled* part (closed; handled; suspended past
its deadline), and :mod:`db.queries.rollup_stats` adds the now-dependent part from the open cases (indexed by
status; bounded by the backlog, not by the history). The snapshot 超期 (overdue now) stays raw for the same reason.

The median and p90 response times are not additive: each row keeps its handled/closed cases' durations in
seconds (the exact float8 values of the raw query, as a sorted multiset) and counts them by bin, cumulatively
(migration 0036: ``hb00``… and ``cb00``…, bins of ``gy_duration_edges()``; a cumulative count is also where the
next bin starts in the sorted array). A reader sums the counts, finds the bins holding the two ranks around each
quantile and reads only those slices
(:func:`db.queries.rollup_stats.duration_quantiles`). So /stats shows the same figures, to the last digit, while
reading about a quarter of the values; the arrays still grow with the cases (8 bytes a case), the reads much less.

How it stays current: statement-level triggers with transition tables on ``"case"`` (insert, update, delete:
old contribution out, new in) and ``case_event`` (a new dispatch/return of a returned case), in the writer's
transaction, with additive upserts (see the migration for the proof that the order of a step's two writes does
not matter). A bulk load sets ``guiyang.rollups_deferred`` and calls :func:`rebuild` at its end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import psycopg
from sqlalchemy import Connection, text

from db.engine import pyformat

#: days rebuilt per statement (a progress step)
CHUNK_DAYS = 31
#: set to 'on' for a transaction (SET LOCAL) or a session: the triggers skip their work (a bulk load, then rebuild)
DEFERRED_SETTING = "guiyang.rollups_deferred"

Progress = Callable[[int, int], None]


def _run(conn: Connection | psycopg.Connection[Any], sql: str, params: dict[str, Any]) -> Any:
    if isinstance(conn, Connection):
        return conn.execute(text(sql), params).scalar()
    row = conn.execute(pyformat(sql, params), params).fetchone()
    return row[0] if row else None


def _range(conn: Connection | psycopg.Connection[Any], since: date | None) -> tuple[date, date] | None:
    first = _run(
        conn,
        "SELECT (min(created_at) AT TIME ZONE 'Asia/Shanghai')::date FROM \"case\""
        if since is None
        else "SELECT CAST(:since AS date)",
        {} if since is None else {"since": since},
    )
    last = _run(conn, "SELECT (max(created_at) AT TIME ZONE 'Asia/Shanghai')::date FROM \"case\"", {})
    if first is None or last is None:
        return None
    return first, max(first, last) + timedelta(days=1)


def rebuild(
    conn: Connection | psycopg.Connection[Any], since: date | None = None, *, progress: Progress | None = None
) -> int:
    """Recompute the rollup from the raw rows, from the report day ``since`` on (``None``: everything), in the
    caller's transaction; returns the number of rollup rows written. ``progress(done_days, all_days)`` is called
    after each chunk of :data:`CHUNK_DAYS` days. Runs the migration's SECURITY DEFINER function
    ``gy_stats_rollup_rebuild`` chunk by chunk (the same rules the triggers apply)."""
    _run(conn, "SELECT set_config('work_mem', '256MB', true)", {})
    span = _range(conn, since)
    if span is None:  # no case (from since on): no row
        if since is None:
            return int(_run(conn, "SELECT gy_stats_rollup_rebuild('-infinity', 'infinity')", {}) or 0)
        return int(_run(conn, "SELECT gy_stats_rollup_rebuild(:d0, 'infinity')", {"d0": since}) or 0)
    start, end = span
    if since is None:  # rows of days before the first case go
        _run(conn, "SELECT gy_stats_rollup_rebuild('-infinity', :d1)", {"d1": start})
    total_days = (end - start).days
    written = 0
    d0 = start
    while d0 < end:
        d1 = min(end, d0 + timedelta(days=CHUNK_DAYS))
        written += int(_run(conn, "SELECT gy_stats_rollup_rebuild(:d0, :d1)", {"d0": d0, "d1": d1}) or 0)
        d0 = d1
        if progress is not None:
            progress((d0 - start).days, total_days)
    _run(conn, "SELECT gy_stats_rollup_rebuild(:d0, 'infinity')", {"d0": end})  # and rows after the last case
    return written
