"""Numbers named on screen (issue 12), in real Chromium on the real app: /stats defines 超期, 按期处置率 and 样本不足
in its footnote and column-header tooltips with the same strings the wall uses, rows below the minimum show
样本不足 / Too few cases instead of a grade; the wall's legend counts the tile's 在办, and its tiles, like the
workbench's red light, carry the definitions.

The cases are a few closed ones in October 2025 (closed: they add nothing to anyone's open or overdue counts), far
fewer than the minimum of cases due, so every row of that month is 样本不足.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, text

from dashboard.i18n import t
from dashboard.ids import stats as ids
from db.accounts import load_identity
from geo.crs import TZ
from ops import workflow as wf
from ops.evaluation import DEFAULT_MIN_CASES
from ops.workflow import Actor
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, guarded_context, sign_in

pytestmark = pytest.mark.browser

PERIOD = "start=2025-10-01&end=2025-10-31"
POINT = (106.7241, 26.6046)  # 云岩区


@pytest.fixture(scope="module")
def october(engine: Engine) -> Iterator[None]:
    with engine.begin() as conn:
        uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        ident = load_identity(conn, uid)
        assert ident is not None
        lead = Actor.from_identity(ident)
        for n in range(3):
            t0 = datetime(2025, 10, 13 + n, 9, 0, tzinfo=TZ)
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
            r = wf.file_case(conn, lead, r.id, r.version, now=t0 + timedelta(minutes=10))
            r = wf.dispatch(conn, lead, r.id, r.version, now=t0 + timedelta(minutes=20))
            r = wf.handle(conn, lead, r.id, r.version, note="已更换", now=t0 + timedelta(hours=1))
            wf.verify(conn, lead, r.id, r.version, passed=True, now=t0 + timedelta(hours=2))
    yield


def test_stats_names_its_numbers(page: Page, app_server: AppServer, october: None) -> None:
    sign_in(page, app_server.base, "lead", "/stats")
    page.goto(f"{app_server.base}/stats?{PERIOD}")
    table = page.locator(f"#{ids.TABLE}")
    expect(table.locator(".ag-cell[col-id=name]").first).to_be_visible(timeout=30_000)
    n = DEFAULT_MIN_CASES
    footnote = page.locator(f"#{ids.FORMULAS}")
    for key, text_ in (
        ("overdue_now", t("num.def.overdue", "zh")),
        ("on_time_handle_rate", t("num.def.on_time_handle_rate", "zh")),
        ("grade", t("num.def.too_few", "zh", n=n)),
    ):
        expect(footnote.locator(f".stats-def-{key}")).to_have_text(text_)
    # too few cases due in the month: 样本不足 instead of a grade, and no score
    grades = table.locator(".ag-row .ag-cell[col-id=grade]")
    expect(grades.first).to_have_text("样本不足")
    assert set(grades.all_inner_texts()) == {"样本不足"}
    assert set(table.locator(".ag-row .ag-cell[col-id=score]").all_inner_texts()) == {""}
    expect(page.locator(f"#{ids.SUMMARY}")).to_contain_text("样本不足")
    # the column header's tooltip is the same definition
    page.locator(".ag-header-cell[col-id=overdue_now] .ag-header-cell-text").hover()
    expect(page.locator(".ag-tooltip")).to_have_text(t("num.def.overdue", "zh"), timeout=10_000)

    page.locator("#gy-lang-switch").click()
    expect(grades.first).to_have_text("Too few cases")
    expect(footnote.locator(".stats-def-overdue_now")).to_have_text(t("num.def.overdue", "en"))
    page.locator("#gy-lang-switch").click()
    expect(grades.first).to_have_text("样本不足")


def test_wall_legend_counts_the_tiles_open_cases(
    browser: Browser, app_server: AppServer, foreign: ForeignRequests
) -> None:
    ctx = guarded_context(browser, app_server.base, foreign, viewport={"width": 1920, "height": 1080})
    page = ctx.new_page()
    sign_in(page, app_server.base, "lead", "/wall")
    tile = page.locator("[data-kpi=open]")
    expect(tile).to_have_text(re.compile(r"^[\d,]+$"), timeout=30_000)
    count = page.locator(".wall-pin-count[data-pins]")
    expect(count).to_be_attached(timeout=30_000)
    open_now = tile.inner_text().replace(",", "")
    assert count.get_attribute("data-pins") == open_now
    expect(count).to_have_text(t("wall.pins.count", "zh", n=f"{int(open_now):,}"))
    expect(count).to_have_attribute("title", t("num.def.open", "zh"))
    expect(page.locator(".wall-kpi-overdue")).to_have_attribute("title", t("num.def.overdue", "zh"))
    expect(page.locator(".wall-key").nth(2)).to_have_attribute("title", t("num.def.overdue", "zh"))
    expect(page.locator(".wall-kpi-on_time")).to_have_attribute(
        "title", t("num.def.on_time_handle_rate", "zh")
    )
    ctx.close()


def test_workbench_red_light_is_named_overdue(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "lead", "/workbench")
    red = page.locator(".wb-legend > span").nth(2)
    expect(red).to_contain_text("红灯", timeout=30_000)
    expect(red).to_have_attribute("title", t("num.def.overdue", "zh"))
