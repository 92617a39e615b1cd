"""The 百姓拍 extensions through the running app: account and home, verification tasks and answers (我来核实)
driving the workflow, points (积分) by rule and only once, feedback (意见反馈) — JSON and XML, with their errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest
from sqlalchemy import Engine, text

from ops.citizen.feedback import answer_feedback
from ops.citizen.points import points_for
from tests.support.api import (
    BASE,
    NEAR,
    YUNYAN,
    account,
    answer,
    balance,
    case_row,
    counts,
    handled,
    media_files,
    report,
    tasks,
    ticket_of,
)


def test_account_registration(client: httpx.Client, api_key: str, api_engine: Engine) -> None:
    acct = account(client, api_key)
    with api_engine.connect() as conn:
        row = conn.execute(
            text("SELECT registered, ST_X(home) AS x, ST_Y(home) AS y FROM person WHERE account_id = :a"),
            {"a": acct},
        ).one()
    assert row.registered and (row.x, row.y) == pytest.approx(NEAR)
    root = ET.fromstring(
        client.post(f"{BASE}/account.xml", data={"api_key": api_key, "account_id": acct, "home_lat": 26.58, "home_long": 106.71, "coordinate_system": "gcj02"}).content
    )  # fmt: skip
    assert root.tag == "account" and root.findtext("home_set") == "true"
    assert client.post(f"{BASE}/account.json", data={"api_key": api_key}).status_code == 400
    assert client.post(f"{BASE}/account.json", data={"api_key": "bad", "account_id": "x"}).status_code == 403


def test_citizen_verification_closes_the_case_and_earns_points(
    client: httpx.Client, api_key: str, api_engine: Engine
) -> None:
    reporter = account(client, api_key, home=YUNYAN)
    # a place no other test reports at: an open C0102 within 50 m would make this report a duplicate, and a
    # duplicate's reporter is not the first valid one (no report points)
    spot = {"lat": YUNYAN[1] + 0.0015, "long": YUNYAN[0] + 0.0015}
    ticket = ticket_of(
        report(
            client,
            api_key,
            account_id=reporter,
            service_code="C0102",
            address_string="中华北路 8 号，联系人 王秘密 13985012345",
            **spot,
        )
    )
    with api_engine.connect() as conn:
        payload = conn.execute(
            text('SELECT e.payload FROM case_event e JOIN "case" c ON c.id = e.case_id WHERE c.ticket = :t'),
            {"t": ticket},
        ).scalar_one()
    assert payload == {"duplicates": []}
    first, second = account(client, api_key), account(client, api_key)
    assert [
        t for t in tasks(client, api_key, first) if t["service_request_id"] == ticket
    ] == []  # not handled yet
    handled(api_engine, ticket)
    (mine,) = [t for t in tasks(client, api_key, first) if t["service_request_id"] == ticket]
    assert mine["service_code"] == "C0102" and mine["service_name"] == "路灯不亮"
    assert mine["address"] == "中华北路 8 号，联系人 *** ***"  # another citizen's free text: masked
    assert (mine["long"], mine["lat"]) == pytest.approx((spot["long"], spot["lat"]), abs=1e-6)  # to find it
    assert not [
        t for t in tasks(client, api_key, reporter) if t["service_request_id"] == ticket
    ]  # never one's own
    (theirs,) = [t for t in tasks(client, api_key, second) if t["service_request_id"] == ticket]

    resp = answer(client, api_key, first, mine["task_id"], note="灯已经亮了", locale="en")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    with api_engine.connect() as conn:
        verify_points = points_for(conn, "verification", "C0102")
        report_points = points_for(conn, "report", "C0102")
    assert body == {
        "task_id": mine["task_id"],
        "service_request_id": ticket,
        "result": "confirmed",
        "status": "closed",
        "status_notes": "Resolved",
        "points_awarded": verify_points,
    }
    case = case_row(api_engine, ticket)
    assert case.status == "closed"
    with api_engine.connect() as conn:
        ev = conn.execute(
            text("SELECT action, actor_role FROM case_event WHERE case_id = :c ORDER BY id DESC LIMIT 1"),
            {"c": case.id},
        ).one()
        kinds = (
            conn.execute(text("SELECT kind FROM photo WHERE case_id = :c"), {"c": case.id}).scalars().all()
        )
    assert tuple(ev) == ("verify_pass", "citizen") and kinds == ["verification"]
    assert client.get(f"{BASE}/requests/{ticket}.json").json()[0]["status_notes"] == "已办结"

    # the second citizen is too late; answering again is refused too, and nothing is paid twice
    assert answer(client, api_key, second, theirs["task_id"]).status_code == 400
    assert answer(client, api_key, first, mine["task_id"]).status_code == 400
    got = balance(client, api_key, first)
    assert got["balance"] == verify_points
    assert [(h["reason"], h["service_request_id"]) for h in got["history"]] == [("verification", ticket)]
    assert (
        balance(client, api_key, reporter)["balance"] == report_points
    )  # the first valid reporter, on close
    assert balance(client, api_key, second)["balance"] == 0
    root = ET.fromstring(
        client.get(f"{BASE}/points.xml", params={"api_key": api_key, "account_id": first}).content
    )
    assert root.tag == "points" and root.findtext("balance") == str(verify_points)
    assert root.findtext("history/entry/reason") == "verification"


def test_refuted_fix_goes_back_to_the_department(
    client: httpx.Client, api_key: str, api_engine: Engine
) -> None:
    ticket = ticket_of(report(client, api_key, service_code="C0102", lat=YUNYAN[1] + 0.0005))
    acct = account(client, api_key)
    handled(api_engine, ticket)
    (task,) = [t for t in tasks(client, api_key, acct) if t["service_request_id"] == ticket]
    assert answer(client, api_key, acct, task["task_id"], "refuted").status_code == 400  # a note is required
    resp = answer(client, api_key, acct, task["task_id"], "refuted", "xml", note="还是不亮")
    root = ET.fromstring(resp.content)
    assert resp.status_code == 200 and root.tag == "verification"
    assert (root.findtext("status"), root.findtext("status_notes"), root.findtext("result")) == (
        "open",
        "处理中",
        "refuted",
    )
    case = case_row(api_engine, ticket)
    assert (case.status, case.rework_count) == ("dispatched", 1)


def test_answer_errors_leave_nothing(
    client: httpx.Client, api_key: str, api_engine: Engine, api_media: object
) -> None:
    ticket = ticket_of(report(client, api_key, service_code="C0102", lat=YUNYAN[1] + 0.0008))
    acct = account(client, api_key)
    handled(api_engine, ticket)
    (task,) = [t for t in tasks(client, api_key, acct) if t["service_request_id"] == ticket]
    before, files_before = counts(api_engine), media_files(api_media)  # type: ignore[arg-type]
    fake = [("media", ("x.jpg", b"not an image", "image/jpeg"))]
    assert answer(client, api_key, acct, task["task_id"], files=fake).status_code == 400
    assert answer(client, api_key, acct, task["task_id"], files=[]).status_code == 400  # a photo is required
    assert answer(client, api_key, "bad", task["task_id"]).status_code == 403  # unknown account
    assert answer(client, "bad", acct, task["task_id"]).status_code == 403
    other = account(client, api_key)
    assert answer(client, api_key, other, task["task_id"]).status_code == 404  # someone else's task
    assert answer(client, api_key, acct, 999_999_999).status_code == 404
    assert answer(client, api_key, acct, task["task_id"], "maybe").status_code == 400
    assert counts(api_engine) == before and media_files(api_media) == files_before  # type: ignore[arg-type]
    assert case_row(api_engine, ticket).status == "handled"


def test_verification_and_points_need_a_key_and_an_account(client: httpx.Client, api_key: str) -> None:
    for path in ("verifications", "points"):
        assert client.get(f"{BASE}/{path}.json", params={"account_id": "x"}).status_code == 403
        assert client.get(f"{BASE}/{path}.json", params={"api_key": api_key}).status_code == 400
        resp = client.get(
            f"{BASE}/{path}.xml", params={"api_key": api_key, "account_id": "nobody-registered"}
        )
        assert resp.status_code == 403 and ET.fromstring(resp.content).findtext("error/code") == "403"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_feedback(client: httpx.Client, api_key: str, api_engine: Engine, fmt: str) -> None:
    acct = account(client, api_key, home=None)
    resp = client.post(
        f"{BASE}/feedback.{fmt}", data={"api_key": api_key, "text": "希望夜间也能处理", "account_id": acct}
    )
    assert resp.status_code == 201
    fid = (
        resp.json()["feedback_id"]
        if fmt == "json"
        else int(ET.fromstring(resp.content).findtext("feedback_id") or 0)
    )
    with api_engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT f.text, p.account_id FROM feedback f JOIN person p ON p.id = f.person_id WHERE f.id = :i"
            ),
            {"i": fid},
        ).one()
    assert tuple(row) == ("希望夜间也能处理", acct)
    assert client.post(f"{BASE}/feedback.{fmt}", data={"api_key": api_key, "text": "   "}).status_code == 400
    assert client.post(f"{BASE}/feedback.{fmt}", data={"text": "hello"}).status_code == 403


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_citizen_reads_the_answer_to_their_feedback(
    client: httpx.Client, api_key: str, api_engine: Engine, fmt: str
) -> None:
    acct = account(client, api_key, home=None)
    fid = client.post(
        f"{BASE}/feedback.json", data={"api_key": api_key, "text": "路灯晚上不亮", "account_id": acct}
    ).json()["feedback_id"]
    url = f"{BASE}/feedback.{fmt}"
    mine = client.get(url, params={"api_key": api_key, "account_id": acct})
    assert mine.status_code == 200
    with api_engine.begin() as conn:
        lead = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        answer_feedback(conn, fid, lead, "已转交供电部门，本周内修复。", handled=True)
    mine = client.get(url, params={"api_key": api_key, "account_id": acct})
    if fmt == "json":
        item = next(f for f in mine.json() if f["feedback_id"] == fid)
        assert (item["status"], item["answer"]) == ("handled", "已转交供电部门，本周内修复。")
        assert item["answered_datetime"] and "lead" not in str(item)
    else:
        node = next(
            f for f in ET.fromstring(mine.content).iter("feedback") if f.findtext("feedback_id") == str(fid)
        )
        assert node.findtext("answer") == "已转交供电部门，本周内修复。"
        assert node.findtext("status") == "handled"
    other = client.get(url, params={"api_key": api_key, "account_id": "nobody-registered-here"})
    assert other.status_code == 403
    assert client.get(url, params={"account_id": acct}).status_code == 403
