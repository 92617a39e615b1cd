"""Deadline lights turning yellow and red are found by the scan and told once; a new 研判预警 alert is told to the
center in the transaction that records it. Rolled-back database tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from geo.crs import TZ
from ops import workflow as wf
from ops.analysis.alert_states import NewAlert, record
from ops.notify import lights
from ops.states import CaseStatus
from ops.workflow import Actor
from tests.support.cases import new_case
from tests.support.notify import add_route, outbox

S = CaseStatus
DEPT = "520103-CGJ"
EARLY = "2026-01-01T00:00:00+08:00"  # routes that existed before the cases' lights turned


def clock(conn: Connection, case_id: int) -> tuple[datetime, datetime]:
    row = conn.execute(
        text('SELECT stage_yellow_at, stage_deadline FROM "case" WHERE id = :id'), {"id": case_id}
    ).one()
    return row.stage_yellow_at, row.stage_deadline


def test_yellow_then_red_each_told_once(conn: Connection, staff: dict[str, Actor]) -> None:
    dept = add_route(conn, "json://127.0.0.1:9/d", department=DEPT, created_at=EARLY)
    lead = add_route(conn, "json://127.0.0.1:9/l", role="lead", created_at=EARLY)
    r = new_case(conn, staff, S.DISPATCHED)
    base = len(outbox(conn))  # the dispatch's own message
    yellow_at, deadline = clock(conn, r.id)
    assert lights.scan(conn, yellow_at - timedelta(seconds=1)) == 0
    assert lights.scan(conn, yellow_at + timedelta(minutes=1)) == 1
    assert (
        lights.scan(conn, yellow_at + timedelta(minutes=2)) == 0
    )  # a rescan (a restart) sends nothing twice
    assert lights.scan(conn, deadline + timedelta(minutes=1)) == 2
    assert lights.scan(conn, deadline + timedelta(minutes=5)) == 0
    told = [(row.kind, row.route_id, row.idem_key) for row in outbox(conn)[base:]]
    y, red_key = int(yellow_at.timestamp()), int(deadline.timestamp())
    assert told == [
        ("yellow", dept, f"light:{r.id}:{y}:yellow:route:{dept}"),
        ("red", dept, f"light:{r.id}:{red_key}:red:route:{dept}"),
        ("red", lead, f"light:{r.id}:{red_key}:red:route:{lead}"),
    ]
    red = outbox(conn)[-1]
    assert red.title.startswith("【已超期】") and "已超过处置时限" in red.body


def test_an_extension_lets_a_light_turn_again(conn: Connection, staff: dict[str, Actor]) -> None:
    add_route(conn, "json://127.0.0.1:9/d", department=DEPT, created_at=EARLY)
    r = new_case(conn, staff, S.DISPATCHED)
    _, deadline = clock(conn, r.id)
    assert lights.scan(conn, deadline + timedelta(minutes=1)) == 1  # both passed unseen: only red is told
    r = wf.extend(
        conn, staff["lead"], r.id, r.version, amount=2, reason="材料未到", now=deadline + timedelta(minutes=2)
    )
    _, later = clock(conn, r.id)
    assert lights.scan(conn, later + timedelta(minutes=1)) == 1
    assert [row.kind for row in outbox(conn) if row.kind in ("yellow", "red")] == ["red", "red"]


def test_a_light_is_not_told_to_a_route_added_after_it_turned(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    r = new_case(conn, staff, S.DISPATCHED)
    _, deadline = clock(conn, r.id)
    add_route(
        conn, "json://127.0.0.1:9/d", department=DEPT, created_at=(deadline + timedelta(hours=1)).isoformat()
    )
    assert lights.scan(conn, deadline + timedelta(hours=2)) == 0
    assert lights.scan(conn, deadline + timedelta(days=2)) == 0  # nor long after


def test_a_suspended_or_closed_case_has_no_light_to_tell(conn: Connection, staff: dict[str, Actor]) -> None:
    add_route(conn, "json://127.0.0.1:9/d", department=DEPT, created_at=EARLY)
    r = new_case(conn, staff, S.SUSPENDED)
    _, deadline = clock(conn, r.id)
    assert lights.scan(conn, deadline + timedelta(days=1)) == 0


def _alert(district: str | None = "520103") -> NewAlert:
    now = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
    return NewAlert(
        kind="anomaly",
        area_level="district",
        area_key="520103",
        district_code=district,
        category_code="C0101",
        geom_wkt="POLYGON((106.70 26.57, 106.72 26.57, 106.72 26.59, 106.70 26.59, 106.70 26.57))",
        point_wkt="POINT(106.71 26.58)",
        window_start=now - timedelta(hours=2),
        window_end=now,
        observed=14,
        expected=1.2,
        score=0.99,
        p_value=0.0001,
        explanation_zh="近2小时 14 件 / 往常约 1.2 件",
        explanation_en="14 in the last 2 h / usually about 1.2",
    )


def test_a_new_alert_tells_the_center(conn: Connection) -> None:
    lead = add_route(conn, "json://127.0.0.1:9/l", role="lead")
    disp = add_route(conn, "json://127.0.0.1:9/x", role="dispatcher", lang="en")
    add_route(conn, "json://127.0.0.1:9/o", role="officer")
    add_route(conn, "json://127.0.0.1:9/d", department=DEPT)
    alert_id = record(conn, _alert(), datetime(2026, 3, 2, 10, 0, tzinfo=TZ))
    rows = outbox(conn)
    assert [(row.kind, row.route_id, row.alert_id, row.idem_key) for row in rows] == [
        ("alert", lead, alert_id, f"alert:{alert_id}:route:{lead}"),
        ("alert", disp, alert_id, f"alert:{alert_id}:route:{disp}"),
    ]
    zh, en = rows
    assert zh.title == "【研判预警】云岩区 井盖破损" and "近2小时 14 件" in zh.body
    assert "2026-03-02 08:00（北京时间）" in zh.body
    assert en.title.startswith("[Alert] Yunyan") and "usually about 1.2" in en.body
    assert zh.link == f"/analysis?tab=alerts&alert={alert_id}"
