"""Drill-down of ``/stats``: the cases behind one number of the table, worst first, in the user's scope.

No personal data: ticket, place, status, dates and counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.period import Period
from db.queries.stats_sql import (
    COHORT,
    CONDITIONS,
    HANDLED,
    OVERDUE,
    OVERDUE_AT_DEPARTMENT,
    SECONDS_CLOSE,
    SECONDS_HANDLE,
    query_params,
    resolve_now,
)
from db.scope import RowScope

DRILL_CAP = 300

#: table column -> (extra condition, order): the cases "behind" a rate are the ones that miss it.
DRILL_METRICS: dict[str, tuple[str, str]] = {
    "cases": ("true", "c.created_at DESC"),
    "close_rate": (f"{CONDITIONS['due_close']} AND c.status <> 'closed'", "c.deadline"),
    "on_time_close_rate": (
        f"{CONDITIONS['due_close']} AND NOT coalesce({CONDITIONS['closed_on_time']}, false)",
        "c.deadline",
    ),
    "on_time_handle_rate": (
        f"{CONDITIONS['due_handle']} AND NOT coalesce({CONDITIONS['handled_on_time']}, false)",
        "c.deadline",
    ),
    "rework_rate": ("c.rework_count > 0", "c.rework_count DESC, c.created_at DESC"),
    "dispatch_accuracy": ("c.return_count > 0", "c.return_count DESC, c.created_at DESC"),
    "handle_p50_h": (HANDLED, f"{SECONDS_HANDLE} DESC"),
    "handle_p90_h": (HANDLED, f"{SECONDS_HANDLE} DESC"),
    "close_p50_h": ("c.status = 'closed'", f"{SECONDS_CLOSE} DESC"),
    "close_p90_h": ("c.status = 'closed'", f"{SECONDS_CLOSE} DESC"),
    "overdue_now": ("", "c.deadline"),  # a snapshot: not limited to the period's cohort
}


@dataclass(frozen=True)
class Drill:
    total: int
    cases: list[dict[str, Any]]


def drill_cases(
    conn: Connection,
    scope: RowScope,
    period: Period,
    row_id: str,
    metric: str,
    *,
    now: datetime | None = None,
    cap: int = DRILL_CAP,
) -> Drill:
    """At most ``cap`` cases behind one number of the table (worst first), with their total, within ``scope``.

    ``row_id`` is :attr:`~ops.stats_table.StatsRow.row_id` (``department:CGJ``, ``district:520103``, ``total:``); ``metric`` a key
    of :data:`DRILL_METRICS` (anything else is treated as ``cases``). No personal data: ticket, place, status.
    """
    kind, _, key = row_id.partition(":")
    cond, order = DRILL_METRICS.get(metric, DRILL_METRICS["cases"])
    where = [OVERDUE] if metric == "overdue_now" else [COHORT, cond]
    scope_sql = scope.and_where()
    if kind == "department" and metric == "dispatch_accuracy":
        # returns BY this department: the case may be at another department now
        if scope.department and key != scope.department:
            return Drill(0, [])
        where.append(
            "EXISTS (SELECT 1 FROM case_event e WHERE e.case_id = c.id AND e.action = 'return' "
            "AND e.department_code = :key)"
        )
        scope_sql = scope.without_department().and_where()
    elif kind in ("department", "district"):
        where.append(f"c.{kind}_code = :key")
        if kind == "department" and metric == "overdue_now":
            where.append(OVERDUE_AT_DEPARTMENT)
    elif kind != "total":
        return Drill(0, [])
    sql = f"""
        SELECT c.id, c.ticket, c.status, c.category_code, cat.name_zh AS category_zh, cat.name_en AS category_en,
               c.district_code, c.department_code, round(ST_X(c.geom)::numeric, 6)::float8 AS lon,
               round(ST_Y(c.geom)::numeric, 6)::float8 AS lat, c.created_at, c.deadline, c.handled_at, c.closed_at,
               c.rework_count, c.return_count, count(*) OVER () AS total
          FROM "case" c JOIN category cat ON cat.code = c.category_code
         WHERE {" AND ".join(where)}{scope_sql}
         ORDER BY {order}, c.id
         LIMIT :cap"""  # nosec B608 # SQL from constant fragments; values are bound parameters
    rows = (
        conn.execute(text(sql), {**query_params(period, scope, resolve_now(now)), "key": key, "cap": cap})
        .mappings()
        .all()
    )
    total = int(rows[0]["total"]) if rows else 0
    return Drill(total, [{k: v for k, v in r.items() if k != "total"} for r in rows])
