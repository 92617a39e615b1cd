"""/workbench in real Chromium on the real app and the test database: a case filed, dispatched, handled with a
photo and verified by clicking; the officer's scope, also against forged callback requests; two browsers
racing on one case; no request to any other host.

Cases are created through the workflow commands in committed transactions, each at its own random point, and
left in place: no test depends on data being absent."""

from __future__ import annotations

import io
import json
import random
import re
import uuid
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import Engine, text

from ops import workflow as wf
from ops.states import CaseStatus
from ops.workflow import Actor, CaseResult
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, HeldCall, guard_own_host, outputs_of, screenshot, sign_in
from tests.support.cases import staff_actor
from tests.support.desk import clear_desk


@pytest.fixture(scope="module", autouse=True)
def _clear_desk(engine: Engine) -> None:
    """Earlier modules' open cases and alarms ended: this module's cases are on the queue's first page."""
    clear_desk(engine)


NANMING = (106.7119, 26.5716)  # 甲秀楼, 南明区
YUNYAN = (106.7135, 26.5838)  # 云岩区
STREET_LIGHT = "C0102"  # 路灯不亮: the city bureau (CGJ) in the central districts
CONTEXT = {"viewport": {"width": 1600, "height": 900}, "locale": "zh-CN"}
_rng = random.Random(20260302)  # seeded: the same points every run


def new_case(
    engine: Engine,
    near: tuple[float, float],
    district: str,
    *,
    status: CaseStatus = CaseStatus.REPORTED,
    category: str = STREET_LIGHT,
) -> CaseResult:
    """A case at a random point within ~150 m of ``near`` (in ``district``), driven to ``status``, committed."""
    lead = staff_actor(engine, "lead")
    with engine.begin() as conn:
        r = wf.report(
            conn,
            Actor.system(),
            category_code=category,
            lon=near[0] + _rng.uniform(-0.0015, 0.0015),
            lat=near[1] + _rng.uniform(-0.001, 0.001),
            description=f"浏览器测试 {uuid.uuid4().hex[:8]}",
            source="inspector",
            address="测试路",
        )
        assert r.district_code == district
        if status is not CaseStatus.REPORTED:
            r = wf.file_case(conn, lead, r.id, r.version)
        if status in (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS):
            r = wf.dispatch(conn, lead, r.id, r.version)
        if status is CaseStatus.IN_PROGRESS:
            r = wf.start(conn, lead, r.id, r.version)
    return r


def case_row(engine: Engine, case_id: int) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text('SELECT status, version, department_code FROM "case" WHERE id = :id'), {"id": case_id}
        ).one()


def open_workbench(page: Page, base: str, user: str) -> None:
    sign_in(page, base, user)
    expect(page.locator("#wb-queue-count")).to_contain_text("件", timeout=20_000)


def open_card(page: Page, ticket: str) -> None:
    page.locator(".wb-row", has_text=ticket).click()
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(ticket, timeout=15_000)


def choose(page: Page, label: str) -> Any:
    """Open the form of the action ``label`` (one at a time) and return it."""
    page.locator("#wb-card .wb-choose-btn", has_text=re.compile(f"^{re.escape(label)}$")).click()
    form = page.locator("#wb-card .wb-act-panel:not([hidden])")
    expect(form).to_have_count(1)
    expect(form.locator(".wb-act-title")).to_have_text(label)
    return form


def act(page: Page, label: str) -> None:
    """Choose the action ``label`` (its form stays open, with what was typed) and confirm it."""
    choose(page, label).locator(".wb-act-btn").click()


def expect_status(page: Page, label: str) -> None:
    expect(page.locator("#wb-card .wb-card-head .wb-status")).to_have_text(label, timeout=15_000)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 90)).save(out, format="PNG")
    return out.getvalue()


def test_file_dispatch_handle_with_photo_and_verify_by_clicking(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    case = new_case(engine, NANMING, "520102")
    base = app_server.base

    # the dispatcher: pick the case in the queue, file it, dispatch it to the suggested department
    ctx = browser.new_context(**CONTEXT)
    page = ctx.new_page()
    guard_own_host(ctx, base, foreign)
    open_workbench(page, base, "dispatcher")
    open_card(page, case.ticket)
    expect(page.locator(".wb-row.is-sel")).to_contain_text(case.ticket)
    expect(page.locator("path.wb-hl")).to_have_count(1, timeout=10_000)  # the ring around the pin
    expect_status(page, "待受理")
    act(page, "立案")
    expect(page.locator("#wb-card-notice")).to_contain_text("立案成功", timeout=15_000)
    expect_status(page, "待派遣")
    department = choose(page, "派遣").locator("input")
    expect(department.first).to_have_value("贵阳市城市管理局 (CGJ)")  # pre-selected from routing
    act(page, "派遣")
    expect(page.locator("#wb-card-notice")).to_contain_text("派遣成功", timeout=15_000)
    expect_status(page, "待处置")
    assert case_row(engine, case.id).department_code == "CGJ"
    ctx.close()

    # the city bureau: report it handled with a note and a photo
    ctx = browser.new_context(**CONTEXT)
    page = ctx.new_page()
    guard_own_host(ctx, base, foreign)
    open_workbench(page, base, "cgj")
    open_card(page, case.ticket)
    form = choose(page, "处置反馈")
    form.locator("textarea").fill("已更换灯泡，恢复照明")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "fixed.png", "mimeType": "image/png", "buffer": png()}]
    )
    expect(form).to_contain_text("fixed.png")
    act(page, "处置反馈")
    expect(page.locator("#wb-card-notice")).to_contain_text("处置反馈成功", timeout=15_000)
    expect_status(page, "待核查")
    expect(page.locator("#wb-card")).to_contain_text("照片 1 张")
    expect(page.locator("#wb-card")).to_contain_text("1 张（上报 0，处置 1）")
    thumb = page.locator("#wb-card img.wb-thumb")
    expect(thumb).to_have_count(1)
    # functions, not bare expressions: Playwright evaluates a bare expression again on each poll, which the
    # Content-Security-Policy (no 'unsafe-eval') refuses; a function is evaluated once
    page.wait_for_function("() => document.querySelector('#wb-card img.wb-thumb').naturalWidth > 0")
    screenshot(page, "workbench-card-handled")
    ctx.close()

    # the shift lead: verify on site, pass → closed, with the whole history
    ctx = browser.new_context(**CONTEXT)
    page = ctx.new_page()
    guard_own_host(ctx, base, foreign)
    open_workbench(page, base, "lead")
    open_card(page, case.ticket)
    act(page, "核查通过")
    expect(page.locator("#wb-card-notice")).to_contain_text("核查通过成功", timeout=15_000)
    expect_status(page, "已结案")
    history = page.locator("#wb-card .wb-history")
    for step in ("上报", "立案", "派遣", "处置反馈", "核查通过"):
        expect(history).to_contain_text(step)
    expect(history).to_contain_text("已更换灯泡，恢复照明")
    expect(history).to_contain_text("部门：贵阳市城市管理局")
    screenshot(page, "workbench-card-closed")
    ctx.close()

    with engine.connect() as conn:
        events = conn.execute(
            text("SELECT action, actor_role FROM case_event WHERE case_id = :id ORDER BY id"), {"id": case.id}
        ).all()
        photos = conn.execute(text("SELECT kind FROM photo WHERE case_id = :id"), {"id": case.id}).all()
        # reporting it handled asked the supervisors to verify (a task without a person)
        supervisor_tasks = conn.execute(
            text("SELECT count(*) FROM verification_task WHERE case_id = :id AND person_id IS NULL"),
            {"id": case.id},
        ).scalar_one()
    assert [tuple(e) for e in events] == [
        ("report", "system"),
        ("file", "dispatcher"),
        ("dispatch", "dispatcher"),
        ("handle", "department"),
        ("verify_pass", "lead"),
    ]
    assert [p.kind for p in photos] == ["handled"]
    assert supervisor_tasks == 1
    assert foreign == [], f"the pages asked other hosts: {foreign[:5]}"


def test_a_pin_opens_the_card_and_selects_the_row(
    page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    case = new_case(engine, YUNYAN, "520103")
    open_workbench(page, app_server.base, "dispatcher")
    open_card(page, case.ticket)  # the map flies to the case, close enough to show single pins
    page.locator("#wb-card-close").click()
    expect(page.locator("#wb-card")).to_be_hidden()
    expect(page.locator(".wb-row.is-sel")).to_have_count(0)
    pin = page.locator(f"path.wb-pin-{case.id}")  # its own pin, out of any cluster at this zoom
    expect(pin).to_be_visible(timeout=15_000)
    page.wait_for_timeout(1000)  # the flight has ended: the pin stays where it is
    pin.click()
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(case.ticket, timeout=15_000)
    expect(page.locator(".wb-row.is-sel")).to_contain_text(case.ticket)
    screenshot(page, "workbench-card")
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"


# --- scope ----------------------------------------------------------------------------------------------------


def _callback(page: Page, base: str, outputs: tuple[str, ...]) -> dict[str, Any]:
    """The callback of /_dash-dependencies whose outputs are exactly ``outputs`` (``"id.prop"``)."""
    deps = page.context.request.get(base + "/_dash-dependencies").json()
    for d in deps:
        if d["output"].strip(".").split("...") == list(outputs):
            return d  # type: ignore[no-any-return]
    raise AssertionError(f"no callback for {outputs}")


def _post(page: Page, base: str, body: dict[str, Any]) -> Any:
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_csrf_token")
    return page.context.request.post(
        base + "/_dash-update-component",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf},
    )


def _said(resp: Any) -> str:
    """A callback's answer as readable text (Dash escapes non-ASCII characters)."""
    return json.dumps(resp.json(), ensure_ascii=False)


def _forge_action(page: Page, base: str, case: CaseResult, action: str) -> Any:
    """What the action callback receives when the button ``action`` of a card showing ``case`` is clicked."""
    fields = '{"a":["ALL"],"f":["ALL"],"type":"wb-field"}.error'
    dep = _callback(page, base, ("wb-refresh.data", "wb-drafts.data", fields))
    btn = {"a": action, "type": "wb-btn"}
    body = {
        "output": dep["output"],
        # the forms' fields (a pattern-matching output): none on this page
        "outputs": [{"id": "wb-refresh", "property": "data"}, {"id": "wb-drafts", "property": "data"}, []],
        # the click, as the browser relays it (dashboard/clicks.py)
        "inputs": [{"id": "wb-btn-click", "property": "data", "value": {"id": btn, "at": 1}}],
        "changedPropIds": ["wb-btn-click.data"],
        "state": [
            {"id": "wb-card-state", "property": "data", "value": {"id": case.id, "version": case.version}},
            [],
            [],
            [],
            [],
            {"id": "gy-lang", "property": "data", "value": "zh"},
            {"id": "wb-refresh", "property": "data", "value": {"n": 0}},
        ],
    }
    return _post(page, base, body)


def test_an_officer_of_yunyan_cannot_see_or_act_on_a_nanming_case(
    page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    nanming = new_case(engine, NANMING, "520102", status=CaseStatus.DISPATCHED)
    yunyan = new_case(engine, YUNYAN, "520103", status=CaseStatus.DISPATCHED)
    base = app_server.base
    open_workbench(page, base, "yunyan")
    expect(page.locator("#wb-scope")).to_contain_text("云岩区")
    expect(page.locator("#wb-queue")).to_contain_text(yunyan.ticket)
    expect(page.locator("#wb-queue")).not_to_contain_text(nanming.ticket)
    assert "520102" not in page.locator("#wb-queue").inner_text()

    # the action callback, called by hand: the 南明区 case stays as it was ...
    before = case_row(engine, nanming.id)
    resp = _forge_action(page, base, nanming, "start")
    assert resp.status == 200, resp.text()
    assert "不在您的辖区" in _said(resp)
    assert case_row(engine, nanming.id) == before
    # ... while the very same request for a 云岩区 case works (the request is well-formed)
    resp = _forge_action(page, base, yunyan, "start")
    assert resp.status == 200 and "开始处置成功" in _said(resp), resp.text()
    assert case_row(engine, yunyan.id).status == "in_progress"

    # the card callback, called by hand, shows nothing of the 南明区 case
    card = ("wb-card.hidden", "wb-card-info.children", "wb-card-notice.children", "wb-card-actions.children",
            "wb-card-more.children", "wb-card-state.data", "wb-highlight.children")  # fmt: skip
    deps = page.context.request.get(base + "/_dash-dependencies").json()
    dep = next(d for d in deps if d["output"].strip(".").split("...")[: len(card)] == list(card))
    outputs: list[Any] = [
        [] if o.startswith("{") else dict(zip(("id", "property"), o.rsplit(".", 1), strict=True))
        for o in dep["output"].strip(".").split("...")
    ]  # the forms' texts (pattern-matching outputs): no form on this page
    assert len(outputs) > len(card) and all(o == [] for o in outputs[len(card) :])
    body = {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": [
            {"id": "wb-selected", "property": "data", "value": {"id": nanming.id}},
            {"id": "wb-refresh", "property": "data", "value": {"n": 0}},
            {"id": "wbp-changed", "property": "data", "value": {"n": 0}},
            {"id": "gy-lang", "property": "data", "value": "zh"},
        ],
        "changedPropIds": ["wb-selected.data"],
        "state": [
            {"id": "wb-drafts", "property": "data", "value": None},
            {"id": "wb-card-state", "property": "data", "value": None},
            [],
            [],
        ],
    }
    resp = _post(page, base, body)
    assert resp.status == 200, resp.text()
    assert nanming.ticket not in resp.text() and "不在您的辖区、部门范围内" in _said(resp)

    # without the CSRF header the callback endpoint refuses a signed-in session outright
    plain = page.context.request.post(base + "/_dash-update-component", data=json.dumps(body),
                                      headers={"Content-Type": "application/json"})  # fmt: skip
    assert plain.status == 403
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"


# --- conflicts ------------------------------------------------------------------------------------------------


@pytest.fixture
def two(browser: Browser, app_server: AppServer, foreign: ForeignRequests) -> Any:
    contexts = [browser.new_context(**CONTEXT) for _ in range(2)]
    for c in contexts:
        guard_own_host(c, app_server.base, foreign)
    yield [c.new_page() for c in contexts]
    for c in contexts:
        c.close()


def test_two_browsers_on_one_case_one_success_one_clear_conflict(
    two: list[Page], app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    case = new_case(engine, NANMING, "520102")
    first, second = two
    # the second page hears no push (its stream refused): its card stays as it was, as in the second before a
    # push arrives, and the server's refusal of the stale action is what is tested
    second.context.route("**/push/events*", lambda route: route.abort())
    open_workbench(first, app_server.base, "dispatcher")
    open_workbench(second, app_server.base, "lead")
    for page in two:
        open_card(page, case.ticket)
        expect_status(page, "待受理")

    act(first, "立案")
    expect(first.locator("#wb-card-notice")).to_contain_text("立案成功", timeout=15_000)

    reason = choose(second, "不予立案").locator("input")
    reason.fill("重复上报")
    act(second, "不予立案")
    notice = second.locator("#wb-card-notice")
    expect(notice).to_contain_text("刚被其他人修改", timeout=15_000)
    expect_status(second, "待派遣")  # the card shows the new state at once
    screenshot(second, "workbench-conflict")
    row = case_row(engine, case.id)
    assert (row.status, row.version) == ("filed", 2)
    with engine.connect() as conn:
        n = conn.execute(
            text("SELECT count(*) FROM case_event WHERE case_id = :id"), {"id": case.id}
        ).scalar()
    assert n == 2  # report + file; the refused reject wrote nothing
    assert foreign == []


def test_a_conflict_keeps_what_was_typed(two: list[Page], app_server: AppServer, engine: Engine) -> None:
    case = new_case(engine, YUNYAN, "520103", status=CaseStatus.DISPATCHED)
    first, second = two
    for page in two:
        open_workbench(page, app_server.base, "lead")
        open_card(page, case.ticket)

    def extend(page: Page, amount: str, reason: str) -> None:
        form = choose(page, "延期")
        form.locator("input").nth(0).fill(amount)
        form.locator("input").nth(1).fill(reason)
        act(page, "延期")

    extend(first, "2", "等待配件")
    expect(first.locator("#wb-card-notice")).to_contain_text("延期成功", timeout=15_000)
    extend(second, "3", "雨天无法施工")
    expect(second.locator("#wb-card-notice")).to_contain_text("刚被其他人修改", timeout=15_000)
    form = second.locator("#wb-card .wb-act-panel:not([hidden])")  # still open, as it was
    expect(form.locator("input").nth(0)).to_have_value("3")
    expect(form.locator("input").nth(1)).to_have_value("雨天无法施工")
    expect(second.locator("#wb-card .wb-history")).to_contain_text("等待配件")  # the other's step is shown
    act(second, "延期")  # a second, informed try goes through
    expect(second.locator("#wb-card-notice")).to_contain_text("延期成功", timeout=15_000)
    assert case_row(engine, case.id).version == case.version + 2


def test_a_refused_action_explains_itself_and_keeps_the_input(
    page: Page, app_server: AppServer, engine: Engine
) -> None:
    case = new_case(engine, NANMING, "520102", status=CaseStatus.DISPATCHED)
    open_workbench(page, app_server.base, "lead")
    open_card(page, case.ticket)
    form = choose(page, "延期")
    form.locator("input").nth(0).fill("1")
    act(page, "延期")  # no reason given
    expect(page.locator("#wb-card-notice")).to_contain_text("请填写延期原因", timeout=15_000)
    expect(form.locator("input").nth(0)).to_have_value("1")
    assert case_row(engine, case.id).version == case.version


# --- where the map opens ------------------------------------------------------------------------------------

# Leaflet's maps, kept as they are made: the page's global ``L`` is caught when Leaflet sets it
KEEP_MAPS = """(() => {
    let leaflet;
    Object.defineProperty(window, "L", {configurable: true, get() { return leaflet; }, set(value) {
        leaflet = value;
        value.Map.addInitHook(function () { (window.gyMaps = window.gyMaps || []).push(this); });
    }});
})();"""
MAP_VIEW = """(() => {
    const map = (window.gyMaps || []).find((m) => m.getContainer().id === "wb-map" && m._loaded);
    if (!map) { return null; }
    const b = map.getBounds();
    return {zoom: map.getZoom(), box: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]};
})()"""


def _desk(browser: Browser, base: str, foreign: ForeignRequests) -> BrowserContext:
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    guard_own_host(ctx, base, foreign)
    ctx.add_init_script(KEEP_MAPS)
    return ctx


def _map_view(page: Page) -> dict[str, Any]:
    """The view of the workbench's Leaflet map, once it has settled."""
    page.wait_for_function(f"() => {MAP_VIEW} !== null")  # a function: see the photo test
    page.wait_for_timeout(300)  # no animation runs at the first view; leave time for one if there were
    view: dict[str, Any] = page.evaluate(MAP_VIEW)
    view["box"] = tuple(view["box"])
    return view


def _district_box(engine: Engine, code: str) -> tuple[float, float, float, float]:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM district WHERE code = :c"
            ),
            {"c": code},
        ).one()
    return tuple(float(v) for v in row)  # type: ignore[return-value]


def _label_points(engine: Engine) -> dict[str, tuple[float, float]]:
    """A point inside each central district."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT code, ST_X(p), ST_Y(p) FROM (SELECT code, ST_PointOnSurface(geom) AS p FROM district "
                 "WHERE has_grid) x")
        ).all()  # fmt: skip
    return {r[0]: (float(r[1]), float(r[2])) for r in rows}


def _contains(box: tuple[float, ...], point: tuple[float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _pins_requests(page: Page) -> list[dict[str, Any]]:
    """The callback requests asking for the map's pins, as they are sent."""
    sent: list[dict[str, Any]] = []

    def on_request(request: Any) -> None:
        if "/_dash-update-component" in request.url:
            body = json.loads(request.post_data or "{}")
            if "wb-pins.data" in body.get("output", ""):
                sent.append(body)

    page.on("request", on_request)
    return sent


def test_an_officers_map_opens_on_their_district_a_dispatchers_on_the_city(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    case = new_case(engine, YUNYAN, "520103")
    district = _district_box(engine, "520103")
    d_west, d_south, d_east, d_north = district
    base = app_server.base

    ctx = _desk(browser, base, foreign)
    page = ctx.new_page()
    pins_asked = _pins_requests(page)
    open_workbench(page, base, "yunyan")
    expect(page.locator("#wb-map-status")).to_contain_text(
        "地图上", timeout=15_000
    )  # pins for the fitted view
    officer = _map_view(page)
    west, south, east, north = officer["box"]
    eps = 1e-6
    # the whole district is in view ...
    assert west <= d_west + eps and south <= d_south + eps and east >= d_east - eps and north >= d_north - eps
    # ... and hardly more: fitted to it (quarter zoom steps, a little padding, the map's own proportions)
    assert east - west < 1.35 * (d_east - d_west) and north - south < 2.5 * (d_north - d_south), officer
    assert officer["zoom"] > 12 and officer["zoom"] % 0.25 == 0
    assert _contains(district, ((west + east) / 2, (south + north) / 2))
    # their district is drawn out (one outline in the "own" colour), the rest of the city greyed
    own = page.locator('#wb-map path.leaflet-interactive[stroke="#1c64a8"]')
    expect(own).to_have_count(1, timeout=15_000)
    assert page.locator('#wb-map path.leaflet-interactive[stroke="#8a99a8"]').count() >= 5
    screenshot(page, "workbench-officer-first-view")
    # filters work on the fitted map: the queue and the pins follow them
    expect(page.locator("#wb-queue")).to_contain_text(case.ticket)
    page.locator("#wb-f-window").get_by_text("近7天").click()
    expect(page.locator("#wb-queue")).to_contain_text(case.ticket, timeout=15_000)
    expect(page.locator("#wb-map-status")).to_contain_text("地图上", timeout=15_000)
    # the pins were asked for the fitted view only: none for a guessed view before Leaflet had fitted the map
    view = next(i for i in pins_asked[0]["inputs"] if i["id"] == "wb-view")["value"]
    assert view["zoom"] == officer["zoom"], view
    ctx.close()

    ctx = _desk(browser, base, foreign)
    page = ctx.new_page()
    open_workbench(page, base, "dispatcher")
    dispatcher = _map_view(page)
    screenshot(page, "workbench-dispatcher-first-view")
    assert dispatcher["zoom"] == 12  # the city view, as before
    expect(page.locator("#wb-map path.leaflet-interactive").first).to_be_attached(timeout=15_000)
    assert (
        page.locator('#wb-map path.leaflet-interactive[stroke="#1c64a8"]').count() == 0
    )  # no district of theirs
    centre = _label_points(engine)
    for code in ("520102", "520103", "520115"):  # 南明, 云岩, 观山湖
        assert _contains(dispatcher["box"], centre[code]), (code, dispatcher)
    w, s, e, n = dispatcher["box"]
    assert (e - w) * (n - s) > 1.5 * (east - west) * (north - south)
    ctx.close()
    assert foreign == [], f"the pages asked other hosts: {foreign[:5]}"


def test_department_staff_open_on_their_departments_open_cases(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    new_case(engine, YUNYAN, "520103", status=CaseStatus.DISPATCHED)  # to CGJ, the city bureau
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (SELECT ST_Extent(geom) AS b "
                "FROM \"case\" WHERE department_code = 'CGJ' AND status NOT IN ('closed', 'rejected', 'merged')) x"
            )
        ).one()
    extent = tuple(float(v) for v in row)
    ctx = _desk(browser, app_server.base, foreign)
    page = ctx.new_page()
    open_workbench(page, app_server.base, "cgj")
    view = _map_view(page)
    west, south, east, north = view["box"]
    assert west <= extent[0] and south <= extent[1] and east >= extent[2] and north >= extent[3], (
        view,
        extent,
    )
    # fitted: tight in one direction (quarter zoom steps, a little padding), or a neighbourhood around few cases
    tight = min(
        (east - west) / (extent[2] - extent[0] or 1e-9), (north - south) / (extent[3] - extent[1] or 1e-9)
    )
    assert view["zoom"] == 14 or (view["zoom"] < 14 and tight < 1.3), (view, extent)
    screenshot(page, "workbench-department-first-view")
    ctx.close()
    assert foreign == []


# --- language -------------------------------------------------------------------------------------------------

MARK = "(sel) => { const el = document.querySelector(sel); return el ? el.gyMark || null : 'gone'; }"


def test_switching_language_keeps_the_card_and_what_was_typed(
    page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    case = new_case(engine, YUNYAN, "520103", status=CaseStatus.DISPATCHED)  # to the city bureau
    note = "已到现场，正在更换灯泡（写了一半"
    open_workbench(page, app_server.base, "cgj")
    open_card(page, case.ticket)
    form = choose(page, "处置反馈")
    form.locator("textarea").fill(note)
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "half.png", "mimeType": "image/png", "buffer": png()}]
    )
    expect(form).to_contain_text("已选 1 张：half.png")
    page.evaluate("document.querySelector('#wb-card textarea').gyMark = 'typed-in-zh'")

    page.locator("#gy-lang-switch").click()
    # the labels are in English ...
    expect(page.locator("#wb-card .wb-act-btn", has_text="Report handled")).to_be_visible(timeout=15_000)
    expect(form).to_contain_text("What was done")
    expect(form).to_contain_text("Photos of the work")
    expect(form).to_contain_text("1 chosen: half.png")
    expect(page.locator("#wb-card h4", has_text="Actions")).to_be_visible()
    expect(page.locator("#wb-card .wb-card-head .wb-status")).to_have_text("Dispatched")
    expect(page.locator("#wb-card-close")).to_have_attribute("title", "Close")
    expect(page.locator("#wb-queue-count")).to_contain_text("cases")
    # ... the same case is selected, its card open, and the note still there: in the very same text box
    expect(page.locator("#wb-card")).to_be_visible()
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(case.ticket)
    expect(page.locator(".wb-row.is-sel")).to_contain_text(case.ticket)
    expect(form.locator("textarea")).to_have_value(note)
    assert page.evaluate(MARK, "#wb-card textarea") == "typed-in-zh"  # relabelled, not drawn again
    assert "处置" not in page.locator("#wb-card-actions").inner_text()
    screenshot(page, "workbench-card-english-kept")

    # what the page holds is what the action gets: the note and the photo chosen before the switch
    act(page, "Report handled")
    expect(page.locator("#wb-card-notice")).to_contain_text(f"done for {case.ticket}", timeout=15_000)
    with engine.connect() as conn:
        handled = conn.execute(
            text(
                "SELECT e.note, (SELECT count(*) FROM photo p WHERE p.case_id = e.case_id) FROM case_event e "
                "WHERE e.case_id = :id AND e.action = 'handle'"
            ),
            {"id": case.id},
        ).one()
    assert tuple(handled) == (note, 1)
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"


def test_a_queue_relabelled_while_the_map_moves_still_shows_the_new_language(
    page: Page, app_server: AppServer
) -> None:
    """The queue follows the map only with 只看地图范围内 on; otherwise a moved map asks nothing of it. A map that
    moves while the queue's relabelled answer is on its way (the language switched) must not take its place."""
    page.add_init_script(KEEP_MAPS)
    open_workbench(page, app_server.base, "dispatcher")
    relabel = HeldCall(
        page, lambda b: "wb-queue-count" in outputs_of(b) and "gy-lang.data" in b.get("changedPropIds", [])
    )
    page.locator("#gy-lang-switch").click()
    relabel.wait()
    page.evaluate(
        "() => window.gyMaps.find((m) => m.getContainer().id === 'wb-map').panBy([160, 90], {animate: false})"
    )
    page.wait_for_timeout(1_000)  # the moved map's view is out, and whatever it sets off
    relabel.release()
    expect(page.locator("#wb-queue-count")).to_contain_text("cases", timeout=10_000)


def test_switching_language_keeps_the_department_chosen(
    page: Page, app_server: AppServer, engine: Engine
) -> None:
    case = new_case(engine, NANMING, "520102", status=CaseStatus.FILED)
    open_workbench(page, app_server.base, "dispatcher")
    open_card(page, case.ticket)
    button = page.locator(".wb-choose-btn", has_text=re.compile("^(派遣|Dispatch)$"))
    department = choose(page, "派遣").locator("input").first
    expect(department).to_have_value("贵阳市城市管理局 (CGJ)")  # suggested by routing
    department.click()
    department.fill("林业")
    page.locator("#wb-card .mantine-Select-option", has_text="(LYJ)").click()
    expect(department).to_have_value("贵阳市林业局（园林绿化） (LYJ)")

    page.locator("#gy-lang-switch").click()
    expect(button).to_have_text("Dispatch", timeout=15_000)
    expect(department).to_have_value("Guiyang Forestry Bureau (parks and greening) (LYJ)")
    page.locator("#gy-lang-switch").click()  # and back
    expect(button).to_have_text("派遣", timeout=15_000)
    expect(department).to_have_value("贵阳市林业局（园林绿化） (LYJ)")
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(case.ticket)
    act(page, "派遣")
    expect(page.locator("#wb-card-notice")).to_contain_text("派遣成功", timeout=15_000)
    assert case_row(engine, case.id).department_code == "LYJ"
