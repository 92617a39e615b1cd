"""Wall read models (db/queries/live.py, ops/response_panel.py) on the real test database: pins with the
workflow's lights, KPI numbers and the department panel against direct SQL."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Connection, text

from db.queries import live
from geo.crs import TZ
from ops import response_panel as response
from ops import workflow as wf
from ops.states import OPEN_STATUSES, Role
from ops.workflow import Actor
from tests.support.cases import live_report

pytestmark = pytest.mark.db

NOW = datetime(2026, 3, 11, 15, 20, 7, tzinfo=TZ)  # a fixed clock: a Wednesday afternoon
BOX = (106.60, 26.50, 106.85, 26.70)


@pytest.fixture
def lead(conn: Connection) -> Actor:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
    return Actor(Role.LEAD, user_id=uid)


def _handled(conn: Connection, lead: Actor, k: int, at: datetime, hours: float, department: str) -> int:
    """A case reported, filed and dispatched at ``at``, handled ``hours`` later."""
    r = live_report(conn, k, at)
    r = wf.file_case(conn, lead, r.id, r.version, now=at + timedelta(minutes=1))
    r = wf.dispatch(conn, lead, r.id, r.version, department_code=department, now=at + timedelta(minutes=2))
    wf.handle(conn, lead, r.id, r.version, note="done", now=at + timedelta(minutes=2, hours=hours))
    return r.id


def test_open_pins_carry_the_workflow_light(conn: Connection) -> None:
    fresh = live_report(conn, 1, NOW - timedelta(minutes=3))
    old = live_report(conn, 2, NOW - timedelta(days=12))
    pins = live.open_pins(conn, BOX, now=NOW)
    assert pins.mode == "pins" and len(pins.pins) == len(pins)
    where = {p.id: p for p in pins.pins}
    for case_id in (fresh.id, old.id):
        assert case_id in where
        assert where[case_id].light == (wf.light(wf.get_case(conn, case_id), NOW) or "g")[0]
    assert where[old.id].light == "r"
    n_open = conn.execute(
        text(
            'SELECT count(*) FROM "case" WHERE status = ANY(:s) '
            "AND geom && ST_MakeEnvelope(:w, :so, :e, :n, 4326)"
        ),
        {"s": [s.value for s in OPEN_STATUSES], "w": BOX[0], "so": BOX[1], "e": BOX[2], "n": BOX[3]},
    ).scalar_one()
    assert len(pins) == n_open
    assert pins.as_of == conn.execute(text("SELECT max(id) FROM case_event")).scalar_one()


def test_open_pins_leave_out_closed_and_outside_cases(conn: Connection, lead: Actor) -> None:
    r = live_report(conn, 3, NOW - timedelta(minutes=3))
    rejected = wf.reject(conn, lead, r.id, r.version, reason="重复", now=NOW)
    live_report(conn, 13, NOW - timedelta(minutes=2))
    live_report(conn, 14, NOW - timedelta(minutes=1))
    far = live.open_pins(conn, (106.0, 27.5, 106.1, 27.6), now=NOW)
    assert len(far) == 0
    assert rejected.id not in {p.id for p in live.open_pins(conn, BOX, now=NOW).pins}
    capped = live.open_pins(conn, BOX, now=NOW, cap=1)
    assert len(capped) == 1 and capped.capped


def test_escalated_cases_are_marked_urgent(conn: Connection, lead: Actor) -> None:
    r = live_report(conn, 4, NOW - timedelta(minutes=3))
    wf.escalate(conn, lead, r.id, r.version, reason="危险", now=NOW)
    old = live_report(conn, 11, NOW - timedelta(days=3))
    wf.escalate(conn, lead, old.id, old.version, reason="危险", now=NOW)
    pins = live.open_pins(conn, BOX, now=NOW).pins
    assert {r.id, old.id} <= {p.id for p in pins if p.escalated}
    alarms = {p.id for p in pins if p.alarm}
    assert r.id in alarms and old.id not in alarms  # only today's escalations are alarms


def test_zoomed_out_pins_are_bubbles_that_add_up(conn: Connection, lead: Actor) -> None:
    for k in range(12):
        live_report(conn, 30 + k, NOW - timedelta(days=k % 4, minutes=5))
    r = live_report(conn, 50, NOW - timedelta(minutes=2))
    wf.escalate(conn, lead, r.id, r.version, reason="危险", now=NOW)
    singles = live.open_pins(conn, BOX, now=NOW)
    bubbles = live.viewport_pins(conn, BOX, 11.5, now=NOW)
    assert bubbles.mode == "bubbles" and len(bubbles.bubbles) < len(singles)
    assert len(bubbles) == len(singles) == sum(b.n for b in bubbles.bubbles) + len(bubbles.pins)
    assert r.id in [p.id for p in bubbles.pins]  # today's escalation stays single
    lights = "".join(p.light for p in singles.pins)
    alarm_lights = "".join(p.light for p in bubbles.pins)
    assert sum(b.yellow for b in bubbles.bubbles) + alarm_lights.count("y") == lights.count("y")
    assert sum(b.red for b in bubbles.bubbles) + alarm_lights.count("r") == lights.count("r")
    assert bubbles.as_of == singles.as_of
    assert live.viewport_pins(conn, BOX, 15.5, now=NOW).mode == "pins"


def test_a_dense_street_view_is_grouped_finer_until_the_closest_zooms(
    conn: Connection, lead: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k in range(12):
        live_report(conn, 30 + k, NOW - timedelta(days=k % 4, minutes=5))
    singles = live.open_pins(conn, BOX, now=NOW)
    monkeypatch.setattr(live, "DENSE_PINS", len(singles) - 1)  # one case more than a street view shows singly
    dense = live.viewport_pins(conn, BOX, 15.5, now=NOW)
    assert dense.mode == "bubbles" and dense.dense and len(dense) == len(singles)
    assert sum(b.n for b in dense.bubbles) + len(dense.pins) == len(singles)
    coarse = live.viewport_pins(conn, BOX, 11.5, now=NOW)
    assert not coarse.dense and len(coarse.bubbles) <= len(dense.bubbles)  # the dense grid is the finer one
    closest = live.viewport_pins(conn, BOX, live.PINS_ALWAYS_ZOOM, now=NOW)
    assert closest.mode == "pins" and not closest.dense and len(closest) == len(singles)
    monkeypatch.setattr(live, "DENSE_PINS", len(singles))  # exactly as many as shown singly: pins
    assert live.viewport_pins(conn, BOX, 15.5, now=NOW).mode == "pins"


def test_kpis_match_direct_sql(conn: Connection, lead: Actor) -> None:
    _handled(conn, lead, 8, NOW - timedelta(days=2), 1.0, "CGJ")
    live_report(conn, 9, NOW - timedelta(minutes=1))
    live_report(conn, 10, NOW - timedelta(days=15))
    k = live.kpis(conn, now=NOW)
    today = datetime.combine(NOW.date(), datetime.min.time(), tzinfo=TZ)
    since = NOW - timedelta(days=live.RATE_DAYS)
    opened = [s.value for s in OPEN_STATUSES]

    def one(sql: str, **params: object) -> int:
        return int(
            conn.execute(text(sql), {"now": NOW, "since": since, "open": opened, **params}).scalar_one()
        )

    assert k.today_reports == one(
        'SELECT count(*) FROM "case" WHERE created_at >= :t AND created_at <= :now', t=today
    )
    assert k.open_cases == one('SELECT count(*) FROM "case" WHERE status = ANY(:open)')
    assert k.overdue == one(
        'SELECT count(*) FROM "case" WHERE status = ANY(:open) AND stage_deadline IS NOT NULL '
        "AND coalesce(paused_since, :now) > stage_deadline"
    )
    rows = conn.execute(
        text(
            'SELECT status, filed_at, handled_at, deadline, paused_since FROM "case" '
            "WHERE created_at >= :since AND created_at <= :now AND filed_at IS NOT NULL AND status <> 'merged'"
        ),
        {"since": since, "now": NOW},
    ).all()

    def past(r: Any) -> bool:
        return r.deadline is not None and r.deadline < (r.paused_since if r.status == "suspended" else NOW)

    handled = [r for r in rows if r.status in ("handled", "closed")]
    due_handle = [r for r in rows if r.status in ("handled", "closed") or past(r)]
    on_time = [r for r in handled if r.deadline is not None and r.handled_at <= r.deadline]
    closed = [r for r in rows if r.status == "closed"]
    due_close = [r for r in rows if r.status == "closed" or past(r)]
    assert (k.on_time, k.due_handling) == (len(on_time), len(due_handle))
    assert k.on_time_rate == pytest.approx(len(on_time) / len(due_handle))
    assert k.closed == len(closed) and k.due_close == len(due_close)
    assert k.closing_rate == (pytest.approx(len(closed) / len(due_close)) if due_close else None)


def test_response_panel_matches_the_raw_rows(conn: Connection, lead: Actor) -> None:
    hours = [0.5, 2.0, 3.0, 7.5, 30.0, 1.0]
    for k, h in enumerate(hours):
        _handled(conn, lead, 20 + k, NOW - timedelta(days=3, hours=k), h, "CGJ")
    rows = response.response_panel(conn, now=NOW)
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    rates = [r.on_time_rate or 0 for r in rows]
    assert rates == sorted(rates, reverse=True)
    cgj = next(r for r in rows if r.code == "CGJ")
    raw = conn.execute(
        text(
            "SELECT extract(epoch FROM handled_at - dispatched_at) / 3600 AS h, handled_at <= deadline AS ok, "
            "rework_count FROM \"case\" WHERE department_code = 'CGJ' AND handled_at IS NOT NULL "
            "AND created_at >= :since AND created_at <= :now AND dispatched_at IS NOT NULL"
        ),
        # the last 30 days, today included (days of Beijing time): /stats's 近30天
        {
            "since": datetime.combine(NOW.date() - timedelta(days=29), datetime.min.time(), tzinfo=TZ),
            "now": NOW,
        },
    ).all()
    spans = [float(r.h) for r in raw]
    assert cgj.handled == len(raw) >= len(hours)
    # hours with one decimal, as /stats shows them (ops.evaluation.median_p90_hours)
    assert cgj.median_h == round(statistics.median(spans), 1)
    assert cgj.p90_h == round(float(np.percentile(spans, 90)), 1)
    assert cgj.rework_rate == pytest.approx(sum(r.rework_count > 0 for r in raw) / len(raw))
    assert cgj.on_time_rate is not None and 0 <= cgj.on_time_rate <= 1


def test_district_outlines_cover_every_district(conn: Connection) -> None:
    outlines = live.district_outlines(conn)
    rows = conn.execute(text("SELECT code, has_grid FROM district ORDER BY code")).all()
    assert [(d.code, d.has_grid) for d in outlines] == [(r.code, r.has_grid) for r in rows]
    assert all(isinstance(d.coordinates, list) and d.coordinates for d in outlines)


def test_view_presets_start_with_the_whole_city(conn: Connection) -> None:
    presets = live.view_presets(conn)
    assert presets[0]["key"] == "city"
    codes = {p["key"] for p in presets[1:]}
    assert codes == set(conn.execute(text("SELECT code FROM district WHERE has_grid")).scalars())
    (s, w), (n, e) = presets[0]["bounds"]
    for p in presets[1:]:
        (ps, pw), (pn, pe) = p["bounds"]
        assert s <= ps and w <= pw and pn <= n and pe <= e
