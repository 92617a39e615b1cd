"""The monthly assessment report (月度考核通报) as data: :func:`gather` returns one :class:`MonthlyReport`.

Every figure of the evaluation comes from :func:`ops.stats_table.stats_table` (the table /stats shows, the same
ranking, the same 综合指标值 and grades from :mod:`ops.evaluation`), run for the month and for the month before;
nothing here restates a formula. What the table does not hold comes from :mod:`db.queries.report_month` (reports
and closures per day, top categories and cells, the overdue and reworked cases) and from the analysis of
multi-occurrence places (:func:`ops.analysis.places.places`).

Headline figures (all of the month's cohort, as the evaluation defines them): 上报数 (every report), 立案数,
结案数, 结案率, 按期结案率, 按期处置率, 超期案件 (due for closing and not closed by the deadline:
``due_close − closed_on_time``), 当前超期 (the snapshot of /stats), 返工 and 返工率, 准确派遣率, 综合指标值.
The evaluation defines no satisfaction (满意度) indicator: the report shows none.

黑榜 (red list): the departments graded the lowest grade of ``evaluation.yaml`` (``lowest``, E by default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection

from db.engine import one_snapshot
from db.errors import ValidationError
from db.period import Period
from db.queries import report_month as q
from db.scope import RowScope
from geo.crs import TZ
from ops.analysis.filters import Filters
from ops.analysis.places import MIN_REPORTS, RADIUS_M, Place, places
from ops.analysis.scope import AnalysisScope
from ops.evaluation import DEFAULT_MIN_CASES, EvaluationConfig, default_config
from ops.reports.scope import previous_month
from ops.stats_table import StatsRow, StatsTable, stats_table

#: Most overdue / reworked cases listed ("and N more" after them).
CASES_SHOWN = 30


@dataclass(frozen=True, slots=True)
class Headline:
    key: str
    label_zh: str
    label_en: str
    value: float | None
    previous: float | None
    percent: bool = False  # a rate 0–1 shown as a percentage
    better: str | None = "up"  # which direction is good: up, down, or None (no judgement, no delta)

    @property
    def delta(self) -> float | None:
        if self.better is None or self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def trend(self) -> str:
        """``good``, ``bad`` or ``same`` (for the arrow's colour)."""
        d = self.delta
        if d is None or abs(d) < 1e-9:
            return "same"
        return "good" if (d > 0) == (self.better == "up") else "bad"


@dataclass(frozen=True, slots=True)
class Ranked:
    """A ranked department or district with last month's rank and score beside this month's."""

    rank: int | None
    row: StatsRow
    previous_rank: int | None
    previous_score: float | None
    previous_grade: str | None

    @property
    def score_delta(self) -> float | None:
        s = self.row.evaluation.score
        return None if s is None or self.previous_score is None else round(s - self.previous_score, 1)


@dataclass(frozen=True)
class MonthlyReport:
    period: Period
    previous_period: Period
    scope: RowScope
    scope_zh: str
    scope_en: str
    as_of: datetime
    table: StatsTable
    previous: StatsTable
    headlines: list[Headline]
    departments: list[Ranked]
    districts: list[Ranked]
    red_list: list[Ranked]
    lowest_grade: str
    daily: list[q.DayCount]
    categories: list[q.CategoryCount]
    places: list[Place] = field(default_factory=list)
    cells: list[q.CellCount] = field(default_factory=list)
    cases: list[q.ProblemCase] = field(default_factory=list)
    cases_total: int = 0
    min_cases: int = DEFAULT_MIN_CASES
    places_radius_m: float = RADIUS_M
    places_min_reports: int = MIN_REPORTS

    @property
    def month_label(self) -> str:
        return f"{self.period.start.year} 年 {self.period.start.month} 月"

    @property
    def more_cases(self) -> int:
        return max(0, self.cases_total - len(self.cases))


def _ranked(rows: list[StatsRow], before: list[StatsRow]) -> list[Ranked]:
    prev = {r.key: (i, r) for i, r in enumerate((r for r in before if r.evaluation.score is not None), 1)}
    out = []
    rank = 0
    for r in rows:
        ranked = r.evaluation.score is not None
        rank += ranked
        p = prev.get(r.key)
        out.append(
            Ranked(
                rank if ranked else None,
                r,
                p[0] if p else None,
                p[1].evaluation.score if p else None,
                p[1].evaluation.grade if p else None,
            )
        )
    return out


def _headlines(now: StatsTable, before: StatsTable, reports: int, reports_before: int) -> list[Headline]:
    a, b = now.total, before.total
    ca, cb = a.counts, b.counts
    ea, eb = a.evaluation, b.evaluation
    return [
        Headline("reports", "上报数", "Reports", reports, reports_before, better=None),
        Headline("filed", "立案数", "Filed", ca.cases, cb.cases, better=None),
        Headline("closed", "结案数", "Closed", ca.closed, cb.closed),
        Headline("close_rate", "结案率", "Closing rate", ea.close_rate, eb.close_rate, percent=True),
        Headline(
            "on_time_close_rate",
            "按期结案率",
            "On-time closing",
            ea.on_time_close_rate,
            eb.on_time_close_rate,
            percent=True,
        ),
        Headline(
            "on_time_handle_rate",
            "按期处置率",
            "On-time handling",
            ea.on_time_handle_rate,
            eb.on_time_handle_rate,
            percent=True,
        ),
        Headline(
            "overdue",
            "超期案件",
            "Overdue",
            ca.due_close - ca.closed_on_time,
            cb.due_close - cb.closed_on_time,
            better="down",
        ),
        Headline("overdue_now", "当前超期", "Overdue now", a.overdue_now, None, better=None),
        Headline("reworked", "返工数", "Reworked", ca.reworked, cb.reworked, better="down"),
        Headline("rework_rate", "返工率", "Rework rate", ea.rework_rate, eb.rework_rate, True, "down"),
        Headline(
            "dispatch_accuracy",
            "准确派遣率",
            "Dispatch accuracy",
            ea.dispatch_accuracy,
            eb.dispatch_accuracy,
            percent=True,
        ),
        Headline("score", "综合指标值", "Score", ea.score, eb.score),
    ]


def _analysis_scope(scope: RowScope) -> AnalysisScope | None:
    """The analysis reads by district and category: a department's report has no such scope (cells instead)."""
    if scope.department is not None:
        return None
    return AnalysisScope.city() if scope.city_wide else AnalysisScope(district=scope.district)


def gather(
    conn: Connection,
    scope: RowScope,
    period: Period,
    *,
    now: datetime | None = None,
    config: EvaluationConfig | None = None,
    min_cases: int = DEFAULT_MIN_CASES,
    radius_m: float = RADIUS_M,
    min_reports: int = MIN_REPORTS,
) -> MonthlyReport:
    """The report of ``period`` (a whole month, :func:`ops.reports.scope.parse_month`) within ``scope``
    (:func:`ops.reports.scope.report_scope`)."""
    now = now or datetime.now(TZ)
    cfg = config or default_config()
    one_snapshot(conn)  # this month and the last, its places and its tables: one state of the database
    scope_name: tuple[str, str] = ("全市", "City-wide")
    if scope.district is not None:
        found = q.district_name(conn, scope.district)
        if found is None:
            raise ValidationError("没有这个区县。", "No such district.", field="district")
        scope_name = found
    before = previous_month(period)
    table = stats_table(conn, None, period, now=now, scope=scope, config=cfg, min_cases=min_cases)
    prev = stats_table(conn, None, before, now=now, scope=scope, config=cfg, min_cases=min_cases)
    if scope.department is not None and table.scope_name is None:
        scope_name = (scope.department, scope.department)
    if scope.department is not None:
        dep = next((r for r in table.departments if r.key == scope.department), None)
        if dep is not None:
            scope_name = (
                f"{scope_name[0]} · {dep.name_zh}" if scope.district else dep.name_zh,
                f"{scope_name[1]} · {dep.name_en}" if scope.district else dep.name_en,
            )
    reports = q.reports_count(conn, scope, period, now)
    reports_before = q.reports_count(conn, scope, before, now)
    departments = _ranked(table.departments, prev.departments)
    an = _analysis_scope(scope)
    found_places: list[Place] = []
    if an is not None:
        end = min(now, period.end_at - timedelta(microseconds=1))
        days = (end - period.start_at).days + 1
        found_places = places(
            conn,
            an,
            Filters(days=max(1, days)),
            end,
            radius_m=radius_m,
            min_reports=min_reports,
            limit=10,
        )
        found_places = [p for p in found_places if p.first_seen >= period.start_at]
    cases, total = q.problem_cases(conn, scope, period, now, CASES_SHOWN)
    return MonthlyReport(
        period=period,
        previous_period=before,
        scope=scope,
        scope_zh=scope_name[0],
        scope_en=scope_name[1],
        as_of=now,
        table=table,
        previous=prev,
        headlines=_headlines(table, prev, reports, reports_before),
        departments=departments,
        districts=_ranked(table.districts, prev.districts),
        red_list=[r for r in departments if r.row.evaluation.grade == cfg.lowest],
        lowest_grade=cfg.lowest,
        daily=q.daily(conn, scope, period, now),
        categories=q.top_categories(conn, scope, period, before, now),
        places=found_places,
        cells=q.top_cells(conn, scope, period, now),
        cases=cases,
        cases_total=total,
        min_cases=min_cases,
        places_radius_m=radius_m,
        places_min_reports=min_reports,
    )
