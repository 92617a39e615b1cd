"""Each workflow command against the real PostGIS test database: the event row, status, counters, deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Connection, text

from dashboard.settings import Settings
from db.errors import Forbidden, InvalidTransition, NotFound, OutsideServiceArea, StaleCase
from ops import workflow as wf
from ops.states import CaseStatus, Role
from ops.workflow import Actor
from tests.support.cases import CATEGORY, MON, NANMING, YUNYAN, at, event, new_case, new_person, snapshot

S = CaseStatus


def test_report_writes_the_case_and_its_first_event(conn: Connection) -> None:
    person = new_person(conn)
    r = wf.report(
        conn,
        Actor.citizen(person),
        category_code=CATEGORY,
        lon=YUNYAN[0],
        lat=YUNYAN[1],
        description="井盖缺失，有安全隐患",
        source="app",
        address="中华北路",
        now=MON,
    )
    assert r.status is S.REPORTED and r.version == 1
    assert r.district_code == "520103" and r.cell_id is not None
    assert r.ticket == f"GY260302-{r.id}"
    row = wf.get_case(conn, r.id)
    assert (row.lon, row.lat) == pytest.approx(YUNYAN)
    assert row.reporter_id == person and row.source == "app" and row.address == "中华北路"
    assert row.urgency == "normal" and row.escalated is False and row.public is True
    assert row.suggested_department_code == "520103-CGJ" and row.department_code is None
    assert row.created_at == MON and row.updated_at == MON and row.stage_started_at == MON
    # 受理 stage: 2 working hours; yellow after 1.6 h
    assert row.stage_yellow_at == at("2026-03-02", "11:36")
    assert row.stage_deadline == at("2026-03-02", "12:00")
    assert row.deadline is None
    assert wf.light(row, MON) == "green"
    assert wf.light(row, at("2026-03-02", "11:40")) == "yellow"
    assert wf.light(row, at("2026-03-02", "13:31")) == "red"
    ev = event(conn, r.event_id)
    assert (ev.case_id, ev.action, ev.from_status, ev.to_status) == (r.id, "report", None, "reported")
    assert (ev.actor_role, ev.actor_person_id, ev.actor_user_id) == ("citizen", person, None)
    assert ev.department_code is None and ev.note is None
    assert ev.payload == {"duplicates": []} and ev.at == MON


def test_report_urgent_category_is_escalated_and_private_stays_private(conn: Connection) -> None:
    r = wf.report(
        conn,
        Actor.system(),
        category_code="E0401",
        lon=YUNYAN[0],
        lat=YUNYAN[1],
        description="燃气泄漏",
        source="hotline",
        now=MON,
    )
    row = wf.get_case(conn, r.id)
    assert (row.urgency, row.escalated) == ("urgent", True)
    assert row.suggested_department_code is not None
    # a non-public 小类 stays off the public map even when the reporter asks for it
    r2 = wf.report(
        conn,
        Actor.system(),
        category_code="C0501",
        lon=YUNYAN[0],
        lat=YUNYAN[1],
        description="",
        source="web",
        public=True,
        now=MON,
    )
    assert wf.get_case(conn, r2.id).public is False
    r3 = wf.report(
        conn,
        Actor.system(),
        category_code=CATEGORY,
        lon=YUNYAN[0],
        lat=YUNYAN[1],
        description="",
        source="web",
        public=False,
        now=MON,
    )
    assert wf.get_case(conn, r3.id).public is False


def test_report_in_nanming_routes_there(conn: Connection, staff: dict[str, Actor]) -> None:
    r = wf.report(
        conn,
        staff["dispatcher"],
        category_code=CATEGORY,
        lon=NANMING[0],
        lat=NANMING[1],
        description="",
        source="hotline",
        now=MON,
    )
    assert r.district_code == "520102"
    assert wf.get_case(conn, r.id).suggested_department_code == "520102-CGJ"
    assert event(conn, r.event_id).actor_user_id == staff["dispatcher"].user_id


def test_file_case(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff)
    r = wf.file_case(
        conn, staff["dispatcher"], c.id, c.version, urgency="urgent", now=at("2026-03-02", "10:30")
    )
    assert (r.status, r.version) == (S.FILED, 2)
    row = wf.get_case(conn, c.id)
    assert row.filed_at == at("2026-03-02", "10:30") and row.updated_at == row.filed_at
    assert (row.urgency, row.escalated) == ("urgent", True)
    # 派遣 stage: 1 working hour
    assert row.stage_started_at == at("2026-03-02", "10:30")
    assert row.stage_yellow_at == at("2026-03-02", "11:18")
    assert row.stage_deadline == at("2026-03-02", "11:30")
    ev = event(conn, r.event_id)
    assert (ev.action, ev.from_status, ev.to_status, ev.actor_role) == (
        "file",
        "reported",
        "filed",
        "dispatcher",
    )
    assert ev.payload == {"urgency": "urgent"} and ev.department_code is None


def test_reject(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff)
    r = wf.reject(conn, staff["lead"], c.id, c.version, reason="  重复举报  ", now=at("2026-03-02", "10:20"))
    row = wf.get_case(conn, c.id)
    assert r.status is S.REJECTED and row.closed_at == at("2026-03-02", "10:20")
    assert (row.stage_started_at, row.stage_yellow_at, row.stage_deadline) == (None, None, None)
    assert wf.light(row, MON) is None
    ev = event(conn, r.event_id)
    assert (ev.action, ev.to_status, ev.note) == ("reject", "rejected", "重复举报")


def test_merge(conn: Connection, staff: dict[str, Actor]) -> None:
    a = new_case(conn, staff, S.FILED)
    b = new_case(conn, staff, S.FILED)
    r = wf.merge(conn, staff["dispatcher"], b.id, b.version, into_case_id=a.id, now=at("2026-03-02", "10:40"))
    row = wf.get_case(conn, b.id)
    assert r.status is S.MERGED and row.merged_into_id == a.id and row.closed_at == at("2026-03-02", "10:40")
    assert row.stage_deadline is None
    ev = event(conn, r.event_id)
    assert (ev.action, ev.from_status, ev.to_status) == ("merge", "filed", "merged")
    assert ev.payload == {"into": a.id, "into_ticket": a.ticket}
    assert wf.get_case(conn, a.id).version == a.version  # the surviving case is untouched


def test_dispatch_to_the_suggested_department(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff, S.FILED)
    r = wf.dispatch(conn, staff["dispatcher"], c.id, c.version, now=at("2026-03-02", "11:00"))
    row = wf.get_case(conn, c.id)
    assert r.status is S.DISPATCHED and row.department_code == "520103-CGJ"
    assert row.dispatched_at == at("2026-03-02", "11:00")
    # 4 working hours: 11:00-12:00, then 13:30-16:30; yellow at 3.2 h = 15:42
    assert row.deadline == row.stage_deadline == at("2026-03-02", "16:30")
    assert row.stage_yellow_at == at("2026-03-02", "15:42")
    assert (wf.light(row, at("2026-03-02", "15:41")), wf.light(row, at("2026-03-02", "15:42"))) == (
        "green",
        "yellow",
    )
    assert wf.light(row, at("2026-03-02", "16:30")) == "yellow"
    assert wf.light(row, at("2026-03-02", "16:31")) == "red"
    ev = event(conn, r.event_id)
    assert (ev.action, ev.from_status, ev.to_status, ev.department_code) == (
        "dispatch",
        "filed",
        "dispatched",
        "520103-CGJ",
    )
    assert ev.payload == {
        "department": "520103-CGJ",
        "suggested": "520103-CGJ",
        "deadline": "2026-03-02T16:30:00+08:00",
        "accurate": True,
    }


def test_dispatch_to_another_department_is_not_accurate(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff, S.FILED)
    r = wf.dispatch(
        conn, staff["lead"], c.id, c.version, department_code="CGJ", now=at("2026-03-02", "11:00")
    )
    assert r.department_code == "CGJ"
    ev = event(conn, r.event_id)
    assert ev.department_code == "CGJ" and ev.payload["accurate"] is False
    assert ev.payload["suggested"] == "520103-CGJ"


@pytest.mark.parametrize(
    ("dispatched", "category", "deadline", "yellow"),
    [
        # Friday afternoon: 2 h on Friday, the other 2 h on Monday morning
        ("2026-03-06T16:00", "C0101", "2026-03-09T11:00", "2026-03-09T10:12"),
        # before Spring Festival 2026: Saturday 02-14 is a make-up workday, 02-15..02-23 are off
        ("2026-02-13T16:00", "C0101", "2026-02-14T11:00", "2026-02-14T10:12"),
        ("2026-02-14T16:00", "C0101", "2026-02-24T11:00", "2026-02-24T10:12"),
        # 3 working days from Friday 17:00: Sat 02-14 (make-up), Tue 02-24, Wed 02-25
        ("2026-02-13T17:00", "C0105", "2026-02-25T17:00", "2026-02-25T11:00"),
        # natural hours, urgent 小类 (突发事件): half of 2 h
        ("2026-02-16T23:30", "E0401", "2026-02-17T00:30", "2026-02-17T00:18"),
    ],
)
def test_dispatch_deadlines_follow_the_calendar(
    conn: Connection, staff: dict[str, Actor], dispatched: str, category: str, deadline: str, yellow: str
) -> None:
    t = at(*dispatched.split("T"))
    c = new_case(conn, staff, S.FILED, category=category, start=t - timedelta(hours=1))
    r = wf.dispatch(conn, staff["lead"], c.id, c.version, now=t)
    assert r.deadline == r.stage_deadline == at(*deadline.split("T"))
    assert r.stage_yellow_at == at(*yellow.split("T"))
    assert wf.light(r, t) == "green"
    assert r.deadline is not None and wf.light(r, r.deadline + timedelta(seconds=1)) == "red"


def test_urgent_case_gets_half_the_limit(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff, S.DISPATCHED, urgency="urgent")
    # 2 working hours from 11:00: 11:00-12:00 and 13:30-14:30
    assert c.deadline == at("2026-03-02", "14:30")


def test_return_case(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff, S.IN_PROGRESS, department="CGJ")
    r = wf.return_case(
        conn, staff["cgj"], c.id, c.version, reason="不属于本部门", now=at("2026-03-02", "13:30")
    )
    row = wf.get_case(conn, c.id)
    assert r.status is S.FILED and row.return_count == 1
    assert row.department_code is None and row.deadline is None
    assert row.stage_started_at == at("2026-03-02", "13:30")
    assert row.stage_deadline == at("2026-03-02", "14:30")
    ev = event(conn, r.event_id)
    assert (ev.action, ev.from_status, ev.to_status) == ("return", "in_progress", "filed")
    assert (ev.department_code, ev.note, ev.actor_role) == ("CGJ", "不属于本部门", "department")
    # back to dispatch: a second dispatch works and the return stays counted
    r2 = wf.dispatch(
        conn, staff["lead"], c.id, r.version, department_code="520103-CGJ", now=at("2026-03-02", "14:00")
    )
    assert r2.status is S.DISPATCHED and wf.get_case(conn, c.id).return_count == 1


def test_start_keeps_the_clock(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff, S.DISPATCHED)
    r = wf.start(conn, staff["yunyan"], c.id, c.version, now=at("2026-03-02", "11:30"))
    assert r.status is S.IN_PROGRESS
    assert (r.deadline, r.stage_deadline, r.stage_yellow_at) == (
        c.deadline,
        c.stage_deadline,
        c.stage_yellow_at,
    )
    ev = event(conn, r.event_id)
    assert (ev.action, ev.from_status, ev.to_status, ev.department_code, ev.payload) == (
        "start",
        "dispatched",
        "in_progress",
        "520103-CGJ",
        {},
    )


def _png(seed: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (seed % 256, 80, 120)).save(out, format="PNG")
    return out.getvalue()


def test_handle_links_photos(conn: Connection, staff: dict[str, Actor], settings: Settings) -> None:
    from db.media import store_photo

    c = new_case(conn, staff, S.IN_PROGRESS)
    p1 = store_photo(conn, settings.media_path, _png(1), kind="handled", user_id=staff["yunyan"].user_id)
    p2 = store_photo(conn, settings.media_path, _png(2), kind="handled", user_id=staff["yunyan"].user_id)
    r = wf.handle(
        conn,
        staff["yunyan"],
        c.id,
        c.version,
        note="已更换井盖",
        photo_ids=[p1.id, p2.id, p1.id],
        now=at("2026-03-02", "15:00"),
    )
    row = wf.get_case(conn, c.id)
    assert r.status is S.HANDLED and row.handled_at == at("2026-03-02", "15:00")
    assert row.deadline == at("2026-03-02", "16:30")  # the handling deadline stays for the statistics
    # 核查 stage: 1 working day
    assert row.stage_deadline == at("2026-03-03", "15:00")
    linked = (
        conn.execute(text("SELECT id FROM photo WHERE case_id = :c ORDER BY id"), {"c": c.id}).scalars().all()
    )
    assert linked == [p1.id, p2.id]
    ev = event(conn, r.event_id)
    assert (ev.action, ev.from_status, ev.to_status, ev.note) == (
        "handle",
        "in_progress",
        "handled",
        "已更换井盖",
    )
    assert ev.payload == {"photos": [p1.id, p2.id], "on_time": True}


def test_handle_late_is_not_on_time(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff, S.DISPATCHED)
    r = wf.handle(conn, staff["lead"], c.id, c.version, note="done", now=at("2026-03-03", "09:00"))
    assert event(conn, r.event_id).payload == {"photos": [], "on_time": False}


def test_verify_pass_closes(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff, S.HANDLED)
    r = wf.verify(conn, staff["dispatcher"], c.id, c.version, passed=True, now=at("2026-03-02", "16:00"))
    row = wf.get_case(conn, c.id)
    assert r.status is S.CLOSED and row.closed_at == at("2026-03-02", "16:00") and row.stage_deadline is None
    ev = event(conn, r.event_id)
    assert (ev.action, ev.from_status, ev.to_status, ev.note) == ("verify_pass", "handled", "closed", None)
    assert ev.department_code == "520103-CGJ"


def test_verify_fail_sends_back_for_rework(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff, S.HANDLED)
    r = wf.verify(
        conn, staff["lead"], c.id, c.version, passed=False, note="井盖仍松动", now=at("2026-03-03", "10:00")
    )
    row = wf.get_case(conn, c.id)
    assert r.status is S.DISPATCHED and row.rework_count == 1
    assert row.handled_at == at("2026-03-02", "15:00")  # kept
    # 4 working hours from Tuesday 10:00: 10:00-12:00, 13:30-15:30
    assert row.deadline == row.stage_deadline == at("2026-03-03", "15:30")
    assert row.stage_started_at == at("2026-03-03", "10:00")
    ev = event(conn, r.event_id)
    assert (ev.action, ev.from_status, ev.to_status, ev.note) == (
        "verify_fail",
        "handled",
        "dispatched",
        "井盖仍松动",
    )
    assert ev.payload == {"deadline": "2026-03-03T15:30:00+08:00"}


def test_citizen_verifies_others_but_not_own_report(conn: Connection, staff: dict[str, Actor]) -> None:
    reporter, neighbour = new_person(conn), new_person(conn)
    c = new_case(conn, staff, S.HANDLED, reporter=Actor.citizen(reporter))
    before = snapshot(conn, c.id)
    with pytest.raises(Forbidden) as err:
        wf.verify(conn, Actor.citizen(reporter), c.id, c.version, passed=True, now=at("2026-03-02", "16:00"))
    assert "自己" in err.value.zh and "yourself" in err.value.en
    assert snapshot(conn, c.id) == before
    r = wf.verify(conn, Actor.citizen(neighbour), c.id, c.version, passed=True, now=at("2026-03-02", "16:00"))
    ev = event(conn, r.event_id)
    assert (ev.actor_role, ev.actor_person_id, ev.actor_user_id) == ("citizen", neighbour, None)


def test_escalate_keeps_the_status(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff, S.FILED)
    r = wf.escalate(conn, staff["yunyan"], c.id, c.version, reason="媒体关注", now=at("2026-03-02", "10:45"))
    row = wf.get_case(conn, c.id)
    assert r.status is S.FILED and row.escalated is True and row.stage_deadline == c.stage_deadline
    ev = event(conn, r.event_id)
    assert (ev.action, ev.from_status, ev.to_status, ev.note) == ("escalate", "filed", "filed", "媒体关注")


def test_full_happy_path_history(conn: Connection, staff: dict[str, Actor]) -> None:
    lead, officer = staff["lead"], staff["yunyan"]
    r = wf.report(
        conn,
        Actor.system(),
        category_code=CATEGORY,
        lon=YUNYAN[0],
        lat=YUNYAN[1],
        description="井盖破损",
        source="inspector",
        now=MON,
    )
    r = wf.file_case(conn, lead, r.id, r.version, now=at("2026-03-02", "10:10"))
    r = wf.dispatch(conn, lead, r.id, r.version, now=at("2026-03-02", "10:20"))
    r = wf.start(conn, officer, r.id, r.version, now=at("2026-03-02", "10:30"))
    r = wf.handle(conn, officer, r.id, r.version, note="已修复", now=at("2026-03-02", "13:40"))
    r = wf.verify(conn, lead, r.id, r.version, passed=True, now=at("2026-03-02", "14:00"))
    assert (r.status, r.version) == (S.CLOSED, 6)
    events = wf.history(conn, r.id)
    assert [e.action for e in events] == ["report", "file", "dispatch", "start", "handle", "verify_pass"]
    assert [e.to_status for e in events] == [
        "reported",
        "filed",
        "dispatched",
        "in_progress",
        "handled",
        "closed",
    ]
    assert [e.from_status for e in events[1:]] == [e.to_status for e in events[:-1]]
    assert all(a.at < b.at for a, b in zip(events, events[1:], strict=False))
    assert all(a.id < b.id for a, b in zip(events, events[1:], strict=False))
    row = wf.get_case(conn, r.id)
    assert row.updated_at == events[-1].at and row.version == len(events)


def test_get_case_unknown(conn: Connection) -> None:
    with pytest.raises(NotFound):
        wf.get_case(conn, -1)
    assert wf.history(conn, -1) == []


def test_unknown_case_is_not_found(conn: Connection, staff: dict[str, Actor]) -> None:
    before = snapshot(conn)
    with pytest.raises(NotFound):
        wf.file_case(conn, staff["lead"], -1, 1, now=MON)
    assert snapshot(conn) == before


def test_invalid_transition_changes_nothing(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff)
    before = snapshot(conn, c.id)
    with pytest.raises(InvalidTransition) as err:
        wf.start(conn, staff["lead"], c.id, c.version, now=MON)
    assert c.ticket in err.value.en and c.ticket in err.value.zh
    assert snapshot(conn, c.id) == before


def test_stale_version_changes_nothing(conn: Connection, staff: dict[str, Actor]) -> None:
    c = new_case(conn, staff, S.FILED)
    before = snapshot(conn, c.id)
    with pytest.raises(StaleCase) as err:
        wf.dispatch(conn, staff["lead"], c.id, c.version - 1, now=at("2026-03-02", "11:00"))
    assert c.ticket in err.value.zh and c.ticket in err.value.en
    assert snapshot(conn, c.id) == before


def test_outside_the_service_area_raises_before_writing(conn: Connection) -> None:
    before = snapshot(conn)
    with pytest.raises(OutsideServiceArea):
        wf.report(
            conn,
            Actor.system(),
            category_code=CATEGORY,
            lon=106.97,
            lat=27.06,
            description="",
            source="app",
            now=MON,
        )
    assert snapshot(conn) == before


def test_actor_from_identity(staff: dict[str, Actor]) -> None:
    officer = staff["yunyan"]
    assert (officer.role, officer.district, officer.department) == (Role.OFFICER, "520103", None)
    assert officer.user_id is not None and officer.person_id is None
    assert staff["cgj"].department == "CGJ"
    assert Actor.system() == Actor(Role.SYSTEM)
    assert Actor.citizen(7).person_id == 7
    with pytest.raises(ValueError):
        Actor(Role.CITIZEN)
