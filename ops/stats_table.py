"""The evaluation table of ``/stats`` and its exports: counts, rates, response times, 综合评价 and "overdue now"
per department, per district and the total of the user's scope (:func:`stats_table`).

One pass over the cohort (:func:`db.queries.stats_sql.main_sql`), plus the dispatch/return events of the
returned cases and the overdue snapshot; rates and grades come from :mod:`ops.evaluation`. What each figure
means is defined in :mod:`db.queries.stats_sql`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from db.accounts import StaffIdentity
from db.engine import one_snapshot
from db.period import Period
from db.quantiles import quantiles
from db.queries import rollup_stats
from db.queries.stats_sql import (
    COHORT,
    OVERDUE,
    OVERDUE_AT_DEPARTMENT,
    main_sql,
    query_params,
    resolve_now,
    tune,
)
from db.queries.stats_trend import period_unit, trend_of
from db.scope import RowScope
from ops.evaluation import DEFAULT_MIN_CASES, Counts, Evaluation, EvaluationConfig, default_config, evaluate
from ops.evaluation import median_p90_hours as hours
from ops.policy import stats_scope

COUNT_FIELDS = tuple(Counts.__dataclass_fields__)

_SETS = "GROUPING SETS ((c.department_code), (c.district_code), ())"
_KIND = (
    "CASE WHEN grouping(c.department_code) = 0 THEN 'department' "
    "WHEN grouping(c.district_code) = 0 THEN 'district' ELSE 'total' END AS kind, "
    "CASE WHEN grouping(c.department_code) = 0 THEN c.department_code ELSE c.district_code END AS key"
)


def _returns_sql(scope: RowScope) -> str:
    # the events of the cohort's returned cases: dispatches to / returns by each department, per district
    return f"""
        SELECT CASE WHEN grouping(e.department_code) = 0 THEN 'department'
                    WHEN grouping(c.district_code) = 0 THEN 'district' ELSE 'total' END AS kind,
               CASE WHEN grouping(e.department_code) = 0 THEN e.department_code ELSE c.district_code END AS key,
               count(*) FILTER (WHERE e.action = 'dispatch') AS dispatches,
               count(*) FILTER (WHERE e.action = 'return') AS returns
          FROM "case" c
         CROSS JOIN LATERAL (SELECT e.department_code, e.action FROM case_event e
                              WHERE e.case_id = c.id AND e.action IN ('dispatch', 'return') OFFSET 0) e
         WHERE {COHORT} AND c.return_count > 0{scope.and_where(event="e")}
         GROUP BY GROUPING SETS ((e.department_code), (c.district_code), ())"""  # nosec B608 # SQL from constant fragments; values are bound parameters


def _overdue_sql(scope: RowScope) -> str:
    # a department row counts only the overdue cases it holds (OVERDUE_AT_DEPARTMENT); districts and the total all
    held = f"CASE WHEN {OVERDUE_AT_DEPARTMENT} THEN c.department_code END"
    inner = (
        f'SELECT {held} AS department_code, c.district_code FROM "case" c WHERE {OVERDUE}{scope.and_where()}'  # nosec B608 # SQL from constant fragments; values are bound parameters
    )
    return f"""SELECT {_KIND}, count(*) AS overdue FROM ({inner}) c GROUP BY {_SETS}"""  # nosec B608 # SQL from constant fragments; values are bound parameters


_NAMES = text(
    "SELECT 'department' AS kind, code, name_zh, name_en FROM department "
    "UNION ALL SELECT 'district', code, name_zh, name_en FROM district"
)


@dataclass(frozen=True)
class StatsRow:
    kind: str  # department | district | total
    key: str | None
    name_zh: str
    name_en: str
    counts: Counts
    evaluation: Evaluation
    handle_p50_h: float | None = None
    handle_p90_h: float | None = None
    close_p50_h: float | None = None
    close_p90_h: float | None = None
    overdue_now: int = 0

    @property
    def row_id(self) -> str:
        return f"{self.kind}:{self.key or ''}"

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh


@dataclass(frozen=True)
class StatsTable:
    period: Period
    scope: RowScope
    as_of: datetime
    total: StatsRow
    departments: list[StatsRow] = field(default_factory=list)
    districts: list[StatsRow] = field(default_factory=list)
    scope_name: tuple[str, str] | None = None  # (zh, en) of the district or department the user is limited to
    trend: dict[str, Any] | None = None  # :func:`trend`'s result, when asked for with the table

    @property
    def empty(self) -> bool:
        return self.total.counts.cases == 0


def stats_table(
    conn: Connection,
    user: StaffIdentity | None,
    period: Period,
    *,
    now: datetime | None = None,
    scope: RowScope | None = None,
    config: EvaluationConfig | None = None,
    with_trend: bool = False,
    min_cases: int = DEFAULT_MIN_CASES,
    source: str = "rollup",
) -> StatsTable:
    """The evaluation table of ``period`` within the user's scope: per department, per district and the total
    (and, ``with_trend``, the trend of :func:`~db.queries.stats_trend.trend` from the same pass over the cases).
    A row with fewer than ``min_cases`` cases due is not scored nor graded (样本不足) and ranks after the graded
    ones (:func:`ops.evaluation.evaluate`). ``scope``, when given, replaces the user's (the monthly report narrows
    it to a district, :func:`ops.reports.scope.report_scope`; the command line has no user). ``source``: read the
    daily rollup (:mod:`db.queries.rollup_stats`, the default) or the raw cases (``"raw"``, the reference the
    rollup is tested against): the same table either way."""
    if scope is None:
        if user is None:
            raise ValueError("stats_table needs a user or a scope")
        scope = stats_scope(user)
    now = resolve_now(now)
    cfg = config or default_config()
    params = query_params(period, scope, now)
    one_snapshot(conn)  # the counts, then the durations in the bins they chose: one state of the rollup
    tune(conn)
    unit = period_unit(period) if with_trend else None
    acc: dict[tuple[str, str | None], dict[str, Any]] = {}

    def slot(kind: str, key: str | None) -> dict[str, Any]:
        return acc.setdefault(
            (kind, key),
            {
                **dict.fromkeys(COUNT_FIELDS, 0),
                "overdue_now": 0,
                "handle_s": [],
                "close_s": [],
                "handle_q": None,
                "close_q": None,
            },
        )

    def three(dep: str | None, dis: str | None) -> tuple[tuple[str, str | None], ...]:
        return (("department", dep), ("district", dis), ("total", None))

    if source == "raw":
        cohort: list[Any] = list(conn.execute(text(main_sql(scope, unit)), params).mappings())
        for row in cohort:
            for kind, key in three(row["department_code"], row["district_code"]):
                s = slot(kind, key)
                for f in COUNT_FIELDS:
                    if f not in ("dispatches", "returns"):
                        s[f] += row[f]
                s["dispatches"] += row["dispatches0"]
                for durations in ("handle_s", "close_s"):
                    if row[durations]:
                        s[durations].append(np.asarray(row[durations], dtype=np.float64))
        for row in conn.execute(text(_returns_sql(scope)), params).mappings():
            s = slot(row["kind"], row["key"])
            s["dispatches"] += row["dispatches"]
            s["returns"] += row["returns"]
    else:
        groups = rollup_stats.cohort_rows(conn, scope, period, now, unit)
        cohort = [
            r for r in groups if r["cases"] > 0
        ]  # the trend's groups: those with cases (as the raw pass)
        for row in groups:
            for kind, key in three(row["department_code"], row["district_code"]):
                s = slot(kind, key)
                for f in COUNT_FIELDS:
                    s[f] += row[f]
        for (kind, key), (handle_q, close_q) in rollup_stats.duration_quantiles(conn, scope, period).items():
            s = slot(kind, key)
            s["handle_q"], s["close_q"] = handle_q, close_q
    if source == "raw":
        for s in acc.values():
            for name in ("handle", "close"):
                values = s[f"{name}_s"]
                s[f"{name}_q"] = quantiles(np.concatenate(values)) if values else None
    for row in conn.execute(text(_overdue_sql(scope)), params).mappings():
        slot(row["kind"], row["key"])["overdue_now"] = row["overdue"]
    names = {(r.kind, r.code): (r.name_zh, r.name_en) for r in conn.execute(_NAMES)}

    def build(kind: str, key: str | None, values: dict[str, Any]) -> StatsRow:
        counts = Counts(**{f: int(values.get(f) or 0) for f in COUNT_FIELDS})
        zh, en = names.get((kind, key or ""), (key or "全市", key or "City-wide"))
        if kind == "total":
            zh, en = "合计", "Total"
        return StatsRow(
            kind,
            key,
            zh,
            en,
            counts,
            evaluate(counts, period.days, cfg, "district" if kind == "district" else "department", min_cases),
            *hours(values.get("handle_q")),
            *hours(values.get("close_q")),
            overdue_now=int(values.get("overdue_now") or 0),
        )

    rows = [build(kind, key, v) for (kind, key), v in acc.items() if kind != "total" and key is not None]
    total = build("total", None, acc.get(("total", None), {}))
    # graded rows by score; then the ones with too few cases (样本不足) and those without cases, by volume: no rank
    rank = sorted(
        rows,
        key=lambda r: (r.evaluation.score is None, -(r.evaluation.score or 0), -r.counts.cases, r.key or ""),
    )
    limited = ("district", scope.district) if scope.district else ("department", scope.department or "")
    return StatsTable(
        period,
        scope,
        now,
        total,
        [r for r in rank if r.kind == "department"],
        [r for r in rank if r.kind == "district"],
        names.get(limited),
        trend_of(cohort, unit, period) if unit else None,
    )
