"""The case card's actions one at a time, and 挂账 / 延期 asked by a department and decided by a shift lead
(issue 12), in real Chromium on the real app: choosing an action opens its form only, its fields and errors are
named after it, Enter submits and Escape cancels; a department's 延期 request reaches the lead's queue and card,
and the lead's approval moves the deadline. Also the officer's queue switch (仅我可处理 / 显示全部)."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, text

from ops import workflow as wf
from ops.states import CaseStatus
from ops.workflow import Actor, CaseResult
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, guarded_context, screenshot, sign_in
from tests.support.cases import staff_actor
from tests.support.desk import clear_desk


@pytest.fixture(scope="module", autouse=True)
def _clear_desk(engine: Engine) -> None:
    """Earlier modules' open cases and alarms ended: this module's cases are on the queue's first page."""
    clear_desk(engine)


YUNYAN = (106.7135, 26.5838)  # 云岩区
STREET_LIGHT = "C0102"  # 路灯不亮: the city bureau (CGJ) in the central districts
#: Where the screenshots of this part go besides the usual place (GUIYANG_DESK_SHOTS, if set).
DESK_SHOTS = os.environ.get("GUIYANG_DESK_SHOTS")


def shot(page: Page, name: str) -> None:
    screenshot(page, name)
    if DESK_SHOTS:
        Path(DESK_SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(DESK_SHOTS) / f"{name}.png"))


def new_case(engine: Engine, status: CaseStatus, *, dx: float = 0.0) -> CaseResult:
    """A case in 云岩区 driven to ``status`` (dispatched to the city bureau CGJ), committed."""
    lead = staff_actor(engine, "lead")
    with engine.begin() as conn:
        r = wf.report(
            conn,
            Actor.system(),
            category_code=STREET_LIGHT,
            lon=YUNYAN[0] + dx,
            lat=YUNYAN[1],
            description=f"浏览器测试 {uuid.uuid4().hex[:8]}",
            source="inspector",
            address="测试路",
        )
        if status is not CaseStatus.REPORTED:
            r = wf.file_case(conn, lead, r.id, r.version)
            r = wf.dispatch(conn, lead, r.id, r.version, department_code="CGJ")
    return r


def row(engine: Engine, case_id: int) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text('SELECT status, version, deadline, extension_count FROM "case" WHERE id = :id'),
            {"id": case_id},
        ).one()


def open_workbench(page: Page, base: str, user: str) -> None:
    sign_in(page, base, user)
    expect(page.locator("#wb-queue-count")).to_contain_text("件", timeout=20_000)


def open_card(page: Page, ticket: str) -> None:
    page.locator(".wb-row", has_text=ticket).click()
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(ticket, timeout=15_000)


def chooser(page: Page, label: str) -> Any:
    return page.locator("#wb-card .wb-choose-btn", has_text=re.compile(f"^{re.escape(label)}$"))


OPEN = "#wb-card .wb-act-panel:not([hidden])"


def settled(page: Page) -> None:
    """No callback in flight: the page has finished answering, as a person waits to see it before typing on."""
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading]')", timeout=15_000)


def test_one_action_at_a_time_with_named_fields_and_errors(
    page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    case = new_case(engine, CaseStatus.DISPATCHED)
    open_workbench(page, app_server.base, "lead")
    open_card(page, case.ticket)
    # before choosing: the actions as buttons, no form open, no field to fill
    for label in ("回退", "开始处置", "处置反馈", "挂账", "延期", "升级督办"):
        expect(chooser(page, label)).to_be_visible()
    expect(page.locator(OPEN)).to_have_count(0)
    expect(page.locator("#wb-card-actions input:visible")).to_have_count(0)
    shot(page, "forms-lead-card-before")

    # choosing 挂账 opens its form only, labelled after it, with the focus in its field
    chooser(page, "挂账").click()
    form = page.locator(OPEN)
    expect(form).to_have_count(1)
    expect(form.locator(".wb-act-title")).to_have_text("挂账")
    expect(form).to_contain_text("挂账原因")
    expect(form).not_to_contain_text("延期")
    expect(form.locator("input")).to_be_focused()
    expect(chooser(page, "挂账")).to_have_attribute("aria-pressed", "true")
    shot(page, "forms-lead-card-suspend-open")

    # Enter on the empty form: refused, naming the field; nothing written; the form stays open
    page.keyboard.press("Enter")
    expect(page.locator("#wb-card-notice")).to_contain_text("请填写挂账原因。", timeout=15_000)
    expect(page.locator(OPEN)).to_have_count(1)
    expect(form).to_contain_text("请填写挂账原因。")  # under the field itself too
    expect(form.locator("input")).to_have_attribute("aria-invalid", "true")
    assert row(engine, case.id).version == case.version
    shot(page, "forms-lead-card-suspend-error")

    # another choice replaces it; Escape closes it and gives the focus back to its button
    chooser(page, "延期").click()
    expect(page.locator(OPEN)).to_have_count(1)
    expect(page.locator(OPEN).locator(".wb-act-title")).to_have_text("延期")
    expect(page.locator(OPEN)).to_contain_text("延期时长")
    expect(page.locator(OPEN)).to_contain_text("延期原因")
    page.keyboard.press("Escape")
    expect(page.locator(OPEN)).to_have_count(0)
    expect(chooser(page, "延期")).to_be_focused()
    expect(page.locator("#wb-card")).to_be_visible()  # Escape in a form does not close the card

    # 回退 with a reason, by keyboard alone: Enter submits
    chooser(page, "回退").click()
    expect(page.locator(OPEN).locator("input")).to_be_focused()
    settled(page)
    page.keyboard.type("不属本部门")
    page.keyboard.press("Enter")
    expect(page.locator("#wb-card-notice")).to_contain_text("回退成功", timeout=15_000)
    assert row(engine, case.id).status == "filed"
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"


def test_department_asks_for_an_extension_and_the_lead_approves(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    case = new_case(engine, CaseStatus.DISPATCHED, dx=0.0004)
    before = row(engine, case.id)
    base = app_server.base
    size = {"viewport": {"width": 1600, "height": 900}, "locale": "zh-CN"}
    ctx = guarded_context(browser, base, foreign, **size)
    page = ctx.new_page()
    open_workbench(page, base, "cgj")
    open_card(page, case.ticket)
    expect(chooser(page, "延期")).to_have_count(0)  # a department asks; it does not extend
    chooser(page, "申请延期").click()
    form = page.locator(OPEN)
    expect(form.locator("input").first).to_be_focused()
    form.locator("input").nth(0).fill("2")
    form.locator("input").nth(1).fill("等待专用灯具到货")
    form.locator("input").nth(1).press("Enter")
    expect(page.locator("#wb-card-notice")).to_contain_text("申请延期成功", timeout=15_000)
    box = page.locator("#wb-card .wb-req")
    expect(box).to_contain_text("待审批")
    expect(box).to_contain_text("等待专用灯具到货")
    expect(chooser(page, "撤回申请")).to_be_visible()
    expect(chooser(page, "申请挂账")).to_have_count(0)  # one request at a time
    shot(page, "forms-department-request-pending")
    assert row(engine, case.id).deadline == before.deadline  # nothing moves before the decision

    # the lead: the request in the queue (仅待审批), on the card, approved there
    lead_ctx = guarded_context(browser, base, foreign, **size)
    lead = lead_ctx.new_page()
    open_workbench(lead, base, "lead")
    lead.locator("#wb-f-focus label", has_text="仅待审批").click()
    queue_row = lead.locator(".wb-row", has_text=case.ticket)
    expect(queue_row.locator(".wb-tag-pending")).to_have_text("待审批", timeout=15_000)
    expect(lead.locator(".wb-row:not(:has(.wb-tag-pending))")).to_have_count(0, timeout=15_000)  # only those
    open_card(lead, case.ticket)
    expect(lead.locator("#wb-card .wb-req")).to_contain_text("贵阳市城市管理局 申请延期 2")
    chooser(lead, "批准申请").click()
    expect(lead.locator(OPEN)).to_contain_text("批准后处置时限延后 2")
    shot(lead, "forms-lead-approve-open")
    lead.locator(OPEN).locator(".wb-act-btn").click()
    expect(lead.locator("#wb-card-notice")).to_contain_text("批准申请成功", timeout=15_000)
    expect(lead.locator("#wb-card .wb-req")).to_contain_text("已批准")
    after = row(engine, case.id)
    assert after.deadline > before.deadline and after.extension_count == before.extension_count + 1
    expect(lead.locator("#wb-card .wb-history")).to_contain_text("批准申请")

    # the department sees the outcome
    page.reload()
    expect(page.locator("#wb-queue-count")).to_contain_text("件", timeout=20_000)
    open_card(page, case.ticket)
    expect(page.locator("#wb-card .wb-req")).to_contain_text("已批准")
    shot(page, "forms-department-request-approved")
    ctx.close()
    lead_ctx.close()
    assert foreign == [], f"the pages asked other hosts: {foreign[:5]}"


def test_officer_queue_mine_first_and_the_switch(page: Page, app_server: AppServer, engine: Engine) -> None:
    report = new_case(engine, CaseStatus.REPORTED, dx=-0.0004)
    mine = new_case(engine, CaseStatus.DISPATCHED, dx=-0.0008)
    open_workbench(page, app_server.base, "yunyan")
    focus = page.locator("#wb-f-focus")
    expect(focus).to_contain_text("显示全部")
    expect(focus).to_contain_text("仅我可处理")
    queue = page.locator("#wb-queue")
    expect(queue).to_contain_text(mine.ticket, timeout=15_000)
    tickets = [t.split()[0] for t in page.locator(".wb-row .wb-row-top b").all_inner_texts()]
    statuses = page.locator(".wb-row .wb-badge").all_inner_texts()
    own = [i for i, s in enumerate(statuses) if s in ("待处置", "处置中")]
    others = [i for i, s in enumerate(statuses) if s not in ("待处置", "处置中")]
    assert own and (not others or max(own) < min(others)), statuses  # their own work first
    if report.ticket in tickets:
        assert tickets.index(mine.ticket) < tickets.index(report.ticket)
    shot(page, "forms-officer-queue-all")
    focus.locator("label", has_text="仅我可处理").click()
    expect(queue).not_to_contain_text("待受理", timeout=15_000)
    expect(queue).to_contain_text(mine.ticket)
    shot(page, "forms-officer-queue-mine")
    focus.locator("label", has_text="显示全部").click()
    expect(queue).to_contain_text("待受理", timeout=15_000)


def test_lead_refuses_a_suspension_request_with_a_reason(
    page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    case = new_case(engine, CaseStatus.DISPATCHED, dx=0.0008)
    with engine.begin() as conn:
        wf.request_suspend(conn, staff_actor(engine, "cgj"), case.id, case.version, reason="等待燃气公司配合")
    open_workbench(page, app_server.base, "lead")
    open_card(page, case.ticket)
    expect(page.locator("#wb-card .wb-req")).to_contain_text("贵阳市城市管理局 申请挂账")
    chooser(page, "驳回申请").click()
    form = page.locator(OPEN)
    expect(form).to_contain_text("驳回原因")
    expect(form.locator("input")).to_be_focused()
    page.keyboard.press("Enter")  # no reason: refused, naming the field
    expect(page.locator("#wb-card-notice")).to_contain_text("请填写驳回原因。", timeout=15_000)
    expect(form).to_contain_text("请填写驳回原因。")
    settled(page)
    field = form.locator("input")
    field.press_sequentially("燃气公司今日已到场")  # into the field, wherever a live refresh left the focus
    expect(field).to_have_value("燃气公司今日已到场")
    field.press("Enter")
    expect(page.locator("#wb-card-notice")).to_contain_text("驳回申请成功", timeout=15_000)
    box = page.locator("#wb-card .wb-req")
    expect(box).to_contain_text("已驳回")
    expect(box).to_contain_text("驳回原因：燃气公司今日已到场")
    expect(chooser(page, "批准申请")).to_have_count(0)
    assert row(engine, case.id).status == "dispatched"  # the clock runs on
    shot(page, "forms-lead-refused")
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"
