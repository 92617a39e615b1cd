"""Read model of the monthly assessment report (月度考核通报): the counts the evaluation table
(:mod:`ops.stats_table`) does not give — reports per day and closures per day, the month's top categories, the
most reported grid cells, and the month's overdue and reworked cases. No personal data: no reporter, no
description, no address.

Every query takes the reader's :class:`~db.scope.RowScope` and the month as a :class:`~db.period.Period`; the
cohort and "due" conditions are those of :mod:`db.queries.stats_sql` (imported, never restated).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, text

from db.period import Period
from db.queries.stats_sql import COHORT, CONDITIONS
from db.scope import RowScope

#: Reports that are not problems of the city: invalid (不予立案) and duplicates merged into another case.
LEFT_OUT = ("rejected", "merged")
#: An overdue case of the month: due for closing (应结案) and not closed by its deadline — the cases that
#: separate 按期结案率 from 100 %.
OVERDUE = f"({CONDITIONS['due_close']} AND NOT {CONDITIONS['closed_on_time']})"


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    reports: int
    closed: int


@dataclass(frozen=True, slots=True)
class CategoryCount:
    code: str
    name_zh: str
    name_en: str
    major_zh: str | None
    count: int
    previous: int


@dataclass(frozen=True, slots=True)
class CellCount:
    code: str
    district_zh: str | None
    count: int


@dataclass(frozen=True, slots=True)
class ProblemCase:
    ticket: str
    category_zh: str
    district_zh: str | None
    department_zh: str | None
    status: str
    deadline: datetime | None
    closed_at: datetime | None
    rework_count: int
    overdue: bool


def _params(period: Period, scope: RowScope, now: datetime) -> dict[str, Any]:
    return {"start": period.start_at, "end": period.end_at, "now": now, **scope.params()}


def reports_count(conn: Connection, scope: RowScope, period: Period, now: datetime) -> int:
    """Every report made in the month (filed or not, rejected and merged included): 上报数."""
    sql = f'SELECT count(*) FROM "case" c WHERE c.created_at >= :start AND c.created_at < :end{scope.and_where()}'  # nosec B608 # SQL from constant fragments; values are bound parameters
    return int(conn.execute(text(sql), _params(period, scope, now)).scalar() or 0)


def daily(conn: Connection, scope: RowScope, period: Period, now: datetime) -> list[DayCount]:
    """Per day of the month (Asia/Shanghai): reports made that day and cases closed that day."""
    sql = f"""
        WITH r AS (SELECT (c.created_at AT TIME ZONE 'Asia/Shanghai')::date AS d, count(*) AS n
                     FROM "case" c WHERE c.created_at >= :start AND c.created_at < :end{scope.and_where()}
                    GROUP BY 1),
             k AS (SELECT (c.closed_at AT TIME ZONE 'Asia/Shanghai')::date AS d, count(*) AS n
                     FROM "case" c WHERE c.status = 'closed' AND c.closed_at >= :start AND c.closed_at < :end
                          {scope.and_where()}
                    GROUP BY 1)
        SELECT coalesce(r.d, k.d) AS d, coalesce(r.n, 0) AS reports, coalesce(k.n, 0) AS closed
          FROM r FULL JOIN k ON k.d = r.d"""  # nosec B608 # SQL from constant fragments; values are bound parameters
    got = {row.d: row for row in conn.execute(text(sql), _params(period, scope, now))}
    out = []
    for i in range(period.days):
        d = date.fromordinal(period.start.toordinal() + i)
        row = got.get(d)
        out.append(DayCount(d, int(row.reports) if row else 0, int(row.closed) if row else 0))
    return out


def top_categories(
    conn: Connection, scope: RowScope, period: Period, previous: Period, now: datetime, limit: int = 10
) -> list[CategoryCount]:
    """The month's most reported 小类 (rejected and merged reports left out), with the previous month's count."""
    sql = f"""
        WITH n AS (SELECT c.category_code,
                          count(*) FILTER (WHERE c.created_at >= :start) AS n,
                          count(*) FILTER (WHERE c.created_at < :start) AS p
                     FROM "case" c
                    WHERE c.created_at >= :pstart AND c.created_at < :end
                      AND c.status <> ALL(:left_out){scope.and_where()}
                    GROUP BY 1)
        SELECT n.category_code, cat.name_zh, cat.name_en, major.name_zh AS major_zh, n.n, n.p
          FROM n JOIN category cat ON cat.code = n.category_code
          LEFT JOIN category major ON major.code = cat.parent_code
         WHERE n.n > 0
         ORDER BY n.n DESC, n.category_code LIMIT :lim"""  # nosec B608 # SQL from constant fragments; values are bound parameters
    params = {
        **_params(period, scope, now),
        "pstart": previous.start_at,
        "left_out": list(LEFT_OUT),
        "lim": limit,
    }
    return [
        CategoryCount(r.category_code, r.name_zh, r.name_en, r.major_zh, int(r.n), int(r.p))
        for r in conn.execute(text(sql), params)
    ]


def top_cells(
    conn: Connection, scope: RowScope, period: Period, now: datetime, limit: int = 10
) -> list[CellCount]:
    """The grid cells (单元网格) with the most reports of the month (rejected and merged left out)."""
    sql = f"""
        SELECT g.code, d.name_zh AS district_zh, n.n
          FROM (SELECT c.cell_id, count(*) AS n FROM "case" c
                 WHERE c.created_at >= :start AND c.created_at < :end AND c.cell_id IS NOT NULL
                   AND c.status <> ALL(:left_out){scope.and_where()}
                 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT :lim) n
          JOIN grid_cell g ON g.id = n.cell_id
          LEFT JOIN district d ON d.code = g.district_code
         ORDER BY n.n DESC, g.code"""  # nosec B608 # SQL from constant fragments; values are bound parameters
    params = {**_params(period, scope, now), "left_out": list(LEFT_OUT), "lim": limit}
    return [CellCount(r.code, r.district_zh, int(r.n)) for r in conn.execute(text(sql), params)]


def problem_cases(
    conn: Connection, scope: RowScope, period: Period, now: datetime, limit: int = 30
) -> tuple[list[ProblemCase], int]:
    """The month's cohort cases that are overdue (:data:`OVERDUE`) or were reworked (返工), reworked and
    longest-overdue first, at most ``limit``; and how many there are in all."""
    where = f"{COHORT}{scope.and_where()} AND ({OVERDUE} OR c.rework_count > 0)"
    sql = f"""
        SELECT c.ticket, cat.name_zh AS category_zh, d.name_zh AS district_zh, dep.name_zh AS department_zh,
               c.status, c.deadline, c.closed_at, c.rework_count, {OVERDUE} AS overdue,
               count(*) OVER () AS total
          FROM "case" c JOIN category cat ON cat.code = c.category_code
          LEFT JOIN district d ON d.code = c.district_code
          LEFT JOIN department dep ON dep.code = c.department_code
         WHERE {where}
         ORDER BY c.rework_count DESC, c.deadline NULLS LAST, c.id
         LIMIT :lim"""  # nosec B608 # SQL from constant fragments; values are bound parameters
    rows = conn.execute(text(sql), {**_params(period, scope, now), "lim": limit}).all()
    cases = [
        ProblemCase(
            r.ticket,
            r.category_zh,
            r.district_zh,
            r.department_zh,
            r.status,
            r.deadline,
            r.closed_at,
            int(r.rework_count),
            bool(r.overdue),
        )
        for r in rows
    ]
    return cases, int(rows[0].total) if rows else 0


def district_name(conn: Connection, code: str) -> tuple[str, str] | None:
    row = conn.execute(text("SELECT name_zh, name_en FROM district WHERE code = :c"), {"c": code}).first()
    return (row.name_zh, row.name_en) if row else None


def districts(conn: Connection) -> list[tuple[str, str, str]]:
    """Every district as (code, name_zh, name_en), by code: the choices of the report's district."""
    rows = conn.execute(text("SELECT code, name_zh, name_en FROM district ORDER BY code"))
    return [(r.code, r.name_zh, r.name_en) for r in rows]
