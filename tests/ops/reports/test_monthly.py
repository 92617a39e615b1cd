"""The monthly report's data on a small month with known answers (:mod:`tests.support.report_month`): headline
counts, the rankings (the same order as /stats), the previous month's deltas, the overdue and reworked cases,
places, scope and refusals, and the audit record."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Connection, text

from db.errors import Forbidden, ValidationError
from db.scope import RowScope
from ops.evaluation import default_config, parse_config
from ops.reports.make import make_monthly
from ops.reports.monthly import MonthlyReport, gather
from ops.reports.scope import last_whole_month, parse_month, previous_month, report_scope
from ops.stats_table import stats_table
from tests.support.report_month import CATEGORY, JUNE, NOW, World, build, identity


@pytest.fixture
def world(conn: Connection) -> World:
    return build(conn)


def _city(conn: Connection, **kw: object) -> MonthlyReport:
    return gather(conn, RowScope.city(), JUNE, now=NOW, min_cases=1, **kw)  # type: ignore[arg-type]


def test_headline_figures_and_previous_month(conn: Connection, world: World) -> None:
    r = _city(conn)
    h = {x.key: x for x in r.headlines}
    assert (h["reports"].value, h["reports"].previous) == (5, 2)
    assert (h["filed"].value, h["filed"].previous) == (4, 2)
    assert (h["closed"].value, h["closed"].previous, h["closed"].delta) == (3, 2, 1)
    assert (h["overdue"].value, h["overdue"].previous, h["overdue"].trend) == (1, 0, "bad")
    assert (h["reworked"].value, h["reworked"].previous) == (1, 0)
    assert h["close_rate"].value == pytest.approx(3 / 4)
    assert h["close_rate"].previous == pytest.approx(1.0)
    assert h["close_rate"].delta == pytest.approx(-0.25) and h["close_rate"].trend == "bad"
    assert h["rework_rate"].value == pytest.approx(1 / 3)
    assert h["reports"].delta is None  # volume: no judgement, no arrow
    assert r.previous_period.start == date(2025, 5, 1)


def test_rankings_are_the_stats_pages(conn: Connection, world: World) -> None:
    r = _city(conn)
    page = stats_table(conn, world.lead, JUNE, now=NOW, min_cases=1)
    assert [x.row.key for x in r.departments] == [row.key for row in page.departments]
    assert [x.row.key for x in r.districts] == [row.key for row in page.districts]
    assert [x.row.evaluation.score for x in r.departments] == [
        row.evaluation.score for row in page.departments
    ]
    assert {x.row.key for x in r.districts} == {"520103", "520102"}
    ranks = [x.rank for x in r.departments]
    assert ranks == list(range(1, len(ranks) + 1))
    yun = next(x for x in r.districts if x.row.key == "520103")
    may = stats_table(conn, world.lead, previous_month(JUNE), now=NOW, min_cases=1)
    before = next(row for row in may.districts if row.key == "520103")
    assert yun.previous_score == before.evaluation.score
    assert yun.score_delta == pytest.approx(round(yun.row.evaluation.score - before.evaluation.score, 1))


def test_red_list_is_the_lowest_grade(conn: Connection, world: World) -> None:
    assert _city(conn).red_list == [
        x for x in _city(conn).departments if x.row.evaluation.grade == default_config().lowest
    ]
    strict = parse_config(
        {
            "schemes": {k: {"weights": {"close_rate": 1}} for k in ("department", "district")},
            "grades": [{"grade": "A", "min": 100}],
            "lowest": "E",
            "volume_band": {"per_days": 30, "bands": [{"min": 0, "score": 100}]},
        }
    )
    r = gather(conn, RowScope.city(), JUNE, now=NOW, min_cases=1, config=strict)
    # 云岩区's department closed 2 of 3 (67 %): E; 南明区's closed its one case: A
    assert [x.row.key for x in r.red_list] == ["520103-CGJ"]
    assert r.lowest_grade == "E"


def test_overdue_and_reworked_cases(conn: Connection, world: World) -> None:
    r = _city(conn)
    assert [c.ticket for c in r.cases] == [world.tickets["B"], world.tickets["C"]]
    assert (r.cases[0].rework_count, r.cases[0].overdue) == (1, False)
    assert r.cases[1].overdue and r.cases[1].status == "dispatched"
    assert r.cases_total == 2 and r.more_cases == 0
    from db.queries.report_month import problem_cases

    shown, total = problem_cases(conn, RowScope.city(), JUNE, NOW, limit=1)
    assert (len(shown), total) == (1, 2)


def test_daily_categories_and_places(conn: Connection, world: World) -> None:
    r = _city(conn)
    assert len(r.daily) == 30
    day = {d.day: d for d in r.daily}
    assert (day[date(2025, 6, 10)].reports, day[date(2025, 6, 10)].closed) == (2, 2)
    assert (day[date(2025, 6, 20)].reports, day[date(2025, 6, 20)].closed) == (2, 0)
    assert sum(d.reports for d in r.daily) == 5 and sum(d.closed for d in r.daily) == 3
    assert [(c.code, c.count, c.previous) for c in r.categories] == [(CATEGORY, 5, 2)]
    # A, B, C and D lie at one point: one multi-occurrence place of 4 reports
    assert [(p.category_code, p.count) for p in r.places] == [(CATEGORY, 4)]
    assert r.cells and r.cells[0].count == 4


def test_scope_officer_and_district(conn: Connection, world: World) -> None:
    own = report_scope(world.officer, None)
    assert own == RowScope(district="520103")
    assert report_scope(world.officer, "520103") == own
    with pytest.raises(Forbidden) as refused:
        report_scope(world.officer, "520102")
    assert "本区县" in refused.value.message("zh")
    assert report_scope(world.lead, "520102") == RowScope(district="520102")
    assert report_scope(None, None) == RowScope.city()
    r = gather(conn, own, JUNE, now=NOW, min_cases=1)
    assert r.scope_zh == "云岩区"
    h = {x.key: x for x in r.headlines}
    assert (h["reports"].value, h["filed"].value, h["closed"].value) == (4, 3, 2)
    assert [x.row.key for x in r.districts] == ["520103"]
    with pytest.raises(ValidationError):
        gather(conn, RowScope(district="999999"), JUNE, now=NOW)


def test_scope_department(conn: Connection, world: World) -> None:
    staff = identity(conn, "cgj")
    assert report_scope(staff, None) == RowScope(department=staff.department_code)
    assert report_scope(staff, "520103") == RowScope(district="520103", department=staff.department_code)
    # 云岩区's cases went to 520103-CGJ: that department's report counts them, places give way to grid cells
    r = gather(conn, RowScope(department="520103-CGJ"), JUNE, now=NOW, min_cases=1)
    h = {x.key: x for x in r.headlines}
    assert (h["filed"].value, h["closed"].value) == (3, 2)
    assert [x.row.key for x in r.departments] == ["520103-CGJ"]
    assert r.places == [] and r.cells[0].count == 3


def test_month_parsing() -> None:
    today = date(2026, 12, 6)
    assert last_whole_month(today).start == date(2026, 11, 1) and last_whole_month(today).end == date(
        2026, 11, 30
    )
    assert parse_month(None, today) == last_whole_month(today)
    assert parse_month("2024-02", today).end == date(2024, 2, 29)
    assert parse_month("2026-12", today).days == 31  # this month so far is allowed
    for bad in ("2027-01", "2026-13", "11-2026", "2026-1"):
        with pytest.raises(ValidationError):
            parse_month(bad, today)
    assert previous_month(parse_month("2026-01", today)).start == date(2025, 12, 1)


def test_each_report_is_audited(conn: Connection, world: World) -> None:
    before = conn.execute(text("SELECT count(*) FROM audit_log WHERE kind = 'report'")).scalar_one()
    made = make_monthly(conn, world.officer, "2025-06", None, fmt="html", now=NOW, min_cases=1, client="t")
    assert made.filename == "guiyang-monthly-2025-06-520103.html"
    row = conn.execute(
        text("SELECT username, client, detail FROM audit_log WHERE kind = 'report' ORDER BY id DESC LIMIT 1")
    ).one()
    assert (
        conn.execute(text("SELECT count(*) FROM audit_log WHERE kind = 'report'")).scalar_one() == before + 1
    )
    assert (row.username, row.client) == ("yunyan", "t")
    assert row.detail["month"] == "2025-06" and row.detail["district"] == "520103"
    assert row.detail["format"] == "html"
    with pytest.raises(Forbidden):
        make_monthly(conn, world.officer, "2025-06", "520102", fmt="html", now=NOW)
    assert (
        conn.execute(text("SELECT count(*) FROM audit_log WHERE kind = 'report'")).scalar_one() == before + 1
    )
