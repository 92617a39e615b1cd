"""The workbench updates by push in real Chromium: a case dispatched to a department from another connection
appears in that department's open queue without a reload (and leaves it when returned); an open card refreshes
when someone else acts on its case, keeping what the user typed; an officer's page never shows another
district's case; the page's one EventSource reconnects by itself after the server restarts.

Cases are made through the workflow commands in committed transactions (another connection than the app's), each
at its own random point, and left in place."""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from sqlalchemy import Engine

from dashboard.components.workbench_queue import status_label
from dashboard.settings import Settings
from db import snapshots
from ops import workflow as wf
from ops.states import CaseStatus
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, guard_own_host, screenshot, sign_in
from tests.support.cases import staff_actor

NANMING = (106.7119, 26.5716)  # 甲秀楼, 南明区
YUNYAN = (106.7135, 26.5838)  # 云岩区
STREET_LIGHT = "C0102"  # 路灯不亮: the city bureau (CGJ) in the central districts
CONTEXT = {"viewport": {"width": 1600, "height": 900}, "locale": "zh-CN"}
SHOTS = Path("/tmp/d14/shots/live")
_rng = random.Random(20261206)  # seeded: the same points every run


def new_case(engine: Engine, near: tuple[float, float], district: str, status: CaseStatus) -> wf.CaseResult:
    """A case within ~150 m of ``near``, filed (and dispatched to CGJ for DISPATCHED) by the lead, committed."""
    lead = staff_actor(engine, "lead")
    with engine.begin() as conn:
        r = wf.report(
            conn,
            wf.Actor.system(),
            category_code=STREET_LIGHT,
            lon=near[0] + _rng.uniform(-0.0015, 0.0015),
            lat=near[1] + _rng.uniform(-0.001, 0.001),
            description=f"推送测试 {uuid.uuid4().hex[:8]}",
            source="inspector",
            address="测试路",
        )
        assert r.district_code == district
        r = wf.file_case(conn, lead, r.id, r.version)
        if status is CaseStatus.DISPATCHED:
            r = wf.dispatch(conn, lead, r.id, r.version, department_code="CGJ")
    return r


def open_card(page: Page, ticket: str) -> None:
    page.locator(".wb-row", has_text=ticket).click()
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(ticket, timeout=15_000)


def choose(page: Page, label: str) -> Locator:
    """Open the form of the action ``label`` and return it."""
    page.locator("#wb-card .wb-choose-btn", has_text=label).first.click()
    form = page.locator("#wb-card .wb-act-panel:not([hidden])")
    expect(form).to_have_count(1)
    return form


def open_live(ctx: BrowserContext, base: str, user: str, foreign: ForeignRequests) -> Page:
    """The workbench of ``user``, its queue drawn and its push stream open."""
    page = ctx.new_page()
    guard_own_host(ctx, base, foreign)
    sign_in(page, base, user)
    expect(page.locator("#wb-queue-count")).to_contain_text("件", timeout=20_000)
    expect(page.locator("#wbp-conn")).to_have_class("wbp-conn wbp-conn-open", timeout=20_000)
    expect(page.locator("#wbp-conn")).to_have_text("实时")
    return page


def pins_on_map(page: Page) -> int:
    """The number of pins the map status line says the map shows (地图上 N 件)."""
    found = re.search(r"地图上 (\d+) 件", page.locator("#wb-map-status").text_content() or "")
    assert found is not None
    return int(found.group(1))


def row(page: Page, case_id: int) -> Locator:
    return page.locator(f'#wb-queue .wb-row[data-id="{case_id}"]')


def dispatch(engine: Engine, case: wf.CaseResult, department: str = "CGJ") -> wf.CaseResult:
    with engine.begin() as conn:
        return wf.dispatch(
            conn, staff_actor(engine, "dispatcher"), case.id, case.version, department_code=department
        )


def test_a_dispatched_case_enters_and_a_returned_one_leaves_the_department_queue(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    ctx = browser.new_context(**CONTEXT)
    page = open_live(ctx, app_server.base, "cgj", foreign)
    filed = new_case(engine, NANMING, "520102", status=CaseStatus.FILED)
    expect(row(page, filed.id)).to_have_count(0)
    on_map = page.locator("#wb-map-status")
    expect(on_map).to_contain_text("地图上", timeout=10_000)
    before = pins_on_map(page)
    asked: list[str] = []  # the page's own catch-ups: its scope's feed needs none (dashboard/feeds.py)
    page.on(
        "request",
        lambda r: (
            asked.append(r.url) if '"changedPropIds":["wbp-doorbell.data"]' in (r.post_data or "") else None
        ),
    )
    t0 = time.monotonic()
    done = dispatch(engine, filed)
    expect(row(page, done.id)).to_be_visible(timeout=8_000)
    expect(on_map).to_contain_text(f"地图上 {before + 1} 件", timeout=8_000)  # the pins follow too
    print(f"dispatch → row in the department's queue: {(time.monotonic() - t0) * 1000:.0f} ms")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "workbench-live-cgj.png"))
    screenshot(page, "workbench-live-cgj")
    with engine.begin() as conn:  # the department returns it: the case leaves its reach and its queue
        wf.return_case(conn, staff_actor(engine, "cgj"), done.id, done.version, reason="不属于本部门")
    expect(row(page, done.id)).to_have_count(0, timeout=8_000)
    expect(on_map).to_contain_text(f"地图上 {before} 件", timeout=8_000)
    ctx.close()
    assert foreign == []
    assert len(asked) <= 1, asked  # merged from the stream: at most the first change rings


def test_an_open_card_refreshes_when_someone_else_acts_and_keeps_the_draft(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    case = new_case(engine, NANMING, "520102", status=CaseStatus.DISPATCHED)
    ctx = browser.new_context(**CONTEXT)
    page = open_live(ctx, app_server.base, "cgj", foreign)
    open_card(page, case.ticket)
    form = choose(page, "处置反馈")
    form.locator("textarea").fill("草稿：已到现场")
    lead = staff_actor(engine, "lead")
    with engine.begin() as conn:  # 督办 by the shift lead: same status, same actions for the department
        case = wf.escalate(conn, lead, case.id, case.version, reason="市民多次来电")
    notice = page.locator("#wb-card-notice")
    expect(notice).to_contain_text("此案件已被他人更新", timeout=8_000)
    expect(page.locator("#wb-card .wb-tag", has_text="督办")).to_be_visible()
    expect(page.locator("#wb-card .wb-act-panel:not([hidden]) textarea")).to_have_value("草稿：已到现场")
    page.screenshot(path=str(SHOTS / "workbench-live-card.png"))
    with engine.begin() as conn:  # 挂账 by the lead: the status on the card follows
        wf.suspend(conn, lead, case.id, case.version, reason="等待施工")
    expect(page.locator("#wb-card .wb-card-head .wb-status")).to_have_text(
        status_label(CaseStatus.SUSPENDED.value, "zh"), timeout=8_000
    )
    ctx.close()
    assert foreign == []


def test_the_own_action_does_not_raise_the_someone_else_notice(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    case = new_case(engine, NANMING, "520102", status=CaseStatus.DISPATCHED)
    ctx = browser.new_context(**CONTEXT)
    page = open_live(ctx, app_server.base, "cgj", foreign)
    open_card(page, case.ticket)
    choose(page, "开始处置").locator(".wb-act-btn").click()
    expect(page.locator("#wb-card .wb-card-head .wb-status")).to_have_text(
        status_label(CaseStatus.IN_PROGRESS.value, "zh"), timeout=10_000
    )
    page.wait_for_timeout(1500)  # the push of the page's own step has come and gone
    expect(page.locator("#wb-card-notice")).not_to_contain_text("他人")
    ctx.close()


def test_an_officer_sees_only_their_districts_cases_arrive(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    ctx = browser.new_context(**CONTEXT)
    page = open_live(ctx, app_server.base, "yunyan", foreign)  # officer of 云岩区 520103
    other = dispatch(engine, new_case(engine, NANMING, "520102", status=CaseStatus.FILED))
    own = dispatch(engine, new_case(engine, YUNYAN, "520103", status=CaseStatus.FILED))
    expect(row(page, own.id)).to_be_visible(timeout=8_000)
    page.wait_for_timeout(1000)
    expect(row(page, other.id)).to_have_count(0)
    assert other.ticket not in (page.locator("#wb-queue").text_content() or "")
    ctx.close()
    assert foreign == []


@pytest.fixture
def restartable(db_url: str, settings: Settings) -> Iterator[AppServer]:
    """An app server of this test's own, stopped and started again on the same port by the test."""
    server = AppServer(db_url, settings)
    server.start()
    yield server
    server.stop()


def test_the_workbench_reconnects_after_the_server_restarts(
    browser: Browser, restartable: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    ctx = browser.new_context(**CONTEXT)
    page = open_live(ctx, restartable.base, "cgj", foreign)
    streams = page.evaluate("window.gyPush.readyState()")
    assert streams == 1  # EventSource.OPEN
    restartable.stop()
    expect(page.locator("#wbp-conn")).not_to_have_class("wbp-conn wbp-conn-open", timeout=10_000)
    page.screenshot(path=str(SHOTS / "workbench-live-reconnecting.png"))
    restartable.start()  # same port: the page's EventSource finds it again by itself
    expect(page.locator("#wbp-conn")).to_have_class("wbp-conn wbp-conn-open", timeout=30_000)
    case = dispatch(engine, new_case(engine, NANMING, "520102", status=CaseStatus.FILED))
    expect(row(page, case.id)).to_be_visible(timeout=10_000)
    ctx.close()


def test_every_push_event_is_rebroadcast_on_the_window(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    ctx = browser.new_context(**CONTEXT)
    ctx.add_init_script(  # count the streams the page opens
        "window.__streams = 0; const ES = window.EventSource; window.EventSource = function (u, o) "
        "{ if (String(u).includes('/push/events')) { window.__streams += 1; } return new ES(u, o); }; "
        "Object.assign(window.EventSource, {CONNECTING: 0, OPEN: 1, CLOSED: 2});"
    )
    page = open_live(ctx, app_server.base, "cgj", foreign)
    page.evaluate(
        "() => { window.__got = []; window.addEventListener('gy-push', (e) => window.__got.push(e.detail)); }"
    )
    dispatch(engine, new_case(engine, NANMING, "520102", status=CaseStatus.FILED))
    page.wait_for_function(
        "() => window.__got.some((d) => d.event === 'doorbell' && Number.isInteger(d.data.id))", timeout=8_000
    )
    got = page.evaluate("window.__got")
    assert all(set(d) == {"event", "data"} for d in got)
    assert page.evaluate("window.__streams") == 1  # one EventSource for the page
    ctx.close()


def _snapshot(engine: Engine) -> str:
    with engine.connect() as conn:
        return snapshots.current(conn)


def _catch_up(page: Page, base: str, cursor: str, upto: int) -> Any:
    """The catch-up callback as the page's doorbell calls it, posted by hand."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_csrf_token")
    body = {
        "output": "..wbp-cursor.data...wbp-changed.data...wbp-slow.data..",
        "outputs": [
            {"id": "wbp-cursor", "property": "data"},
            {"id": "wbp-changed", "property": "data"},
            {"id": "wbp-slow", "property": "data"},
        ],
        "inputs": [
            {
                "id": "wbp-doorbell",
                "property": "data",
                "value": {"id": upto, "x": None, "n": 1, "resync": False},
            }
        ],
        "changedPropIds": ["wbp-doorbell.data"],
        "state": [
            {"id": "wbp-cursor", "property": "data", "value": cursor},
            {"id": "wbp-changed", "property": "data", "value": {"n": 0}},
            {"id": "wbp-slow", "property": "data", "value": {"n": 0, "at": time.time()}},
        ],
    }
    return page.context.request.post(
        base + "/_dash-update-component",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf},
    )


def test_the_catch_up_tells_an_officer_nothing_of_another_district(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    ctx = browser.new_context(**CONTEXT)
    page = open_live(ctx, app_server.base, "yunyan", foreign)
    cursor = _snapshot(engine)
    other = dispatch(engine, new_case(engine, NANMING, "520102", status=CaseStatus.FILED))
    resp = _catch_up(page, app_server.base, cursor, other.event_id)
    assert resp.status == 200, resp.text()
    answer = resp.json()["response"]
    moved = answer["wbp-cursor"]["data"]
    assert moved != cursor and "wbp-changed" not in answer  # moved on, nothing to read
    assert not re.search(
        rf"\b{other.id}\b", json.dumps({k: v for k, v in answer.items() if k != "wbp-cursor"})
    )
    own = dispatch(engine, new_case(engine, YUNYAN, "520103", status=CaseStatus.FILED))
    answer = _catch_up(page, app_server.base, moved, own.event_id).json()["response"]
    assert answer["wbp-changed"]["data"]["cases"] == [own.id]
    ctx.close()
