"""Data sharing in real Chromium: the OGC API's HTML page of service points (a table of ten, the next page, the
same page in English), and /admin/partners: an admin creates a partner key (a missing name refused under its
field first), sees it once, the key reads the cases of the OGC API, and revokes it after a confirmation, after
which the key is refused. A shift lead is told the page is not theirs. No other host is asked."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in


def test_service_points_as_html(page: Page, app_server: AppServer, foreign: ForeignRequests) -> None:
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{app_server.base}/ogc/collections/service_points/items?f=html")
    # its styles and the app's font load under the Content-Security-Policy
    assert page.evaluate("getComputedStyle(document.querySelector('.ogc-header')).display") == "flex"
    expect(page.locator("h1")).to_have_text("便民服务点 · 要素")
    expect(page.locator("tr[data-fid]")).to_have_count(10)
    expect(page.locator(".ogc-summary")).to_contain_text("第 1–10 个")
    screenshot(page, "ogc-service-points")
    page.locator("a.ogc-next").click()
    expect(page.locator(".ogc-summary")).to_contain_text("第 11–20 个")
    assert "offset=10" in page.url
    expect(page.locator("a.ogc-prev")).to_have_count(1)
    page.locator("a.ogc-lang").click()
    expect(page.locator("h1")).to_have_text("Service points · Items")
    expect(page.locator(".ogc-summary")).to_contain_text("(11–20)")
    first = page.locator("tr[data-fid] a").first
    fid = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(f"Service points · {fid}")
    assert not foreign and not console, console


def test_partner_keys(page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests) -> None:
    sign_in(page, app_server.base, "admin", target="/admin/partners")
    expect(page.locator("#prt-form-title")).to_have_text("创建密钥", timeout=20_000)
    expect(page.locator("#admn-bar .admn-current")).to_have_text("数据共享")
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM partner_key")).scalar_one()

    # a missing name is refused under its field, nothing written
    page.locator("#prt-create").click()
    expect(page.locator(".prt-form .mantine-TextInput-error")).to_contain_text(
        "合作单位名称不能为空", timeout=15_000
    )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM partner_key")).scalar_one() == before

    page.locator("#prt-name").fill("市公安局交警支队（测试）")
    page.locator("#prt-categories").click()
    page.get_by_role("option", name="井盖破损 (C0101)").click()
    page.keyboard.press("Escape")
    page.locator("#prt-districts").click()
    page.get_by_role("option", name=re.compile(r"云岩区 \(520103\)")).click()
    page.keyboard.press("Escape")
    page.locator("#prt-rate").fill("30")
    page.locator("#prt-name").press("Enter")
    key_box = page.locator("#prt-new-key")
    expect(key_box).to_have_text(re.compile(r"^gyp_[A-Za-z0-9_-]{40,}$"), timeout=15_000)
    key = key_box.inner_text()
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT id, categories, districts, per_minute, key_hash FROM partner_key ORDER BY id DESC LIMIT 1"
            )
        ).one()
        audited = conn.execute(
            text("SELECT detail FROM audit_log WHERE kind = 'partner_key' AND (detail->>'key_id')::int = :k"),
            {"k": row.id},
        ).scalar_one()
    assert (row.categories, row.districts, row.per_minute) == (["C0101"], ["520103"], 30)
    assert key not in row.key_hash and key not in str(audited) and audited["action"] == "create"
    table_row = page.locator(f"#prt-keys tr[data-key='{row.id}']")
    expect(table_row).to_contain_text("市公安局交警支队（测试）")
    expect(table_row).to_contain_text("有效")
    expect(page.locator("#prt-keys")).not_to_contain_text(key)
    screenshot(page, "admin-partners-created")

    # the key reads the partners' collection
    cases = f"{app_server.base}/ogc/collections/cases/items"
    assert httpx.get(cases, headers={"X-API-Key": key}).status_code == 200

    # revoked after a confirmation (Escape cancels it first)
    table_row.get_by_role("button", name="吊销").click()
    expect(page.locator("#prt-confirm")).to_be_visible()
    expect(page.locator("#prt-confirm-text")).to_contain_text(f"#{row.id}")
    expect(page.locator("#prt-confirm-no")).to_be_focused()  # the safe choice has the keyboard
    page.keyboard.press("Escape")
    expect(page.locator("#prt-confirm")).to_be_hidden()
    table_row.get_by_role("button", name="吊销").click()
    page.locator("#prt-confirm-yes").click()
    expect(page.locator("#prt-notice")).to_contain_text(f"密钥 #{row.id} 已吊销", timeout=15_000)
    expect(table_row).to_contain_text("已吊销")
    expect(table_row.get_by_role("button", name="吊销")).to_have_count(0)
    expect(page.locator("#prt-new-key")).to_have_count(0)  # the key shown once is gone from the screen
    screenshot(page, "admin-partners-revoked")
    refused = httpx.get(cases, headers={"X-API-Key": key})
    assert refused.status_code == 403 and refused.json()["code"] == "key_refused"
    with engine.connect() as conn:
        kinds = conn.execute(
            text("SELECT detail->>'action' FROM audit_log WHERE kind = 'partner_key' AND (detail->>'key_id')::int = :k "
                 "ORDER BY id"),
            {"k": row.id},
        ).scalars().all()  # fmt: skip
    assert kinds == ["create", "revoke"]

    # the page in English
    page.locator(".gy-lang").click()
    expect(page.locator("#prt-form-title")).to_have_text("Create a key", timeout=15_000)
    expect(table_row).to_contain_text("Revoked")
    assert not foreign


def test_a_lead_is_refused(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "lead", target="/admin/partners")
    expect(page.locator("#gy-denied")).to_contain_text("无权访问", timeout=20_000)
    expect(page.locator("#prt-body")).to_be_hidden()
