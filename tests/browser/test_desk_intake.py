"""新建案件 on /workbench in real Chromium: a dispatcher opens the form, is told which field is missing (nothing is
written), clicks the map, picks the category with the keyboard, fills the description and submits: the ticket is
shown, the new case's card opens and the case is in the queue, routed like any report; no other host is asked.
A second call about the same thing, placed by a landmark, is merged; department staff do not get the button."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import FilePayload, Page, expect
from sqlalchemy import Engine, text

from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in
from tests.support.desk import clear_desk


@pytest.fixture(scope="module", autouse=True)
def _clear_desk(engine: Engine) -> None:
    """Earlier modules' open cases and alarms ended: this module's cases are on the queue's first page."""
    clear_desk(engine)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 30)).save(out, format="PNG")
    return out.getvalue()


def case_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text('SELECT count(*) FROM "case"')).scalar_one())


def case_by_ticket(engine: Engine, ticket: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT c.id, c.source, c.status, c.district_code, c.cell_id, c.suggested_department_code, "
                "c.category_code, c.description, p.phone, e.actor_role "
                'FROM "case" c LEFT JOIN person p ON p.id = c.reporter_id '
                "JOIN case_event e ON e.case_id = c.id AND e.action = 'report' WHERE c.ticket = :t"
            ),
            {"t": ticket},
        ).one()


def empty_spot(page: Page) -> tuple[float, float]:
    """Page coordinates near the map's centre (the central districts) where a click lands on the map itself."""
    box = page.locator("#wb-map").bounding_box()
    assert box is not None
    for fx, fy in (
        (0.5, 0.5),
        (0.46, 0.54),
        (0.54, 0.46),
        (0.44, 0.46),
        (0.56, 0.54),
        (0.5, 0.42),
        (0.5, 0.58),
    ):
        x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
        hit = page.evaluate(
            "([x, y]) => { const el = document.elementFromPoint(x, y); return !!el && "
            "!el.closest('.wb-pin, .wb-cluster, .leaflet-marker-icon, .leaflet-control'); }",
            [x, y],
        )
        if hit:
            return x, y
    raise AssertionError("no empty spot on the map")


def open_form(page: Page, base: str, user: str) -> None:
    sign_in(page, base, user)
    expect(page.locator("#wb-queue-count")).to_contain_text("件", timeout=20_000)
    page.locator("#di-open").click()
    expect(page.locator("#di-panel")).to_be_visible()
    expect(page.locator("#di-title")).to_have_text("新建案件")


def choose_category(page: Page, typed: str) -> None:
    """With the keyboard: focus the 小类 select, type to search, Enter picks the first match."""
    page.locator("#di-category").focus()
    page.keyboard.type(typed)
    page.wait_for_timeout(300)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#di-category")).to_have_value("井盖破损 (C0101)")


def test_dispatcher_opens_a_case_from_a_hotline_call(
    page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    open_form(page, app_server.base, "dispatcher")
    screenshot(page, "desk-intake-empty")
    before = case_count(engine)
    page.locator("#di-submit").click()
    notice = page.locator("#di-notice")
    expect(notice).to_contain_text("位置：请在地图上点选位置", timeout=15_000)
    expect(page.locator("#di-panel")).to_contain_text("请在地图上点选位置，或选择一个地标。")
    screenshot(page, "desk-intake-error")
    assert case_count(engine) == before

    x, y = empty_spot(page)
    page.mouse.click(x, y)
    expect(page.locator("#di-pos-text")).to_contain_text("位置：26.", timeout=10_000)
    expect(page.locator("#di-marker .leaflet-marker-icon, .leaflet-marker-icon.di-pin")).to_have_count(1)
    choose_category(page, "井盖破损")
    page.locator("#di-submit").click()
    expect(notice).to_contain_text("问题描述：请填写问题描述。", timeout=15_000)
    assert case_count(engine) == before

    page.locator("#di-description").fill("市民来电：路口井盖缺失")
    page.locator("#di-caller-phone").fill("13800005678")
    upload = page.locator("#di-photos input[type=file]")
    bad: FilePayload = {"name": "note.png", "mimeType": "image/png", "buffer": b"not a picture"}
    upload.set_input_files(files=[bad])
    expect(page.locator("#di-photo-list")).to_contain_text("note.png")
    page.locator("#di-submit").click()
    expect(notice).to_contain_text("照片：", timeout=15_000)
    expect(page.locator("#di-photo-error")).not_to_be_empty()
    assert case_count(engine) == before

    good: FilePayload = {"name": "manhole.png", "mimeType": "image/png", "buffer": png()}
    upload.set_input_files(files=[good])
    expect(page.locator("#di-photo-list")).to_contain_text("manhole.png")
    page.locator("#di-submit").click()
    expect(notice).to_contain_text("已新建案件 GY", timeout=15_000)
    ticket = notice.inner_text().split("已新建案件 ")[1].split("，")[0].split("：")[0].strip()
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(ticket, timeout=15_000)
    row = case_by_ticket(engine, ticket)
    assert (row.source, row.status, row.category_code) == ("hotline", "reported", "C0101")
    assert row.district_code and row.cell_id and row.suggested_department_code
    assert (row.description, row.phone, row.actor_role) == (
        "市民来电：路口井盖缺失",
        "13800005678",
        "dispatcher",
    )
    expect(page.locator("#wb-queue .wb-row", has_text=ticket)).to_have_count(1, timeout=15_000)
    # the form is emptied for the next call, the place too
    expect(page.locator("#di-description")).to_have_value("")
    expect(page.locator("#di-pos-text")).to_have_text("尚未选择位置")
    expect(page.locator("#di-photo-list")).to_be_empty()
    screenshot(page, "desk-intake-success")
    assert not foreign


def test_a_second_call_about_the_same_thing_is_merged(
    page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    open_form(page, app_server.base, "dispatcher")
    page.get_by_role("radio", name="监督员上报").check()
    page.locator("#di-landmark").click()
    page.keyboard.type("甲秀楼")
    page.wait_for_timeout(300)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#di-pos-text")).to_contain_text("位置：26.57160, 106.71190")
    choose_category(page, "井盖破损")
    page.locator("#di-description").fill("监督员：甲秀楼旁井盖缺失")
    page.locator("#di-submit").click()
    notice = page.locator("#di-notice")
    expect(notice).to_contain_text("已新建案件", timeout=15_000)
    first = notice.inner_text().split("已新建案件 ")[1].split("，")[0].split("：")[0].strip()

    page.locator("#di-landmark").click()
    page.keyboard.type("甲秀楼")
    page.wait_for_timeout(300)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#di-pos-text")).to_contain_text("位置：26.57160")
    page.locator("#di-description").fill("监督员：同一个井盖")
    page.locator("#di-submit").click()
    expect(notice).to_contain_text(f"已合并到 {first}", timeout=15_000)
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(first, timeout=15_000)
    assert not foreign


def test_department_staff_get_no_button(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "cgj")
    expect(page.locator("#wb-queue-count")).to_contain_text("件", timeout=20_000)
    expect(page.locator("#di-open")).to_be_hidden()


def _submit_body(page: Page, base: str, point: tuple[float, float]) -> dict[str, Any]:
    """What the 新建案件 submit callback receives when its button is clicked with a filled form."""
    deps = page.context.request.get(base + "/_dash-dependencies").json()
    dep = next(d for d in deps if d["output"].strip(".").startswith("di-notice.children"))
    # "id.prop" each, "id.prop@hash" for an output shared with another callback
    outputs = [
        {"id": ident, "property": prop}
        for ident, prop in (part.rsplit(".", 1) for part in dep["output"].strip(".").split("..."))
    ]
    values = {
        "di-source.value": "hotline",
        "di-pos.data": [point[1], point[0]],
        "di-address.value": None,
        "di-category.value": "C0101",
        "di-description.value": "伪造的请求",
        "di-caller-name.value": None,
        "di-caller-phone.value": None,
        "di-photos.contents": None,
        "gy-lang.data": "zh",
        "wb-refresh.data": {"n": 0},
    }
    state = [
        {"id": s["id"], "property": s["property"], "value": values[f"{s['id']}.{s['property']}"]}
        for s in dep["state"]
    ]
    return {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": [{"id": "di-submit", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["di-submit.n_clicks"],
        "state": state,
    }


def _post(page: Page, base: str, body: dict[str, Any]) -> Any:
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_csrf_token")
    return page.context.request.post(
        base + "/_dash-update-component",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf},
    )


def test_a_forged_submit_by_department_staff_writes_nothing(
    page: Page, app_server: AppServer, engine: Engine
) -> None:
    base = app_server.base
    sign_in(page, base, "cgj")
    expect(page.locator("#wb-queue-count")).to_contain_text("件", timeout=20_000)
    before = case_count(engine)
    body = _submit_body(page, base, (106.7160, 26.5790))
    resp = _post(page, base, body)
    assert resp.status == 204, resp.text()  # no update at all
    assert case_count(engine) == before
    # ... while the very same request by a dispatcher opens the case (the request is well-formed)
    page.locator("#gy-logout").click()
    sign_in(page, base, "dispatcher")
    expect(page.locator("#wb-queue-count")).to_contain_text("件", timeout=20_000)
    resp = _post(page, base, body)
    assert resp.status == 200, resp.text()
    assert "已新建案件" in json.dumps(resp.json(), ensure_ascii=False)
    assert case_count(engine) == before + 1
