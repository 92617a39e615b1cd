"""The outbox is written in the transaction of what it tells: the right routes, one row per event and route, the
messages' contents (zh, en) and what they never hold. Rolled-back database tests, events through ops.workflow."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, text

from ops import workflow as wf
from ops.notify.messages import clean, outgoing
from ops.notify.outbox import enqueue_for_event, resend
from ops.states import CaseStatus
from ops.workflow import Actor
from tests.support.cases import MON, YUNYAN, new_case
from tests.support.notify import add_route, outbox

S = CaseStatus
DEPT = "520103-CGJ"  # where 井盖破损 in 云岩区 is dispatched


def test_no_route_no_row_and_a_dispatch_tells_its_department(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    new_case(conn, staff, S.DISPATCHED)
    assert outbox(conn) == []
    zh = add_route(conn, "json://127.0.0.1:9/zh", department=DEPT)
    en = add_route(conn, "json://127.0.0.1:9/en", department=DEPT, lang="en")
    add_route(conn, "json://127.0.0.1:9/other", department="CGJ")  # another department: not told
    add_route(conn, "json://127.0.0.1:9/lead", role="lead")  # a dispatch is not the lead's
    r = new_case(conn, staff, S.DISPATCHED)
    rows = outbox(conn)
    assert [(row.route_id, row.kind, row.case_id, row.status, row.attempts) for row in rows] == [
        (zh, "dispatch", r.id, "pending", 0),
        (en, "dispatch", r.id, "pending", 0),
    ]
    assert rows[0].idem_key == f"event:{rows[0].event_id}:route:{zh}"
    ticket = conn.execute(text('SELECT ticket FROM "case" WHERE id = :id'), {"id": r.id}).scalar_one()
    z, e = rows
    assert z.title == f"【派遣】{ticket} 井盖破损"
    for part in (ticket, "井盖破损", "云岩区", "时限：2026-03-02 ", "（北京时间）", "云岩区城市管理局"):
        assert part in z.body, part
    assert e.title.startswith(f"[Dispatched] {ticket} ") and "Yunyan" in e.body and "(Beijing time)" in e.body
    assert z.link == e.link == f"/workbench?case={ticket}"
    title, body = outgoing(z.title, z.body, z.link, "https://ops.example.cn/", "zh")
    assert title == z.title and body.endswith(f"查看：https://ops.example.cn/workbench?case={ticket}")


def test_the_deadline_is_the_case_deadline_in_shanghai_time(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    add_route(conn, "json://127.0.0.1:9/zh", department=DEPT)
    r = new_case(conn, staff, S.DISPATCHED)
    deadline = conn.execute(text('SELECT deadline FROM "case" WHERE id = :id'), {"id": r.id}).scalar_one()
    from geo.crs import TZ

    assert deadline.astimezone(TZ).strftime("%Y-%m-%d %H:%M") in outbox(conn)[0].body


def test_enqueue_twice_makes_one_row(conn: Connection, staff: dict[str, Actor]) -> None:
    add_route(conn, "json://127.0.0.1:9/zh", department=DEPT)
    r = new_case(conn, staff, S.DISPATCHED)
    (row,) = outbox(conn)
    again = enqueue_for_event(
        conn, event_id=row.event_id, case_id=r.id, action="dispatch", department=DEPT, at=MON
    )
    assert again == 0 and len(outbox(conn)) == 1


_OLD_MESSAGE = text(
    "WITH k AS (INSERT INTO notify_key (idem_key) VALUES (:key) RETURNING idem_key) "
    "INSERT INTO notify_outbox (idem_key, route_id, kind, case_id, event_id, title, body, created_at) "
    "SELECT idem_key, :route, 'dispatch', :case, :event, 't', 'b', '2019-01-05T12:00:00+08:00' FROM k "
    "RETURNING tableoid::regclass::text"
)


def test_a_message_is_written_once_over_all_months_and_a_deleted_one_frees_its_key(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    """The outbox is partitioned by month; its messages' keys are not (notify_key): a message written in another
    month still keeps the same event from being told twice. Deleting a message frees its key."""
    route = add_route(conn, "json://127.0.0.1:9/zh", department=DEPT)
    r = new_case(conn, staff, S.DISPATCHED)
    event = 900_000_000 + r.id
    key = f"event:{event}:route:{route}"
    part = conn.execute(_OLD_MESSAGE, {"key": key, "route": route, "case": r.id, "event": event}).scalar_one()
    assert part in ("notify_outbox_default", "notify_outbox_p201901")  # not this month's, where tell() writes

    def tell() -> int:
        return enqueue_for_event(
            conn, event_id=event, case_id=r.id, action="dispatch", department=DEPT, at=MON
        )

    assert tell() == 0
    assert (
        conn.execute(text("SELECT count(*) FROM notify_outbox WHERE idem_key = :k"), {"k": key}).scalar() == 1
    )
    conn.execute(text("DELETE FROM notify_outbox WHERE idem_key = :k"), {"k": key})
    assert tell() == 1
    assert conn.execute(text("SELECT count(*) FROM notify_key WHERE idem_key = :k"), {"k": key}).scalar() == 1


def test_a_rolled_back_dispatch_leaves_no_row(conn: Connection, staff: dict[str, Actor]) -> None:
    add_route(conn, "json://127.0.0.1:9/zh", department=DEPT)
    r = new_case(conn, staff, S.FILED)
    savepoint = conn.begin_nested()
    wf.dispatch(conn, staff["lead"], r.id, r.version, now=MON + timedelta(hours=1))
    assert len(outbox(conn)) == 1
    savepoint.rollback()
    assert outbox(conn) == []


def test_who_is_told_what(conn: Connection, staff: dict[str, Actor]) -> None:
    dept = add_route(conn, "json://127.0.0.1:9/d", department=DEPT)
    lead = add_route(conn, "json://127.0.0.1:9/l", role="lead")
    disp = add_route(conn, "json://127.0.0.1:9/x", role="dispatcher")
    add_route(conn, "json://127.0.0.1:9/o", role="officer")  # never told of case steps nor alerts
    only_rework = add_route(conn, "json://127.0.0.1:9/rw", department=DEPT, kinds=["rework"])
    add_route(conn, "json://127.0.0.1:9/off", department=DEPT, enabled=False)
    gone = add_route(conn, "json://127.0.0.1:9/gone", department=DEPT)
    conn.execute(text("UPDATE notify_route SET removed_at = now() WHERE id = :id"), {"id": gone})
    lead_actor = staff["lead"]

    def told(since: int) -> list[tuple[str, int]]:
        return [(row.kind, row.route_id) for row in outbox(conn) if row.id > since]

    r = new_case(conn, staff, S.DISPATCHED)
    assert told(0) == [("dispatch", dept)]
    last = outbox(conn)[-1].id
    reason = "不属本部门，电话13985012345"
    r = wf.return_case(conn, lead_actor, r.id, r.version, reason=reason, now=MON + timedelta(hours=2))
    assert told(last) == [("return", lead), ("return", disp)]
    returned = outbox(conn)[-1]
    assert "13985012345" not in returned.body and "原因：不属本部门，电话***" in returned.body
    assert "回退部门：云岩区城市管理局" in returned.body and "责任部门" not in returned.body
    last = returned.id
    r = wf.dispatch(conn, lead_actor, r.id, r.version, now=MON + timedelta(hours=3))
    r = wf.handle(conn, lead_actor, r.id, r.version, note="已修复", now=MON + timedelta(hours=4))
    assert told(last) == [("dispatch", dept)]  # handled tells no one
    last = outbox(conn)[-1].id
    r = wf.verify(
        conn, lead_actor, r.id, r.version, passed=False, note="仍未修好", now=MON + timedelta(hours=5)
    )
    assert told(last) == [("rework", dept), ("rework", only_rework)]
    last = outbox(conn)[-1].id
    wf.escalate(conn, lead_actor, r.id, r.version, reason="多次返工", now=MON + timedelta(hours=6))
    assert sorted(told(last)) == [("escalate", dept), ("escalate", lead)]


def test_no_personal_data_in_a_message(conn: Connection, staff: dict[str, Actor]) -> None:
    add_route(conn, "json://127.0.0.1:9/zh", department=DEPT)
    person = conn.execute(
        text(
            "INSERT INTO person (pseudonym, registered, name, phone) VALUES ('notify-test', true, '王小明',"
            " '13800138000') RETURNING id"
        )
    ).scalar_one()
    r = wf.report(
        conn,
        Actor.system(),
        category_code="C0101",
        lon=YUNYAN[0],
        lat=YUNYAN[1],
        description="井盖松动，联系人：李四 手机 139-8501-2345，请尽快处理" + "很危险" * 40,
        source="app",
        reporter_id=person,
        now=MON,
    )
    r = wf.file_case(conn, staff["lead"], r.id, r.version, now=MON + timedelta(minutes=30))
    wf.dispatch(conn, staff["lead"], r.id, r.version, now=MON + timedelta(hours=1))
    (row,) = outbox(conn)
    for secret in ("王小明", "13800138000", "李四", "139-8501-2345", "8501"):
        assert secret not in row.title + row.body, secret
    assert "描述：井盖松动，联系人：***" in row.body
    assert len(clean("很" * 500)) == 80


def test_an_action_that_tells_no_one_costs_no_query(conn: Connection) -> None:
    calls: list[str] = []

    class Spy:
        def execute(self, *a: object, **k: object) -> None:
            calls.append("query")

    assert enqueue_for_event(Spy(), event_id=1, case_id=1, action="start", department=DEPT, at=MON) == 0  # type: ignore[arg-type]
    assert calls == []


def test_an_admin_sends_a_failed_message_again(conn: Connection, staff: dict[str, Actor]) -> None:
    add_route(conn, "json://127.0.0.1:9/zh", department=DEPT)
    new_case(conn, staff, S.DISPATCHED)
    (row,) = outbox(conn)
    assert resend(conn, row.id) is False  # pending: nothing to do
    conn.execute(
        text("UPDATE notify_outbox SET status = 'failed', attempts = 8, last_error = 'x' WHERE id = :id"),
        {"id": row.id},
    )
    assert resend(conn, row.id) is True
    (again,) = outbox(conn)
    assert (again.status, again.attempts, again.last_error) == ("pending", 0, "x")
    assert resend(conn, 10**12) is False
