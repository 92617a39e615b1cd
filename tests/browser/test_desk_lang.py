"""Everything in the UI language, the app's own CJK font, and pages a role may not use (issue #12), in real
Chromium on the real app: plotly's date axes in Chinese, no raw status or kind key and no Chinese-only chip in
English mode, the 404 page in both languages, the user chip in English, nothing cut off at 360 px, the bundled
font loaded on the public map and the wall, 无权访问 with a way on, and /grid for staff only."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, text

from dashboard.settings import Settings
from db.media import store_photo
from db.vocabulary import SOURCES, Action, CaseStatus, Role
from demo.public import placeholder_picture
from geo.crs import TZ
from ops import workflow as wf
from ops.workflow import Actor
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, guarded_context, screenshot, sign_in
from tests.support.cases import staff_actor

YUNYAN = (106.7161, 26.5912)  # 云岩区, away from the points other tests use
OCTOBER = "start=2025-10-01&end=2025-10-31"
FONT_URL = "/assets/fonts/NotoSansSC-subset.woff2"
#: the keys the database stores, which the UI must never show as they are
RAW_KEYS = {
    *(s.value for s in CaseStatus),
    *(a.value for a in Action),
    *(r.value for r in Role),
    *SOURCES,
    *("report", "handled", "verification", "beauty", "beauty_post", "photo", "service_point"),
    *("toilet", "parking", "service_station", "water", "charging", "recycling", "rest"),
    *("pending", "approved", "hidden", "red", "yellow", "green", "none"),
}
#: the text of every leaf element (and the titles and alt texts), as the page shows them
LEAF_TEXTS = """() => {
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('script, style, [hidden]')) continue;
    if (e.children.length === 0 && e.textContent.trim()) out.push(e.textContent.trim());
    for (const a of ['title', 'alt', 'aria-label']) { const v = e.getAttribute(a); if (v) out.push(v.trim()); }
  }
  return out;
}"""
#: the visible chips and badges: their text, their box and whether their text fits in it
CHIPS = """() => [...document.querySelectorAll(
    '.mantine-Chip-label, .mantine-Badge-root, .mantine-SegmentedControl-label, [class*="badge"], [class*="chip"],'
    + ' .gy-lang, .gy-user-button, .gy-user-link, .gy-nav-link, .pub-lang, .wb-status')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().width > 0)
  .map(e => { const r = e.getBoundingClientRect();
    return {cls: String(e.getAttribute('class')), text: e.innerText.trim(), left: r.left, right: r.right,
            sw: e.scrollWidth, cw: e.clientWidth, sh: e.scrollHeight, ch: e.clientHeight}; })"""
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def cases(engine: Engine, settings: Settings) -> Iterator[dict[str, str]]:
    """Four closed cases in October 2025 (for /stats' trend) and one public case in progress (for the workbench
    card) with a reporter's photo waiting for moderation."""
    rng = random.Random(20261206)
    out: dict[str, str] = {}
    with engine.begin() as conn:
        lead = staff_actor(conn, "lead")
        for n in range(4):
            t0 = datetime(2025, 10, 6 + 5 * n, 9, 0, tzinfo=TZ)
            r = wf.report(
                conn,
                Actor.system(),
                category_code="C0101",
                lon=YUNYAN[0] + rng.uniform(-0.001, 0.001),
                lat=YUNYAN[1] + rng.uniform(-0.001, 0.001),
                description="井盖松动",
                source="hotline",
                now=t0,
            )
            r = wf.file_case(conn, lead, r.id, r.version, now=t0 + timedelta(minutes=10))
            r = wf.dispatch(conn, lead, r.id, r.version, now=t0 + timedelta(minutes=20))
            r = wf.handle(conn, lead, r.id, r.version, note="已更换", now=t0 + timedelta(hours=2))
            wf.verify(conn, lead, r.id, r.version, passed=True, now=t0 + timedelta(hours=3))
        r = wf.report(
            conn,
            Actor.system(),
            category_code="C0102",
            lon=YUNYAN[0] + rng.uniform(-0.001, 0.001),
            lat=YUNYAN[1] + rng.uniform(-0.001, 0.001),
            description=f"语言测试 {uuid.uuid4().hex[:8]}",
            source="inspector",
            address="测试路",
        )
        r = wf.file_case(conn, lead, r.id, r.version)
        r = wf.dispatch(conn, lead, r.id, r.version)
        r = wf.start(conn, lead, r.id, r.version)
        conn.execute(text('UPDATE "case" SET public = true WHERE id = :id'), {"id": r.id})
        store_photo(conn, settings.media_path, placeholder_picture(r.ticket), kind="report", case_id=r.id)
        out["open"] = r.ticket
    yield out


def _english(page: Page) -> None:
    page.evaluate("() => localStorage.setItem('gy-lang', JSON.stringify('en'))")


def _no_raw_keys(page: Page, where: str) -> None:
    shown = page.evaluate(LEAF_TEXTS)
    raw = sorted({s for s in shown if s in RAW_KEYS or re.fullmatch(r"[a-z]+(_[a-z]+)+", s)})
    assert raw == [], f"{where} shows raw keys: {raw}"


def _no_chinese_only_chips(page: Page, where: str) -> None:
    zh_only = [
        c["text"]
        for c in page.evaluate(CHIPS)
        if CJK.search(c["text"])
        and not re.search("[A-Za-z0-9]", c["text"])
        and not re.search(r"\b(gy|pub)-lang\b", c["cls"])  # the switch to Chinese says 中文
    ]
    assert zh_only == [], f"{where}: chips in Chinese only in English mode: {zh_only}"


def test_stats_date_axis_follows_the_language(
    page: Page, app_server: AppServer, cases: dict[str, str]
) -> None:
    sign_in(page, app_server.base, "lead", "/stats")
    page.goto(f"{app_server.base}/stats?{OCTOBER}")
    ticks = page.locator("#stats-trend-volume .xtick text")
    expect(ticks.first).to_be_visible(timeout=30_000)
    expect(ticks.first).to_contain_text("月", timeout=15_000)
    zh = ticks.all_text_contents()
    assert all(re.search(r"\d+月", x) for x in zh), zh
    assert (
        page.evaluate("() => document.querySelector('#stats-trend-volume .js-plotly-plot')._context.locale")
        == "zh-CN"
    )
    # plotly.js's own texts are in Chinese too: the mode bar
    assert (
        page.locator(
            "#stats-trend-volume .modebar-btn[data-title='重置轴'], #stats-trend-volume .modebar-btn[data-title='自动缩放']"
        ).count()
        >= 1
    )
    page.locator("#gy-lang-switch").click()
    expect(ticks.first).not_to_contain_text("月", timeout=15_000)
    en = ticks.all_text_contents()
    assert any(re.search(r"(Oct|Nov|Sep)", x) for x in en), en
    assert (
        page.evaluate("() => document.querySelector('#stats-trend-volume .js-plotly-plot')._context.locale")
        == "en"
    )
    screenshot(page, "desk-lang-stats-en")


def test_english_mode_shows_no_raw_key_and_no_chinese_only_chip(
    page: Page, app_server: AppServer, cases: dict[str, str], foreign: ForeignRequests
) -> None:
    sign_in(page, app_server.base, "lead", "/workbench")
    _english(page)
    page.goto(app_server.base + "/workbench")
    expect(page.locator("#wb-queue-count")).to_contain_text("case", timeout=20_000)
    page.locator(".wb-row", has_text=cases["open"]).click()
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(cases["open"], timeout=15_000)
    expect(page.locator("#wb-card .wb-card-head .wb-status")).to_have_text("In progress", timeout=15_000)
    # the user chip: the role in English beside the name
    expect(page.locator("#gy-user")).to_contain_text("Shift lead")
    expect(page.locator("#gy-user")).to_contain_text("Sign out")
    _no_raw_keys(page, "the workbench")
    _no_chinese_only_chips(page, "the workbench")
    screenshot(page, "desk-lang-workbench-en")
    # the moderator's list of report photos: the photo's kind and the case's category in English
    page.goto(app_server.base + "/moderation")
    page.locator("#mod-tab-photos").click()
    card = page.locator(".mod-card", has_text=cases["open"])
    expect(card).to_contain_text("Reported photo", timeout=20_000)
    expect(card).to_contain_text("Street light out")
    _no_raw_keys(page, "the moderation photos")
    for path in (f"/stats?{OCTOBER}", "/moderation", "/public"):
        page.goto(app_server.base + path)
        page.wait_for_timeout(3000)
        _no_raw_keys(page, path)
        _no_chinese_only_chips(page, path)
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"


def test_the_404_page_follows_the_language(page: Page, app_server: AppServer) -> None:
    page.goto(app_server.base + "/no-such-page")
    panel = page.locator("#gy-not-found")
    expect(panel).to_contain_text("页面不存在", timeout=20_000)
    expect(panel).to_contain_text("/no-such-page")
    expect(panel.locator("a[href='/']")).to_have_text("公众地图")
    screenshot(page, "desk-lang-404-zh")
    page.locator("#gy-lang-switch").click()
    expect(panel).to_contain_text("Page not found", timeout=15_000)
    expect(panel).not_to_contain_text("页面不存在")
    expect(panel.locator("a[href='/login']")).to_have_text("Staff sign-in")
    screenshot(page, "desk-lang-404-en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nothing_cut_off_at_360_px(
    browser: Browser, app_server: AppServer, foreign: ForeignRequests, lang: str
) -> None:
    ctx = guarded_context(browser, app_server.base, foreign, viewport={"width": 360, "height": 740})
    if lang == "en":
        ctx.add_init_script("localStorage.setItem('gy-lang', JSON.stringify('en'))")
    page = ctx.new_page()
    try:
        pages = (
            ("/public", ".pub-layers .mantine-Chip-label", "#pub-lang-switch"),
            ("/login", "#login-submit", "#gy-lang-switch"),
        )
        for path, ready, switch in pages:
            page.goto(app_server.base + path)
            expect(page.locator(ready).first).to_be_visible(timeout=20_000)
            expect(page.locator(switch)).to_have_text("中文" if lang == "en" else "English", timeout=15_000)
            page.wait_for_timeout(800)
            chips = page.evaluate(CHIPS)
            assert len(chips) >= 2, chips
            cut = [c for c in chips if c["sw"] > c["cw"] + 1 or c["left"] < -1 or c["right"] > 361]
            assert cut == [], f"{path} ({lang}) at 360 px: cut off: {cut}"
            tall = [c for c in chips if c["text"] and "\n" in c["text"]]
            assert tall == [], f"{path} ({lang}) at 360 px: a chip wraps its text: {tall}"
            screenshot(page, f"desk-lang-360{path.replace('/', '-')}-{lang}")
    finally:
        ctx.close()


def test_the_bundled_font_is_loaded_on_the_public_map_and_the_wall(page: Page, app_server: AppServer) -> None:
    r = httpx.get(app_server.base + FONT_URL)
    assert r.status_code == 200 and r.headers["content-type"] == "font/woff2"
    assert r.content[:4] == b"wOF2" and 100_000 < len(r.content) < 2_000_000
    css = httpx.get(app_server.base + "/assets/font.css").text
    assert "font-display: swap" in css and "NotoSansSC-subset.woff2" in css
    loaded = """async () => { await document.fonts.ready;
      return [document.fonts.check('16px "Noto Sans SC"'),
              [...document.fonts].some(f => f.family.replace(/"/g, '') === 'Noto Sans SC' && f.status === 'loaded'),
              getComputedStyle(document.body).fontFamily]; }"""
    page.goto(app_server.base + "/public")
    expect(page.locator(".pub-layers .mantine-Chip-label").first).to_be_visible(timeout=20_000)
    check, face, family = page.evaluate(loaded)
    assert check and face, (check, face)
    assert family.startswith('"Noto Sans SC"'), family
    sign_in(page, app_server.base, "lead", "/wall")
    expect(page.locator(".wall-kpi-value").first).to_be_visible(timeout=30_000)
    check, face, _ = page.evaluate(loaded)
    assert check and face, (check, face)
    assert page.evaluate(
        "() => getComputedStyle(document.querySelector('.wall-kpi-label')).fontFamily"
    ).startswith('"Noto Sans SC"')


def test_a_page_the_role_may_not_use_says_so_and_where_to_go(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "yunyan", "/workbench")
    page.goto(app_server.base + "/moderation")
    denied = page.locator("#gy-denied")
    expect(denied).to_be_visible(timeout=20_000)
    expect(denied).to_contain_text("无权访问")
    expect(denied.locator("a[href='/workbench']")).to_have_text("工作台")
    expect(denied.locator("a[href='/moderation']")).to_have_count(0)
    screenshot(page, "desk-lang-moderation-officer")
    page.locator("#gy-lang-switch").click()
    expect(denied).to_contain_text("No access", timeout=15_000)
    expect(denied.locator("a[href='/workbench']")).to_have_text("Workbench")
    denied.locator("a[href='/workbench']").click()
    page.wait_for_url("**/workbench")
    expect(page.locator("#gy-denied")).to_be_hidden(timeout=15_000)


def test_a_page_the_role_may_use_shows_no_refusal(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "moderator", "/moderation")
    expect(page.locator("#mod-title")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1500)
    expect(page.locator("#gy-denied")).to_be_hidden()


def test_the_grid_map_asks_for_sign_in(page: Page, app_server: AppServer) -> None:
    page.goto(app_server.base + "/grid")
    page.wait_for_url("**/login?next=/grid", timeout=15_000)
    expect(page.locator("#login-title")).to_have_text("工作人员登录", timeout=20_000)
    expect(page.locator("#gy-nav")).not_to_contain_text("网格地图")
