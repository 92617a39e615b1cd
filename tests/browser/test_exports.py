"""The workbench's 导出 Export menu in real Chromium: the dispatcher opens /workbench with a filter in its
address, opens the menu, reads how many cases the filter will export, downloads the CSV (a real download, with
the progress bar moving to its end) and finds in it exactly the cases of the filter; switched to English, the
menu speaks English. The cases made here are rejected ones (in no queue of open work) and deleted afterwards."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from dashboard.ids import exports as eid
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in

MARK = "导出测试-" + uuid.uuid4().hex[:8]
FILTER = "district=520103&status=rejected&source=web&window=7d"


@pytest.fixture
def rejected(engine: Engine) -> Iterator[dict[str, list[str]]]:
    """Four rejected web reports of yesterday in 云岩区 and two in 南明区 (committed): tickets by district."""
    out: dict[str, list[str]] = {"520103": [], "520102": []}
    with engine.begin() as conn:
        for i, (district, lon, lat) in enumerate(
            [("520103", 106.7135, 26.5838)] * 4 + [("520102", 106.7119, 26.5716)] * 2
        ):
            ticket = f"GYEXP{MARK[-8:]}-{i}"
            conn.execute(
                text(
                    'INSERT INTO "case" (ticket, source, category_code, description, geom, district_code, '
                    "address, status, created_at) VALUES (:t, 'web', 'C0101', :m, "
                    "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :d, :a, 'rejected', now() - interval '1 day')"
                ),
                {
                    "t": ticket,
                    "m": MARK,
                    "lon": lon + i * 1e-4,
                    "lat": lat,
                    "d": district,
                    "a": f"测试路 {i} 号",
                },
            )
            out[district].append(ticket)
    yield out
    with engine.begin() as conn:
        conn.execute(text('DELETE FROM "case" WHERE description = :m'), {"m": MARK})


def _expected(engine: Engine) -> set[str]:
    """Every case the filter selects for the dispatcher (the whole city), read from the database."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT ticket FROM \"case\" WHERE district_code = '520103' AND status = 'rejected' "
                "AND source = 'web' AND created_at >= date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') "
                "AT TIME ZONE 'Asia/Shanghai' - interval '6 days'"
            )
        ).all()
    return {r.ticket for r in rows}


def test_the_dispatcher_exports_the_filtered_cases_as_csv(
    page: Page,
    app_server: AppServer,
    engine: Engine,
    foreign: ForeignRequests,
    rejected: dict[str, Any],
    tmp_path: Path,
) -> None:
    page.route("**/tiles/**", lambda r: r.fulfill(status=204))
    sign_in(page, app_server.base, "dispatcher", target=f"/workbench?{FILTER}")
    expected = _expected(engine)
    assert set(rejected["520103"]) <= expected and not set(rejected["520102"]) & expected

    button = page.locator(f"#{eid.OPEN}")
    expect(button).to_contain_text("导出", timeout=30_000)
    button.click()
    panel = page.locator(f"#{eid.PANEL}")
    expect(panel).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"#{eid.COUNT}")).to_have_text(f"将导出 {len(expected):,} 件案件", timeout=30_000)
    expect(page.locator(f"#{eid.CONTACT}")).to_have_text("不含报告人个人信息")
    link = page.locator(f"#{eid.CSV}")
    expect(link).to_have_attribute("href", f"/export/cases.csv?{FILTER}&lang=zh")
    screenshot(page, "exports-menu")

    with page.expect_download(timeout=60_000) as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("guiyang-cases-") and download.suggested_filename.endswith(
        ".csv"
    )
    target = tmp_path / "cases.csv"
    download.save_as(target)
    body = target.read_text(encoding="utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body[1:])))
    assert {r["工单号"] for r in rows} == expected
    assert {(r["区县"], r["状态"], r["来源"]) for r in rows} == {("云岩区", "不予立案", "网站")}
    assert "报告人电话" not in rows[0]
    progress = page.locator(f"#{eid.PROGRESS}")
    expect(progress).to_have_attribute("value", "100")
    expect(page.locator(f"#{eid.STATUS}")).to_have_text(f"已下载 {len(expected):,} 件")
    screenshot(page, "exports-downloaded")

    # closed and opened again in English: the menu's words and the count follow the language
    button.click()
    expect(panel).to_be_hidden()
    page.locator("#gy-lang-switch").click()
    expect(button).to_contain_text("Export", timeout=30_000)
    button.click()
    expect(page.locator(f"#{eid.COUNT}")).to_have_text(
        f"{len(expected):,} cases will be exported", timeout=30_000
    )
    expect(page.locator(f"#{eid.XLSX}")).to_have_text("Excel")
    expect(link).to_have_attribute("href", f"/export/cases.csv?{FILTER}&lang=en")
    assert not foreign, foreign
