"""/admin/audit in real Chromium: the admin filters by a person and sees a failed sign-in with its address, filters
by the shift lead and 案件操作 and sees the lead's action on a case linked to its card, downloads the filtered
view as CSV (UTF-8 with a byte-order mark; the download recorded as ``audit_export``), and reads the page in
English. A dispatcher is refused the page and the CSV. What it writes cannot matter to later tests: a case
rejected (closed) on a past day, and a failed sign-in from a documentation address (203.0.113.0/24) for a name no
account has."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from ops import workflow as wf
from ops.audit import record
from ops.links import case_path
from tests.support.app import AppServer
from tests.support.browser import sign_in
from tests.support.cases import at, new_case, staff_actors

ADDRESS = "203.0.113.77"


@pytest.fixture
def seen(engine: Engine) -> dict[str, Any]:
    """Committed: a case the lead rejects (a past Monday), a failed sign-in of an unknown name from ADDRESS."""
    name = f"audtest-{uuid.uuid4().hex[:6]}"
    with engine.begin() as conn:
        staff = staff_actors(conn)
        case = new_case(conn, staff, start=at("2026-03-09", "10:00"))
        wf.reject(
            conn, staff["lead"], case.id, case.version, reason="重复上报", now=at("2026-03-09", "10:20")
        )
        ticket = conn.execute(text('SELECT ticket FROM "case" WHERE id = :i'), {"i": case.id}).scalar_one()
        record(conn, "signin_failed", username=name, client=ADDRESS)
    return {"name": name, "ticket": ticket}


def _person(page: Page, name: str) -> None:
    box = page.locator("#aud-person")
    box.fill(name)
    box.press("Escape")  # close the suggestions
    box.press("Enter")


def test_admin_filters_sees_and_downloads(
    page: Page, app_server: AppServer, engine: Engine, seen: dict[str, Any], tmp_path: Path
) -> None:
    sign_in(page, app_server.base, "admin", target="/admin/audit")
    expect(page.locator("#aud-body")).to_be_visible(timeout=20_000)
    expect(page.locator(".aud-table")).to_be_visible(timeout=20_000)
    expect(page.locator("#admn-bar .admn-current")).to_have_text("审计日志")

    # one person: the failed sign-in with its address
    _person(page, seen["name"])
    row = page.locator(".aud-row").first
    expect(row).to_contain_text("登录失败", timeout=15_000)
    expect(row.locator(".aud-client")).to_have_text(ADDRESS)
    expect(page.locator(".aud-row")).to_have_count(1)

    # the shift lead's case actions: the rejection, linked to the case's card
    _person(page, "lead")
    page.locator("#aud-kinds").click()
    page.get_by_role("option", name="案件操作").click()
    page.keyboard.press("Escape")
    link = page.locator(f"a.aud-case:text-is('{seen['ticket']}')")
    expect(link).to_have_attribute("href", case_path(seen["ticket"]), timeout=15_000)
    rows = page.locator(".aud-row")
    expect(rows.first).to_have_attribute("data-source", "case")
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.source)")) == {"case"}
    expect(page.locator(".aud-row", has=link)).to_contain_text("不予立案")

    # the CSV of exactly this view, recorded
    with engine.connect() as conn:
        before = conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one()
    with page.expect_download(timeout=20_000) as got:
        page.locator("#aud-csv").click()
    path = tmp_path / "audit.csv"
    got.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "时间,分组,类别,人员,地址,对象,详情"
    mine = [line for line in lines if seen["ticket"] in line]
    assert mine and all(",案件操作,不予立案,lead,," in line for line in mine), mine
    assert all(",案件操作," in line for line in lines[1:])
    with engine.connect() as conn:
        rec = conn.execute(
            text("SELECT username, detail FROM audit_log WHERE kind = 'audit_export' AND id > :b"),
            {"b": before},
        ).one()
    assert rec.username == "admin" and rec.detail["user"] == "lead" and rec.detail["groups"] == ["case"]

    # the page in English
    page.locator(".gy-lang").click()
    expect(page.locator("#aud-title")).to_have_text("Audit log", timeout=15_000)
    expect(page.locator(".aud-row", has=link)).to_contain_text("Reject", timeout=15_000)


def test_a_dispatcher_is_refused(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "dispatcher", target="/admin/audit")
    expect(page.locator("#gy-denied")).to_contain_text("无权访问", timeout=20_000)
    expect(page.locator("#aud-body")).to_be_hidden()
    answer = page.request.get(f"{app_server.base}/admin/audit/export.csv")
    assert answer.status == 403
    assert answer.json()["error"] == "forbidden"
