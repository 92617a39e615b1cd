"""/admin (Users) in real Chromium: the admin adds a user (a common password refused first, under its field),
resets its password (a one-time password shown once); the user signs in with it, is held on the change-password
page (every other page sends them back there) until they set their own, then works; the admin deactivates them
and their open page loses its session at its next request. Every act is in the audit log. The page re-labels in
English. The user made here ends deactivated (later tests see no new active user)."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, text

from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, guarded_context, screenshot, sign_in

NEW_PASSWORD = "my-own-secret-2026"  # noqa: S105  # nosec B105 # a test account's password


def _row(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(f"tr[data-username='{name}']")


def test_add_reset_forced_change_deactivate(
    page: Page, browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    base = app_server.base
    name = "ui-" + uuid.uuid4().hex[:8]
    sign_in(page, base, "admin", target="/admin")
    expect(page.locator("#gy-nav")).to_contain_text("系统管理", timeout=20_000)
    expect(page.locator(".admn-current")).to_have_text("用户")
    expect(_row(page, "admin")).to_contain_text("系统管理员", timeout=20_000)
    expect(page.locator("#usr-rules")).to_contain_text("至少 10 个字符")

    # add: a common password is refused under its field, nothing is written; then the user is added
    page.locator("#usr-username").fill(name)
    page.locator("#usr-display-name").fill("界面测试员")
    page.locator("#usr-password").fill("1234567890")
    page.locator("#usr-submit").click()
    expect(page.locator("#usr-form")).to_contain_text("这个密码太常见", timeout=15_000)
    expect(_row(page, name)).to_have_count(0)
    page.locator("#usr-password").fill("first-secret-2026")
    page.locator("#usr-password").press("Enter")  # Enter submits
    expect(page.locator("#usr-form-notice")).to_contain_text(f"已添加用户 {name}", timeout=15_000)
    row = _row(page, name)
    expect(row).to_contain_text("派遣员")
    expect(row).to_contain_text("从未登录")
    page.locator("#usr-search").fill(name)
    expect(page.locator("#usr-count")).to_have_text("共 1 个账号", timeout=15_000)
    screenshot(page, "admin-users-zh")

    # reset: after a confirmation, a one-time password shown once
    row.get_by_role("button", name=f"重置密码 {name}").click()
    expect(page.locator("#usr-confirm-text")).to_contain_text(name, timeout=10_000)
    page.locator("#usr-confirm-yes").click()
    otp_box = page.locator("#usr-otp-value")
    expect(otp_box).to_be_visible(timeout=15_000)
    otp = otp_box.inner_text().strip()
    assert len(otp) == 19
    expect(row).to_contain_text("待改密码")

    # the user signs in with it: held on the change-password page until they change it
    user_ctx = guarded_context(browser, base, foreign, viewport={"width": 1400, "height": 900})
    try:
        user = user_ctx.new_page()
        user.goto(f"{base}/login?next=/workbench")
        user.locator("#login-username").fill(name)
        user.locator("#login-password").fill(otp)
        user.locator("#login-submit").click()
        user.wait_for_url("**/account/password**", timeout=20_000)
        expect(user.locator("#pw-forced")).to_contain_text("管理员已重置您的密码")
        expect(user.locator("#pw-rules")).to_contain_text("at least 10 characters")
        user.goto(f"{base}/workbench")  # anything else: back to the password page
        # (the page's own sign-in redirect and the gate's may race: poll the address, not one navigation)
        expect(user).to_have_url(re.compile(r"/account/password"), timeout=30_000)
        expect(user.locator("#pw-forced")).to_be_visible(timeout=20_000)
        assert user.request.get(f"{base}/stats/export.csv").status == 403  # no API either
        user.locator("#pw-current").fill(otp)
        user.locator("#pw-password").fill(name + "x")  # the user name: refused
        user.locator("#pw-repeat").fill(name + "x")
        user.locator("#pw-submit").click()
        expect(user.locator("#pw-error")).to_contain_text("密码不能是用户名")
        user.locator("#pw-current").fill(otp)
        user.locator("#pw-password").fill(NEW_PASSWORD)
        user.locator("#pw-repeat").fill(NEW_PASSWORD)
        user.locator("#pw-submit").click()
        user.wait_for_url("**/workbench**", timeout=20_000)
        expect(user.locator("#gy-user")).to_contain_text("界面测试员", timeout=20_000)
        expect(user.locator("a.gy-user-link[href='/account/password']")).to_have_count(1)

        # the admin deactivates them: their open page loses its session at its next request
        row.get_by_role("button", name=f"停用 {name}").click()
        page.locator("#usr-confirm-yes").click()
        expect(page.locator("#usr-notice")).to_contain_text(f"已停用 {name}", timeout=15_000)
        expect(row).to_contain_text("已停用")
        expect(row).not_to_contain_text("待改密码")  # changed by the user in the meantime
        user.reload()
        user.wait_for_url("**/login**", timeout=20_000)
    finally:
        user_ctx.close()

    with engine.connect() as c:
        rows = [
            (r[0], r[1])
            for r in c.execute(
                text(
                    "SELECT kind, client FROM audit_log WHERE (detail->>'target' = :u OR username = :u) "
                    "AND kind LIKE ANY (ARRAY['user%', 'password%']) ORDER BY id"
                ),
                {"u": name},
            )
        ]
        blob = c.execute(text("SELECT string_agg(detail::text, ' ') FROM audit_log")).scalar_one()
        active = c.execute(
            text("SELECT active FROM staff_user WHERE username = :u"), {"u": name}
        ).scalar_one()
    assert [k for k, _ in rows] == ["user_add", "password_reset", "password_change", "user_deactivate"]
    assert all(client == "127.0.0.1" for _, client in rows)  # who did it, from where
    assert otp not in blob and NEW_PASSWORD not in blob and "first-secret-2026" not in blob
    assert active is False

    # the page in English
    page.locator(".gy-lang").click()
    expect(page.locator("#usr-title")).to_have_text("Users", timeout=15_000)
    expect(page.locator("#usr-form-title")).to_have_text("Add a user")
    expect(_row(page, name)).to_contain_text("Inactive")
    screenshot(page, "admin-users-en")
    assert not foreign


def test_a_lead_is_refused(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "lead", target="/admin")
    expect(page.locator("#gy-denied")).to_contain_text("无权访问", timeout=20_000)
    expect(page.locator("#usr-body")).to_be_hidden()
    expect(page.locator("#usr-table")).to_be_empty()
