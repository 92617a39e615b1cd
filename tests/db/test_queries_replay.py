"""Replay's events (:mod:`db.queries.replay`) on the real test database: a case's events in order, by ticket or
id; a district's local day; both limited to the workbench's scope; citizens never named."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Connection

from db.queries.replay import case_events, district_day_events
from db.scope import RowScope
from ops.replay import ReplayEvent, build_frames, statuses_at
from ops.states import CaseStatus
from ops.workflow import Actor
from tests.support.cases import MON, new_case

pytestmark = pytest.mark.db
S = CaseStatus


def test_a_cases_events_in_order_by_ticket_or_id(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.DISPATCHED)
    by_ticket = case_events(conn, RowScope.city(), case.ticket)
    by_id = case_events(conn, RowScope.city(), f" {case.id} ")
    assert [r.id for r in by_ticket] == [r.id for r in by_id]
    assert [r.action for r in by_ticket][:1] == ["report"] and by_ticket[-1].to_status == "dispatched"
    assert [(r.at, r.id) for r in by_ticket] == sorted((r.at, r.id) for r in by_ticket)
    assert by_ticket[0].actor_name is None  # the intake (no staff account)
    replay = build_frames(ReplayEvent(*r) for r in by_ticket)
    assert statuses_at(replay, len(replay.frames) - 1) == {case.id: "dispatched"}
    assert case_events(conn, RowScope.city(), "GY000000-0000") == []


def test_scope_limits_the_case(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.FILED)
    district = str(case.district_code)
    assert case_events(conn, RowScope(district=district), case.ticket)
    assert (
        case_events(conn, RowScope(district="520111" if district != "520111" else "520102"), case.ticket)
        == []
    )
    assert case_events(conn, RowScope(), case.ticket) == []


def test_a_districts_day(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.FILED)
    rows = case_events(conn, RowScope.city(), case.ticket)
    day = rows[0].at.astimezone(MON.tzinfo).date()
    got = district_day_events(conn, RowScope.city(), str(case.district_code), day)
    assert {r.id for r in rows} <= {r.id for r in got}
    assert all(r.at.astimezone(MON.tzinfo).date() == day for r in got)
    other = "520111" if case.district_code != "520111" else "520102"
    assert not {r.id for r in rows} & {r.id for r in district_day_events(conn, RowScope.city(), other, day)}
    assert (
        district_day_events(conn, RowScope.city(), str(case.district_code), day - timedelta(days=4000)) == []
    )
    assert not {r.id for r in rows} & {
        r.id for r in district_day_events(conn, RowScope(district=other), str(case.district_code), day)
    }
