"""The SQL the ``/stats`` figures share: the cohort, the conditions behind each count, the response-time
durations, "overdue now", and the one pass over the cohort that the table and the trend both read.

What each fragment means is defined in :mod:`db.queries.stats`. Every query adds the user's
:class:`~db.queries.stats_scope.Scope`. Part of :mod:`db.queries.stats`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.evaluation import Period
from db.queries.stats_scope import Scope
from geo.crs import TZ

COHORT = "c.created_at >= :start AND c.created_at < :end AND c.filed_at IS NOT NULL AND c.status <> 'merged'"
_DUE = (
    "(c.deadline IS NOT NULL AND CASE WHEN c.status = 'suspended' THEN c.deadline < c.paused_since "
    "ELSE c.deadline < :now END)"
)
HANDLED = "c.status IN ('handled', 'closed')"
CONDITIONS = {
    "closed": "c.status = 'closed'",
    "due_close": f"(c.status = 'closed' OR {_DUE})",
    "closed_on_time": "(c.status = 'closed' AND c.closed_at <= c.deadline)",
    "due_handle": f"({HANDLED} OR {_DUE})",
    "handled_on_time": f"({HANDLED} AND c.handled_at <= c.deadline)",
    "handled_ever": "c.handled_at IS NOT NULL",
    "reworked": "c.rework_count > 0",
}
# date_part gives float8; extract(epoch ...) gives numeric since PostgreSQL 14, measured 3-5x slower
SECONDS_HANDLE = "date_part('epoch', c.handled_at - c.dispatched_at)"
SECONDS_CLOSE = "date_part('epoch', c.closed_at - c.created_at)"
OVERDUE = (
    "c.status IN ('dispatched', 'in_progress', 'suspended') AND c.deadline IS NOT NULL AND "
    "CASE WHEN c.status = 'suspended' THEN c.deadline < c.paused_since ELSE c.deadline < :now END"
)


def main_sql(scope: Scope, unit: str | None = None) -> str:
    # One pass over the cohort, grouped by (department, district): additive counts, and each case's durations in
    # seconds as two float8 arrays. Python rolls the counts up to departments, districts and the total and takes the
    # median and p90 of the durations with numpy's linear interpolation (percentile_cont's definition). Measured on
    # 1M cases (90 days, 238k in the cohort): ~230 ms server CPU against ~640 ms for percentile_cont over three
    # grouping sets, which sorts every duration three times. With ``unit`` (day | week) the rows are also split by
    # the bucket of the report date, so the trend comes from the same pass.
    bucket = (
        f"date_trunc('{unit}', c.created_at AT TIME ZONE 'Asia/Shanghai')::date" if unit else "NULL::date"
    )
    flags = ", ".join(f"{cond} AS {name}" for name, cond in CONDITIONS.items())
    counts = ", ".join(f"count(*) FILTER (WHERE c.{name}) AS {name}" for name in CONDITIONS)
    return f"""
        SELECT c.bucket, c.department_code, c.district_code, count(*) AS cases, {counts},
               count(*) FILTER (WHERE c.first_dispatch) AS dispatches0,
               array_agg(c.handle_s) FILTER (WHERE c.handle_s IS NOT NULL) AS handle_s,
               array_agg(c.close_s) FILTER (WHERE c.close_s IS NOT NULL) AS close_s
          FROM (SELECT {bucket} AS bucket, c.department_code, c.district_code, {flags},
                       c.return_count = 0 AND c.department_code IS NOT NULL AS first_dispatch,
                       CASE WHEN {HANDLED} THEN {SECONDS_HANDLE} END AS handle_s,
                       CASE WHEN c.status = 'closed' THEN {SECONDS_CLOSE} END AS close_s
                  FROM "case" c
                 WHERE {COHORT}{scope.sql()}) c
         GROUP BY 1, 2, 3"""  # nosec B608 # SQL from constant fragments; values are bound parameters


def tune(conn: Connection) -> None:
    """For this transaction only: no JIT (its compile time exceeds the gain at this size), sorts in memory."""
    conn.execute(text("SET LOCAL jit = off"))
    conn.execute(text("SET LOCAL work_mem = '64MB'"))


def query_params(period: Period, scope: Scope, now: datetime) -> dict[str, Any]:
    return {"start": period.start_at, "end": period.end_at, "now": now, **scope.params()}


def resolve_now(now: datetime | None) -> datetime:
    return datetime.now(TZ) if now is None else now
