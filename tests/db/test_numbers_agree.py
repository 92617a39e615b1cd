"""Numbers that must agree (issue 12): the same seeded cases give the same 超期 on the wall, on /stats and in the
workbench's red-light filter; the wall legend's 在办 is the tile's 在办; the 按期处置率 tile shows its own fraction.
Cases are made with the workflow commands at explicit instants, inside the rolled-back test transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from dash import html
from sqlalchemy import Connection, text

from dashboard.components.wall_panels import kpi_tiles, pin_legend
from db.accounts import StaffIdentity, load_identity
from db.period import Period
from db.queries import live
from db.queries.stats_drill import drill_cases
from db.queries.workbench import Filters
from db.queries.workbench import pins as workbench_pins
from geo.crs import TZ
from ops import response_panel as response
from ops import workflow as wf
from ops.policy import stats_scope, workbench_scope
from ops.stats_table import stats_table
from ops.workflow import Actor

pytestmark = pytest.mark.db

YUNYAN = (106.7135, 26.5838)  # 云岩区 520103
CATEGORY = "C0101"  # 井盖破损: 4 working hours
NOW = datetime(2025, 7, 15, 10, 0, tzinfo=TZ)  # a Tuesday morning
CITY = (106.0, 26.0, 107.5, 27.5)


def at(day: str, hm: str) -> datetime:
    return datetime.fromisoformat(f"2025-{day}T{hm}").replace(tzinfo=TZ)


@dataclass
class Seeded:
    lead: StaffIdentity
    overdue: set[int]  # what the definition says, case by case
    open: set[int]


@pytest.fixture
def seeded(conn: Connection) -> Seeded:
    """One overdue case in every stage (review, dispatch, handling, verification, suspended past its deadline),
    and open cases that are not overdue (fresh ones, suspended in time), plus closed ones."""
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
    lead = load_identity(conn, uid)
    assert lead is not None
    actor = Actor.from_identity(lead)
    k = iter(range(1000))

    def report(when: datetime) -> wf.CaseResult:
        i = next(k)
        return wf.report(
            conn,
            Actor.system(),
            category_code=CATEGORY,
            lon=YUNYAN[0] + 0.0004 * (i % 7),
            lat=YUNYAN[1] + 0.0004 * (i // 7),
            description=f"numbers {i}",
            source="inspector",
            now=when,
        )

    def dispatched(when: datetime) -> wf.CaseResult:
        r = report(when)
        r = wf.file_case(conn, actor, r.id, r.version, now=when + timedelta(minutes=5))
        return wf.dispatch(conn, actor, r.id, r.version, now=when + timedelta(minutes=10))

    overdue: set[int] = set()
    fresh: set[int] = set()
    overdue.add(report(at("07-01", "09:00")).id)  # review stage, long past
    f = report(at("07-01", "09:30"))
    overdue.add(wf.file_case(conn, actor, f.id, f.version, now=at("07-01", "09:40")).id)  # dispatch stage
    overdue.add(dispatched(at("07-10", "09:00")).id)  # handling stage, at a department
    h = dispatched(at("07-10", "10:00"))
    h = wf.handle(conn, actor, h.id, h.version, note="已处置", now=at("07-10", "11:00"))
    overdue.add(h.id)  # verification stage, waiting for the center
    s = dispatched(at("07-08", "09:00"))
    overdue.add(wf.suspend(conn, actor, s.id, s.version, reason="待配件", now=at("07-11", "09:00")).id)
    s2 = dispatched(at("07-15", "09:00"))
    fresh.add(wf.suspend(conn, actor, s2.id, s2.version, reason="待配件", now=at("07-15", "09:20")).id)
    fresh.add(report(at("07-15", "09:50")).id)
    fresh.add(dispatched(at("07-15", "09:30")).id)
    c = dispatched(at("07-10", "09:00"))
    c = wf.handle(conn, actor, c.id, c.version, note="已处置", now=at("07-10", "10:00"))
    wf.verify(conn, actor, c.id, c.version, passed=True, now=at("07-10", "10:30"))
    return Seeded(lead, overdue, overdue | fresh)


def _in_db(conn: Connection, ids: set[int]) -> None:
    # the test database holds no other open case: the city-wide figures are exactly the seeded ones
    others = conn.execute(
        text(
            "SELECT count(*) FROM \"case\" WHERE status NOT IN ('closed', 'rejected', 'merged') "
            "AND NOT id = ANY(:ids)"
        ),
        {"ids": list(ids)},
    ).scalar_one()
    assert others == 0


def test_overdue_is_one_number_on_the_wall_stats_and_workbench(conn: Connection, seeded: Seeded) -> None:
    _in_db(conn, seeded.open)
    wall = live.kpis(conn, now=NOW)
    table = stats_table(conn, seeded.lead, Period(date(2025, 7, 1), date(2025, 7, 15)), now=NOW)
    assert wall.overdue == table.total.overdue_now == len(seeded.overdue) == 5
    # the district row (every case here lies in 云岩区) and the drill-down behind the number
    assert next(r for r in table.districts if r.key == "520103").overdue_now == 5
    drill = drill_cases(conn, stats_scope(seeded.lead), table.period, "total:", "overdue_now", now=NOW)
    assert {c["id"] for c in drill.cases} == seeded.overdue
    # the workbench's red-light filter over the open cases, and the wall's red pins
    red = workbench_pins(conn, workbench_scope(seeded.lead), Filters(lights=("red",)), CITY, now=NOW)
    assert {f["properties"]["id"] for f in red.geojson["features"]} == seeded.overdue
    bubbles = live.viewport_pins(conn, CITY, 11, now=NOW)
    assert sum(b.red for b in bubbles.bubbles) + sum(p.light == "r" for p in bubbles.pins) == 5


def test_a_department_counts_the_overdue_cases_it_holds(conn: Connection, seeded: Seeded) -> None:
    table = stats_table(conn, seeded.lead, Period(date(2025, 7, 1), date(2025, 7, 15)), now=NOW)
    # at the department: the one past its handling deadline and the one suspended after it (not the case
    # waiting for the center's verification, nor the ones not yet dispatched)
    assert [(r.key, r.overdue_now) for r in table.departments if r.overdue_now] == [("520103-CGJ", 2)]


def test_open_in_the_legend_is_the_tile(conn: Connection, seeded: Seeded) -> None:
    _in_db(conn, seeded.open)
    k = live.kpis(conn, now=NOW)
    assert k.open_cases == len(seeded.open) == 8
    legend = html.Div(pin_legend(k, "zh"))
    count = next(c for c in legend.children if "wall-pin-count" in (getattr(c, "className", "") or ""))
    tile = next(c for c in kpi_tiles(k, "zh") if "wall-kpi-open" in c.className)
    assert count.children == "在办 8 件" and getattr(count, "data-pins") == "8"
    assert tile.children[1].children == "8"
    # and the wall's pins of the whole city add up to the same open cases
    assert len(live.viewport_pins(conn, CITY, 11, now=NOW)) == k.open_cases


def test_on_time_tile_shows_its_own_fraction(conn: Connection) -> None:
    k = live.Kpis(
        today_reports=0,
        open_cases=0,
        overdue=0,
        on_time_rate=14_342 / 15_963,
        closing_rate=None,
        on_time=14_342,
        due_handling=15_963,
        closed=0,
        due_close=0,
    )
    tile = next(c for c in kpi_tiles(k, "zh") if "wall-kpi-on_time" in c.className)
    value, sub = tile.children[1].children, tile.children[2].children
    assert value == "89.8%"
    n, d = (int(x.replace(",", "")) for x in re.findall(r"([\d,]+)/([\d,]+)", sub)[0])
    assert (n, d) == (14_342, 15_963) and value == f"{100 * n / d:.1f}%"


def test_on_time_tile_is_the_stats_rate(conn: Connection, seeded: Seeded) -> None:
    k = live.kpis(conn, now=NOW, days=30)
    table = stats_table(conn, seeded.lead, Period(date(2025, 6, 15), date(2025, 7, 15)), now=NOW)
    assert (k.on_time, k.due_handling) == (
        table.total.counts.handled_on_time,
        table.total.counts.due_handle,
    )
    assert (k.closed, k.due_close) == (table.total.counts.closed, table.total.counts.due_close)


def test_wall_panel_rate_is_the_departments_stats_rate(conn: Connection, seeded: Seeded) -> None:
    # and a case sent back for rework this morning, at the department again and not yet due: due neither here
    # nor there (the panel used to count it handled on time, by its first handling against the new deadline)
    actor = Actor.from_identity(seeded.lead)
    r = wf.report(
        conn,
        Actor.system(),
        category_code=CATEGORY,
        lon=YUNYAN[0] - 0.0005,
        lat=YUNYAN[1],
        description="rework",
        source="inspector",
        now=at("07-15", "09:00"),
    )
    r = wf.file_case(conn, actor, r.id, r.version, now=at("07-15", "09:05"))
    r = wf.dispatch(conn, actor, r.id, r.version, now=at("07-15", "09:10"))
    r = wf.handle(conn, actor, r.id, r.version, note="已处置", now=at("07-15", "09:20"))
    wf.verify(conn, actor, r.id, r.version, passed=False, note="仍松动", now=at("07-15", "09:40"))
    panel = {r.code: r for r in response.response_panel(conn, now=NOW, days=30, min_due=1)}
    table = stats_table(conn, seeded.lead, Period(date(2025, 6, 15), date(2025, 7, 15)), now=NOW, min_cases=1)
    cgj = next(r for r in table.departments if r.key == "520103-CGJ")
    # due: the late one at the department, the one suspended late, the handled one and the closed one
    assert panel["520103-CGJ"].due == cgj.counts.due_handle == 4
    assert panel["520103-CGJ"].on_time_rate == cgj.evaluation.on_time_handle_rate == pytest.approx(2 / 4)
