"""Reading alerts for screens: scoped (an officer only their district's, department staff only their categories,
the center all), by state, newest first, with names, GeoJSON and the point; one alert with its history (and None
outside the scope); the screen's actions (dismiss needs a reason); the stamp the push hub compares."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Connection, text

from db.accounts import StaffIdentity, load_identity
from db.errors import Forbidden, ValidationError
from ops.analysis.alert_actions import act, may_start_campaign
from ops.analysis.alert_reads import alerts_stamp, as_json, get_alert, list_alerts
from ops.analysis.filters import Filters
from ops.analysis.scope import AnalysisScope, analysis_scope
from tests.support.an_alertui import raise_alert

pytestmark = pytest.mark.db

T0 = datetime(2026, 3, 2, 10, 0).astimezone()


def _user(conn: Connection, name: str) -> StaffIdentity:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": name}).scalar_one()
    ident = load_identity(conn, uid)
    assert ident is not None
    return ident


def _outside_department(conn: Connection, scope: AnalysisScope) -> str:
    """A 小类 the department does not answer for."""
    assert scope.categories
    return str(
        conn.execute(
            text("SELECT code FROM category WHERE level = 2 AND NOT code = ANY(:c) ORDER BY code LIMIT 1"),
            {"c": sorted(scope.categories)},
        ).scalar_one()
    )


def _ids(rows: list) -> set[int]:  # type: ignore[type-arg]
    return {r.id for r in rows}


def test_each_role_reads_its_own_alerts(conn: Connection) -> None:
    officer, dep = _user(conn, "yunyan"), _user(conn, "cgj")
    dep_scope = analysis_scope(conn, dep)
    other_cat = _outside_department(conn, dep_scope)
    mine, _ = raise_alert(conn, "520103", "C0101", now=T0)
    theirs, _ = raise_alert(conn, "520102", "C0101", now=T0 + timedelta(minutes=1))
    off_cat, _ = raise_alert(conn, "520103", other_cat, now=T0 + timedelta(minutes=2))
    made = {mine, theirs, off_cat}

    city = _ids(list_alerts(conn, AnalysisScope.city())) & made
    assert city == made
    seen = _ids(list_alerts(conn, analysis_scope(conn, officer))) & made
    assert seen == {mine, off_cat}  # never 南明区's
    assert _ids(list_alerts(conn, dep_scope)) & made == {mine, theirs}  # never a category not theirs
    assert list_alerts(conn, analysis_scope(conn, _user(conn, "moderator"))) == []

    assert get_alert(conn, analysis_scope(conn, officer), theirs) is None
    assert get_alert(conn, dep_scope, off_cat) is None
    assert get_alert(conn, analysis_scope(conn, officer), mine) is not None


def test_states_order_names_geometry_and_point(conn: Connection) -> None:
    lead = _user(conn, "lead")
    old, _ = raise_alert(conn, "520103", "C0101", now=T0)
    new, mark = raise_alert(conn, "520102", "C0101", now=T0 + timedelta(hours=1), level="district")
    act(conn, lead, old, "ack", version=1, now=T0 + timedelta(hours=2))
    done, _ = raise_alert(conn, "520103", "C0101", now=T0 + timedelta(hours=3))
    act(conn, lead, done, "escalate", version=1, now=T0 + timedelta(hours=3), note="上报")
    made = {old, new, done}

    live = [r for r in list_alerts(conn, AnalysisScope.city()) if r.id in made]
    assert [r.id for r in live] == [new, old]  # newest first; the escalated one is not live
    assert [r.id for r in list_alerts(conn, AnalysisScope.city(), state="new") if r.id in made] == [new]
    assert [r.id for r in list_alerts(conn, AnalysisScope.city(), state="escalated") if r.id in made] == [
        done
    ]
    assert _ids(list_alerts(conn, AnalysisScope.city(), state="all")) >= made
    with pytest.raises(ValueError):
        list_alerts(conn, AnalysisScope.city(), state="nonsense")

    row = live[0]
    assert (row.category_zh, row.district_zh, row.district_en) == ("井盖破损", "南明区", "Nanming District")
    assert mark in row.explanation_zh and mark in row.explanation_en
    assert row.geometry is not None and row.geometry["type"] in ("Polygon", "MultiPolygon")
    assert (round(row.lon, 4), round(row.lat, 4)) == (106.7119, 26.5716)
    assert row.hours == 2
    square = next(r for r in live if r.id == old)
    assert square.geometry is not None and square.geometry["type"] == "Polygon"
    assert list_alerts(conn, AnalysisScope.city(), geometry=False)[0].geometry is None


def test_filters_narrow_the_list(conn: Connection) -> None:
    a, _ = raise_alert(conn, "520103", "C0101", now=T0)
    b, _ = raise_alert(conn, "520102", "C0101", now=T0)
    major = conn.execute(text("SELECT parent_code FROM category WHERE code = 'C0101'")).scalar_one()
    city = AnalysisScope.city()
    by_major = _ids(list_alerts(conn, city, filters=Filters(category=major)))
    assert {a, b} <= by_major  # a 大类 takes in its 小类
    assert {a, b} & _ids(list_alerts(conn, city, filters=Filters(category="E0201"))) == set()
    assert {a, b} & _ids(list_alerts(conn, city, filters=Filters(district="520102"))) == {b}
    # the period: alerts raised in the last N days before now
    assert {a, b} <= _ids(list_alerts(conn, city, filters=Filters(days=7), now=T0 + timedelta(days=6)))
    assert not {a, b} & _ids(list_alerts(conn, city, filters=Filters(days=7), now=T0 + timedelta(days=8)))


def test_one_alert_with_its_history(conn: Connection) -> None:
    officer = _user(conn, "yunyan")
    a, _ = raise_alert(conn, "520103", "C0101", now=T0)
    v = act(conn, officer, a, "ack", version=1, now=T0 + timedelta(minutes=5))
    with pytest.raises(ValidationError):
        act(conn, officer, a, "dismiss", version=v, now=T0, note="  ")  # a reason is required
    act(conn, officer, a, "dismiss", version=v, now=T0 + timedelta(minutes=9), note="施工单位已报备")
    got = get_alert(conn, analysis_scope(conn, officer), a)
    assert got is not None and got.alert.state == "dismissed" and got.alert.version == 3
    steps = [(e.from_state, e.to_state, e.actor, e.note) for e in got.history]
    name = officer.display_name
    assert steps == [
        (None, "new", None, None),
        ("new", "acknowledged", name, None),
        ("acknowledged", "dismissed", name, "施工单位已报备"),
    ]


def test_who_may_act(conn: Connection) -> None:
    officer, dep = _user(conn, "yunyan"), _user(conn, "cgj")
    theirs, _ = raise_alert(conn, "520102", "C0101", now=T0)
    with pytest.raises(Forbidden):
        act(conn, officer, theirs, "ack", version=1, now=T0)
    with pytest.raises(Forbidden):
        act(conn, dep, theirs, "ack", version=1, now=T0)
    with pytest.raises(ValidationError):
        act(conn, _user(conn, "lead"), theirs, "delete", version=1, now=T0)
    assert may_start_campaign(_user(conn, "lead")) and not may_start_campaign(officer)


def test_json_fields_and_the_stamp(conn: Connection) -> None:
    before = alerts_stamp(conn)
    a, _ = raise_alert(conn, "520103", "C0101", now=T0)
    after_insert = alerts_stamp(conn)
    assert after_insert != before
    act(conn, _user(conn, "lead"), a, "ack", version=1, now=T0)
    assert alerts_stamp(conn) != after_insert
    row = next(r for r in list_alerts(conn, AnalysisScope.city()) if r.id == a)
    data = as_json(row)
    for key in ("id", "kind", "category_code", "district_code", "lat", "lon", "window_start", "window_end"):
        assert key in data
    for key in ("observed", "expected", "score", "state", "explanation_zh"):
        assert key in data
    assert (
        data["state"] == "acknowledged" and data["observed"] == 14 and data["lat"] == pytest.approx(26.5838)
    )
    assert datetime.fromisoformat(data["window_end"]) == T0
