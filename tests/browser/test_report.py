"""The monthly report in real Chromium on the real app: the block on /stats downloads a PDF, the web page of a
month shows the headline numbers the report's data gives (and its own PDF link gives the same numbers in the
PDF's text), and an officer asking for another district is refused with a clear message.

Committed data: five closed cases in March 2025 (closed, so no queue, alarm or overdue count changes).
"""

from __future__ import annotations

import re
import subprocess  # nosec B404 # pdftotext on the file the test downloaded
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from dashboard.ids import report as ids
from dashboard.settings import Settings
from db.scope import RowScope
from geo.crs import TZ
from ops import workflow as wf
from ops.reports.monthly import gather
from ops.reports.render import _value
from ops.reports.scope import month_period
from ops.workflow import Actor
from tests.support.app import AppServer
from tests.support.browser import sign_in
from tests.support.public import lead

SHOTS = Path("/tmp/d15/shots/report")
MARCH = month_period(datetime(2025, 3, 1).date())
POINT = (106.7301, 26.5902)  # 云岩区, away from the points other tests use


@pytest.fixture(scope="module")
def march(engine: Engine) -> Iterator[None]:
    with engine.begin() as conn:
        boss = lead(conn)
        for n in range(5):
            t0 = datetime(2025, 3, 10 + n, 9, 0, tzinfo=TZ)
            r = wf.report(
                conn,
                Actor.system(),
                category_code="C0101",
                lon=POINT[0] + n * 1e-4,
                lat=POINT[1],
                description="井盖松动",
                source="inspector",
                now=t0,
            )
            r = wf.file_case(conn, boss, r.id, r.version, now=t0 + timedelta(minutes=5))
            r = wf.dispatch(conn, boss, r.id, r.version, now=t0 + timedelta(minutes=10))
            r = wf.handle(conn, boss, r.id, r.version, note="已处置", now=t0 + timedelta(hours=1))
            wf.verify(conn, boss, r.id, r.version, passed=True, now=t0 + timedelta(hours=2))
    yield


def _pdftotext(path: Path) -> str:
    return subprocess.run(  # nosec B603 B607 # a fixed tool on our own file
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_stats_download_and_web_page(
    page: Page, app_server: AppServer, engine: Engine, settings: Settings, march: None, tmp_path: Path
) -> None:
    base = app_server.base
    sign_in(page, base, "lead", target="/stats")
    pdf_link = page.locator(f"#{ids.PDF}")
    expect(pdf_link).to_have_attribute(
        "href", re.compile(r"^/reports/monthly\.pdf\?month=\d{4}-\d{2}"), timeout=20_000
    )
    expect(pdf_link).to_contain_text("月度通报")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(f"#{ids.BLOCK}").screenshot(path=str(SHOTS / "stats-block.png"))
    with page.expect_download(timeout=120_000) as info:
        pdf_link.click()
    got = tmp_path / "default.pdf"
    info.value.save_as(got)
    assert got.read_bytes().startswith(b"%PDF-")
    assert info.value.suggested_filename.startswith("guiyang-monthly-")
    assert re.search(r"第\s*1\s*页", _pdftotext(got))

    # the web page of March 2025: the headline numbers of the report's data
    with engine.connect() as conn:
        expected = gather(conn, RowScope.city(), MARCH, min_cases=settings.stats_min_cases)
    page.goto(f"{base}/reports/monthly?month=2025-03")
    expect(page.locator("#rpt-doc-title")).to_have_text("月度考核通报", timeout=60_000)
    expect(page.locator("#rpt-doc-month")).to_have_text("2025 年 3 月")
    shown = {}
    for h in expected.headlines:
        if h.key in ("reports", "filed", "closed", "overdue", "reworked", "close_rate"):
            value = page.locator(f".rpt-kpi[data-key='{h.key}'] .rpt-kpi-value")
            shown[h.key] = value.inner_text().strip()
            assert shown[h.key] == _value(h), h.key
    assert int(shown["filed"].replace(",", "")) >= 5
    page.screenshot(path=str(SHOTS / "web.png"), full_page=False)
    # its PDF link: the same numbers in the PDF
    with page.expect_download(timeout=120_000) as info:
        page.locator("#rpt-web-pdf").click()
    pdf = tmp_path / "march.pdf"
    info.value.save_as(pdf)
    body = _pdftotext(pdf)
    assert "2025 年 3 月" in body
    for key in ("reports", "filed", "closed"):
        assert shown[key] in body


def test_officer_only_their_district(page: Page, app_server: AppServer, march: None) -> None:
    base = app_server.base
    sign_in(page, base, "yunyan", target="/stats")
    district = page.locator(f"#{ids.DISTRICT}")
    expect(district).to_have_value("云岩区", timeout=20_000)
    expect(district).to_be_disabled()
    expect(page.locator(f"#{ids.PDF}")).to_have_attribute(
        "href", re.compile(r"district=520103"), timeout=20_000
    )
    # English through the header switch re-labels the block
    page.locator("#gy-lang-switch").click()
    expect(page.locator(f"#{ids.PDF}")).to_have_text("Monthly report PDF", timeout=20_000)
    expect(page.locator(f"#{ids.LABEL}")).to_have_text("Monthly report")
    page.locator("#gy-lang-switch").click()
    expect(page.locator(f"#{ids.PDF}")).to_have_text("下载月度通报 PDF", timeout=20_000)
    answer = page.goto(f"{base}/reports/monthly?month=2025-03&district=520102")
    assert answer is not None and answer.status == 403
    expect(page.locator("#rpt-refusal")).to_contain_text("您只能查看本区县的月度通报")
    page.screenshot(path=str(SHOTS / "officer-refused.png"))
    answer = page.goto(f"{base}/reports/monthly?month=2025-03")
    assert answer is not None and answer.status == 200
    expect(page.locator("#rpt-doc-scope")).to_have_text("云岩区")
