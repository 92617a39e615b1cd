"""Read model of ``/stats`` and its exports: response times and 综合评价 per department and district.

One function, :func:`stats_table`, computes the table the page shows and the CSV/Excel exports download. Every
function takes the :class:`~db.accounts.StaffIdentity` and enforces its scope in SQL: an officer sees only their
district's cases, department staff only their department's; the command center sees the whole city.

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
- 当前超期 ``overdue_now``: a snapshot, not limited to the period: open cases at a department (dispatched, in
  progress, or suspended) whose deadline has passed (suspended: passed before the suspension).
- 综合指标值 and grade: :mod:`db.evaluation` with ``evaluation.yaml``.

This module is the one import path for ``/stats``; the code lives in single-purpose modules beside it:

- :mod:`db.queries.stats_scope`: who sees what (:func:`scope_of`);
- :mod:`db.queries.stats_sql`: the SQL of the definitions above, shared by the others;
- :mod:`db.queries.stats_indicators`: the table (:func:`stats_table`);
- :mod:`db.queries.stats_trend`: the trend per day or week (:func:`trend`);
- :mod:`db.queries.stats_drill`: the cases behind a number (:func:`drill_cases`).
"""

from __future__ import annotations

from db.queries.stats_drill import DRILL_CAP, DRILL_METRICS, Drill, drill_cases
from db.queries.stats_indicators import COUNT_FIELDS, StatsRow, StatsTable, stats_table
from db.queries.stats_scope import CITY_WIDE_ROLES, Scope, scope_of
from db.queries.stats_trend import trend

__all__ = [
    "CITY_WIDE_ROLES",
    "COUNT_FIELDS",
    "DRILL_CAP",
    "DRILL_METRICS",
    "Drill",
    "Scope",
    "StatsRow",
    "StatsTable",
    "drill_cases",
    "scope_of",
    "stats_table",
    "trend",
]
