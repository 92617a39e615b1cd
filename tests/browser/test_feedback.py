"""/feedback in real Chromium: a dispatcher answers a citizen's feedback and marks it handled; it leaves the
unhandled list and the citizen's answer is stored; the contact is masked for the dispatcher and shown to the
lead; an officer is told the page is not theirs; no other host is asked."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from ops.citizen.feedback import feedback_of_person, submit_feedback
from ops.citizen.persons import ReporterIdentity, register_account
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in


@pytest.fixture
def sent(engine: Engine) -> dict[str, Any]:
    """Committed: a registered citizen's feedback (with a phone number)."""
    tag = uuid.uuid4().hex[:8]
    with engine.begin() as conn:
        person = register_account(
            conn,
            ReporterIdentity(account_id=f"fb-{tag}", phone="13912345678", last_name="王", first_name="芳"),
        )
        body = f"希望增加夜间巡查 {tag}"
        fid = submit_feedback(conn, body, person_id=person)
    return {"id": fid, "person": person, "text": body}


def item(page: Page, fid: int) -> Any:
    return page.locator(f"article.fb-item[data-id='{fid}']")


def test_answer_and_mark_handled(
    page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests, sent: dict[str, Any]
) -> None:
    sign_in(page, app_server.base, "dispatcher", target="/feedback")
    card = item(page, sent["id"])
    expect(card).to_contain_text(sent["text"], timeout=20_000)
    expect(card).to_contain_text("139****5678")
    expect(card).not_to_contain_text("13912345678")
    expect(card).not_to_contain_text("王芳")
    expect(page.locator("#fb-filter")).to_contain_text("未处理 (")

    card.get_by_role("button", name="发送答复", exact=True).click()
    expect(page.locator("#fb-notice")).to_contain_text("请填写答复内容", timeout=15_000)

    card.locator("textarea").fill("已安排城管队员夜间巡查。")
    card.get_by_role("button", name="发送答复", exact=True).click()
    expect(page.locator("#fb-notice")).to_contain_text(f"已答复反馈 #{sent['id']}", timeout=15_000)
    expect(item(page, sent["id"])).to_contain_text("已安排城管队员夜间巡查。")
    with engine.connect() as conn:
        mine = feedback_of_person(conn, sent["person"])
    assert [(f.answer, f.status) for f in mine] == [("已安排城管队员夜间巡查。", "open")]
    screenshot(page, "feedback-answered")

    item(page, sent["id"]).get_by_role("button", name="标记已处理", exact=True).click()
    expect(page.locator("#fb-notice")).to_contain_text("已标记为已处理", timeout=15_000)
    expect(item(page, sent["id"])).to_have_count(0, timeout=15_000)  # gone from the unhandled list
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT handled_at IS NOT NULL, answer FROM feedback WHERE id = :i"), {"i": sent["id"]}
        ).one()
    assert tuple(row) == (True, "已安排城管队员夜间巡查。")

    page.locator("#fb-filter").get_by_text("已处理").click()
    expect(item(page, sent["id"])).to_contain_text("已处理", timeout=15_000)
    screenshot(page, "feedback-handled")
    assert not foreign


def test_the_lead_sees_the_contact_and_an_officer_is_refused(
    page: Page, app_server: AppServer, sent: dict[str, Any]
) -> None:
    sign_in(page, app_server.base, "lead", target="/feedback")
    expect(item(page, sent["id"])).to_contain_text("13912345678", timeout=20_000)
    page.locator("#gy-logout").click()
    sign_in(page, app_server.base, "yunyan", target="/feedback")
    expect(page.locator("#gy-denied")).to_contain_text("无权访问", timeout=20_000)
    expect(page.locator("#gy-denied a[href='/workbench']")).to_have_count(1)
    expect(page.locator("#fb-list")).to_be_hidden()
