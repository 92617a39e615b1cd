"""/stats in real Chromium on the real app: the table and trend with data, the drill-down map, the CSV export,
the officer's scope, the refusals for anonymous callers, and no request to any other host.

The app runs in its own process, so the cases it shows are committed: a few closed cases in September 2025
(closed, so they add nothing to anyone's open or overdue counts).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from dashboard.components.case_link import case_href
from dashboard.components.stats_columns import export_header
from dashboard.ids import stats as ids
from db.accounts import load_identity
from geo.crs import TZ
from ops import workflow as wf
from ops.workflow import Actor
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot

PERIOD = "start=2025-09-01&end=2025-09-30"
# near the districts' label points, away from the points other tests use
YUNYAN = (106.7239, 26.6042)
NANMING = (106.7139, 26.5675)
PASSWORDS = {"lead": "demo-lead-2026", "yunyan": "demo-yunyan-2026"}


@pytest.fixture(scope="module")
def september(engine: Engine) -> Iterator[list[str]]:
    """Eight closed cases (one late, one reworked) in 云岩区 and 南明区, committed; their tickets."""
    tickets: list[str] = []
    with engine.begin() as conn:
        uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        ident = load_identity(conn, uid)
        assert ident is not None
        lead = Actor.from_identity(ident)
        for n, (point, late, rework) in enumerate(
            [(YUNYAN, False, False)] * 3
            + [(YUNYAN, True, False), (YUNYAN, False, True)]
            + [(NANMING, False, False)] * 3
        ):
            t0 = datetime(2025, 9, 8 + n, 9, 0, tzinfo=TZ)
            r = wf.report(
                conn,
                Actor.system(),
                category_code="C0101",
                lon=point[0] + n * 1e-4,
                lat=point[1],
                description="井盖松动",
                source="inspector",
                now=t0,
            )
            assert r.district_code == ("520103" if point == YUNYAN else "520102")
            tickets.append(r.ticket)
            r = wf.file_case(conn, lead, r.id, r.version, now=t0 + timedelta(minutes=10))
            r = wf.dispatch(conn, lead, r.id, r.version, now=t0 + timedelta(minutes=20))
            done = t0 + (timedelta(days=3) if late else timedelta(hours=1))
            r = wf.handle(conn, lead, r.id, r.version, note="已更换", now=done)
            if rework:
                r = wf.verify(
                    conn, lead, r.id, r.version, passed=False, note="仍松动", now=done + timedelta(minutes=20)
                )
                done += timedelta(minutes=40)
                r = wf.handle(conn, lead, r.id, r.version, note="已更换", now=done)
            wf.verify(conn, lead, r.id, r.version, passed=True, now=done + timedelta(minutes=30))
    yield tickets


def sign_in(page: Page, base: str, user: str) -> None:
    page.goto(base + "/login?next=/stats")
    page.locator("input[name=username]").fill(user)
    page.locator("input[name=password]").fill(PASSWORDS[user])
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/stats*")


def test_stats_page_table_trend_drill_export(
    page: Page, app_server: AppServer, foreign: ForeignRequests, september: list[str], tmp_path: Path
) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    base = app_server.base
    sign_in(page, base, "lead")
    page.goto(f"{base}/stats?{PERIOD}")
    table = page.locator(f"#{ids.TABLE}")
    expect(table.locator(".ag-cell[col-id=name]").first).to_be_visible(timeout=30_000)
    expect(table).to_contain_text("云岩区城市管理局")
    expect(table).to_contain_text("合计")
    expect(page.locator(f"#{ids.SUMMARY}")).to_contain_text("立案数")
    expect(page.locator(f"#{ids.STATUS}")).to_contain_text("2025-09-01")
    # the trend: a plotly chart with bars, drawn by plotly.js served from the app
    expect(page.locator(f"#{ids.TREND_VOLUME} .main-svg").first).to_be_visible(timeout=20_000)
    assert page.locator(f"#{ids.TREND_VOLUME} .bars path").count() > 0
    assert any("plotly" in u for u in requests), "plotly.js was not loaded"
    screenshot(page, "stats")

    # sorting: a click on a header sorts by it (ascending, then descending)
    header = table.locator(".ag-header-cell[col-id=cases]")
    header.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    counts = [int(x) for x in table.locator(".ag-row .ag-cell[col-id=cases]").all_inner_texts()]
    first = table.locator(".ag-row[row-index='0'] .ag-cell[col-id=cases]")
    assert int(first.inner_text()) == max(counts)  # the total's 8 heads the sorted table
    header.click()  # and a third click restores the table's own order
    expect(header).to_have_attribute("aria-sort", "none")

    # drill-down: the cases behind 立案数 of a department, as points on the map and a list with tickets
    table.locator(".ag-row[row-index='0'] .ag-cell[col-id=cases]").click()
    panel = page.locator(f"#{ids.DRILL}.stats-drill-open")
    expect(panel).to_be_visible(timeout=15_000)
    expect(panel.locator(".leaflet-interactive").first).to_be_visible(timeout=15_000)
    assert panel.locator("path.leaflet-interactive").count() >= 3
    listed = panel.locator(".stats-drill-table .stats-ticket")
    expect(listed.first).to_be_visible()
    assert set(listed.all_inner_texts()) <= set(september) and listed.count() >= 3
    # each ticket is the link to its card on the workbench
    link = listed.first.locator("a")
    assert link.get_attribute("href") == case_href(listed.first.inner_text())
    page.wait_for_timeout(1500)  # the map flies to the cases
    screenshot(page, "stats-drill")
    page.locator(f"#{ids.DRILL_CLOSE}").click()
    expect(page.locator(f"#{ids.DRILL}.stats-drill-open")).to_have_count(0)

    # the keyboard: the arrow keys move between cells, Enter on a number opens its drill-down
    table.locator(".ag-row[row-index='0'] .ag-cell[col-id=name]").click()
    page.keyboard.press("ArrowRight")
    expect(table.locator(".ag-row[row-index='0'] .ag-cell[col-id=cases]")).to_have_class(
        re.compile("ag-cell-focus")
    )
    page.keyboard.press("Enter")
    expect(panel).to_be_visible(timeout=15_000)
    expect(panel.locator(".stats-drill-table .stats-ticket").first).to_be_visible()
    page.locator(f"#{ids.DRILL_CLOSE}").click()
    expect(page.locator(f"#{ids.DRILL}.stats-drill-open")).to_have_count(0)

    # the CSV export downloads the same table
    with page.expect_download() as info:
        page.locator(f"#{ids.EXPORT_CSV}").click()
    path = tmp_path / "stats.csv"
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == export_header("zh")
    yunyan = next(r for r in rows if r[1] == "520103")
    assert yunyan[3] == "5"  # 立案数 of 云岩区 in September 2025
    assert rows[-1][0] == "合计" and rows[-1][3] == "8"

    # English through the header switch
    page.locator("#gy-lang-switch").click()
    expect(page.locator(f"#{ids.TITLE}")).to_contain_text("Departments and districts")
    expect(table).to_contain_text("Cases filed")
    expect(table).to_contain_text("Yunyan")
    page.locator("#gy-lang-switch").click()

    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"
    assert all(u.startswith(base) or u.startswith(("data:", "blob:")) for u in requests)


def test_officer_sees_only_their_district(page: Page, app_server: AppServer, september: list[str]) -> None:
    base = app_server.base
    sign_in(page, base, "yunyan")
    page.goto(f"{base}/stats?{PERIOD}&dim=district")
    table = page.locator(f"#{ids.TABLE}")
    expect(table).to_contain_text("云岩区", timeout=30_000)
    expect(page.locator(f"#{ids.SCOPE}")).to_contain_text("云岩区")
    expect(table).not_to_contain_text("南明区")
    export = page.context.request.get(f"{base}/stats/export.csv?{PERIOD}")
    assert export.status == 200
    codes = {r[1] for r in csv.reader(io.StringIO(export.text().lstrip("\ufeff")))}
    assert "520103" in codes and "520102" not in codes


def test_anonymous_is_refused(page: Page, app_server: AppServer, september: list[str]) -> None:
    base = app_server.base
    for fmt in ("csv", "xlsx"):
        r = httpx.get(f"{base}/stats/export.{fmt}?{PERIOD}", follow_redirects=False)
        assert r.status_code in (401, 403) or (
            r.status_code in (302, 303) and "/login" in r.headers["location"]
        )
        assert "520103" not in r.text
    # the data callback, called by hand without a session: no update, no figures
    body = {
        "output": f"{ids.DATA}.data",
        "outputs": {"id": ids.DATA, "property": "data"},
        "inputs": [{"id": ids.RANGE, "property": "value", "value": ["2025-09-01", "2025-09-30"]}],
        "changedPropIds": [f"{ids.RANGE}.value"],
        "state": [],
    }
    r = httpx.post(f"{base}/_dash-update-component", json=body)
    assert r.status_code == 204 and "520103" not in r.text
    # the page itself sends anonymous visitors to the sign-in page
    page.goto(f"{base}/stats")
    expect(page).to_have_url(re.compile(r"/login\?next=/stats"), timeout=15_000)
