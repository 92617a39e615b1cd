"""/analysis tabs 时间峰值 and 关联分析 in real Chromium on the real app: with a planted Friday-evening 占道经营 peak
and a construction site where 施工扰民, 渣土撒漏 and 道路破损 go together, both tabs show their findings in zh and
en (heatmap with its sentence, the pairs table with its map and sentence), and no other host is asked for
anything. The reports are committed (the app runs in its own process) and removed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from dashboard.ids import an_corr as k
from geo.crs import TZ
from tests.support.an_corr import EAST, NORTH, SOUTH, WEST, insert_reports
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in

MARK = "an-corr browser test"
DIURNAL = np.array([1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 9, 9, 9, 9, 9, 9, 8, 7, 6, 5, 4, 2, 1], dtype=float)


@pytest.fixture(scope="module")
def patterns(engine: Engine) -> Iterator[None]:
    rng = np.random.default_rng(13)
    now = datetime.now(TZ).replace(minute=0, second=0, microsecond=0)
    rows = []
    p = DIURNAL / DIURNAL.sum()
    for n in range(1400):  # every category reported all over the centre at the city's rhythm
        t = now - timedelta(days=int(rng.integers(1, 28)))
        t = t.replace(hour=int(rng.choice(24, p=p)), minute=int(rng.integers(0, 60)))
        code = ("C0101", "C0102", "E0102", "E0501", "E0301", "E0302", "C0201")[n % 7]
        rows.append((code, rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH), t))
    friday = now - timedelta(days=1)
    for _week in range(3):
        while friday.weekday() != 4:
            friday -= timedelta(days=1)
        for n in range(20):
            at = friday.replace(hour=18 + n % 2, minute=n)
            rows.append(("E0501", 106.705 + rng.uniform(-0.01, 0.01), 26.575 + rng.uniform(-0.01, 0.01), at))
        friday -= timedelta(days=1)
    site = (106.7135, 26.5838)
    for code in ("E0301", "E0302", "C0201"):
        for n in range(20):
            t = now - timedelta(days=10 - n % 3, hours=int(rng.integers(0, 12)))
            rows.append((code, site[0] + rng.uniform(-3e-4, 3e-4), site[1] + rng.uniform(-3e-4, 3e-4), t))
    with engine.begin() as conn:
        insert_reports(conn, rows, MARK)
    yield
    with engine.begin() as conn:
        conn.execute(text('DELETE FROM "case" WHERE description = :m'), {"m": MARK})


def test_peaks_and_correlations_tabs(
    patterns: None, page: Page, app_server: AppServer, foreign: ForeignRequests
) -> None:
    page.route("**/tiles/**", lambda r: r.fulfill(status=204))
    sign_in(page, app_server.base, "lead", "/analysis?tab=peaks")
    # 时间峰值 (the first tab): the heatmap, its stars and the sentence naming the peak
    expect(page.locator(f"#{k.PEAKS_GRAPH} .main-svg").first).to_be_visible(timeout=60_000)
    expect(page.locator(f"#{k.PEAKS_TEXT}")).to_contain_text(
        "周五 18–20 时占道经营上报显著偏高", timeout=30_000
    )
    expect(page.locator(f"#{k.PEAKS_EXPLAIN}")).to_contain_text("错误发现率")
    expect(page.locator(f"#{k.PEAKS_GRAPH}")).to_contain_text("周五")
    screenshot(page, "an-corr-peaks-zh")
    # 关联分析: the table of pairs, the sentence, the example places on the map
    page.get_by_role("tab", name="关联分析").click()
    table = page.locator(f"#{k.CORR_TABLE} table")
    expect(table).to_be_visible(timeout=60_000)
    expect(table).to_contain_text("施工扰民")
    expect(table).to_contain_text("渣土撒漏")
    expect(table).to_contain_text("道路破损")
    expect(page.locator(f"#{k.CORR_TEXT}")).to_contain_text("倍")
    expect(page.locator(f"#{k.CORR_MAP} path.leaflet-interactive").first).to_be_attached()
    screenshot(page, "an-corr-correlations-zh")
    # English
    page.get_by_role("button", name="English").click()
    expect(page.locator(f"#{k.CORR_TEXT}")).to_contain_text("as often as chance", timeout=60_000)
    expect(table).to_contain_text("Muck spilled by trucks")
    expect(page.locator(f"#{k.CORR_WINDOW}")).to_contain_text("±3 days")
    page.get_by_role("tab", name="Time peaks").click()
    expect(page.locator(f"#{k.PEAKS_TEXT}")).to_contain_text(
        "significantly high on Fri 18:00–20:00", timeout=60_000
    )
    expect(page.locator(f"#{k.PEAKS_GRAPH}")).to_contain_text("Fri")
    screenshot(page, "an-corr-peaks-en")
    assert list(foreign) == []
