"""The /stats read model against hand-built cases: every rate, response time, overdue count, trend, drill-down
and scope has a value known in advance. Cases are made with the workflow commands at explicit instants in June
2025, inside the rolled-back test transaction."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import Connection, text

from dashboard.api.exports import to_csv, to_xlsx
from dashboard.components.stats_columns import COLUMNS, export_header, records
from db.accounts import StaffIdentity, load_identity
from db.errors import Forbidden
from db.period import Period
from db.queries.stats_drill import drill_cases
from db.queries.stats_trend import trend
from geo.crs import TZ
from ops import workflow as wf
from ops.policy import stats_scope
from ops.stats_table import StatsRow, StatsTable, stats_table
from ops.workflow import Actor

YUNYAN = (106.7135, 26.5838)  # 云岩区 520103
NANMING = (106.7119, 26.5716)  # 南明区 520102
CATEGORY = "C0101"  # 井盖破损: 4 working hours; 520103-CGJ in 云岩区, 520102-CGJ in 南明区
JUNE = Period(date(2025, 6, 1), date(2025, 6, 30))
NOW = datetime(2025, 7, 15, 10, 0, tzinfo=TZ)


def at(day: str, hm: str) -> datetime:
    return datetime.fromisoformat(f"2025-{day}T{hm}").replace(tzinfo=TZ)


@dataclass
class World:
    lead: StaffIdentity
    officer: StaffIdentity  # 云岩区
    tickets: dict[str, str]


def _identity(conn: Connection, username: str) -> StaffIdentity:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).scalar_one()
    ident = load_identity(conn, uid)
    assert ident is not None
    return ident


@pytest.fixture
def world(conn: Connection) -> World:
    """云岩区: A on time; B handled 2 days late; C reworked once, then on time; D sent to CGJ, returned, then
    on time; E dispatched and overdue; F filed only; G reported only. H reported in May, overdue now. 南明区: I on
    time; J filed and merged into I."""
    lead = _identity(conn, "lead")
    actor = Actor.from_identity(lead)
    tickets: dict[str, str] = {}

    def report(name: str, point: tuple[float, float], when: datetime) -> wf.CaseResult:
        r = wf.report(
            conn,
            Actor.system(),
            category_code=CATEGORY,
            lon=point[0],
            lat=point[1],
            description=name,
            source="inspector",
            now=when,
        )
        tickets[name] = r.ticket
        return r

    def to_dispatched(
        name: str, point: tuple[float, float], day: str, hm: str, dept: str | None = None
    ) -> wf.CaseResult:
        t0 = at(day, hm)
        r = report(name, point, t0)
        r = wf.file_case(conn, actor, r.id, r.version, now=t0 + timedelta(minutes=10))
        return wf.dispatch(conn, actor, r.id, r.version, department_code=dept, now=t0 + timedelta(minutes=20))

    def handle(r: wf.CaseResult, when: datetime) -> wf.CaseResult:
        return wf.handle(conn, actor, r.id, r.version, note="已处置", now=when)

    def close(r: wf.CaseResult, when: datetime) -> wf.CaseResult:
        return wf.verify(conn, actor, r.id, r.version, passed=True, now=when)

    a = to_dispatched("A", YUNYAN, "06-10", "09:00")  # dispatched 09:20
    close(handle(a, at("06-10", "10:20")), at("06-10", "11:00"))
    b = to_dispatched("B", YUNYAN, "06-10", "09:05")  # dispatched 09:25, deadline the same afternoon
    close(handle(b, at("06-12", "09:25")), at("06-12", "10:25"))
    c = to_dispatched("C", YUNYAN, "06-10", "09:10")  # dispatched 09:30
    c = handle(c, at("06-10", "10:30"))
    c = wf.verify(conn, actor, c.id, c.version, passed=False, note="井盖仍松动", now=at("06-10", "11:00"))
    close(handle(c, at("06-10", "11:30")), at("06-10", "11:45"))
    d = to_dispatched("D", YUNYAN, "06-10", "09:15", dept="CGJ")  # the wrong department first
    d = wf.return_case(conn, actor, d.id, d.version, reason="非本部门职责", now=at("06-10", "10:00"))
    d = wf.dispatch(conn, actor, d.id, d.version, department_code="520103-CGJ", now=at("06-10", "10:10"))
    close(handle(d, at("06-10", "11:10")), at("06-10", "11:30"))
    to_dispatched("E", YUNYAN, "06-20", "09:00")
    f = report("F", YUNYAN, at("06-20", "10:00"))
    wf.file_case(conn, actor, f.id, f.version, now=at("06-20", "10:10"))
    report("G", YUNYAN, at("06-20", "11:00"))
    h = report("H", YUNYAN, at("05-20", "09:00"))
    h = wf.file_case(conn, actor, h.id, h.version, now=at("05-20", "09:10"))
    wf.dispatch(conn, actor, h.id, h.version, now=at("05-20", "09:20"))
    i = to_dispatched("I", NANMING, "06-11", "09:00")
    j = report("J", NANMING, at("06-11", "09:30"))
    j = wf.file_case(conn, actor, j.id, j.version, now=at("06-11", "09:40"))
    wf.merge(conn, actor, j.id, j.version, into_case_id=i.id, now=at("06-11", "09:45"))
    close(handle(i, at("06-11", "10:20")), at("06-11", "10:40"))
    return World(lead, _identity(conn, "yunyan"), tickets)


def _row(rows: list[StatsRow], key: str) -> StatsRow:
    return next(r for r in rows if r.key == key)


def _counts(row: StatsRow) -> tuple[int, ...]:
    c = row.counts
    return (
        c.cases,
        c.closed,
        c.due_close,
        c.closed_on_time,
        c.due_handle,
        c.handled_on_time,
        c.handled_ever,
        c.reworked,
        c.dispatches,
        c.returns,
    )


def test_district_rates_and_response_times(conn: Connection, world: World) -> None:
    table = stats_table(conn, world.lead, JUNE, now=NOW, min_cases=1)  # a handful of cases: grade them all
    yunyan = _row(table.districts, "520103")
    # cases A-F (G not filed, H reported in May); closed A-D; due: A-D and E (past its deadline), not F
    assert _counts(yunyan) == (6, 4, 5, 3, 5, 3, 4, 1, 6, 1)
    ev = yunyan.evaluation
    assert ev.close_rate == pytest.approx(4 / 5)  # 结案率
    assert ev.on_time_close_rate == pytest.approx(3 / 5)  # 按期结案率: B closed late
    assert ev.on_time_handle_rate == pytest.approx(3 / 5)  # 按期处置率: B late, E not handled
    assert ev.rework_rate == pytest.approx(1 / 4)  # 返工率: C
    assert ev.dispatch_accuracy == pytest.approx(1 - 1 / 6)  # 准确派遣率: D returned once, 6 dispatches
    # 30·80 + 30·60 + 30·75 + 10·60 (6 cases per 30 days: the lowest band)
    assert (ev.score, ev.grade) == (70.5, "C")
    # dispatch→handled hours A 1, B 48, C 2 (from the first dispatch to the last handling), D 1
    assert (yunyan.handle_p50_h, yunyan.handle_p90_h) == (1.5, 34.2)
    # report→closed hours A 2, B 49.33, C 2.58, D 2.25
    assert (yunyan.close_p50_h, yunyan.close_p90_h) == (2.4, 35.3)
    # 超期 (red light): E and H past their handling deadline (H from May: a snapshot, not limited to the period),
    # F past its dispatch limit, G past its review limit
    assert yunyan.overdue_now == 4
    assert (yunyan.name_zh, yunyan.name_en) == ("云岩区", "Yunyan District")

    nanming = _row(table.districts, "520102")
    assert _counts(nanming) == (1, 1, 1, 1, 1, 1, 1, 0, 1, 0)  # J merged: not counted
    assert (nanming.evaluation.score, nanming.evaluation.grade) == (96.0, "A")
    assert nanming.overdue_now == 0

    assert _counts(table.total) == (7, 5, 6, 4, 6, 4, 5, 1, 7, 1)
    assert table.total.overdue_now == 4 and table.total.name_zh == "合计"
    assert [r.key for r in table.districts] == ["520102", "520103"]  # ranked by score
    assert not table.empty


def test_department_rows_attribute_returns_to_the_returning_department(
    conn: Connection, world: World
) -> None:
    table = stats_table(conn, world.lead, JUNE, now=NOW)
    assert {r.key for r in table.departments} == {"520103-CGJ", "520102-CGJ", "CGJ"}  # F has no department
    cgj_yunyan = _row(table.departments, "520103-CGJ")
    assert _counts(cgj_yunyan) == (5, 4, 5, 3, 5, 3, 4, 1, 5, 0)
    assert cgj_yunyan.evaluation.dispatch_accuracy == 1.0
    assert cgj_yunyan.overdue_now == 2  # E and H: a department counts the overdue cases it holds
    city = _row(table.departments, "CGJ")  # got D by mistake and returned it
    assert _counts(city) == (0, 0, 0, 0, 0, 0, 0, 0, 1, 1)
    assert city.evaluation.dispatch_accuracy == 0.0
    assert (city.evaluation.score, city.evaluation.grade) == (None, None)
    assert city.name_zh == "贵阳市城市管理局"
    assert table.departments[-1].key == "CGJ"  # no score ranks last


def test_officer_sees_only_their_district(conn: Connection, world: World) -> None:
    table = stats_table(conn, world.officer, JUNE, now=NOW)
    assert [r.key for r in table.districts] == ["520103"]
    assert _counts(table.total) == _counts(_row(table.districts, "520103"))
    assert table.total.overdue_now == 4
    assert {r.key for r in table.departments} == {"520103-CGJ", "CGJ"}
    assert table.scope_name == ("云岩区", "Yunyan District")
    assert drill_cases(conn, stats_scope(world.officer), JUNE, "district:520102", "cases", now=NOW).total == 0
    assert (
        drill_cases(conn, stats_scope(world.officer), JUNE, "department:520102-CGJ", "cases", now=NOW).total
        == 0
    )
    everything = drill_cases(conn, stats_scope(world.officer), JUNE, "total:", "cases", now=NOW)
    assert {c["district_code"] for c in everything.cases} == {"520103"}
    points = trend(conn, stats_scope(world.officer), JUNE, now=NOW)["points"]
    assert {p["key"] for p in points if p["kind"] == "district"} == {"520103"}


def test_department_staff_see_only_their_department(conn: Connection, world: World) -> None:
    staff = StaffIdentity(0, "dep", "dep", "department", None, "520103-CGJ")
    table = stats_table(conn, staff, JUNE, now=NOW)
    assert [r.key for r in table.departments] == ["520103-CGJ"]
    assert [r.key for r in table.districts] == ["520103"]
    assert _counts(table.total)[:2] == (5, 4)  # A-E, not F (no department) nor 南明区
    city = StaffIdentity(0, "cgj", "cgj", "department", None, "CGJ")
    table = stats_table(conn, city, JUNE, now=NOW)
    assert [r.key for r in table.departments] == ["CGJ"]
    assert _counts(table.total) == (0, 0, 0, 0, 0, 0, 0, 0, 1, 1)
    assert table.empty
    assert (
        drill_cases(
            conn, stats_scope(city), JUNE, "department:520103-CGJ", "dispatch_accuracy", now=NOW
        ).total
        == 0
    )
    mine = drill_cases(conn, stats_scope(city), JUNE, "department:CGJ", "dispatch_accuracy", now=NOW)
    assert [c["ticket"] for c in mine.cases] == [world.tickets["D"]]


@pytest.mark.parametrize(
    ("role", "district", "department", "expected"),
    [
        ("lead", None, None, (None, None)),
        ("admin", None, None, (None, None)),
        ("dispatcher", None, None, (None, None)),
        ("moderator", None, None, (None, None)),
        ("officer", "520103", None, ("520103", None)),
        ("department", None, "CGJ", (None, "CGJ")),
    ],
)
def test_scope_of(
    role: str, district: str | None, department: str | None, expected: tuple[str | None, ...]
) -> None:
    scope = stats_scope(StaffIdentity(1, "u", "u", role, district, department))
    assert (scope.district, scope.department) == expected


@pytest.mark.parametrize(
    ("role", "district", "department"), [("citizen", None, None), ("officer", None, None)]
)
def test_scope_refused(role: str, district: str | None, department: str | None) -> None:
    with pytest.raises(Forbidden):
        stats_scope(StaffIdentity(1, "u", "u", role, district, department))


def test_empty_period(conn: Connection, world: World) -> None:
    table = stats_table(conn, world.lead, Period(date(2025, 4, 1), date(2025, 4, 30)), now=NOW)
    assert table.empty and table.total.counts.cases == 0
    # a row remains only where cases are overdue now (a snapshot, not limited to the period)
    assert [(r.key, r.counts.cases, r.overdue_now) for r in table.districts] == [("520103", 0, 4)]
    assert table.total.evaluation.score is None
    assert table.total.overdue_now == 4  # the snapshot does not depend on the period
    assert (
        trend(conn, stats_scope(world.lead), Period(date(2025, 4, 1), date(2025, 4, 30)), now=NOW)["points"]
        == []
    )


def test_now_moves_the_due_line(conn: Connection, world: World) -> None:
    # seen from 10 June noon, E (dispatched on 20 June) is not due yet: only the handled cases A-D and I are
    table = stats_table(conn, world.lead, JUNE, now=at("06-10", "12:00"))
    assert (table.total.counts.due_handle, table.total.counts.due_close) == (5, 5)
    assert table.total.overdue_now == 1  # H only


def test_trend_daily_for_a_month(conn: Connection, world: World) -> None:
    series = trend(conn, stats_scope(world.lead), JUNE, now=NOW)
    assert series["unit"] == "day"
    total = {
        p["bucket"]: (p["cases"], p["closed"], p["due_handle"], p["handled_on_time"])
        for p in series["points"]
        if p["kind"] == "total"
    }
    assert total == {"2025-06-10": (4, 4, 4, 3), "2025-06-11": (1, 1, 1, 1), "2025-06-20": (2, 0, 1, 0)}
    dept = [p for p in series["points"] if p["kind"] == "department" and p["key"] == "520103-CGJ"]
    assert sum(p["cases"] for p in dept) == 5
    weekly = trend(conn, stats_scope(world.lead), Period(date(2025, 5, 1), date(2025, 6, 30)), now=NOW)
    assert weekly["unit"] == "week"
    weeks = {p["bucket"]: p["cases"] for p in weekly["points"] if p["kind"] == "total"}
    assert weeks == {"2025-05-19": 1, "2025-06-09": 5, "2025-06-16": 2}  # Mondays


@pytest.mark.parametrize(
    ("row_id", "metric", "expected"),
    [
        ("district:520103", "cases", "ABCDEF"),
        ("district:520103", "close_rate", "E"),  # due, not closed
        ("district:520103", "on_time_close_rate", "BE"),
        ("district:520103", "on_time_handle_rate", "BE"),
        ("district:520103", "rework_rate", "C"),
        ("district:520103", "dispatch_accuracy", "D"),
        ("department:CGJ", "dispatch_accuracy", "D"),  # returned BY the city bureau, now elsewhere
        ("department:520103-CGJ", "dispatch_accuracy", ""),
        ("district:520103", "handle_p90_h", "ABCD"),
        ("total:", "overdue_now", "EFGH"),
        ("district:520103", "overdue_now", "EFGH"),
        ("department:520103-CGJ", "overdue_now", "EH"),
        ("department:520102-CGJ", "cases", "I"),
        ("total:", "cases", "ABCDEFI"),
        ("nonsense:x", "cases", ""),
    ],
)
def test_drill_down_lists_the_cases_behind_a_number(
    conn: Connection, world: World, row_id: str, metric: str, expected: str
) -> None:
    drill = drill_cases(conn, stats_scope(world.lead), JUNE, row_id, metric, now=NOW)
    by_ticket = {v: k for k, v in world.tickets.items()}
    assert "".join(sorted(by_ticket[c["ticket"]] for c in drill.cases)) == expected
    assert drill.total == len(expected)
    for case in drill.cases:
        assert not {"reporter_id", "description", "address"} & set(case)  # no personal data
        assert 106 < case["lon"] < 107.2 and 26.3 < case["lat"] < 27


def test_drill_down_is_capped_worst_first(conn: Connection, world: World) -> None:
    drill = drill_cases(
        conn, stats_scope(world.lead), JUNE, "district:520103", "handle_p50_h", now=NOW, cap=1
    )
    assert drill.total == 4 and [c["ticket"] for c in drill.cases] == [world.tickets["B"]]  # the slowest


def _table(conn: Connection, world: World) -> StatsTable:
    return stats_table(conn, world.lead, JUNE, now=NOW)


def test_csv_export_is_the_table(conn: Connection, world: World) -> None:
    table = _table(conn, world)
    body = to_csv(table, "zh")
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == export_header("zh")
    assert rows[0][:4] == ["类别", "代码", "名称", "立案数"]
    assert len(rows) == 1 + len(table.departments) + len(table.districts) + 1
    yunyan = next(r for r in rows if r[1] == "520103")
    rec = next(r for r in records(table, "zh")["district"] if r["code"] == "520103")
    assert yunyan[2:] == ["" if rec[k] is None else str(rec[k]) for k, _ in COLUMNS]
    assert yunyan[-2:] == ["", "样本不足"]  # 5 cases due: too few to be scored (GUIYANG_STATS_MIN_CASES)
    assert yunyan[3:6] == ["6", "80.0", "60.0"]
    assert rows[-1][0] == "合计" and rows[-1][3] == "7"
    english = list(csv.reader(io.StringIO(to_csv(table, "en").decode("utf-8-sig"))))
    assert english[0][:4] == ["Table", "Code", "Name", "Cases filed"] and english[-1][0] == "Total"


def test_excel_export_is_the_table(conn: Connection, world: World) -> None:
    table = _table(conn, world)
    ws = load_workbook(io.BytesIO(to_xlsx(table, "zh"))).active
    assert ws is not None
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0][0] == "部门与区县考核评价"
    assert "2025-06-01" in str(values[1][0])
    assert values[2] == export_header("zh")
    yunyan = next(r for r in values if r[1] == "520103")
    assert yunyan[3:6] == [6, 80.0, 60.0] and yunyan[-2:] == [None, "样本不足"]  # 5 due: fewer than 20


def test_table_with_trend_is_one_pass_with_the_same_numbers(conn: Connection, world: World) -> None:
    table = stats_table(conn, world.lead, JUNE, now=NOW, with_trend=True)
    assert table.trend == trend(conn, stats_scope(world.lead), JUNE, now=NOW)
    assert table.total == stats_table(conn, world.lead, JUNE, now=NOW).total


def test_median_and_p90_are_percentile_cont(conn: Connection, world: World) -> None:
    expected = conn.execute(
        text(
            "SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP "
            "(ORDER BY extract(epoch FROM handled_at - dispatched_at) / 3600), "
            "percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - created_at) / 3600) "
            "FILTER (WHERE status = 'closed') "
            "FROM \"case\" WHERE created_at >= '2025-06-01' AND created_at < '2025-07-01' AND filed_at IS NOT NULL "
            "AND status IN ('handled', 'closed')"
        )
    ).one()
    total = stats_table(conn, world.lead, JUNE, now=NOW).total
    assert (total.handle_p50_h, total.handle_p90_h) == tuple(round(float(x), 1) for x in expected[0])
    assert (total.close_p50_h, total.close_p90_h) == tuple(round(float(x), 1) for x in expected[1])


def test_every_drill_metric_and_column_has_its_words() -> None:
    from dashboard.components.stats_columns import DRILLABLE
    from dashboard.i18n import t
    from db.queries.stats_drill import DRILL_METRICS

    assert set(DRILL_METRICS) <= DRILLABLE
    for metric in DRILL_METRICS:
        what = metric.split("_p")[0] if metric.endswith("_h") else metric
        for lang in ("zh", "en"):
            assert t(f"stats.drill.what.{what}", lang) != f"stats.drill.what.{what}"
    for key, _ in COLUMNS:
        assert t(f"stats.col.{key}", "en") != f"stats.col.{key}"


def test_rows_with_too_few_cases_due_get_no_grade_and_no_rank(conn: Connection, world: World) -> None:
    # 云岩区 has 5 cases due (A-E), 南明区 1 (I): with a minimum of 5 only 云岩区 is graded, and it ranks first
    # although 南明区's one case on time would score 96.0
    table = stats_table(conn, world.lead, JUNE, now=NOW, min_cases=5)
    yunyan, nanming = _row(table.districts, "520103"), _row(table.districts, "520102")
    assert (yunyan.evaluation.score, yunyan.evaluation.grade, yunyan.evaluation.too_few) == (70.5, "C", False)
    assert (nanming.evaluation.score, nanming.evaluation.grade, nanming.evaluation.too_few) == (
        None,
        None,
        True,
    )
    assert nanming.evaluation.on_time_handle_rate == 1.0  # its rates are still shown
    assert [r.key for r in table.districts] == ["520103", "520102"]
    assert records(table, "en")["district"][1]["grade"] == "Too few cases"
    # the default minimum (GUIYANG_STATS_MIN_CASES, 20): nothing in this small world is graded
    default = stats_table(conn, world.lead, JUNE, now=NOW)
    assert all(r.evaluation.grade is None for r in [*default.departments, *default.districts, default.total])
    assert default.total.evaluation.too_few
