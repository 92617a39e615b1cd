"""/analysis 多发地点 in real Chromium: a planted place is drawn and ranked in zh and en; a click lists its cases
and draws them; the table downloads as CSV; "start a campaign here" fills the campaign seed; an officer does not
see another district's place; no other host is asked."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from dashboard.components.case_link import case_href
from geo.crs import TZ
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in
from tests.support.cases import NANMING
from tests.support.places import YUNYAN, offset, report

PLACE = "#anp-table"


@pytest.fixture(scope="module")
def planted(engine: Engine) -> dict[str, Any]:
    """Committed: 6 reports of 井盖破损 within 15 m in 云岩区 (named by a unique address) and 3 in 南明区."""
    tag = uuid.uuid4().hex[:6]
    now = datetime.now(TZ)
    spot = offset(YUNYAN, 150, 120)
    with engine.begin() as conn:
        ours = [
            report(conn, offset(spot, 3 * k), now - timedelta(days=3, hours=k), address=f"测试路{tag}号")
            for k in range(6)
        ]
        theirs = [
            report(
                conn,
                offset(NANMING, 400 + 4 * k, 300),
                now - timedelta(days=2, hours=k),
                address=f"南明{tag}",
            )
            for k in range(3)
        ]
    return {"tag": tag, "ours": ours, "theirs": theirs}


def _row(page: Page, text: str) -> Any:
    return page.locator(".anp-row", has_text=text)


def test_places_tab_in_zh_and_en(
    page: Page, app_server: AppServer, foreign: ForeignRequests, planted: dict[str, Any], tmp_path: Any
) -> None:
    tag = planted["tag"]
    sign_in(page, app_server.base, "lead", target="/analysis?tab=places")
    expect(page.get_by_role("tab", name="多发地点")).to_be_visible(timeout=20_000)
    row = _row(page, f"测试路{tag}号")
    expect(row).to_contain_text("井盖", timeout=20_000)
    expect(row.locator("td").nth(3)).to_have_text("6")
    expect(_row(page, f"南明{tag}")).to_have_count(1)
    expect(page.locator("#anp-summary")).to_contain_text("多发地点")
    expect(page.locator("path.anp-place").first).to_be_visible()
    row.click()
    detail = page.locator("#anp-detail")
    for case in planted["ours"]:
        expect(detail).to_contain_text(case.ticket, timeout=15_000)
        expect(detail.locator(f"a[href='{case_href(case.ticket)}']")).to_have_text(case.ticket)  # its card
    expect(detail).to_contain_text("待受理")
    expect(page.locator("path.anp-case")).to_have_count(6, timeout=15_000)
    screenshot(page, "analysis-places-zh")
    # CSV of the table
    with page.expect_download() as dl:
        page.locator("#anp-export").click()
    path = tmp_path / "places.csv"
    dl.value.save_as(path)
    content = path.read_text(encoding="utf-8-sig")
    assert content.splitlines()[0].startswith("#,编号,地点") and f"测试路{tag}号" in content
    # a campaign from the place (the lead may)
    page.locator("#anp-campaign").click()
    # the campaigns tab opens its form with the place as the area; back to the places, the place still chosen
    expect(page.locator("#anc-form")).to_be_visible(timeout=15_000)
    expect(page.locator("#anc-area-hint")).to_contain_text(f"测试路{tag}号")
    page.get_by_role("tab", name="多发地点").click()
    row.click(timeout=30_000)
    # English
    page.locator("#gy-lang-switch").click()
    expect(page.locator(PLACE)).to_contain_text("Reports", timeout=15_000)
    expect(page.locator("#anp-summary")).to_contain_text("places in the last 30 days")
    expect(page.locator("#anp-export")).to_have_text("Export CSV")
    expect(page.locator("#anp-campaign")).to_have_text("Start a campaign here")
    expect(page.locator("#anp-detail")).to_contain_text("Reported", timeout=15_000)
    expect(page.locator("#anp-detail")).to_contain_text(planted["ours"][0].ticket)
    screenshot(page, "analysis-places-en")
    assert not foreign


def test_an_officer_sees_only_their_district(
    page: Page, app_server: AppServer, foreign: ForeignRequests, planted: dict[str, Any]
) -> None:
    tag = planted["tag"]
    sign_in(page, app_server.base, "yunyan", target="/analysis?tab=places")
    expect(_row(page, f"测试路{tag}号")).to_have_count(1, timeout=20_000)
    expect(_row(page, f"南明{tag}")).to_have_count(0)
    _row(page, f"测试路{tag}号").click()
    expect(page.locator("#anp-detail")).to_contain_text(planted["ours"][0].ticket, timeout=15_000)
    expect(page.locator("#anp-campaign")).to_be_disabled()  # officers do not start campaigns
    assert not foreign
