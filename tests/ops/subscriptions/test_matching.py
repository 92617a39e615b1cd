"""Area subscriptions are matched in the transaction of each case event: a new report inside the area makes one
outbox row, outside none; a closure; categories (小类 and 大类); a circle; the reach of an officer and of
department staff; a paused or removed subscription; a citizen's message holds only the public view."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, text

from ops import workflow as wf
from ops.citizen.persons import ReporterIdentity, person_for_reporter
from ops.states import CaseStatus
from ops.subscriptions import matching, store
from ops.workflow import Actor
from tests.support.cases import MON, NANMING, YUNYAN, citizen, new_case
from tests.support.subscriptions import citizen_owner, square, staff_owner, sub_rows, subscribe

S = CaseStatus


def _ticket(conn: Connection, case_id: int) -> str:
    return str(conn.execute(text('SELECT ticket FROM "case" WHERE id = :i'), {"i": case_id}).scalar_one())


def test_a_report_inside_makes_one_row_outside_none(conn: Connection, staff: dict[str, Actor]) -> None:
    sid = subscribe(conn, staff_owner(conn, "lead"), polygon=square(*YUNYAN), label="中华北路")
    new_case(conn, staff, point=NANMING)  # about 1.4 km south: outside
    assert sub_rows(conn) == []
    r = new_case(conn, staff, point=YUNYAN)
    (row,) = sub_rows(conn)
    ticket = _ticket(conn, r.id)
    assert (row.subscription_id, row.route_id, row.kind, row.case_id, row.status) == (
        sid,
        None,
        "area_new",
        r.id,
        "pending",
    )
    assert row.idem_key == f"event:{row.event_id}:sub:{sid}"
    assert row.title == f"【区域订阅·新上报】{ticket} 井盖破损"
    assert "您订阅的区域“中华北路”内有新上报。" in row.body and "云岩区" in row.body and "待受理" in row.body
    assert row.link == f"/workbench?case={ticket}"
    # the later steps (file, dispatch) are neither new nor closed: still one row
    wf.file_case(conn, staff["lead"], r.id, r.version, now=MON + timedelta(minutes=30))
    assert len(sub_rows(conn)) == 1


def test_closure_is_told_and_new_reports_are_not_when_not_asked(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    sid = subscribe(
        conn, staff_owner(conn, "dispatcher"), polygon=square(*YUNYAN), events=("closed",), lang="en"
    )
    r = new_case(conn, staff, S.HANDLED)
    assert sub_rows(conn) == []
    done = wf.verify(conn, staff["lead"], r.id, r.version, passed=True, now=MON + timedelta(hours=6))
    assert done.status == "closed"
    (row,) = sub_rows(conn)
    assert (row.subscription_id, row.kind, row.case_id) == (sid, "area_closed", r.id)
    assert row.title.startswith("[Area · Closed] ") and "Status: Closed" in row.body


def test_categories_match_the_minor_or_its_major_class(conn: Connection, staff: dict[str, Actor]) -> None:
    lead = staff_owner(conn, "lead")
    other = subscribe(conn, lead, polygon=square(*YUNYAN), categories=("C0102",))
    major = subscribe(conn, lead, polygon=square(*YUNYAN), categories=("C01",))
    minor = subscribe(conn, lead, polygon=square(*YUNYAN), categories=("C0101", "E0501"))
    new_case(conn, staff, point=YUNYAN, category="C0101")
    assert sorted(r.subscription_id for r in sub_rows(conn)) == [major, minor]
    assert other not in {r.subscription_id for r in sub_rows(conn)}


def test_a_circle_around_a_point(conn: Connection, staff: dict[str, Actor]) -> None:
    lon, lat = YUNYAN
    sid = subscribe(conn, staff_owner(conn, "lead"), circle=(lon, lat, 300))
    (radius,) = conn.execute(text("SELECT radius_m FROM subscription WHERE id = :i"), {"i": sid}).one()
    assert radius == 300
    new_case(conn, staff, point=(lon + 0.0040, lat))  # ~400 m east: outside the circle
    assert sub_rows(conn) == []
    new_case(conn, staff, point=(lon + 0.0020, lat))  # ~200 m east: inside
    assert [r.subscription_id for r in sub_rows(conn)] == [sid]


def test_an_officer_is_told_only_of_their_district(conn: Connection, staff: dict[str, Actor]) -> None:
    officer = staff_owner(conn, "yunyan")  # 云岩区 520103
    both = {
        "type": "MultiPolygon",
        "coordinates": [square(*YUNYAN)["coordinates"], square(*NANMING)["coordinates"]],
    }
    sid = subscribe(conn, officer, polygon=both)
    new_case(conn, staff, point=NANMING)  # 南明区: inside the area, outside the officer's reach
    assert sub_rows(conn) == []
    new_case(conn, staff, point=YUNYAN)
    assert [r.subscription_id for r in sub_rows(conn)] == [sid]


def test_department_staff_are_told_of_their_department_s_cases_only(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    sid = subscribe(conn, staff_owner(conn, "cgj"), polygon=square(*YUNYAN))  # department CGJ
    r = new_case(conn, staff, S.HANDLED, department="CGJ")
    assert sub_rows(conn) == []  # its report was at no department yet
    wf.verify(conn, staff["lead"], r.id, r.version, passed=True, now=MON + timedelta(hours=6))
    other = new_case(conn, staff, S.HANDLED, department="520103-CGJ", point=(YUNYAN[0] + 0.001, YUNYAN[1]))
    wf.verify(conn, staff["lead"], other.id, other.version, passed=True, now=MON + timedelta(hours=6))
    assert [(x.subscription_id, x.case_id) for x in sub_rows(conn)] == [(sid, r.id)]


def test_paused_and_removed_subscriptions_tell_nothing(conn: Connection, staff: dict[str, Actor]) -> None:
    lead = staff_owner(conn, "lead")
    paused = subscribe(conn, lead, polygon=square(*YUNYAN))
    removed = subscribe(conn, lead, polygon=square(*YUNYAN))
    store.set_active(conn, lead, paused, False)
    store.remove(conn, lead, removed)
    new_case(conn, staff, point=YUNYAN)
    assert sub_rows(conn) == []
    store.set_active(conn, lead, paused, True)
    new_case(conn, staff, point=(YUNYAN[0] + 0.001, YUNYAN[1]))
    assert [r.subscription_id for r in sub_rows(conn)] == [paused]
    channel = conn.execute(text("SELECT channel FROM subscription WHERE id = :i"), {"i": removed}).scalar()
    assert channel is None  # a removed subscription keeps no channel


def test_a_citizen_reads_only_the_public_view(conn: Connection, staff: dict[str, Actor]) -> None:
    pid = citizen(conn, "sub-citizen-1")
    sid = subscribe(conn, citizen_owner(conn, pid), polygon=square(*YUNYAN), label="我家附近")
    reporter = person_for_reporter(
        conn,
        ReporterIdentity(account_id="sub-reporter-1", phone="13985012345", first_name="秘密", last_name="王"),
    )
    r = wf.report(
        conn,
        Actor.system(),
        category_code="C0101",
        lon=YUNYAN[0],
        lat=YUNYAN[1],
        description="井盖松动，联系人王秘密 13985012345",
        address="中华北路8号 王秘密家门口",
        source="app",
        reporter_id=reporter,
        now=MON,
    )
    (row,) = sub_rows(conn)
    ticket = _ticket(conn, r.id)
    assert row.subscription_id == sid
    text_out = row.title + row.body + (row.link or "")
    for secret in ("13985012345", "王秘密", "秘密", "中华北路", "井盖松动", "sub-reporter-1", "联系人"):
        assert secret not in text_out, secret
    assert ticket in row.title and "井盖破损" in row.body and "云岩区" in row.body and "已受理" in row.body
    assert f"{YUNYAN[1]:.5f}" not in row.body  # the grid cell's point, not the reported one
    assert row.link == f"/open311/v2/requests/{ticket}.json"


def test_a_citizen_is_not_told_of_a_non_public_case(conn: Connection, staff: dict[str, Actor]) -> None:
    pid = citizen(conn, "sub-citizen-2")
    subscribe(conn, citizen_owner(conn, pid), polygon=square(*YUNYAN), events=("closed",))
    lead = subscribe(conn, staff_owner(conn, "lead"), polygon=square(*YUNYAN), events=("closed",))
    h = new_case(conn, staff, S.HANDLED, point=YUNYAN)
    conn.execute(text('UPDATE "case" SET public = false WHERE id = :i'), {"i": h.id})
    wf.verify(conn, staff["lead"], h.id, h.version, passed=True, now=MON + timedelta(hours=6))
    assert [(x.subscription_id, x.kind) for x in sub_rows(conn)] == [(lead, "area_closed")]


def test_a_rolled_back_report_leaves_no_row(conn: Connection, staff: dict[str, Actor]) -> None:
    subscribe(conn, staff_owner(conn, "lead"), polygon=square(*YUNYAN))
    savepoint = conn.begin_nested()
    new_case(conn, staff, point=YUNYAN)
    assert len(sub_rows(conn)) == 1
    savepoint.rollback()
    assert sub_rows(conn) == []


def test_matching_probes_the_gist_index_whatever_the_planner_believes(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    """Hundreds of subscriptions added in this (uncommitted) transaction: the table's statistics still say it is
    nearly empty. A generic plan (what a prepared statement runs after five executions) must still probe
    ``ix_subscription_area_live`` rather than scan every subscription."""
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
    conn.execute(
        text(
            "INSERT INTO subscription (staff_user_id, area, events, channel_kind, channel) "
            "SELECT :u, ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(106.6 + random() * 0.2, 26.5 + random() * 0.15), "
            "4326), 0.005, 4)), ARRAY['new'], 'url', 'json://127.0.0.1:9/x' FROM generate_series(1, 1000)"
        ),
        {"u": uid},
    )
    conn.execute(text("ANALYZE subscription"))
    case_id = new_case(conn, staff, point=YUNYAN).id
    sql = matching._MATCH.text.replace(":case_id", "$1").replace(
        "CAST(:event AS varchar)", "CAST($2 AS varchar)"
    )
    conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    conn.exec_driver_sql("PREPARE sub_match(bigint, text) AS " + sql)
    plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN EXECUTE sub_match({int(case_id)}, 'new')"))
    conn.exec_driver_sql("DEALLOCATE sub_match")
    assert "Index Scan using ix_subscription_area_live on subscription" in plan, plan
    assert "Seq Scan on subscription" not in plan, plan
