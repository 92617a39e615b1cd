"""/analysis 热点区域 in real Chromium on the real app: a planted cluster drawn hot, the legend in plain words,
zh and en, the CSV export, "start a campaign here", the case card's hot-spot line, and no other host asked.

The app runs in its own process, so the planted cases are committed: a 3 × 3 block of 100 m cells in 花溪区 with
5 reports each, 20 days ago, rejected (closed: they add nothing to anyone's open counts or to "today"), and one
open case at the block's centre for the card.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from db.accounts import load_identity
from geo.crs import TZ, to_lonlat
from ops import workflow as wf
from ops.workflow import Actor
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in

HUAXI = "520111"


@pytest.fixture(scope="module")
def planted(engine: Engine) -> Iterator[dict[str, Any]]:
    with engine.begin() as conn:
        i, j = conn.execute(
            text(
                """
                SELECT g.i, g.j FROM grid_cell g WHERE g.district_code = :d
                   AND (SELECT count(*) FROM grid_cell h WHERE h.district_code = :d
                          AND h.i BETWEEN g.i - 1 AND g.i + 1 AND h.j BETWEEN g.j - 1 AND g.j + 1) = 9
                 ORDER BY g.id OFFSET 1500 LIMIT 1
                """
            ),
            {"d": HUAXI},
        ).one()
        uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        ident = load_identity(conn, uid)
        assert ident is not None
        lead = Actor.from_identity(ident)
        t0 = datetime.now(TZ) - timedelta(days=20)
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                lon, lat = to_lonlat((i + di + 0.5) * 100.0, (j + dj + 0.5) * 100.0)
                for k in range(5):
                    r = wf.report(
                        conn, Actor.system(), category_code="C0101", lon=float(lon), lat=float(lat),
                        description="热点测试", source="inspector", now=t0 + timedelta(minutes=k),
                    )  # fmt: skip
                    assert r.district_code == HUAXI
                    wf.reject(conn, lead, r.id, r.version, reason="测试数据", now=t0 + timedelta(minutes=30))
        lon, lat = to_lonlat((i + 0.5) * 100.0, (j + 0.5) * 100.0)
        card = wf.report(
            conn, Actor.system(), category_code="C0101", lon=float(lon), lat=float(lat),
            description="热点测试（卡片）", source="inspector", now=datetime.now(TZ) - timedelta(hours=1),
        )  # fmt: skip
    yield {"i": int(i), "j": int(j), "ticket": card.ticket}


def _open(page: Page, base: str) -> None:
    sign_in(page, base, "lead", "/analysis?tab=hotspots")
    expect(page.locator("#anh-summary")).to_contain_text("热点", timeout=30_000)


def test_hot_spots_tab(
    page: Page, app_server: AppServer, planted: dict[str, Any], foreign: ForeignRequests
) -> None:
    i, j = planted["i"], planted["j"]
    _open(page, app_server.base)
    page.locator("#anh-level label", has_text="100米网格").click()
    centre = f"cell:{i}:{j}"
    row = page.locator(f'#anh-table .ag-row[row-id="{centre}"]')
    expect(row).to_be_visible(timeout=30_000)
    expect(row).to_contain_text("花溪区")
    expect(row).to_contain_text("99%")
    expect(page.locator("#anh-summary")).to_contain_text("100米网格")
    expect(page.locator("#anh-legend")).to_contain_text("热点（99%置信）：该处及周边上报显著多于全市平均")
    expect(page.locator("#anh-method")).to_contain_text("Getis-Ord Gi*")
    hot = page.locator('#anh-map path.leaflet-interactive[fill="#d62f27"]')
    expect(hot.first).to_be_attached(timeout=10_000)
    assert hot.count() >= 9
    screenshot(page, "analysis-hotspots-zh")

    with page.expect_download() as dl:
        page.locator("#anh-export").click()
    body = open(dl.value.path(), encoding="utf-8-sig").read()
    table = list(csv.reader(io.StringIO(body)))
    assert table[0][:4] == ["单元", "类别", "区县", "上报数"]
    mine = [r for r in table[1:] if r[0] == centre]
    assert mine and mine[0][1] == "热点" and mine[0][2] == "花溪区" and int(mine[0][3]) >= 5

    row.locator(".ag-checkbox-input").check()
    page.locator("#anh-campaign").click()
    # the campaigns tab opens its form with the hot unit as the area; back to the hot spots
    expect(page.locator("#anc-form")).to_be_visible(timeout=15_000)
    expect(page.locator("#anc-area-hint")).to_contain_text(centre)
    page.get_by_role("tab", name="热点区域").click()
    expect(page.locator("#anh-summary")).to_contain_text("热点", timeout=30_000)

    page.locator("#gy-lang-switch").click()
    expect(page.locator("#anh-summary")).to_contain_text("hot spots", timeout=15_000)
    expect(page.locator("#anh-legend")).to_contain_text(
        "Hot spot (99 % confidence): this place and its surroundings have significantly more reports than"
    )
    expect(page.locator("#anh-table .ag-header-row")).to_contain_text("Reports")
    expect(page.locator(f'#anh-table .ag-row[row-id="{centre}"]')).to_contain_text("Huaxi")
    screenshot(page, "analysis-hotspots-en")
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"


def test_empty_state_and_the_card_line(
    page: Page, app_server: AppServer, planted: dict[str, Any], foreign: ForeignRequests
) -> None:
    _open(page, app_server.base)
    page.locator("#an-days label", has_text=re.compile("近7天")).click()
    expect(page.locator("#anh-summary")).to_contain_text("近7天")
    # the planted block is 20 days old: in the last 7 days it is not there
    expect(page.locator(f'#anh-table .ag-row[row-id="cell:{planted["i"]}:{planted["j"]}"]')).to_have_count(0)

    page.goto(app_server.base + "/workbench")
    expect(page.locator("#wb-queue-count")).to_contain_text("件", timeout=20_000)
    page.locator(".wb-row", has_text=planted["ticket"]).click()
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(planted["ticket"], timeout=15_000)
    line = page.locator("#wb-card .anh-card-hot")
    expect(line.first).to_contain_text("同小类：热点（99%置信", timeout=30_000)
    expect(page.locator("#wb-card")).to_contain_text("全部类别：热点")
    screenshot(page, "workbench-card-hotspot")
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"
