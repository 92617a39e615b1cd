"""/workbench's address and keyboard in real Chromium (issue 14): a link to a case opens its card with the map on
it (after signing in when signed out), a case out of reach or unknown says why, the queue pages through more
than 200 cases with its total, the filters live in the address both ways, and the keyboard shortcuts with their
``?`` overlay.

Cases are made through the workflow commands in committed transactions; the many cases of the paging test are
rejected again at its end, so other tests' queues stay short."""

from __future__ import annotations

import random
import re
import shutil
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, text

from dashboard.components.case_link import case_href
from ops import workflow as wf
from ops.states import CaseStatus
from ops.workflow import Actor, CaseResult
from tests.support.app import AppServer
from tests.support.browser import PASSWORDS, ForeignRequests, guard_own_host, screenshot, sign_in
from tests.support.cases import staff_actor

NANMING = (106.7119, 26.5716)  # 甲秀楼, 南明区
YUNYAN = (106.7135, 26.5838)  # 云岩区
STREET_LIGHT = "C0102"
CONTEXT = {"viewport": {"width": 1600, "height": 900}, "locale": "zh-CN"}
SHOTS = Path("/tmp/d14/shots/links")
_rng = random.Random(20261206)


def new_case(
    engine: Engine,
    near: tuple[float, float],
    *,
    status: CaseStatus = CaseStatus.REPORTED,
    category: str = STREET_LIGHT,
    spread: float = 0.0015,
) -> CaseResult:
    lead = staff_actor(engine, "lead")
    with engine.begin() as conn:
        r = wf.report(
            conn,
            Actor.system(),
            category_code=category,
            lon=near[0] + _rng.uniform(-spread, spread),
            lat=near[1] + _rng.uniform(-spread / 1.5, spread / 1.5),
            description=f"链接测试 {uuid.uuid4().hex[:8]}",
            source="inspector",
            address="测试路",
        )
        if status is not CaseStatus.REPORTED:
            r = wf.file_case(conn, lead, r.id, r.version)
    return r


def keep(page: Page, name: str) -> None:
    """A screenshot in the tests' folder and, for the report, under /tmp/d14/shots/links when it exists."""
    path = screenshot(page, name)
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / path.name)


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def wait_for_query(page: Page, name: str, value: str | None, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = query(page).get(name)
        if (got[0] if got else None) == value:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"the address never had {name}={value!r}: {page.url}")


def card_ticket(page: Page) -> object:
    return page.locator("#wb-card .wb-ticket")


def test_a_link_signed_out_signs_in_then_opens_the_card_on_the_map(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    case = new_case(engine, YUNYAN, status=CaseStatus.FILED)
    base = app_server.base
    ctx = browser.new_context(**CONTEXT)
    page = ctx.new_page()
    guard_own_host(ctx, base, foreign)
    page.goto(base + case_href(case.ticket) + "&window=7d")
    page.wait_for_url(re.compile(r"/login\?next="), timeout=20_000)
    assert parse_qs(urlparse(page.url).query)["next"] == [case_href(case.ticket) + "&window=7d"]
    page.locator("#login-username").fill("yunyan")
    page.locator("#login-password").fill(PASSWORDS["yunyan"])
    page.locator("#login-submit").click()
    page.wait_for_url(re.compile(r"/workbench\?case="), timeout=20_000)
    expect(card_ticket(page)).to_have_text(case.ticket, timeout=20_000)
    assert query(page)["window"] == ["7d"]  # the rest of the link came along
    ring = page.locator("path.wb-hl")
    expect(ring).to_have_count(1, timeout=15_000)
    # the map flew to the case: its ring is in the middle of the map
    box = page.locator("#wb-map").bounding_box()
    assert box is not None
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(50):
        r = ring.bounding_box()
        if (
            r
            and abs(r["x"] + r["width"] / 2 - centre[0]) < 40
            and abs(r["y"] + r["height"] / 2 - centre[1]) < 40
        ):
            break
        page.wait_for_timeout(200)
    else:
        raise AssertionError(f"the ring is not in the map's middle: {ring.bounding_box()} vs {centre}")
    keep(page, "wbl-deep-link-card")
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"
    ctx.close()


def test_a_case_out_of_reach_or_unknown_says_why(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    other = new_case(engine, NANMING, status=CaseStatus.FILED)
    base = app_server.base
    ctx = browser.new_context(**CONTEXT)
    page = ctx.new_page()
    guard_own_host(ctx, base, foreign)
    sign_in(page, base, "yunyan")
    page.goto(base + case_href(other.ticket))
    message = page.locator("#wbl-message")
    expect(message).to_contain_text(f"案件 {other.ticket} 不在您的辖区（云岩区）", timeout=20_000)
    expect(page.locator("#wb-card")).to_be_hidden()
    page.goto(base + case_href("GY000101-99999999"))
    expect(message).to_contain_text("没有案件 GY000101-99999999", timeout=20_000)
    page.goto(base + "/workbench?case=hello")
    expect(message).to_contain_text("不是案件编号", timeout=20_000)
    # the command center may open it
    lead = browser.new_context(**CONTEXT)
    lpage = lead.new_page()
    guard_own_host(lead, base, foreign)
    sign_in(lpage, base, "lead")
    lpage.goto(base + case_href(other.ticket))
    expect(card_ticket(lpage)).to_have_text(other.ticket, timeout=20_000)
    expect(lpage.locator("#wbl-message")).to_be_hidden()
    assert foreign == []
    ctx.close()
    lead.close()


@pytest.fixture
def many(engine: Engine) -> object:
    """230 open reports of one 小类 no other case has, in 南明区; rejected again afterwards."""
    with engine.connect() as conn:
        category = conn.execute(
            text(
                "SELECT code FROM category WHERE level = 2 AND active AND code NOT IN "
                '(SELECT DISTINCT category_code FROM "case") ORDER BY code LIMIT 1'
            )
        ).scalar_one()
    made: list[CaseResult] = []
    with engine.begin() as conn:
        for i in range(230):
            made.append(
                wf.report(
                    conn,
                    Actor.system(),
                    category_code=category,
                    lon=NANMING[0] + _rng.uniform(-0.01, 0.01),
                    lat=NANMING[1] + _rng.uniform(-0.006, 0.006),
                    description=f"分页测试 {i}",
                    source="inspector",
                )
            )
    yield category, made
    lead = staff_actor(engine, "lead")
    with engine.begin() as conn:
        for r in made:
            row = wf.get_case(conn, r.id)
            if row.status == CaseStatus.REPORTED.value:
                wf.reject(conn, lead, r.id, row.version, reason="测试结束")


def test_the_queue_pages_through_every_case_with_its_total(
    browser: Browser, app_server: AppServer, many: object, foreign: ForeignRequests
) -> None:
    category, made = many  # type: ignore[misc]
    tickets = {r.ticket for r in made}
    base = app_server.base
    ctx = browser.new_context(**CONTEXT)
    page = ctx.new_page()
    guard_own_host(ctx, base, foreign)
    sign_in(page, base, "dispatcher")
    page.goto(f"{base}/workbench?category={category}")
    count = page.locator("#wb-queue-count")
    expect(count).to_have_text("共 230 件，第 1–50 件", timeout=20_000)
    pager = page.locator("#wbl-pager")
    expect(pager.locator(".wbl-page-of")).to_have_text("第 1 / 5 页")
    expect(pager.locator('[data-role="prev"]')).to_be_disabled()
    seen: list[str] = []

    def rows() -> list[str]:
        return [t.split()[0] for t in page.locator("#wb-queue .wb-row b").all_inner_texts()]

    seen += rows()
    # the next page by keyboard: the control is a button in the tab order
    pager.locator('[data-role="next"]').focus()
    page.keyboard.press("Enter")
    expect(count).to_have_text("共 230 件，第 51–100 件", timeout=20_000)
    wait_for_query(page, "page", "2")
    expect(pager.locator('[data-role="next"]')).to_be_focused()  # focus stays on the control
    seen += rows()
    for n in (3, 4):
        pager.locator('[data-role="next"]').click()
        expect(count).to_have_text(f"共 230 件，第 {(n - 1) * 50 + 1}–{n * 50} 件", timeout=20_000)
        seen += rows()
    pager.locator('[data-role="last"]').click()
    expect(count).to_have_text("共 230 件，第 201–230 件", timeout=20_000)
    expect(page.locator("#wb-queue .wb-row")).to_have_count(30)
    expect(pager.locator('[data-role="next"]')).to_be_disabled()
    seen += rows()
    assert len(seen) == 230 and set(seen) == tickets  # every case once, none beyond the 200th missing
    wait_for_query(page, "page", "5")
    # the page is part of the link: opened again, the same page
    page.goto(page.url)
    expect(count).to_have_text("共 230 件，第 201–230 件", timeout=20_000)
    assert foreign == []
    ctx.close()


def test_filters_come_from_the_address_and_go_back_into_it(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    red = new_case(engine, YUNYAN, status=CaseStatus.FILED)
    base = app_server.base
    ctx = browser.new_context(**CONTEXT)
    page = ctx.new_page()
    guard_own_host(ctx, base, foreign)
    sign_in(page, base, "lead")
    page.goto(
        f"{base}/workbench?district=520103&status=filed&source=inspector&window=7d&category={STREET_LIGHT}"
    )
    expect(page.locator("#wb-queue-count")).to_contain_text("件", timeout=20_000)
    expect(page.locator("#wb-f-district")).to_have_value("云岩区", timeout=15_000)
    expect(page.locator("#wb-f-category")).to_have_value(re.compile(r"\(C0102\)$"), timeout=15_000)
    expect(page.locator("#wb-f-window input[value='7d']")).to_be_checked()
    expect(page.locator("#wb-f-status").locator("xpath=..").get_by_text("待派遣")).to_be_visible()
    # the queue obeys them: filed street-light cases of 云岩区 only, ours among them
    expect(page.locator(".wb-row", has_text=red.ticket)).to_have_count(1, timeout=20_000)
    subs = page.locator("#wb-queue .wb-row .wb-row-sub").all_inner_texts()
    assert subs and all("云岩区" in s for s in subs)
    # a change goes into the address, without reloading the page
    page.evaluate("window.__same_page = true")
    page.locator("#wb-f-window").get_by_text("今天").click()
    wait_for_query(page, "window", "today")
    page.locator("#wb-f-in-view").locator("xpath=ancestor::label[1]").click()
    wait_for_query(page, "inview", "1")
    assert page.evaluate("window.__same_page") is True
    assert query(page)["district"] == ["520103"] and query(page)["status"] == ["filed"]
    assert foreign == []
    ctx.close()


def test_the_question_mark_lists_the_shortcuts_and_keys_act_on_the_card(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    filed = new_case(engine, NANMING, status=CaseStatus.FILED)
    new_case(engine, NANMING, status=CaseStatus.FILED)  # a neighbour in the queue
    base = app_server.base
    ctx = browser.new_context(**CONTEXT)
    page = ctx.new_page()
    guard_own_host(ctx, base, foreign)
    sign_in(page, base, "dispatcher")
    page.goto(base + case_href(filed.ticket))
    expect(card_ticket(page)).to_have_text(filed.ticket, timeout=20_000)
    expect(page.locator("#wb-card .wb-choose-btn").first).to_be_visible(timeout=15_000)
    page.locator("#wb-card .wb-ticket").click()  # focus on the page, not in a field
    page.keyboard.press("?")
    overlay = page.locator("#wbl-keys")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("键盘快捷键")
    expect(overlay.locator("tr.wbl-key[data-k='d']")).not_to_have_class(re.compile("is-off"))  # 派遣: offered
    expect(overlay.locator("tr.wbl-key[data-k='h']")).to_have_class(re.compile("is-off"))  # 处置反馈: not now
    keep(page, "wbl-keys-overlay")
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()
    expect(page.locator("#wb-card")).to_be_visible()  # Escape closed the overlay only
    # H: not an action the dispatcher may take on a filed case: nothing opens
    page.keyboard.press("h")
    expect(page.locator("#wb-card .wb-act-panel:not([hidden])")).to_have_count(0)
    # D: the dispatch form opens, its field focused; typing there is typing, not shortcuts
    page.keyboard.press("d")
    form = page.locator("#wb-card .wb-act-panel:not([hidden])")
    expect(form).to_have_count(1)
    expect(form).to_have_attribute("data-a", "dispatch")
    field = form.locator("input:not([type=hidden])").first  # the department's (searchable) select
    field.click()
    page.keyboard.type("jk?")
    expect(overlay).to_be_hidden()
    expect(card_ticket(page)).to_have_text(filed.ticket)
    # with a modifier a letter is not a shortcut either
    page.locator("#wb-card .wb-ticket").click()
    page.keyboard.press("Control+j")
    expect(card_ticket(page)).to_have_text(filed.ticket)
    # J / K: the next / previous case of the queue, and the address follows (a new history entry: Back returns)
    page.locator("#wb-card .wb-act-panel:not([hidden]) .wb-act-cancel").click()
    page.locator("#wb-card .wb-ticket").click()
    expect(page.locator("#wb-queue .wb-row").first).to_be_visible(timeout=15_000)
    order = [t.split()[0] for t in page.locator("#wb-queue .wb-row b").all_inner_texts()]
    if filed.ticket in order:  # its row is marked; J goes to the next one (K to the one before, at the end)
        expect(page.locator("#wb-queue .wb-row.is-sel")).to_contain_text(filed.ticket, timeout=15_000)
        at = order.index(filed.ticket)
        key, neighbour = ("j", order[at + 1]) if at + 1 < len(order) else ("k", order[at - 1])
    else:  # the linked case is on another page of the queue: J starts at the top of this one
        key, neighbour = "j", order[0]
    page.keyboard.press(key)
    expect(card_ticket(page)).to_have_text(neighbour, timeout=20_000)
    expect(page.locator("#wb-queue .wb-row.is-sel")).to_contain_text(neighbour)
    wait_for_query(page, "case", neighbour)
    page.go_back()
    expect(card_ticket(page)).to_have_text(filed.ticket, timeout=20_000)
    wait_for_query(page, "case", filed.ticket)
    assert foreign == []
    ctx.close()
