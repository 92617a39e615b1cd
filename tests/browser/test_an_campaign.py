"""/analysis · 专项整治 in real Chromium on the real app: a lead creates a campaign by choosing districts (after the
form said, under the field, what was missing) and sees it listed with its effect, in zh and then en; a seed from
another tab (a hot spot) opens the form prefilled with its area and creates a campaign from it; an officer reads the
list but gets no form; no request goes to any other host."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from dashboard.ids import an_campaign as cid
from dashboard.ids import analysis as aid
from db.accounts import load_identity
from geo.crs import TZ
from ops.analysis import campaigns as cmp
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in

pytestmark = pytest.mark.browser

BOX = {
    "type": "Polygon",
    "coordinates": [
        [[106.707, 26.578], [106.719, 26.578], [106.719, 26.589], [106.707, 26.589], [106.707, 26.578]]
    ],
}


def _pick(page: Page, field: str, typed: str) -> None:
    """Choose the first option matching ``typed`` in a Mantine MultiSelect, by keyboard."""
    page.locator(f"#{field}").click()
    page.keyboard.type(typed)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def test_lead_creates_a_campaign_over_districts_in_zh_and_en(
    page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    name = f"云岩区井盖整治 {uuid.uuid4().hex[:6]}"
    sign_in(page, app_server.base, "lead", target="/analysis?tab=campaigns")
    expect(page.locator(f"#{cid.LIST_TITLE}")).to_have_text("专项整治行动", timeout=20_000)
    page.locator(f"#{cid.NEW}").click()
    expect(page.locator(f"#{cid.FORM}")).to_be_visible()

    page.locator(f"#{cid.SUBMIT}").click()
    expect(page.locator(f"#{cid.FORM}")).to_contain_text("请填写整治名称", timeout=15_000)

    page.locator(f"#{cid.NAME}").fill(name)
    page.locator(f"#{cid.START}").fill("2026-01-05")
    page.locator(f"#{cid.END}").fill("2026-01-01")
    page.locator(f"#{cid.SUBMIT}").click()
    expect(page.locator(f"#{cid.FORM}")).to_contain_text("请至少选择一个类别", timeout=15_000)

    _pick(page, cid.CATEGORIES, "井盖")
    page.locator(f"#{cid.SUBMIT}").click()
    expect(page.locator(f"#{cid.FORM}")).to_contain_text("结束日期应晚于开始日期", timeout=15_000)

    page.locator(f"#{cid.END}").fill("2026-02-28")
    page.locator(f"#{cid.SUBMIT}").click()
    expect(page.locator(f"#{cid.FORM}")).to_contain_text("请至少选择一个区县", timeout=15_000)

    _pick(page, cid.DISTRICTS, "云岩")
    page.locator(f"#{cid.SUBMIT}").click()
    expect(page.locator(f"#{cid.NOTICE}")).to_contain_text(f"已创建专项整治“{name}”", timeout=20_000)
    expect(page.locator(f"#{cid.FORM}")).to_be_hidden()
    row = page.locator("tr.anc-row", has_text=name)
    expect(row).to_contain_text("2026-01-05 至 2026-02-28")
    expect(row).to_contain_text("云岩区")
    expect(row).to_contain_text("井盖")
    expect(row.locator(".anc-effect")).to_contain_text("数据不足")  # the test city has no such reports
    expect(page.locator(f"#{cid.DETAIL_TITLE}")).to_have_text(name)  # the new campaign is shown
    expect(page.locator(f"#{cid.SENTENCE}")).to_contain_text("数据不足")
    screenshot(page, "an-campaign-created")

    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT source, district_codes, categories FROM campaign WHERE name = :n"), {"n": name}
        ).one()
    assert (stored.source, stored.district_codes, stored.categories) == ("districts", ["520103"], ["C0101"])

    with page.expect_download() as download:
        page.locator(f"#{cid.CSV}").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["ID", "名称", "开始日期"]
    mine = next(r for r in rows if r[1] == name)
    assert mine[2:5] == ["2026-01-05", "2026-02-28", "C0101"] and mine[-1].startswith("数据不足")

    page.locator("#gy-lang-switch").click()
    expect(page.locator(f"#{cid.LIST_TITLE}")).to_have_text("Campaigns", timeout=15_000)
    row = page.locator("tr.anc-row", has_text=name)
    expect(row).to_contain_text("2026-01-05 to 2026-02-28", timeout=15_000)
    expect(row).to_contain_text("Yunyan")
    expect(row.locator(".anc-effect")).to_contain_text("Not enough data")
    expect(page.locator("table.anc-table")).to_contain_text("Effect")
    page.locator(f"#{cid.NEW}").click()
    page.locator(f"#{cid.SUBMIT}").click()
    expect(page.locator(f"#{cid.FORM}")).to_contain_text("Enter the campaign's name.", timeout=15_000)
    screenshot(page, "an-campaign-en")
    page.locator("#gy-lang-switch").click()
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"


def test_a_seed_from_another_tab_opens_the_form_with_its_area(
    page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    label = f"热点 {uuid.uuid4().hex[:6]}"
    sign_in(page, app_server.base, "lead", target="/analysis?tab=hotspots")  # the seed comes from another tab
    expect(page.locator("#anh-summary")).to_be_visible(timeout=30_000)
    seed = {"source": "hotspot", "geometry": BOX, "category": "C0101", "district": "520103", "label": label}
    page.evaluate(
        "([id, data]) => window.dash_clientside.set_props(id, {data: data})", [aid.CAMPAIGN_SEED, seed]
    )
    expect(page.locator(f"#{cid.FORM}")).to_be_visible(timeout=15_000)
    expect(page.locator(f"#{cid.NAME}")).to_have_value(label)
    expect(page.locator(f"#{cid.AREA_HINT}")).to_contain_text(label)
    page.wait_for_timeout(800)  # the map fits the seeded area
    screenshot(page, "an-campaign-seeded")
    page.locator(f"#{cid.SUBMIT}").click()
    expect(page.locator(f"#{cid.NOTICE}")).to_contain_text(f"已创建专项整治“{label}”", timeout=20_000)
    with engine.connect() as conn:
        source, km2 = conn.execute(
            text("SELECT source, ST_Area(ST_Transform(area, 32648)) / 1e6 FROM campaign WHERE name = :n"),
            {"n": label},
        ).one()
    assert source == "hotspot" and 1.0 < km2 < 1.8
    assert foreign == []


def test_an_officer_reads_campaigns_but_gets_no_form(
    page: Page, app_server: AppServer, engine: Engine
) -> None:
    """Committed: one campaign in 云岩区 (the officer's) and one in 南明区 (not theirs)."""
    tag = uuid.uuid4().hex[:6]
    with engine.begin() as conn:
        uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        lead = load_identity(conn, uid)
        assert lead is not None
        now = datetime.now(TZ)
        for code in ("520103", "520102"):
            draft = cmp.CampaignDraft(
                f"整治 {code} {tag}",
                ("C01",),
                now.date(),
                now.date() + timedelta(days=30),
                "districts",
                (code,),
            )
            cmp.create(conn, lead, draft, now=now)
    sign_in(page, app_server.base, "yunyan", target="/analysis?tab=campaigns")
    expect(page.locator(f"#{cid.LIST_TITLE}")).to_have_text("专项整治行动", timeout=20_000)
    expect(page.locator(f"#{cid.LIST}")).to_contain_text(f"整治 520103 {tag}", timeout=20_000)
    expect(page.locator(f"#{cid.LIST}")).not_to_contain_text(f"整治 520102 {tag}")
    expect(page.locator(f"#{cid.NEW}")).to_be_hidden()
