"""The workbench's read models on real PostGIS: scope in the WHERE clause, filters, lights, cap, case card."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Connection, text

from db.accounts import StaffIdentity, load_identity
from db.media import store_photo
from db.queries import wb_card, wb_options
from db.queries import workbench as q
from db.queries.workbench_scope import may_see, scope_bounds
from ops import workflow as wf
from ops.policy import workbench_scope
from ops.states import CaseStatus
from ops.workflow import Actor, CaseResult
from tests.support.cases import CATEGORY, KAIYANG, MON, NANMING, YUNYAN, new_case

S = CaseStatus
#: A box around both test points (云岩 and 南明), small enough to hold few other cases.
BOX = (106.705, 26.565, 106.720, 26.590)
LATER = MON + timedelta(minutes=10)


@pytest.fixture
def people(conn: Connection) -> dict[str, StaffIdentity]:
    out = {}
    for (uid,) in conn.execute(text("SELECT id FROM staff_user")).all():
        ident = load_identity(conn, uid)
        assert ident is not None
        out[ident.username] = ident
    return out


def ids_of_pins(pins: q.Pins) -> set[int]:
    return {f["properties"]["id"] for f in pins.geojson["features"]}


def ids_of_queue(result: q.Queue) -> set[int]:
    return {r.id for r in result.rows}


def both(
    conn: Connection, staff: dict[str, Actor], status: CaseStatus = S.REPORTED
) -> tuple[CaseResult, ...]:
    return new_case(conn, staff, status, point=YUNYAN), new_case(conn, staff, status, point=NANMING)


def test_officer_of_yunyan_never_gets_a_nanming_case(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    yun, nan = both(conn, staff)
    assert (yun.district_code, nan.district_code) == ("520103", "520102")
    officer = people["yunyan"]
    f = q.Filters()
    pins = q.pins(conn, workbench_scope(officer), f, BOX, now=LATER)
    assert yun.id in ids_of_pins(pins) and nan.id not in ids_of_pins(pins)
    queue = q.queue(conn, workbench_scope(officer), f, now=LATER, limit=10_000)
    assert yun.id in ids_of_queue(queue) and nan.id not in ids_of_queue(queue)
    assert {r.district_code for r in queue.rows} == {"520103"}
    # asking for 南明区 explicitly changes nothing: the scope is ANDed, not replaced
    nanming = q.Filters(district="520102")
    assert ids_of_pins(q.pins(conn, workbench_scope(officer), nanming, BOX, now=LATER)) == set()
    assert q.queue(conn, workbench_scope(officer), nanming, now=LATER).total == 0
    assert wb_card.case_card(conn, workbench_scope(officer), nan.id) is None
    assert wb_card.case_card(conn, workbench_scope(officer), yun.id) is not None
    assert not may_see(conn, workbench_scope(officer), nan.id) and may_see(
        conn, workbench_scope(officer), yun.id
    )


def test_an_officer_without_a_district_sees_nothing(conn: Connection, staff: dict[str, Actor]) -> None:
    yun, _ = both(conn, staff)
    broken = StaffIdentity(0, "x", "x", "officer", None, None)
    assert q.pins(conn, workbench_scope(broken), q.Filters(), BOX, now=LATER).shown == 0
    assert wb_card.case_card(conn, workbench_scope(broken), yun.id) is None


def test_department_staff_see_only_their_departments_cases(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    mine = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    theirs = new_case(conn, staff, S.DISPATCHED, point=NANMING)  # to the suggested 520102-CGJ
    waiting = new_case(conn, staff, S.FILED)  # no department yet
    assert theirs.department_code == "520102-CGJ"
    cgj = people["cgj"]
    seen = ids_of_queue(q.queue(conn, workbench_scope(cgj), q.Filters(), now=LATER, limit=10_000))
    assert mine.id in seen and theirs.id not in seen and waiting.id not in seen
    assert (
        ids_of_pins(q.pins(conn, workbench_scope(cgj), q.Filters(), BOX, now=LATER)) & {theirs.id, waiting.id}
        == set()
    )
    assert (
        wb_card.case_card(conn, workbench_scope(cgj), theirs.id) is None
        and wb_card.case_card(conn, workbench_scope(cgj), mine.id) is not None
    )


def test_command_center_sees_everything_and_the_moderator_nothing(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    cases = {c.id for c in both(conn, staff)}
    for name in ("dispatcher", "lead", "admin"):
        assert cases <= ids_of_pins(q.pins(conn, workbench_scope(people[name]), q.Filters(), BOX, now=LATER))
    assert q.pins(conn, workbench_scope(people["moderator"]), q.Filters(), BOX, now=LATER).shown == 0
    assert q.queue(conn, workbench_scope(people["moderator"]), q.Filters(), now=LATER).total == 0


def test_filters(conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]) -> None:
    yun, nan = both(conn, staff)
    filed = new_case(conn, staff, S.FILED, point=(YUNYAN[0] + 0.002, YUNYAN[1]))
    other = wf.report(
        conn, Actor.system(), category_code="E0101", lon=YUNYAN[0] - 0.002, lat=YUNYAN[1],
        description="", source="hotline", now=MON,
    )  # fmt: skip
    user = people["dispatcher"]
    mine = {yun.id, nan.id, filed.id, other.id}

    def pins(**kw: object) -> set[int]:
        return (
            ids_of_pins(q.pins(conn, workbench_scope(user), q.Filters.from_inputs(**kw), BOX, now=LATER))
            & mine
        )

    assert pins() == mine
    assert pins(district="520102") == {nan.id}
    assert pins(category=CATEGORY) == {yun.id, nan.id, filed.id}
    assert pins(major="E01") == {other.id}
    assert pins(major="E01", category=CATEGORY) == {yun.id, nan.id, filed.id}  # 小类 wins over 大类
    assert pins(statuses=["filed"]) == {filed.id}
    assert pins(sources=["hotline"]) == {other.id}
    assert pins(sources=["web"]) == set()
    # forged values are ignored, not passed on
    assert pins(statuses=["'; DROP TABLE case; --"], window="forever", sources=[1]) == mine


def test_time_windows(conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]) -> None:
    case = new_case(conn, staff, S.REPORTED)
    wf.reject(conn, staff["lead"], case.id, case.version, reason="重复", now=MON + timedelta(hours=1))
    user = people["dispatcher"]

    def seen(window: str, days_later: float) -> bool:
        f = q.Filters(window=window)
        now = MON + timedelta(days=days_later)
        return case.id in ids_of_pins(q.pins(conn, workbench_scope(user), f, BOX, now=now))

    assert not seen("open", 0.1)  # rejected: not open any more
    assert seen("today", 0.1) and not seen("today", 1)
    assert seen("7d", 6) and not seen("7d", 7)
    assert seen("30d", 29) and not seen("30d", 30)
    # with a status filter, the window limits by age and the status by status
    assert case.id in ids_of_pins(
        q.pins(
            conn,
            workbench_scope(user),
            q.Filters(window="7d", statuses=("rejected",)),
            BOX,
            now=MON + timedelta(days=1),
        )
    )


def test_lights_match_the_workflow(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    case = new_case(conn, staff, S.DISPATCHED)
    row = wf.get_case(conn, case.id)
    user = people["dispatcher"]
    moments = {
        "green": row.stage_started_at + timedelta(minutes=1),
        "yellow": row.stage_yellow_at,
        "red": row.stage_deadline + timedelta(seconds=1),
    }
    for expected, now in moments.items():
        assert wf.light(row, now) == expected
        light_pins = q.pins(conn, workbench_scope(user), q.Filters(lights=(expected,)), BOX, now=now)
        assert case.id in ids_of_pins(light_pins)
        others = tuple(x for x in q.LIGHTS if x != expected)
        assert case.id not in ids_of_pins(
            q.pins(conn, workbench_scope(user), q.Filters(lights=others), BOX, now=now)
        )
        (queued,) = [
            r
            for r in q.queue(conn, workbench_scope(user), q.Filters(), now=now, limit=10_000).rows
            if r.id == case.id
        ]
        assert queued.light == expected


def test_a_suspended_case_keeps_the_light_it_had_when_its_clock_stopped(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    case = new_case(conn, staff, S.SUSPENDED)  # suspended 1.5 working hours into a 4-hour limit
    row = wf.get_case(conn, case.id)
    assert row.paused_since is not None and row.paused_since < row.stage_deadline
    far = MON + timedelta(days=60)
    expected = wf.light(row, far)
    assert expected == "green"  # judged when the clock stopped; by `far` a running clock would be red
    feature = next(
        f for f in q.pins(conn, workbench_scope(people["lead"]), q.Filters(), BOX, now=far).geojson["features"]
        if f["properties"]["id"] == case.id
    )  # fmt: skip
    assert feature["properties"]["l"] == expected


def test_closed_cases_have_no_light(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    case = new_case(conn, staff, S.HANDLED)
    done = wf.verify(conn, staff["lead"], case.id, case.version, passed=True, now=MON + timedelta(hours=6))
    f = q.Filters(window="today")
    (pin,) = [
        p
        for p in q.pins(conn, workbench_scope(people["lead"]), f, BOX, now=LATER).geojson["features"]
        if p["properties"]["id"] == done.id
    ]
    assert pin["properties"]["l"] == "none" and pin["properties"]["s"] == "closed"


def test_pins_are_capped_newest_first(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    old = new_case(conn, staff, S.REPORTED, start=MON - timedelta(hours=1))
    new = new_case(conn, staff, S.REPORTED, point=NANMING)
    tiny = (YUNYAN[0] - 0.02, NANMING[1] - 0.005, YUNYAN[0] + 0.005, YUNYAN[1] + 0.005)
    user = people["lead"]
    full = q.pins(conn, workbench_scope(user), q.Filters(), tiny, now=LATER, limit=100_000)
    assert {old.id, new.id} <= ids_of_pins(full) and not full.capped
    newest = [f["properties"]["id"] for f in full.geojson["features"]]
    assert newest.index(new.id) < newest.index(old.id)
    capped = q.pins(conn, workbench_scope(user), q.Filters(), tiny, now=LATER, limit=full.shown - 1)
    assert capped.capped and capped.shown == full.shown - 1


def test_queue_puts_the_most_pressing_first_and_suspended_cases_last(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    paused = new_case(conn, staff, S.SUSPENDED, start=MON - timedelta(days=3))  # the oldest clock, stopped
    early = new_case(conn, staff, S.REPORTED, start=MON - timedelta(days=1))
    late = new_case(conn, staff, S.REPORTED, point=NANMING)
    f = q.Filters(district="520103")
    rows = [r.id for r in q.queue(conn, workbench_scope(people["lead"]), f, now=LATER, limit=10_000).rows]
    assert rows.index(early.id) < rows.index(paused.id)  # though its deadline came first
    assert late.id not in rows  # 南明区
    full = q.queue(conn, workbench_scope(people["lead"]), f, now=LATER, limit=10_000)
    assert full.total == len(full.rows)
    capped = q.queue(conn, workbench_scope(people["lead"]), f, now=LATER, limit=1)
    assert len(capped.rows) == 1 and capped.total == full.total  # the total counts beyond the cap
    # in a time window, finished cases come after every open one
    done = new_case(conn, staff, S.HANDLED, start=MON - timedelta(days=2))
    wf.verify(conn, staff["lead"], done.id, done.version, passed=True, now=MON - timedelta(days=1))
    week = [
        r.id
        for r in q.queue(
            conn, workbench_scope(people["lead"]), q.Filters(district="520103", window="7d"), now=LATER
        ).rows
    ]
    assert week.index(early.id) < week.index(paused.id) < week.index(done.id)
    assert done.id not in [
        r.id for r in q.queue(conn, workbench_scope(people["lead"]), f, now=LATER, limit=10_000).rows
    ]
    assert q.queue(
        conn, workbench_scope(people["lead"]), q.Filters(statuses=("closed",)), now=LATER
    ) == q.Queue([], 0)


def test_case_card(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity], settings
) -> None:  # type: ignore[no-untyped-def]
    first = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    dup = new_case(conn, staff, S.REPORTED, point=(YUNYAN[0] + 0.0001, YUNYAN[1]))  # ~10 m away
    far = new_case(conn, staff, S.REPORTED, point=NANMING)
    photo = store_photo(conn, settings.media_path, _png(), kind="handled", user_id=people["cgj"].id)
    handled = wf.handle(
        conn, Actor.from_identity(people["cgj"]), first.id, first.version, note="已更换", photo_ids=[photo.id],
        now=MON + timedelta(hours=2),
    )  # fmt: skip
    card = wb_card.case_card(conn, workbench_scope(people["lead"]), handled.id, now=LATER)
    assert card is not None
    c = card.case
    assert (c.ticket, c.status, c.version) == (handled.ticket, "handled", handled.version)
    assert c.category_zh == "井盖破损" and c.major_code == "C01" and c.district_zh == "云岩区"
    assert c.department_code == "CGJ" and c.suggested_department_code == "520103-CGJ"
    assert c.cell_code and c.light in q.LIGHTS
    assert [e.action for e in card.events] == ["report", "file", "dispatch", "handle"]
    assert card.events[-1].note == "已更换" and card.events[-1].actor_role == "department"
    assert card.events[1].actor_name == people["lead"].display_name
    assert [p.id for p in card.photos] == [photo.id]
    near = [d.id for d in card.duplicates]
    assert dup.id in near and far.id not in near and handled.id not in near
    assert all(d.distance_m <= 50 for d in card.duplicates)
    # the officer of the same district sees the duplicates in their district only
    officer = replace(people["yunyan"])
    assert {d.id for d in wb_card.duplicates(conn, workbench_scope(officer), handled.id)} == set(near)


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_filter_options(conn: Connection) -> None:
    districts = wb_options.districts(conn)
    assert districts[0].has_grid and len(districts) == 10
    cats = wb_options.categories(conn)
    assert any(c.level == 1 for c in cats) and any(c.code == CATEGORY for c in cats)
    deps = wb_options.departments(conn)
    assert deps[0].type == "city_bureau" and any(d.code == "CGJ" for d in deps)


# --- where the map opens ----------------------------------------------------------------------------------


def _extent(conn: Connection, sql: str, **params: object) -> q.BBox:
    """The bounding box of the points of a geometry (GeoJSON) or of point rows, computed here in Python."""
    xs: list[float] = []
    ys: list[float] = []
    for (value,) in conn.execute(text(sql), params).all():
        stack = [json.loads(value)["coordinates"]]
        while stack:
            item = stack.pop()
            if isinstance(item[0], int | float):
                xs.append(item[0])
                ys.append(item[1])
            else:
                stack.extend(item)
    return min(xs), min(ys), max(xs), max(ys)


def _close(a: q.BBox | None, b: q.BBox) -> bool:
    return a is not None and all(abs(x - y) < 1e-9 for x, y in zip(a, b, strict=True))


def test_an_officers_map_opens_on_their_district(conn: Connection, people: dict[str, StaffIdentity]) -> None:
    box = scope_bounds(conn, workbench_scope(people["yunyan"]))
    yunyan = _extent(conn, "SELECT ST_AsGeoJSON(geom) FROM district WHERE code = '520103'")
    assert _close(box, yunyan)
    assert box is not None
    west, south, east, north = box
    assert west < YUNYAN[0] < east and south < YUNYAN[1] < north
    assert not (west < KAIYANG[0] < east and south < KAIYANG[1] < north)
    assert 0.05 < east - west < 0.5 and 0.05 < north - south < 0.5  # a district, not the city
    # a district bureau's staff: their district, like its officer
    bureau = StaffIdentity(0, "x", "x", "department", None, "520103-CGJ")
    assert _close(scope_bounds(conn, workbench_scope(bureau)), yunyan)


def test_the_command_center_and_users_without_scope_open_on_the_city(
    conn: Connection, people: dict[str, StaffIdentity]
) -> None:
    for name in ("lead", "dispatcher", "admin", "moderator"):
        assert scope_bounds(conn, workbench_scope(people[name])) is None, name
    assert scope_bounds(conn, workbench_scope(StaffIdentity(0, "x", "x", "officer", None, None))) is None
    assert scope_bounds(conn, workbench_scope(StaffIdentity(0, "x", "x", "officer", "999999", None))) is None


@pytest.mark.as_owner  # changes reference data, an admin operation
def test_a_city_departments_map_opens_on_its_open_cases(conn: Connection, staff: dict[str, Actor]) -> None:
    conn.execute(
        text(
            "INSERT INTO department (code, name_zh, name_en, type) "
            "VALUES ('TEST-BOUNDS', '测试单位', 'Test utility', 'utility')"
        )
    )
    user = StaffIdentity(0, "x", "x", "department", None, "TEST-BOUNDS")
    assert scope_bounds(conn, workbench_scope(user)) is None  # no open case: the city view
    here = new_case(conn, staff, S.DISPATCHED, point=YUNYAN, department="TEST-BOUNDS")
    assert _close(scope_bounds(conn, workbench_scope(user)), (*YUNYAN, *YUNYAN))
    there = new_case(conn, staff, S.HANDLED, point=NANMING, department="TEST-BOUNDS")
    both_sql = 'SELECT ST_AsGeoJSON(geom) FROM "case" WHERE department_code = :d AND status <> ALL(:done)'
    box = scope_bounds(conn, workbench_scope(user))
    assert _close(box, _extent(conn, both_sql, d="TEST-BOUNDS", done=["closed", "rejected", "merged"]))
    assert _close(box, (NANMING[0], NANMING[1], YUNYAN[0], YUNYAN[1]))
    # a closed case no longer counts
    wf.verify(conn, staff["lead"], there.id, there.version, passed=True, now=MON + timedelta(hours=6))
    assert _close(scope_bounds(conn, workbench_scope(user)), (*YUNYAN, *YUNYAN))
    assert here.department_code == "TEST-BOUNDS"
