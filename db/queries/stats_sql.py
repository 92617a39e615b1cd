"""Read model of ``/stats`` and its exports: response times and 综合评价 per department and district.

One function, :func:`stats_table`, computes the table the page shows and the CSV/Excel exports download. Every
function takes the reader's :class:`~db.scope.RowScope` (:func:`ops.policy.stats_scope`) and enforces it in SQL:
an officer sees only their district's cases, department staff only their department's; the command center sees
the whole city.

Definitions (all times Asia/Shanghai; ``now`` is the moment of the query, given explicitly in tests)
--------------------------------------------------------------------------------------------------------------------
Period: dates ``start``..``end`` inclusive, i.e. ``[start 00:00, end + 1 day 00:00)``. Default: the last 30 days.

Cohort (what a row counts): the cases **reported** (``created_at``) in the period that were **filed** (立案,
``filed_at`` set), except those merged into a duplicate (their work is counted on the case they joined). Outcomes
are taken as of ``now``: a past period's figures still improve when its late cases are closed.
A case belongs to the district it lies in and to the department that holds it now (``department_code``); cases
not dispatched (or returned and waiting for a new dispatch) appear in the district table and the total only.

- 立案数 ``cases``: the cohort.
- *due by now* (a case's handling deadline has passed): ``deadline < now``; for a suspended case (挂账, the clock
  stops) ``deadline < paused_since``. ``deadline`` is the handling deadline as moved by rework, suspension and
  extension; a case without one (not dispatched) is never due.
- 结案率 ``closed / due_close``, with ``due_close`` = closed, or due by now (应结案数).
- 按期结案率 ``closed_on_time / due_close``: closed (verification included) at or before the deadline.
- 按期处置率 ``handled_on_time / due_handle``: ``due_handle`` = handled (status handled or closed), or due by now;
  on time = handled (the last 处置反馈) at or before the deadline.
- 返工率 ``reworked / handled_ever``: cases sent back at least once after a failed verification, among the cases
  reported handled at least once.
- 准确派遣率 ``1 − returns / dispatches``: dispatch and return (回退) events of the cohort's cases; a department
  row counts the dispatches *to* it and the returns *by* it, a district row those of its cases. A case never
  returned had exactly one dispatch, to its current department, so only returned cases' events are read.
- response times, calendar hours: 派遣→处置 ``handled_at − dispatched_at`` (last dispatch to last handling report)
  over the handled cases; 上报→结案 ``closed_at − created_at`` over the closed cases; median and p90
  (``percentile_cont``).
- 超期 ``overdue_now``: a snapshot, not limited to the period: :func:`db.light.overdue_sql`, the one definition
  the wall and the workbench use too (an open case whose current stage's deadline has passed: its light is red).
  A district row and the total count every such case; a department row only those it holds now
  (:data:`OVERDUE_AT_DEPARTMENT`: dispatched, in progress or suspended, i.e. past the handling deadline), not
  the ones waiting for the center's verification.
- 综合指标值 and grade: :mod:`ops.evaluation` with ``evaluation.yaml``.

This module holds the SQL of these definitions; the rest of ``/stats`` lives in single-purpose modules:

- :mod:`ops.policy`: who sees what (:func:`~ops.policy.stats_scope`);
- :mod:`ops.stats_table`: the table (:func:`stats_table`);
- :mod:`db.queries.stats_trend`: the trend per day or week (:func:`trend`);
- :mod:`db.queries.stats_drill`: the cases behind a number (:func:`drill_cases`).

The SQL the ``/stats`` figures share: the cohort, the conditions behind each count, the response-time
durations, "overdue now", and the one pass over the cohort that the table and the trend both read.

What each fragment means is defined in :mod:`db.queries.stats_sql`. Every query adds the user's
:class:`~db.scope.RowScope`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.light import overdue_sql
from db.period import Period
from db.scope import RowScope
from db.vocabulary import AT_DEPARTMENT_SQL
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
OVERDUE = overdue_sql("c", ":now")
#: A department row's share of :data:`OVERDUE`: the cases it holds (their handling stage).
OVERDUE_AT_DEPARTMENT = f"c.status IN {AT_DEPARTMENT_SQL}"


def main_sql(scope: RowScope, unit: str | None = None) -> str:
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
                 WHERE {COHORT}{scope.and_where()}) c
         GROUP BY 1, 2, 3"""  # nosec B608 # SQL from constant fragments; values are bound parameters


def tune(conn: Connection) -> None:
    """For this transaction only: no JIT (its compile time exceeds the gain at this size), sorts in memory."""
    conn.execute(text("SET LOCAL jit = off"))
    conn.execute(text("SET LOCAL work_mem = '64MB'"))


def query_params(period: Period, scope: RowScope, now: datetime) -> dict[str, Any]:
    return {"start": period.start_at, "end": period.end_at, "now": now, **scope.params()}


def resolve_now(now: datetime | None) -> datetime:
    return datetime.now(TZ) if now is None else now
