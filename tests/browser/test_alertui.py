"""预警 on screens, in real Chromium on the real app: the /analysis tab 预警 renders alerts with their figures and
history in zh and en, acknowledging and dismissing (a reason required) show in the history; the wall's 预警
panel and map marker receive a new alert by push within seconds without a reload (the fallback timer set to an
hour); an officer never reads another district's alert through any callback of these screens; no request leaves
the app's host.

Alerts are raised as the analysis cycle raises them (``ops.analysis.alert_states.record``), committed, and left
in place; each carries its own marker in its explanation, so a test finds exactly its own."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, text

from db.accounts import load_identity
from ops.analysis.alert_states import transition
from tests.support.an_alertui import raise_alert
from tests.support.app import AppServer, sign_in_client
from tests.support.browser import PASSWORDS, ForeignRequests, guarded_context, screenshot, sign_in

pytestmark = pytest.mark.browser


def committed_alert(engine: Engine, district: str = "520103", **kw: Any) -> tuple[int, str]:
    with engine.begin() as conn:
        return raise_alert(conn, district, **kw)


def move(engine: Engine, alert_id: int, to: str, user: str = "lead") -> None:
    with engine.begin() as conn:
        uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": user}).scalar_one()
        who = load_identity(conn, uid)
        assert who is not None
        version = conn.execute(
            text("SELECT version FROM analysis_alert WHERE id = :a"), {"a": alert_id}
        ).scalar_one()
        transition(conn, who, alert_id, to, version=version, now=_now(conn))


def _now(conn: Any) -> Any:
    return conn.execute(text("SELECT now()")).scalar_one()


def state_of(engine: Engine, alert_id: int) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(text("SELECT state FROM analysis_alert WHERE id = :a"), {"a": alert_id}).scalar_one()
        )


def grid_row(alert_id: int) -> str:
    """The alert's row in the tab's list (AG Grid names each row by the alert's id)."""
    return f'#ana-list .ag-center-cols-container .ag-row[row-id="{alert_id}"]'


@pytest.fixture
def page(browser: Browser, app_server: AppServer, foreign: ForeignRequests) -> Iterator[Page]:
    ctx = guarded_context(browser, app_server.base, foreign, viewport={"width": 1600, "height": 1000})
    ctx.route("**/tiles/**", lambda route: route.fulfill(status=204))
    yield ctx.new_page()
    ctx.close()
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"


# --- the /analysis tab ------------------------------------------------------------------------------------------


def test_the_alerts_tab_shows_acknowledges_and_dismisses(
    page: Page, app_server: AppServer, engine: Engine
) -> None:
    alert_id, mark = committed_alert(engine, "520103", category="C0101", observed=14, expected=1.2)
    sign_in(page, app_server.base, "lead", "/analysis")
    row = page.locator(grid_row(alert_id))
    expect(row).to_be_visible(timeout=20_000)
    expect(row).to_contain_text("近2小时 14 件 / 往常约 1.2 件")
    expect(
        page.locator(f'#ana-points [data-alert="{alert_id}"], .ana-marker [data-alert="{alert_id}"]').first
    ).to_be_attached()
    row.locator('[col-id="title"]').click()
    detail = page.locator("#ana-detail")
    expect(detail.locator(f'h4[data-alert="{alert_id}"]')).to_be_visible(timeout=15_000)
    expect(detail).to_contain_text(mark)
    expect(detail).to_contain_text("往常预期")
    expect(detail.locator('li[data-to="new"]')).to_contain_text("研判系统")
    # a way to its cases: the workbench filtered to the alert's 小类 and district
    cases = detail.locator("a.gy-case-link")
    expect(cases).to_have_attribute(
        "href", re.compile(r"^/workbench\?category=C0101&district=520103&window=")
    )
    screenshot(page, "analysis-alerts-zh")

    page.locator("#ana-ack").click()
    expect(page.locator("#ana-notice")).to_contain_text(f"预警 #{alert_id}：已确认", timeout=15_000)
    expect(detail.locator('li[data-to="acknowledged"]')).to_contain_text("新预警 → 已确认", timeout=15_000)
    assert state_of(engine, alert_id) == "acknowledged"

    page.locator("#ana-dismiss").click()  # no reason: refused, in Chinese, nothing written
    expect(page.locator("#ana-notice")).to_contain_text("排除预警须填写原因", timeout=15_000)
    assert state_of(engine, alert_id) == "acknowledged"
    page.locator("#ana-note").fill("施工单位已报备，非异常")
    page.locator("#ana-dismiss").click()
    expect(detail.locator('li[data-to="dismissed"]')).to_contain_text("施工单位已报备", timeout=15_000)
    assert state_of(engine, alert_id) == "dismissed"
    expect(page.locator("#ana-actions")).to_be_hidden()
    expect(page.locator(grid_row(alert_id))).to_have_count(0)  # no longer live

    # English: the same alert under 全部 / All, its English explanation and history
    page.locator("#gy-lang-switch").click()
    page.locator("#ana-state").get_by_text("All", exact=True).click()
    row = page.locator(grid_row(alert_id))
    expect(row).to_contain_text("last 2 h: 14 / usually ~1.2", timeout=15_000)
    expect(row).to_contain_text("dismissed")
    row.locator('[col-id="title"]').click()
    expect(detail).to_contain_text(f"({mark})", timeout=15_000)
    expect(detail).to_contain_text("Expected")
    expect(detail.locator('li[data-to="dismissed"]')).to_contain_text("acknowledged → dismissed")
    screenshot(page, "analysis-alerts-en")


def test_a_stale_action_is_refused_in_the_users_language(
    page: Page, app_server: AppServer, engine: Engine
) -> None:
    alert_id, _ = committed_alert(engine, "520102")
    sign_in(page, app_server.base, "lead", "/analysis")
    page.locator(grid_row(alert_id)).locator('[col-id="title"]').click(timeout=20_000)
    expect(page.locator(f'#ana-detail h4[data-alert="{alert_id}"]')).to_be_visible(timeout=15_000)
    move(engine, alert_id, "acknowledged")  # someone else, meanwhile
    page.locator("#ana-escalate").click()
    expect(page.locator("#ana-notice")).to_contain_text("已被他人处理", timeout=15_000)
    assert state_of(engine, alert_id) == "acknowledged"
    # 转专项整治 hands the alert to the campaigns' form, which opens prefilled; creating the campaign moves the alert
    page.locator("#ana-campaign").click()
    expect(page.locator("#anc-form")).to_be_visible(timeout=15_000)
    assert state_of(engine, alert_id) == "acknowledged"
    page.locator("#anc-submit").click()
    expect(page.locator("#anc-notice")).to_contain_text("已创建专项整治", timeout=20_000)
    assert state_of(engine, alert_id) == "campaign"


def test_a_link_to_one_alert_opens_it(page: Page, app_server: AppServer, engine: Engine) -> None:
    """``/analysis?alert=ID``, the link of a notification or an alarm: the alerts tab opens on that alert (through
    the user's scope: another district's officer gets no detail)."""
    alert_id, mark = committed_alert(engine, "520102", category="C0101", observed=17, expected=2.0)
    sign_in(page, app_server.base, "lead", f"/analysis?alert={alert_id}")
    detail = page.locator("#ana-detail")
    expect(detail.locator(f'h4[data-alert="{alert_id}"]')).to_be_visible(timeout=20_000)
    expect(detail).to_contain_text(mark)
    page.goto(f"{app_server.base}/analysis?alert=99999999")  # no such alert: the tab, no detail
    expect(page.locator(grid_row(alert_id))).to_be_visible(timeout=20_000)
    expect(detail.locator("h4[data-alert]")).to_have_count(0)


def test_the_list_exports_as_csv(page: Page, app_server: AppServer, engine: Engine) -> None:
    alert_id, mark = committed_alert(engine, "520102", category="C0101", observed=23, expected=2.5)
    sign_in(page, app_server.base, "lead", "/analysis")
    expect(page.locator(grid_row(alert_id))).to_be_visible(timeout=20_000)
    with page.expect_download(timeout=20_000) as got:
        page.locator("#ana-export").click()
    body = got.value.path().read_text(encoding="utf-8-sig")
    head, *lines = body.splitlines()
    assert head.startswith("id,kind,state,category_code,category,district_code,district")
    mine = next(line for line in lines if line.startswith(f"{alert_id},"))
    assert mark in mine and ",520102,南明区," in mine and ",23," in mine and "新预警" in mine


# --- the wall -----------------------------------------------------------------------------------------------------


def test_a_new_alert_reaches_the_wall_by_push(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    ctx = guarded_context(browser, app_server.base, foreign, viewport={"width": 1920, "height": 1080})
    ctx.route("**/tiles/**", lambda route: route.fulfill(status=204))
    wall = ctx.new_page()
    sign_in(wall, app_server.base, "lead", "/wall")
    wall.goto(app_server.base + "/wall?fallback=3600")  # push only: the fallback would come after an hour
    expect(wall.locator("#wall-conn")).to_have_class("wall-conn wall-conn-open", timeout=30_000)
    expect(wall.locator(".ana-wall-title")).to_be_visible(timeout=20_000)
    wall.wait_for_timeout(1500)

    t0 = time.monotonic()
    alert_id, mark = committed_alert(engine, "520103", observed=14, expected=1.2)
    item = wall.locator(f'.ana-wall-item[data-alert="{alert_id}"]')
    expect(item).to_be_visible(timeout=8_000)
    took = time.monotonic() - t0
    print(f"alert → wall panel by push: {took * 1000:.0f} ms")
    expect(item).to_contain_text("井盖破损")
    expect(item).to_contain_text("近2小时 14 件 / 往常约 1.2 件")
    assert mark in (item.get_attribute("title") or "")
    # the panel holds what it lists: nothing cut at its bottom, however many alerts earlier tests left
    cut = wall.evaluate(
        "() => { const p = document.querySelector('.ana-wall-panel'); return p.scrollHeight - p.clientHeight; }"
    )
    assert cut <= 1, f"the 预警 panel overflows by {cut} px"
    marker = wall.locator(f'.ana-marker [data-alert="{alert_id}"]')
    expect(marker).to_be_attached(timeout=5_000)
    wall.wait_for_timeout(1000)
    screenshot(wall, "wall-alert-1080p")
    marker.dispatch_event("click")  # its explanation on click (markers of earlier tests may lie on top)
    expect(wall.locator(".ana-popup")).to_contain_text(mark, timeout=5_000)

    move(engine, alert_id, "escalated")  # a state change leaves the live panel, by push too
    expect(item).to_have_count(0, timeout=8_000)
    ctx.close()
    assert took < 5.0
    assert foreign == [], f"the wall asked other hosts: {foreign[:5]}"


# --- scope through every callback ----------------------------------------------------------------------------------


def _body(dep: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    names = dep["output"].strip(".").split("...")
    outputs = [{"id": n.rsplit(".", 1)[0], "property": n.rsplit(".", 1)[1].split("@")[0]} for n in names]

    def item(x: dict[str, str]) -> Any:
        if x["id"].startswith("{"):
            return []  # a pattern-matching input: no such component drawn
        return {"id": x["id"], "property": x["property"], "value": values.get(f"{x['id']}.{x['property']}")}

    inputs = [item(x) for x in dep["inputs"]]
    first = next(x for x in inputs if isinstance(x, dict))
    return {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{first['id']}.{first['property']}"],
        "state": [item(x) for x in dep["state"]],
    }


def test_an_officer_never_reads_another_districts_alert(app_server: AppServer, engine: Engine) -> None:
    theirs, their_mark = committed_alert(engine, "520102")
    mine, my_mark = committed_alert(engine, "520103")
    base = app_server.base
    deps = [
        d
        for d in httpx.get(base + "/_dash-dependencies").json()
        if not d.get("clientside_function") and "ana-" in d["output"]
    ]
    assert len(deps) >= 7
    values: dict[str, Any] = {
        "an-filters.data": {"days": 30, "category": None, "district": None},
        "ana-state.value": "all",
        "ana-refresh.data": 1,
        "ana-selected.data": {"id": theirs},
        "ana-shown.data": {"id": theirs, "version": 1},
        "ana-points.clickData": {"properties": {"id": theirs}},
        "ana-list.cellClicked": {"rowId": str(theirs), "colId": "title", "value": "x"},
        "ana-note.value": "越权测试",
        "ana-ack.n_clicks": 1,
        "ana-dismiss.n_clicks": 1,
        "ana-escalate.n_clicks": 1,
        "ana-campaign.n_clicks": 1,
        "ana-export.n_clicks": 1,
        "ana-wall-bell.data": {"n": 1},
        "wall-fallback.n_intervals": 1,
        "gy-lang.data": "zh",
    }
    said: list[str] = []
    with httpx.Client(base_url=base, timeout=30) as officer:
        sign_in_client(officer, "yunyan", PASSWORDS["yunyan"], "/analysis")
        headers = {"X-CSRFToken": officer.cookies["_csrf_token"]}
        for dep in deps:
            for trigger in [x for x in dep["inputs"] if not x["id"].startswith("{")]:
                body = _body(dep, values)
                body["changedPropIds"] = [f"{trigger['id']}.{trigger['property']}"]
                r = officer.post("/_dash-update-component", json=body, headers=headers)
                assert r.status_code in (200, 204), (dep["output"], r.status_code, r.text[:300])
                text_ = json.dumps(r.json(), ensure_ascii=False) if r.status_code == 200 else ""
                assert their_mark not in text_, dep["output"]
                if not dep["output"].startswith("ana-selected"):  # that one only echoes the id it was sent
                    assert not re.search(rf'"(alert_)?id": "?{theirs}"?[,}}]', text_), dep["output"]
                said.append(text_)
    assert state_of(engine, theirs) == "new"  # no action reached it
    assert any(my_mark in s for s in said)  # the officer's own alert was readable: the test can see a leak
    assert any(re.search("不存在或不在您的范围内|预警不存在", s) for s in said)
