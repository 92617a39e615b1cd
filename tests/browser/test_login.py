"""The sign-in page in real Chromium: keyboard sign-in, the error, the demo accounts, the language switch, the
way back to where the user wanted to go, and no request to any other host."""

from __future__ import annotations

import uuid

from playwright.sync_api import Browser, Page, expect

from dashboard.settings import Settings
from db.accounts import create_staff_user
from demo.users import DEMO_USERS
from ops import signin
from tests.support.app import AppServer
from tests.support.browser import PASSWORDS, ForeignRequests, screenshot, sign_in


def test_sign_in_from_the_keyboard_and_back_to_the_page_asked_for(
    page: Page, app_server: AppServer, foreign: ForeignRequests
) -> None:
    page.goto(app_server.base + "/workbench")
    page.wait_for_url("**/login?next=/workbench", timeout=15_000)  # not signed in: to the sign-in page
    expect(page.locator("#login-title")).to_have_text("工作人员登录", timeout=20_000)
    expect(page.locator("#login-username")).to_be_focused()
    expect(page.locator("#login-error")).to_be_hidden()
    screenshot(page, "login")
    page.keyboard.type("dispatcher")
    page.keyboard.press("Tab")
    expect(page.locator("#login-password")).to_be_focused()
    page.keyboard.type(PASSWORDS["dispatcher"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/workbench", timeout=15_000)
    expect(page.locator("#gy-user")).to_contain_text("李强", timeout=20_000)
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"


def test_a_wrong_password_says_so_and_keeps_the_target(page: Page, app_server: AppServer) -> None:
    page.goto(app_server.base + "/login?next=/stats")
    page.locator("#login-username").fill("dispatcher")
    page.locator("#login-password").fill("not-the-password")
    page.locator("#login-submit").click()
    page.wait_for_url("**/login?error=1&next=/stats")
    expect(page.locator("#login-error")).to_be_visible()
    expect(page.locator("#login-error")).to_contain_text("用户名或密码不正确")
    assert page.locator("input[name=next]").input_value() == "/stats"


def test_a_foreign_target_is_replaced(page: Page, app_server: AppServer) -> None:
    page.goto(app_server.base + "/login?next=//evil.example/x")
    assert page.locator("input[name=next]").input_value() == "/workbench"


def test_demo_accounts_are_listed_and_fill_the_form(page: Page, app_server: AppServer) -> None:
    page.goto(app_server.base + "/login")
    demo = page.locator("#login-demo")
    for user in DEMO_USERS:
        expect(demo).to_contain_text(user.username)
    demo.get_by_role("button", name="lead", exact=True).click()
    expect(page.locator("#login-username")).to_have_value("lead")
    expect(page.locator("#login-password")).to_have_value(PASSWORDS["lead"])
    page.locator("#login-submit").click()
    page.wait_for_url("**/workbench")
    expect(page.locator("#gy-user")).to_contain_text("王敏", timeout=20_000)


def test_english(page: Page, app_server: AppServer) -> None:
    page.goto(app_server.base + "/login")
    expect(page.locator("#login-title")).to_have_text("工作人员登录", timeout=20_000)
    page.locator("#gy-lang-switch").click()
    expect(page.locator("#login-title")).to_have_text("Staff sign-in")
    expect(page.locator("#login-submit")).to_have_text("Sign in")
    expect(page.locator("#login-demo")).to_contain_text("Demo accounts")
    page.locator("#gy-lang-switch").click()  # the choice is stored in the browser: leave it as it was
    expect(page.locator("#login-title")).to_have_text("工作人员登录")


def test_signed_in_users_are_told_so(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "cgj")
    page.goto(app_server.base + "/login")
    expect(page.locator("#login-signed-in")).to_contain_text("刘洋", timeout=20_000)


def test_a_role_without_the_workbench_is_told_so(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "moderator", target="/login")
    page.goto(app_server.base + "/workbench")
    expect(page.locator("#wb-gate")).to_contain_text("无权使用工作台", timeout=15_000)
    expect(page.locator("#gy-nav")).not_to_contain_text("工作台")


def test_the_first_visit_after_a_start_is_a_whole_page(
    browser: Browser, db_url: str, settings: Settings
) -> None:
    """Dash sets up its pages router and validation layout on its first request to its own routes; a first visit
    straight to a page path (a wall screen after a restart) must not get a page without them."""
    server = AppServer(db_url, settings)
    server.start()  # healthy, but no Dash route asked yet
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.base + "/login")
        expect(page.locator("#login-title")).to_have_text("工作人员登录", timeout=20_000)
        page.get_by_role("button", name="English").click()
        expect(page.locator("#login-title")).not_to_have_text("工作人员登录", timeout=10_000)
        page.wait_for_timeout(500)
        assert errors == [], errors[:3]
    finally:
        ctx.close()
        server.stop()


def test_too_many_failures_say_when_to_try_again_and_logout_is_a_button(
    browser: Browser, db_url: str, settings: Settings
) -> None:
    """A server of its own behind a trusted "proxy", so this browser's failures count against an address of its
    own (the shared server's 127.0.0.1 stays unthrottled for the other tests)."""
    from sqlalchemy import text

    from db.engine import make_engine

    name = "ui-" + uuid.uuid4().hex[:8]
    eng = make_engine(db_url, pool_size=1)
    with eng.begin() as conn:
        create_staff_user(conn, name, "lead", "ui-right-password", display_name="界面测试")
    server = AppServer(db_url, settings)
    server.env.update({"GUIYANG_TRUSTED_PROXIES": "127.0.0.1", "FORWARDED_ALLOW_IPS": "192.0.2.1"})
    # the 6th try must come before the delay after the 5th has passed: 2 s by default, less than a page load on a
    # busy CI machine; a longer first delay keeps the test about the message, not about the machine's speed
    server.env["GUIYANG_SIGNIN_DELAY_SECONDS"] = "30"
    server.start()
    ctx = browser.new_context(extra_http_headers={"X-Forwarded-For": "203.0.113.251"})
    try:
        page = ctx.new_page()
        for i in range(6):
            page.goto(server.base + "/login?next=/workbench")
            page.locator("#login-username").fill(name)
            page.locator("#login-password").fill(f"wrong-{i}")
            with page.expect_navigation():
                page.locator("#login-submit").click()
        error = page.locator("#login-error")
        expect(error).to_contain_text("登录尝试过多")
        expect(error).to_contain_text("try again in")
        expect(page.locator("#login-username")).to_be_focused()  # the form again, ready for the keyboard
        screenshot(page, "login-throttled")
        with eng.begin() as conn:  # an admin clears it
            assert signin.unlock(conn, name)
        page.locator("#login-username").fill(name)
        page.locator("#login-password").fill("ui-right-password")
        page.keyboard.press("Enter")
        page.wait_for_url("**/workbench", timeout=15_000)
        logout = page.locator("#gy-logout")
        expect(logout).to_contain_text("界面测试", timeout=20_000)
        logout.focus()
        page.keyboard.press("Enter")  # a real form POST with the session's token
        page.wait_for_url("**/login", timeout=15_000)
        with eng.connect() as conn:
            kinds = conn.execute(
                text("SELECT kind FROM audit_log WHERE username = :u ORDER BY id"), {"u": name}
            ).scalars()
            assert list(kinds)[-2:] == ["signin_ok", "logout"]
        page.goto(server.base + "/workbench")
        page.wait_for_url("**/login?next=/workbench", timeout=15_000)
    finally:
        ctx.close()
        server.stop()
        eng.dispose()
