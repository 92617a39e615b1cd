"""Alarms in real Chromium on the real app: a new 突发 case rings on the wall (by push) and on the workbench of the
officer of its district (by the banner's safety-net re-read), not on another district's officer's; the chime
plays; a shift lead acknowledges it on the workbench and it stops on the wall within about a second and on the
officer's workbench at its next re-read; the acknowledgement is recorded. Where the browser refuses sound before a
gesture, the "点击启用提示音" button shows and one click plays the chime.

The app here re-reads alarms every 2 s (``GUIYANG_ALARM_REFRESH_S``) so the workbench's safety net is quick; the
wall hears of alarms only by push (its own fallback re-read is 45 s, longer than any wait here). Chromium runs
with ``--autoplay-policy=no-user-gesture-required`` (a wall screen's kiosk browser would), except in the test of
the enable button, which asks for the browser's default refusal."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, expect
from sqlalchemy import Engine, text

from dashboard.settings import Settings
from db.accounts import create_staff_user, load_identity
from geo.crs import TZ
from ops import workflow as wf
from ops.alarms import acknowledge, open_alarms
from ops.workflow import Actor
from tests.support.app import AppServer, sign_in_context
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORDS,
    ForeignRequests,
    HeldCall,
    clicked_or_set,
    guarded_context,
    outputs_of,
    screenshot,
    sign_in,
)

YUNYAN = (106.7135, 26.5838)  # 云岩区 (520103): the demo officer yunyan's district
GAS_LEAK = "E0401"  # 燃气泄漏: an urgent 小类 (突发事件)
NANMING_OFFICER = "nanming-officer"
NANMING_PASSWORD = "nanming-officer-pw-2026"


@pytest.fixture(scope="module")
def alarm_app(db_url: str, settings: Settings) -> Iterator[AppServer]:
    server = AppServer(db_url, settings)
    server.env["GUIYANG_ALARM_REFRESH_S"] = "2"
    server.start()
    yield server
    server.stop()


def _browser(pw: Playwright, *extra: str) -> Browser:
    return pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra], headless=True)


@pytest.fixture(scope="module")
def sounding(playwright_instance: Playwright) -> Iterator[Browser]:
    b = _browser(playwright_instance, "--autoplay-policy=no-user-gesture-required")
    yield b
    b.close()


@pytest.fixture(scope="module")
def nanming_officer(engine: Engine) -> str:
    with engine.begin() as c:
        if not c.execute(
            text("SELECT 1 FROM staff_user WHERE username = :u"), {"u": NANMING_OFFICER}
        ).first():
            create_staff_user(c, NANMING_OFFICER, "officer", NANMING_PASSWORD, district="520102")
    return NANMING_OFFICER


def _quiet(engine: Engine) -> None:
    """Acknowledge whatever rings from earlier tests, so this test's alarm is the only one."""
    with engine.begin() as c:
        uid = c.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        lead = load_identity(c, uid)
        assert lead is not None
        for a in open_alarms(c, lead, limit=500):
            acknowledge(c, lead, a.id, now=datetime.now(TZ), note="测试前清场")


def _urgent_case(engine: Engine) -> tuple[int, str]:
    with engine.begin() as c:
        r = wf.report(
            c,
            Actor.system(),
            category_code=GAS_LEAK,
            lon=YUNYAN[0],
            lat=YUNYAN[1],
            description=f"闻到燃气味 {uuid.uuid4().hex[:6]}",
            source="inspector",
            address="中华北路 88 号",
        )
    return r.id, r.ticket


def _open(ctx: BrowserContext, base: str, user: str, target: str, password: str | None = None) -> Page:
    page = ctx.new_page()
    if password is None:
        sign_in(page, base, user, target)
    else:
        page.goto(f"{base}/login?next={target}")
        page.locator("#login-username").fill(user)
        page.locator("#login-password").fill(password)
        page.locator("#login-submit").click()
        page.wait_for_url(lambda url: url.endswith(target))
    # the banner has read once (its store is filled): nothing rings yet
    page.wait_for_function("() => window.gyAlarms && document.querySelector('#alm-root')", timeout=20_000)
    return page


def _item(page: Page, ticket: str) -> Locator:
    """The banner's row of the case ``ticket`` (exactly that ticket)."""
    exact = page.locator("a.alm-ticket", has_text=re.compile(f"^{re.escape(ticket)}$"))
    return page.locator(".alm-item").filter(has=exact)


def test_an_urgent_case_rings_where_it_concerns_until_a_lead_acknowledges(
    sounding: Browser, alarm_app: AppServer, engine: Engine, nanming_officer: str, foreign: ForeignRequests
) -> None:
    base = alarm_app.base
    _quiet(engine)
    contexts = [
        guarded_context(sounding, base, foreign, viewport={"width": 1600, "height": 900}) for _ in range(4)
    ]
    try:
        wall = _open(contexts[0], base, "dispatcher", "/wall")
        officer = _open(contexts[1], base, "yunyan", "/workbench")
        other = _open(contexts[2], base, nanming_officer, "/workbench", NANMING_PASSWORD)
        lead = _open(contexts[3], base, "lead", "/workbench")
        expect(wall.locator("#wall-conn")).to_have_class("wall-conn wall-conn-open", timeout=20_000)
        for p in (wall, officer, other, lead):
            expect(p.locator("#alm-root")).not_to_have_class("alm-ringing", timeout=10_000)

        case_id, ticket = _urgent_case(engine)
        raised = time.monotonic()

        # the wall: pushed at once; says what, which case (a link to it), where; the chime plays (timeouts leave
        # room for a loaded test machine; the times are printed)
        item = _item(wall, ticket)
        expect(item).to_be_visible(timeout=10_000)
        print(f"wall rang {time.monotonic() - raised:.2f} s after the commit")
        expect(item.locator(".alm-kind")).to_have_text("突发")
        expect(item.locator("a.alm-ticket")).to_have_attribute("href", f"/workbench?case={ticket}")
        expect(item).to_contain_text("燃气泄漏")
        expect(item).to_contain_text("云岩区")
        expect(item).to_contain_text("中华北路 88 号")
        expect(item.locator(".alm-wait")).to_have_text("待值班长确认")  # a dispatcher cannot acknowledge
        expect(item.locator(".alm-ack")).to_have_count(0)
        wall.wait_for_function("() => window.gyAlarms.state().plays >= 1", timeout=10_000)
        played = wall.evaluate(
            "() => { const a = document.getElementById('alm-audio'); return {paused: a.paused, t: a.currentTime,"
            " src: a.currentSrc, s: window.gyAlarms.state()}; }"
        )
        assert played["src"].endswith("/assets/sounds/alarm-chime.wav")
        assert played["paused"] is False or played["t"] > 0  # it really played (the chime lasts 1.7 s)
        assert played["s"]["looping"] is True and played["s"]["ringing"]
        assert wall.locator("#alm-enable").is_hidden()  # sound allowed here: no need to ask
        assert wall.title().startswith("(1) ")

        # the officer of 云岩区: at the banner's next re-read, and it chimes there too
        expect(_item(officer, ticket)).to_be_visible(timeout=10_000)
        officer.wait_for_function("() => window.gyAlarms.state().plays >= 1", timeout=10_000)
        # the lead: an acknowledge button
        expect(_item(lead, ticket).locator(".alm-ack")).to_be_visible(timeout=10_000)
        # 新建案件 while it rings: the form covers the side column, the banner too, and takes every click
        lead.locator("#di-open").click()
        lead.get_by_role("radio", name="监督员上报").check(timeout=5_000)
        lead.locator("#di-close").click()
        expect(lead.locator("#di-panel")).to_be_hidden()
        expect(_item(lead, ticket).locator(".alm-ack")).to_be_visible()
        # 南明区's officer: several re-reads later, still nothing
        other.wait_for_timeout(5_000)
        expect(other.locator(".alm-item")).to_have_count(0)
        assert other.evaluate("() => window.gyAlarms.state().ringing") == []

        screenshot(wall, "alarms-wall")
        screenshot(officer, "alarms-workbench-officer")
        screenshot(lead, "alarms-workbench-lead")

        # the lead acknowledges with a note
        lead.locator("#alm-note").fill("已通知燃气集团抢修")
        _item(lead, ticket).locator(".alm-ack").click()
        expect(lead.locator("#alm-notice")).to_contain_text("已确认报警", timeout=15_000)
        acked = time.monotonic()
        expect(_item(lead, ticket)).to_have_count(0, timeout=10_000)
        expect(lead.locator("#alm-note")).to_have_value("")
        lead.locator(".alm-history summary").click()
        expect(lead.locator("#alm-history")).to_contain_text(ticket)
        expect(lead.locator("#alm-history")).to_contain_text("已通知燃气集团抢修")

        # the wall stops within about a second (push), the officer's workbench at its next re-read (a loaded
        # test machine gets some slack; the time is printed)
        wall.wait_for_function("() => !window.gyAlarms.state().looping", timeout=5_000, polling=50)
        print(f"wall stopped {time.monotonic() - acked:.2f} s after the lead saw the acknowledgement")
        expect(_item(wall, ticket)).to_have_count(0)
        assert wall.evaluate("() => document.getElementById('alm-audio').paused") is True
        expect(wall.locator("#alm-root")).not_to_have_class("alm-ringing")
        expect(_item(officer, ticket)).to_have_count(0, timeout=10_000)
        officer.wait_for_function("() => !window.gyAlarms.state().looping", timeout=5_000)

        with engine.connect() as c:
            row = c.execute(
                text(
                    "SELECT a.kind, su.username, a.ack_note, a.acknowledged_at IS NOT NULL AS done FROM alarm a"
                    " JOIN staff_user su ON su.id = a.acknowledged_by WHERE a.case_id = :c"
                ),
                {"c": case_id},
            ).one()
        assert (row.kind, row.username, row.ack_note, row.done) == (
            "urgent",
            "lead",
            "已通知燃气集团抢修",
            True,
        )
        assert foreign == []
    finally:
        for ctx in contexts:
            ctx.close()


def test_an_acknowledgement_answered_while_the_banner_is_drawn_again_is_still_told(
    alarm_app: AppServer, engine: Engine, browser: Browser, foreign: ForeignRequests
) -> None:
    """The banner is drawn anew on every re-read (a push, the safety net, a language change), each time with new
    确认 buttons. An acknowledgement whose answer is still on its way when that happens must still be told to the
    lead and clear the note: the buttons drawn anew are not a second click that would take its place."""
    base = alarm_app.base
    _quiet(engine)
    ctx = guarded_context(browser, base, foreign, viewport={"width": 1600, "height": 900})
    try:
        lead = _open(ctx, base, "lead", "/workbench")
        _case_id, ticket = _urgent_case(engine)
        expect(_item(lead, ticket).locator(".alm-ack")).to_be_visible(timeout=10_000)
        lead.locator("#alm-note").fill("已派人")
        # a re-read is on its way when the lead clicks, and comes back before the acknowledgement's answer
        read = HeldCall(lead, lambda b: "alm-list" in outputs_of(b))
        lead.evaluate("() => window.dash_clientside.set_props('alm-bell', {data: {event: 'test', n: -1}})")
        read.wait()
        ack = HeldCall(lead, lambda b: "alm-notice" in outputs_of(b) and clicked_or_set(b))
        _item(lead, ticket).locator(".alm-ack").click()
        ack.wait()
        read.release()
        lead.wait_for_timeout(1_000)  # the banner drawn again, and whatever that sets off
        ack.release()
        expect(lead.locator("#alm-notice")).to_contain_text("已确认报警", timeout=15_000)
        expect(lead.locator("#alm-note")).to_have_value("")
        expect(_item(lead, ticket)).to_have_count(0, timeout=10_000)
        # the banner's own words follow the page's language
        lead.locator("#gy-lang-switch").click()
        expect(lead.locator("#alm-history-title")).to_have_text("Recently acknowledged", timeout=10_000)
        expect(lead.locator("#alm-note")).to_have_attribute(
            "placeholder", "Note for the acknowledgement (optional)"
        )
        assert foreign == []
    finally:
        ctx.close()


def test_a_refused_chime_asks_for_one_click(
    playwright_instance: Playwright, alarm_app: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    """With the browser's usual policy (no sound before a gesture), the button shows; a click plays the chime."""
    base = alarm_app.base
    _quiet(engine)
    b = _browser(playwright_instance, "--autoplay-policy=user-gesture-required")
    ctx = guarded_context(b, base, foreign, viewport={"width": 1600, "height": 900})
    try:
        # an alarm rings before the wall opens; the wall is signed in by request and then left alone for a while:
        # a click on the site, and Playwright's evaluations and polls (run as user gestures), would let the page
        # play sound, so the test only waits, then looks
        _case_id, ticket = _urgent_case(engine)
        sign_in_context(ctx, base, "dispatcher", PASSWORDS["dispatcher"], "/wall")
        page = ctx.new_page()
        page.goto(f"{base}/wall")
        page.wait_for_timeout(15_000)
        state = page.evaluate("() => window.gyAlarms.state()")
        assert state["refused"] >= 1 and state["plays"] == 0 and state["unlocked"] is False, state
        expect(_item(page, ticket)).to_be_visible()
        button = page.locator("#alm-enable")
        expect(button).to_be_visible()
        expect(button).to_have_text("点击启用提示音")
        screenshot(page, "alarms-wall-enable-sound")
        button.click()
        page.wait_for_function("() => window.gyAlarms.state().plays >= 1", timeout=5_000)
        expect(button).to_be_hidden()
        assert page.evaluate("() => localStorage.getItem('gy-alarm-sound')") == "on"
    finally:
        ctx.close()
        b.close()
        _quiet(engine)
