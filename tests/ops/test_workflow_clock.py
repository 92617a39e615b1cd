"""Clocks and suggestions: suspend/resume keeps the remaining working time, extensions, urgency, duplicates,
lights, and the calendar repository."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Connection, text

from db import calendar_repo
from geo.calendar import WorkCalendar
from ops import workflow as wf
from ops.states import CaseStatus
from ops.workflow import Actor
from tests.support.cases import CATEGORY, MON, NANMING, YUNYAN, at, event, new_case

S = CaseStatus


def test_suspend_stops_the_clock_and_resume_keeps_the_remaining_working_time(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    lead = staff["lead"]
    c = new_case(conn, staff, S.IN_PROGRESS)  # dispatched Mon 11:00: yellow 15:42, deadline 16:30
    s = wf.suspend(conn, lead, c.id, c.version, reason="等待燃气公司", now=at("2026-03-02", "14:00"))
    row = wf.get_case(conn, c.id)
    assert s.status is S.SUSPENDED and row.resume_status == "in_progress"
    assert row.paused_since == at("2026-03-02", "14:00")
    ev = event(conn, s.event_id)
    assert (ev.action, ev.from_status, ev.to_status, ev.note) == (
        "suspend",
        "in_progress",
        "suspended",
        "等待燃气公司",
    )
    # while suspended the light is frozen at the moment of suspension
    assert wf.light(row, at("2026-03-10", "09:00")) == "green"
    r = wf.resume(conn, lead, c.id, s.version, now=at("2026-03-04", "10:00"))
    row = wf.get_case(conn, c.id)
    assert r.status is S.IN_PROGRESS and row.resume_status is None and row.paused_since is None
    # 2.5 working hours were left (14:00-16:30): Wed 10:00-12:00 + 13:30-14:00
    assert row.stage_deadline == row.deadline == at("2026-03-04", "14:00")
    # 1.7 h were left until yellow (14:00-15:42)
    assert row.stage_yellow_at == at("2026-03-04", "11:42")
    assert row.stage_started_at == at("2026-03-02", "11:00")
    ev = event(conn, r.event_id)
    assert (ev.action, ev.from_status, ev.to_status) == ("resume", "suspended", "in_progress")
    assert ev.payload == {"paused_seconds": 44 * 3600}
    cal = calendar_repo.load_calendar(conn)
    assert c.stage_deadline is not None and row.stage_deadline is not None
    left_before = cal.elapsed(at("2026-03-02", "14:00"), c.stage_deadline, "working_hours")
    assert cal.elapsed(at("2026-03-04", "10:00"), row.stage_deadline, "working_hours") == pytest.approx(
        left_before
    )


def test_resume_keeps_an_overdue_case_overdue(conn: Connection, staff: dict[str, Actor]) -> None:
    lead = staff["lead"]
    c = new_case(conn, staff, S.DISPATCHED)  # deadline Mon 16:30
    s = wf.suspend(conn, lead, c.id, c.version, reason="x", now=at("2026-03-03", "10:00"))
    assert wf.light(s, at("2026-03-20", "10:00")) == "red"
    r = wf.resume(conn, lead, c.id, s.version, now=at("2026-03-05", "10:00"))
    assert r.status is S.DISPATCHED
    assert r.deadline == c.deadline and r.stage_deadline == c.stage_deadline
    assert wf.light(r, at("2026-03-05", "10:00")) == "red"


def test_suspend_across_spring_festival(conn: Connection, staff: dict[str, Actor]) -> None:
    lead = staff["lead"]
    c = new_case(conn, staff, S.DISPATCHED, category="C0105", start=at("2026-02-12", "10:00"))
    # dispatched Thu 02-12 11:00, 3 working days: Fri 02-13, Sat 02-14 (make-up), Tue 02-24 11:00
    assert c.deadline == at("2026-02-24", "11:00")
    s = wf.suspend(conn, lead, c.id, c.version, reason="x", now=at("2026-02-13", "11:00"))
    r = wf.resume(conn, lead, c.id, s.version, now=at("2026-02-25", "11:00"))
    # 2 working days were left at the suspension, counted again from Wed 02-25 11:00
    assert r.deadline == at("2026-02-27", "11:00")


def test_extend(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff, S.DISPATCHED)  # started Mon 11:00, deadline Mon 16:30
    r = wf.extend(
        conn, staff["admin"], c.id, c.version, amount=4, reason="等待配件", now=at("2026-03-02", "12:00")
    )
    row = wf.get_case(conn, c.id)
    assert r.status is S.DISPATCHED and row.extension_count == 1
    # +4 working hours: 16:30-18:00, then Tue 09:00-11:30
    assert row.deadline == row.stage_deadline == at("2026-03-03", "11:30")
    # the stage now spans 8 working hours; yellow at 6.4 h after Mon 11:00 = Tue 09:54
    assert row.stage_yellow_at == at("2026-03-03", "09:54")
    ev = event(conn, r.event_id)
    assert (ev.action, ev.from_status, ev.to_status, ev.note) == (
        "extend",
        "dispatched",
        "dispatched",
        "等待配件",
    )
    assert ev.payload == {"amount": 4.0, "unit": "working_hours", "deadline": "2026-03-03T11:30:00+08:00"}


def test_file_keeps_the_urgency_of_an_urgent_category_unless_told(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    kept = new_case(conn, staff, S.DISPATCHED, category="E0401", start=at("2026-03-02", "10:00"))
    # urgent: half of 2 natural hours from 11:00
    assert kept.deadline == at("2026-03-02", "12:00")
    lowered = new_case(conn, staff, S.DISPATCHED, category="E0401", urgency="normal")
    assert lowered.deadline == at("2026-03-02", "13:00")
    row = wf.get_case(conn, lowered.id)
    assert row.urgency == "normal" and row.escalated is True  # escalated at report time stays


def test_duplicate_suggestions(conn: Connection, staff: dict[str, Actor]) -> None:
    def report(lon: float, lat: float, category: str = CATEGORY, days: float = 0) -> wf.CaseResult:
        return wf.report(
            conn,
            Actor.system(),
            category_code=category,
            lon=lon,
            lat=lat,
            description="",
            source="app",
            now=MON + timedelta(days=days),
        )

    lon, lat = YUNYAN
    far_ago = report(lon, lat, days=-8)  # outside the 7-day window
    closed = report(lon, lat + 0.0001)
    wf.reject(conn, staff["lead"], closed.id, closed.version, reason="无效", now=MON)
    other_category = report(lon, lat, "C0102")
    near = report(lon + 0.0003, lat)  # ~30 m east
    nearer = report(lon, lat + 0.0001)  # ~11 m north
    beyond = report(lon + 0.0006, lat)  # ~60 m: outside the 50 m radius of C0101
    far = report(*NANMING)
    new = report(lon, lat, days=1)
    assert new.duplicates == (nearer.id, near.id)
    assert (
        far_ago.id not in new.duplicates and beyond.id not in new.duplicates and far.id not in new.duplicates
    )
    assert closed.id not in new.duplicates and other_category.id not in new.duplicates
    assert event(conn, new.event_id).payload == {"duplicates": [nearer.id, near.id]}
    # merging the new report into the suggested case
    filed = wf.file_case(conn, staff["lead"], nearer.id, nearer.version, now=MON + timedelta(days=1, hours=1))
    merged = wf.merge(
        conn, staff["lead"], new.id, new.version, into_case_id=filed.id, now=MON + timedelta(days=1, hours=2)
    )
    assert merged.status is S.MERGED
    # a merged case is no longer suggested
    again = report(lon, lat, days=1.5)
    assert new.id not in again.duplicates and nearer.id in again.duplicates


def test_duplicates_are_capped_at_five_nearest_first(conn: Connection) -> None:
    lon, lat = YUNYAN
    ids = [
        wf.report(
            conn,
            Actor.system(),
            category_code=CATEGORY,
            lon=lon,
            lat=lat + k * 0.00005,
            description="",
            source="app",
            now=MON,
        ).id
        for k in range(7, 0, -1)
    ]
    r = wf.report(
        conn, Actor.system(), category_code=CATEGORY, lon=lon, lat=lat, description="", source="app", now=MON
    )
    assert r.duplicates == tuple(reversed(ids))[:5]


def test_light_helper() -> None:
    class Row:
        stage_yellow_at = at("2026-03-02", "11:00")
        stage_deadline = at("2026-03-02", "12:00")
        paused_since = None

    row = Row()
    assert wf.light(row, at("2026-03-02", "10:59")) == "green"
    assert wf.light(row, at("2026-03-02", "11:00")) == "yellow"
    assert wf.light(row, at("2026-03-02", "12:00")) == "yellow"
    assert wf.light(row, at("2026-03-02", "12:01")) == "red"
    row.paused_since = at("2026-03-02", "10:00")  # type: ignore[assignment]
    assert wf.light(row, at("2026-03-09", "12:01")) == "green"
    row.stage_deadline = None  # type: ignore[assignment]
    assert wf.light(row, MON) is None


@pytest.mark.as_owner  # changes reference data, an admin operation
def test_calendar_repo_builds_the_calendar_from_the_holiday_table(conn: Connection) -> None:
    cal = calendar_repo.load_calendar(conn)
    assert isinstance(cal, WorkCalendar)
    assert not cal.is_workday(date(2026, 2, 17)) and cal.is_workday(date(2026, 2, 14))
    assert cal.is_workday(date(2026, 3, 2)) and not cal.is_workday(date(2026, 3, 7))
    assert calendar_repo.load_calendar(conn) is cal  # cached
    assert calendar_repo.load_calendar(conn, stamp=calendar_repo.holiday_stamp(conn)) is cal
    # editing the table (in place, same count and last day) gives a new calendar
    conn.execute(text("UPDATE holiday SET kind = 'workday' WHERE day = '2026-02-17'"))
    fresh = calendar_repo.load_calendar(conn)
    assert fresh is not cal and fresh.is_workday(date(2026, 2, 17))


def test_calendar_repo_working_periods(conn: Connection) -> None:
    cal = calendar_repo.load_calendar(conn, "08:30-12:00,14:00-17:30")
    assert cal.day_length == timedelta(hours=7)
    assert calendar_repo.load_calendar(conn, "08:30-12:00,14:00-17:30") is cal
    # the engine's calendar source gives the default periods (the settings'): one per engine, none per process
    source = calendar_repo.WorkCalendars("08:30-12:00,14:00-17:30")
    with conn.engine.connect() as other:
        other.execution_options(**{calendar_repo.OPTION: source})
        mine = calendar_repo.load_calendar(other)
        assert mine.day_length == timedelta(hours=7)
        assert calendar_repo.load_calendar(other) is mine
    with pytest.raises(ValueError):
        calendar_repo.WorkCalendars("12:00-09:00")
    assert calendar_repo.load_calendar(conn).day_length == timedelta(hours=7.5)
