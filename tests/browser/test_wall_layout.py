"""The wall's layout in real Chromium at 1920×1080 and 3840×2160 (device scale 1), in Chinese and English: no
text in the KPI tiles, the department panel or the legend overflows or is cut off, the legend is clear of the map
and of every other panel, departments show their short names (full names on hover) that can be told apart, each
column of the department table holds one unit, and the district names lie in a pane above the pins and clusters.

Departments with the longest short names get enough handled cases (through the workflow commands, committed) to
appear in the panel; they are verified and closed after the module, so later tests' work lists do not hold them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import Engine, text

from demo.users import DEMO_USERS
from geo.crs import TZ
from ops import workflow as wf
from ops.workflow import Actor
from tests.support.app import AppServer, login_token
from tests.support.browser import ForeignRequests, guarded_context, screenshot
from tests.support.public import lead

pytestmark = pytest.mark.browser

PASSWORDS = {u.username: u.password for u in DEMO_USERS}
#: the longest short names in both languages (departments.yaml)
DEPTS = {
    "520115-HW": ("观山湖环卫中心", "Guanshanhu Sanitation", "观山湖区环境卫生管理中心"),
    "520115-CGJ": ("观山湖城管局", "Guanshanhu Urban Mgmt", "观山湖区城市管理局"),
    "SWJT": ("水务环境集团", "Water & Drainage Group", "贵阳市水务环境集团（供水排水）"),
}
PER_DEPT = 6  # the panel lists departments with at least 5 cases due
FULL_PANEL = 20  # departments with cases: more than the panel's rows, so that it is full


@pytest.fixture(scope="module")
def handled(engine: Engine) -> Iterator[None]:
    """Cases of the DEPTS handled in the last days, some after more than two days (a column in days), and of
    enough other departments to fill the panel; closed (核查通过) afterwards."""
    now = datetime.now(TZ)
    made: list[int] = []
    with engine.begin() as conn:
        boss = lead(conn)
        others = conn.execute(
            text("SELECT code FROM department WHERE NOT code = ANY(:d) ORDER BY code LIMIT :n"),
            {"d": list(DEPTS), "n": FULL_PANEL - len(DEPTS)},
        ).scalars()
        depts = list(DEPTS) + list(others)
        points = conn.execute(
            text(
                "SELECT ST_X(g), ST_Y(g) FROM (SELECT (ST_Dump(ST_GeneratePoints(geom, :n, 12))).geom AS g "
                "FROM district WHERE code = '520115') x"
            ),
            {"n": PER_DEPT * len(depts)},
        ).all()
        for i, (x, y) in enumerate(points):
            dept = depts[i % len(depts)]
            t0 = now - timedelta(days=4, hours=i)
            c = wf.report(
                conn,
                Actor.system(),
                category_code="E0201",
                lon=x,
                lat=y,
                description=f"大屏版面测试 {uuid.uuid4().hex[:8]}",
                source="app",
                now=t0,
            )
            c = wf.file_case(conn, boss, c.id, c.version, now=t0 + timedelta(minutes=10))
            c = wf.dispatch(conn, boss, c.id, c.version, department_code=dept, now=t0 + timedelta(minutes=20))
            hours = 60 if i % 4 == 0 else 1.5 + i
            c = wf.handle(
                conn, boss, c.id, c.version, note="已处置", now=t0 + timedelta(minutes=20, hours=hours)
            )
            made.append(c.id)
    yield
    with engine.begin() as conn:
        boss = lead(conn)
        for case_id in made:
            wf.verify(conn, boss, case_id, wf.get_case(conn, case_id).version, passed=True, note="测试结束")


def _context(browser: Browser, base: str, foreign: ForeignRequests, w: int, h: int) -> BrowserContext:
    ctx = guarded_context(browser, base, foreign, viewport={"width": w, "height": h}, device_scale_factor=1)
    token = login_token(ctx.request.get(base + "/auth/login").text())
    resp = ctx.request.post(
        base + "/auth/login",
        form={"username": "lead", "password": PASSWORDS["lead"], "next": "/wall", "csrf_token": token},
    )
    assert resp.ok
    return ctx


@pytest.fixture(params=[(1920, 1080), (3840, 2160)], ids=["1080p", "4k"])
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return tuple(request.param)  # type: ignore[return-value]


@pytest.fixture
def wall(
    browser: Browser, app_server: AppServer, foreign: ForeignRequests, size: tuple[int, int], handled: None
) -> Iterator[Page]:
    ctx = _context(browser, app_server.base, foreign, *size)
    yield ctx.new_page()
    ctx.close()
    assert foreign == [], f"the wall asked other hosts: {foreign[:5]}"


#: every element of the tiles, the department panel and the legend whose content is wider or taller than its box
#: (cut off, or ellipsised), or that sticks out of its panel
OVERFLOWS = """() => {
    const bad = [];
    for (const root of document.querySelectorAll('.wall-kpi, #wall-panel, .wall-legend')) {
        const box = root.getBoundingClientRect();
        if (root.scrollHeight > root.clientHeight + 1 || root.scrollWidth > root.clientWidth + 1) {
            bad.push(['panel', root.className, root.scrollWidth, root.clientWidth, root.scrollHeight, root.clientHeight]);
        }
        for (const el of root.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (!r.width || !r.height) { continue; }
            if (el.clientWidth && el.scrollWidth > el.clientWidth + 1) {
                bad.push(['cut', el.className, el.textContent.slice(0, 40), el.scrollWidth, el.clientWidth]);
            }
            if (r.right > box.right + 1 || r.left < box.left - 1 || r.bottom > box.bottom + 1) {
                bad.push(['out', el.className, el.textContent.slice(0, 40)]);
            }
        }
    }
    return bad;
}"""

RECTS = """() => Object.fromEntries(
    [['legend', '.wall-legend'], ['map', '#wall-map'], ['panel', '#wall-panel'], ['kpis', '.wall-kpis'],
     ['ticker', '.wall-ticker-row'], ['top', '.wall-top']].map(([k, s]) => {
        const r = document.querySelector(s).getBoundingClientRect();
        return [k, [r.left, r.top, r.right, r.bottom]];
    }))"""


def _intersect(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def _open(page: Page, base: str, lang: str) -> None:
    # the panel is one computation for every screen, kept 30 s: one drawn for an earlier test may not hold this
    # module's departments yet, so the page redraws it every 10 s until it does
    page.goto(f"{base}/wall?fallback=10&lang={lang}")
    expect(page.locator("[data-kpi=open]")).to_have_text(re.compile(r"^[\d,]+$"), timeout=30_000)
    for code in DEPTS:
        expect(page.locator(f'#wall-panel tr[data-dept="{code}"]')).to_be_attached(timeout=60_000)
    expect(page.locator(".wall-district-label span").first).to_be_attached(timeout=15_000)
    page.wait_for_timeout(500)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_wall_text_fits_and_the_legend_is_clear(
    wall: Page, app_server: AppServer, size: tuple[int, int], lang: str
) -> None:
    _open(wall, app_server.base, lang)
    bad = wall.evaluate(OVERFLOWS)
    assert bad == [], bad
    rects = wall.evaluate(RECTS)
    legend = rects.pop("legend")
    for name, rect in rects.items():
        assert not _intersect(legend, rect), f"the legend covers the {name}"
    assert legend[0] >= 0 and legend[1] >= 0 and legend[2] <= size[0] and legend[3] <= size[1]
    screenshot(wall, f"wall-layout-{size[1]}p-{lang}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_department_short_names_and_one_unit_per_column(wall: Page, app_server: AppServer, lang: str) -> None:
    _open(wall, app_server.base, lang)
    for code, (zh, en, full_zh) in DEPTS.items():
        cell = wall.locator(f'#wall-panel tr[data-dept="{code}"] .wall-dept')
        expect(cell).to_have_text(en if lang == "en" else zh)
        title = cell.get_attribute("title") or ""
        assert title == full_zh if lang == "zh" else len(title) > len(en)
    names = wall.locator("#wall-panel .wall-dept").all_inner_texts()
    assert len(names) == len(set(names)), f"names that cannot be told apart: {names}"
    assert not any("…" in n for n in names)
    units = {
        k: wall.locator(f'#wall-panel [data-unit="{k}"]').inner_text() for k in ("median", "p90", "on_time")
    }
    hours, days = ("h", "d") if lang == "en" else ("时", "天")
    assert units["median"] in (hours, days) and units["on_time"] == "%"
    assert units["p90"] == days  # some took more than two days: the whole column in days
    number = re.compile(r"^(\d[\d,]*(\.\d)?|—)$")
    for row in wall.locator("#wall-panel tbody tr[data-dept]").all():
        cells = row.locator("td").all_inner_texts()
        assert all(number.match(c.strip()) for c in cells[2:]), (
            cells
        )  # bare numbers: the unit is in the header


def test_district_names_lie_above_pins_and_clusters(wall: Page, app_server: AppServer) -> None:
    _open(wall, app_server.base, "zh")
    panes = wall.evaluate(
        """() => [...document.querySelectorAll('.wall-district-label')].map((el) => {
            const pane = el.closest('.leaflet-pane');
            return [pane.className, Number(getComputedStyle(pane).zIndex)];
        })"""
    )
    marker_z = wall.evaluate(
        "() => Number(getComputedStyle(document.querySelector('.leaflet-marker-pane')).zIndex)"
    )
    assert panes and all("leaflet-wall-labels-pane" in cls and z > marker_z for cls, z in panes)
    assert wall.locator(".leaflet-marker-pane .wall-cluster, .leaflet-marker-pane .wall-pin").count() > 0
