"""Case replay (案件回放) and the heatmap's category filter in real Chromium on the real app.

Replay: a case with a history is opened in the workbench's replay panel; play advances the timeline and the
current event's label, pause stops it; a district's day with nothing in it says so. Heat: choosing a 大类 beside
the time window sends the category with the heat request and the legend names it, on the wall and on the
workbench's heat layer.

Cases are created through the workflow commands in committed transactions and left in place."""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect
from sqlalchemy import Engine

from geo.crs import TZ
from ops import workflow as wf
from ops.workflow import Actor, CaseResult
from tests.support.app import AppServer
from tests.support.browser import screenshot, sign_in
from tests.support.cases import staff_actor

pytestmark = pytest.mark.browser

YUNYAN = (106.7135, 26.5838)
_rng = random.Random(20261206)


def case_with_history(engine: Engine, category: str = "C0102") -> CaseResult:
    """Reported, filed, dispatched, started: four events, committed."""
    lead = staff_actor(engine, "lead")
    with engine.begin() as conn:
        r = wf.report(
            conn,
            Actor.system(),
            category_code=category,
            lon=YUNYAN[0] + _rng.uniform(-0.0015, 0.0015),
            lat=YUNYAN[1] + _rng.uniform(-0.001, 0.001),
            description=f"回放测试 {uuid.uuid4().hex[:8]}",
            source="inspector",
        )
        r = wf.file_case(conn, lead, r.id, r.version)
        r = wf.dispatch(conn, lead, r.id, r.version)
        return wf.start(conn, lead, r.id, r.version)


def frame(page: Page) -> int:
    return int(page.locator("#rp-label").get_attribute("data-frame") or -1)


def test_replay_plays_and_pauses(page: Page, app_server: AppServer, engine: Engine) -> None:
    case = case_with_history(engine)
    sign_in(page, app_server.base, "lead")
    page.locator("#rp-open").click()
    expect(page.locator("#rp-panel")).to_be_visible()
    page.locator("#rp-case").fill(case.ticket)
    page.locator("#rp-load").click()
    expect(page.locator("#rp-msg")).to_contain_text("4 个事件", timeout=15_000)
    label = page.locator("#rp-label")
    expect(label).to_contain_text(case.ticket)
    expect(label).to_contain_text("上报")
    assert frame(page) == 0
    first = label.text_content()
    expect(page.locator(".rp-marker")).to_have_count(1, timeout=10_000)
    # at 1× first: at 16× this short case can play to its end before a slow machine looks at the button
    page.locator("#rp-play").click()
    expect(page.locator("#rp-play")).to_have_attribute("data-playing", "1")
    page.locator(".rp-speed[data-speed='16']").click()
    # the timeline advances and the current event changes
    page.wait_for_function(
        "() => Number(document.getElementById('rp-label').dataset.frame) >= 1", timeout=10_000
    )
    assert label.text_content() != first
    assert float(page.locator("#rp-scrub-input").input_value()) > 0.5
    page.locator("#rp-play").click()  # pause
    expect(page.locator("#rp-play")).to_have_attribute("data-playing", "0")
    paused_at, paused_t = frame(page), page.locator("#rp-scrub-input").input_value()
    page.wait_for_timeout(1500)
    assert frame(page) == paused_at
    assert page.locator("#rp-scrub-input").input_value() == paused_t
    screenshot(page, "workbench-replay-paused")
    # played to the end: the last event is the start of handling (处置中)
    page.locator("#rp-play").click()
    page.wait_for_function(
        "() => Number(document.getElementById('rp-label').dataset.frame) === 3", timeout=15_000
    )
    expect(label).to_contain_text("开始处置")
    expect(page.locator("#rp-play")).to_have_attribute("data-playing", "0", timeout=10_000)


def test_a_day_with_nothing_says_so(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "lead")
    page.locator("#rp-open").click()
    page.locator("#rp-mode").get_by_text("区县一日").click()
    page.locator("#rp-district").click()
    page.get_by_role("option", name="云岩区", exact=True).click()
    long_ago = (datetime.now(TZ) - timedelta(days=3000)).date().isoformat()
    date_input = page.locator("#rp-date")
    date_input.fill(long_ago)
    date_input.press("Enter")
    page.locator("#rp-load").click()
    expect(page.locator("#rp-msg")).to_have_text("这段时间没有发生任何事件。", timeout=15_000)
    expect(page.locator("#rp-controls")).to_be_hidden()


def test_an_officer_cannot_replay_another_districts_case(
    page: Page, app_server: AppServer, engine: Engine
) -> None:
    lead = staff_actor(engine, "lead")
    with engine.begin() as conn:  # 南明区: not the 云岩 officer's
        r = wf.report(
            conn,
            Actor.system(),
            category_code="C0102",
            lon=106.7119,
            lat=26.5716,
            description="南明回放",
            source="app",
        )
        wf.file_case(conn, lead, r.id, r.version)
    sign_in(page, app_server.base, "yunyan")
    page.locator("#rp-open").click()
    page.locator("#rp-case").fill(r.ticket)
    page.locator("#rp-load").click()
    expect(page.locator("#rp-msg")).to_have_text("没有找到该案件，或您无权查看。", timeout=15_000)


def _heat_requests(page: Page) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def on_request(req: Request) -> None:
        if "_dash-update-component" in req.url and req.method == "POST":
            try:
                body = json.loads(req.post_data or "{}")
            except ValueError:
                return
            if "heat" in str(body.get("output", "")):
                seen.append(body)

    page.on("request", on_request)
    return seen


def _category_in(body: dict[str, Any]) -> str | None:
    for item in [*body.get("inputs", []), *body.get("state", [])]:
        if item.get("id", "").startswith("heat-") and item.get("id", "").endswith("-category"):
            return (item.get("value") or {}).get("code")
    return None


def test_the_wall_heat_follows_the_category(page: Page, app_server: AppServer, engine: Engine) -> None:
    for _ in range(3):
        case_with_history(engine, category="E0101")
    page.set_viewport_size({"width": 1920, "height": 1080})
    seen = _heat_requests(page)
    sign_in(page, app_server.base, "lead", target="/wall")
    expect(page.locator(".wall-legend-head")).to_contain_text("件", timeout=30_000)
    expect(page.locator(".heat-legend-cat")).to_have_count(0)
    page.locator("#heat-wall-major").click()
    page.locator(".dash-dropdown-option", has_text="事件 · 市容环境").click()
    expect(page.locator(".heat-legend-cat")).to_have_text("类别：市容环境", timeout=15_000)
    assert any(_category_in(b) == "E01" for b in seen), [_category_in(b) for b in seen]
    # a 小类 narrows it further
    page.locator("#heat-wall-minor").click()
    page.locator(".dash-dropdown-option").first.click()
    expect(page.locator(".heat-legend-cat")).not_to_have_text("类别：市容环境", timeout=15_000)
    assert any((_category_in(b) or "").startswith("E01") and len(_category_in(b) or "") > 3 for b in seen)
    # the periodic refresh keeps the choice: the wall's heat counts always carry it from now on
    before = len(seen)
    page.evaluate("() => window.dash_clientside.set_props('wall-fallback', {n_intervals: 99})")
    page.wait_for_timeout(1500)
    assert len(seen) > before and all(_category_in(b) for b in seen[before:])
    expect(page.locator(".heat-legend-cat")).to_be_visible()
    screenshot(page, "wall-heat-category-1080p")


def test_the_workbench_heat_follows_the_category(page: Page, app_server: AppServer, engine: Engine) -> None:
    case_with_history(engine, category="E0101")
    seen = _heat_requests(page)
    sign_in(page, app_server.base, "lead")
    expect(page.locator("#wb-queue-count")).to_contain_text("件", timeout=20_000)
    page.locator("#heat-wb-panel .mantine-Switch-track").click()
    expect(page.locator("#heat-wb-legend .wall-legend-head")).to_contain_text("件", timeout=15_000)
    page.locator("#heat-wb-major").click()
    page.get_by_role("option", name="事件 · 市容环境", exact=True).click()
    expect(page.locator("#heat-wb-legend .heat-legend-cat")).to_have_text("类别：市容环境", timeout=15_000)
    assert any(_category_in(b) == "E01" for b in seen)
    expect(
        page.locator("#heat-wb path.leaflet-interactive, .leaflet-overlay-pane path").first
    ).to_be_attached()
