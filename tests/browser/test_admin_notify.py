"""/admin/notify in real Chromium: the admin sees the outbox (counts, a failed message with its error, its token
scrubbed, the case linked), filters the failed ones and sends one again; adds a route (a bad URL first: the error
under the field), sees it masked, sends a test message through it to a real JSON webhook on localhost (received),
and removes it after a confirmation. A shift lead is told the page is not theirs. No other host is asked."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from ops.notify.routes import add_route
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in
from tests.support.cases import new_case, staff_actors
from tests.support.http_receiver import JsonReceiver, json_receiver

TOKEN = "5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b"


@pytest.fixture
def receiver() -> Iterator[JsonReceiver]:
    with json_receiver() as r:
        yield r


@pytest.fixture
def outbox(engine: Engine) -> dict[str, Any]:
    """Committed: a route to a WeCom bot, a case, and three messages about it: delivered, pending, failed."""
    tag = uuid.uuid4().hex[:6]
    with engine.begin() as conn:
        case = new_case(conn, staff_actors(conn))
        ticket = conn.execute(text('SELECT ticket FROM "case" WHERE id = :i'), {"i": case.id}).scalar_one()
        route = add_route(
            conn, department="CGJ", url=f"wecombot://{TOKEN}", label=f"城管局值班群{tag}", actor="admin"
        )
        ids = {}
        for status, attempts, error in (
            ("delivered", 1, None),
            ("pending", 2, "Failed to send WeCom Bot notification: Bad Gateway error=502."),
            ("failed", 6, f"POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={TOKEN} timed out"),
        ):
            ids[status] = conn.execute(
                text(
                    "INSERT INTO notify_outbox (idem_key, route_id, kind, case_id, title, body, status, attempts, "
                    "last_error) VALUES (:k, :r, 'dispatch', :c, '派遣', '派遣', :s, :a, :e) RETURNING id"
                ),
                {
                    "k": f"test:{tag}:{status}",
                    "r": route,
                    "c": case.id,
                    "s": status,
                    "a": attempts,
                    "e": error,
                },
            ).scalar_one()
    return {"route": route, "ticket": ticket, "ids": ids, "label": f"城管局值班群{tag}"}


def test_routes_and_outbox(
    page: Page,
    app_server: AppServer,
    engine: Engine,
    foreign: ForeignRequests,
    receiver: JsonReceiver,
    outbox: dict[str, Any],
) -> None:
    sign_in(page, app_server.base, "admin", target="/admin/notify")
    expect(page.locator("#gy-nav")).to_contain_text("系统管理", timeout=20_000)

    # the outbox: counts, the failed message with its error (token scrubbed) and its case linked
    failed = page.locator(f"tr[data-outbox='{outbox['ids']['failed']}']")
    expect(failed).to_contain_text("timed out", timeout=20_000)
    expect(failed).to_contain_text("失败")
    expect(failed).not_to_contain_text(TOKEN)
    expect(failed.locator(f"a[href='/workbench?case={outbox['ticket']}']")).to_have_count(1)
    expect(page.locator("#adm-counts [data-status='failed']")).to_contain_text("失败")
    expect(page.locator("#adm-routes")).to_contain_text(outbox["label"])
    expect(page.locator("#adm-routes")).to_contain_text("wecombot://****")
    expect(page.locator("body")).not_to_contain_text(TOKEN)
    screenshot(page, "admin-notify")

    page.locator("#adm-failed-only").click(force=True)
    expect(page.locator(f"tr[data-outbox='{outbox['ids']['delivered']}']")).to_have_count(0, timeout=15_000)
    expect(failed).to_be_visible()
    failed.get_by_role("button", name="重新发送").click()
    expect(page.locator("#adm-outbox-notice")).to_contain_text(
        f"消息 #{outbox['ids']['failed']} 已重新排队发送", timeout=15_000
    )
    expect(failed).to_have_count(0, timeout=15_000)  # no longer failed: gone from 仅失败
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT status, attempts FROM notify_outbox WHERE id = :i"), {"i": outbox["ids"]["failed"]}
        ).one()
        audited = conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE kind = 'notify_resend' AND (detail->>'outbox')::bigint = :i"
            ),
            {"i": outbox["ids"]["failed"]},
        ).scalar_one()
    assert tuple(row) == ("pending", 0) and audited == 1

    # a route added on the page: a bad URL first, refused under its field
    page.locator("#adm-target-kind").get_by_text("角色").click()
    page.locator("#adm-role").click()
    page.get_by_role("option", name="值班长 (lead)").click()
    url_field = page.locator("#adm-url")
    url_field.fill("https://example.com/hook")
    url_field.press("Enter")
    expect(page.locator(".mantine-TextInput-error")).to_contain_text(
        "不支持的地址类型 https://", timeout=15_000
    )
    screenshot(page, "admin-notify-url-error")
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM notify_route")).scalar_one()
    url_field.fill(receiver.url("hooks/SECRET-PATH-42"))
    page.locator(".adm-form").get_by_label("红灯", exact=True).check()
    page.locator("#adm-label").fill("值班长 Webhook")
    page.locator("#adm-add").click()
    expect(page.locator("#adm-add-notice")).to_contain_text("已添加", timeout=15_000)
    expect(page.locator(".mantine-TextInput-error")).to_have_count(0)
    with engine.connect() as conn:
        new = conn.execute(
            text("SELECT id, role, kinds, label FROM notify_route ORDER BY id DESC LIMIT 1")
        ).one()
        assert conn.execute(text("SELECT count(*) FROM notify_route")).scalar_one() == before + 1
    assert (new.role, new.kinds, new.label) == ("lead", ["red"], "值班长 Webhook")
    row = page.locator(f"#adm-routes tr[data-route='{new.id}']")
    expect(row).to_contain_text(f"json://127.0.0.1:{receiver.port}/****")
    expect(page.locator("#adm-routes")).not_to_contain_text("SECRET-PATH-42")

    # a test message through it, received by the webhook
    row.get_by_role("button", name="发送测试消息").click()
    expect(page.locator("#adm-test-notice")).to_contain_text(
        f"测试消息已通过路由 #{new.id} 送达", timeout=20_000
    )
    got = receiver.wait_for(1)
    assert len(got) == 1 and got[0]["title"] == "贵阳城市管理：测试消息"
    assert receiver.paths == ["/hooks/SECRET-PATH-42"]
    screenshot(page, "admin-notify-route-added")

    # removed after a confirmation
    row.get_by_role("button", name="删除").click()
    expect(page.locator("#adm-confirm")).to_be_visible()
    expect(page.locator("#adm-confirm-text")).to_contain_text(f"#{new.id}")
    expect(page.locator("#adm-confirm-no")).to_be_focused()  # the safe choice has the keyboard
    page.keyboard.press("Escape")
    expect(page.locator("#adm-confirm")).to_be_hidden()
    expect(row).to_have_count(1)
    row.get_by_role("button", name="删除").click()
    page.locator("#adm-confirm-yes").click()
    expect(page.locator("#adm-route-notice")).to_contain_text(f"通知路由 #{new.id} 已删除", timeout=15_000)
    expect(row).to_have_count(0, timeout=15_000)
    with engine.connect() as conn:
        gone = conn.execute(text("SELECT removed_at FROM notify_route WHERE id = :i"), {"i": new.id}).scalar()
    assert gone is not None
    assert not foreign


def test_a_lead_is_refused(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "lead", target="/admin/notify")
    expect(page.locator("#gy-denied")).to_contain_text("无权访问", timeout=20_000)
    expect(page.locator("#adm-body")).to_be_hidden()
    expect(page.locator("#gy-nav")).not_to_contain_text("系统管理")


def test_errors_in_english(page: Page, app_server: AppServer, engine: Engine) -> None:
    sign_in(page, app_server.base, "admin", target="/admin/notify")
    expect(page.locator("#adm-form-title")).to_have_text("添加通知路由", timeout=20_000)
    page.locator(".gy-lang").click()
    expect(page.locator("#adm-form-title")).to_have_text("Add a notification route", timeout=15_000)
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM notify_route")).scalar_one()
    page.locator("#adm-add").click()
    expect(page.locator(".adm-form .mantine-Select-error")).to_have_text(
        "Give a department or a role (exactly one).", timeout=15_000
    )
    page.locator("#adm-department").click()
    page.get_by_role("option", name="Guiyang Urban Management Bureau (CGJ)").click()
    page.locator("#adm-url").fill("dingtalk://")
    page.locator("#adm-add").click()
    expect(page.locator(".adm-form .mantine-TextInput-error")).to_contain_text(
        "This dingtalk:// URL cannot be read", timeout=15_000
    )
    expect(page.locator(".adm-form .mantine-Select-error")).to_have_count(0)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM notify_route")).scalar_one() == before
