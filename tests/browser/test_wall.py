"""/wall in real Chromium on the real app and the test database: it renders with data for a signed-in lead (at
1920×1080 and 3840×2160), a new report arrives by push (the polling fallback set to an hour), the wall reconnects
after the app server restarts, no request goes to another host, and anonymous callers get nothing.

Cases are created through the workflow commands in committed transactions, each at its own random point, and left
in place: no test depends on data being absent."""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import Engine, text

from dashboard.settings import Settings
from demo.users import DEMO_USERS
from ops import workflow as wf
from ops.states import Role
from ops.workflow import Actor, CaseResult
from tests.support.app import AppServer, login_token, sign_in_client
from tests.support.browser import ForeignRequests, guarded_context, screenshot

pytestmark = pytest.mark.browser

PASSWORDS = {u.username: u.password for u in DEMO_USERS}
SPOTS = [(106.7119, 26.5716), (106.7135, 26.5838), (106.6602, 26.6201), (106.7550, 26.5402)]
DIGITS = re.compile(r"^[\d,]+$")
LONG_FALLBACK = "?fallback=3600"  # push only: the polling fallback would come after an hour
_rng = random.Random(20260303)  # seeded: the same points every run


def commit_report(
    engine: Engine, near: tuple[float, float] | None = None, category: str = "C0102"
) -> CaseResult:
    lon, lat = near or _rng.choice(SPOTS)
    with engine.begin() as conn:
        return wf.report(
            conn,
            Actor.system(),
            category_code=category,
            lon=lon + _rng.uniform(-0.002, 0.002),
            lat=lat + _rng.uniform(-0.0015, 0.0015),
            description=f"大屏测试 {uuid.uuid4().hex[:8]}",
            source="app",
        )


def sign_in(ctx: BrowserContext, base: str, user: str = "lead") -> None:
    """POST the sign-in form (the page's own form posts the same): the context then holds the session."""
    token = login_token(ctx.request.get(base + "/auth/login").text())
    resp = ctx.request.post(
        base + "/auth/login",
        form={"username": user, "password": PASSWORDS[user], "next": "/wall", "csrf_token": token},
    )
    assert resp.ok and resp.url.endswith("/wall"), resp.url


def open_wall(page: Page, base: str, query: str = "") -> None:
    """Open the wall and wait until it shows data: KPIs, the base layer of pins, the live connection."""
    page.goto(base + "/wall" + query)
    expect(page.locator("[data-kpi=open]")).to_have_text(DIGITS, timeout=30_000)
    expect(page.locator("[data-pins]")).to_be_attached(timeout=30_000)
    expect(page.locator("#wall-conn")).to_have_class("wall-conn wall-conn-open", timeout=20_000)
    # the heat legend and the 预警 column are in (the heatmap answered: swatches, or "no reports" on a database
    # without reports in the window), so a view the map was fitted to has been asked for its pins
    expect(page.locator("#wall-legend .wall-legend-head")).to_be_attached(timeout=20_000)
    expect(page.locator(".ana-wall-title")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1000)


@pytest.fixture
def wall_page(browser: Browser, app_server: AppServer, foreign: ForeignRequests) -> Iterator[Page]:
    ctx = guarded_context(browser, app_server.base, foreign, viewport={"width": 1920, "height": 1080})
    sign_in(ctx, app_server.base)
    page = ctx.new_page()
    yield page
    ctx.close()


def test_wall_renders_with_data(
    browser: Browser, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    made = [commit_report(engine, spot) for spot in SPOTS for _ in range(3)]
    for w, h, name in ((1920, 1080, "wall-1080p"), (3840, 2160, "wall-4k")):
        ctx = guarded_context(browser, app_server.base, foreign, viewport={"width": w, "height": h})
        sign_in(ctx, app_server.base)
        page = ctx.new_page()
        open_wall(page, app_server.base)
        for kpi in ("today", "open", "overdue", "on_time", "closing"):
            expect(page.locator(f"[data-kpi={kpi}]")).not_to_be_empty()
        # open cases as pins (clustered or single), the heatmap legend with a total, districts labelled
        expect(page.locator(".wall-cluster div, .wall-pin i").first).to_be_attached(timeout=15_000)
        expect(page.locator(".wall-legend-head")).to_contain_text("件", timeout=15_000)
        assert int(page.locator("[data-pins]").get_attribute("data-pins") or 0) >= len(made)
        expect(page.locator(".wall-district-label span", has_text="云岩区")).to_be_visible()
        expect(page.locator("#wall-preset-label")).to_have_text("全市")
        expect(page.locator(".wall-tick").first).to_be_visible(timeout=15_000)
        expect(page.locator("#wall-panel .wall-panel-title")).to_be_visible()
        # 4K and 1080p both without scrollbars: nothing overflows the viewport
        overflow = page.evaluate(
            "() => [document.documentElement.scrollWidth > innerWidth, document.documentElement.scrollHeight > innerHeight]"
        )
        assert overflow == [False, False]
        page.wait_for_timeout(800)
        screenshot(page, name)
        ctx.close()
    assert foreign == [], f"the wall asked other hosts: {foreign[:5]}"


def test_a_new_report_appears_by_push(wall_page: Page, app_server: AppServer, engine: Engine) -> None:
    open_wall(wall_page, app_server.base, LONG_FALLBACK)
    tile = wall_page.locator("[data-kpi=open]")
    open_before = int(tile.inner_text().replace(",", ""))
    asked: list[
        str
    ] = []  # the page's own catch-ups: the wall feed's deltas need none (dashboard/wall_feed.py)
    wall_page.on(
        "request",
        lambda r: (
            asked.append(r.url) if '"changedPropIds":["wall-doorbell.data"]' in (r.post_data or "") else None
        ),
    )
    times = []
    for _ in range(3):
        t0 = time.monotonic()
        case = commit_report(engine)
        expect(wall_page.locator(f'[data-case="{case.id}"][data-live]')).to_be_attached(timeout=10_000)
        expect(wall_page.locator(f'.wall-tick[data-ticket="{case.ticket}"]')).to_be_visible(timeout=10_000)
        times.append(time.monotonic() - t0)
    print(
        f"report → pin on /wall by push: {', '.join(f'{t * 1000:.0f} ms' for t in times)}; {len(asked)} asked"
    )
    assert min(times) < 3.0
    # merged from the stream: at most the first report rings (a page that opened between the feed's reads)
    assert len(asked) <= 1, asked
    # the tiles read again after the catch-ups (wall.js rings them; the fallback timer is an hour away)
    expect(tile).to_have_text(f"{open_before + 3:,}", timeout=10_000)


def test_a_closed_case_leaves_the_live_layer(wall_page: Page, app_server: AppServer, engine: Engine) -> None:
    open_wall(wall_page, app_server.base, LONG_FALLBACK)
    case = commit_report(engine)
    pin = wall_page.locator(f'[data-case="{case.id}"][data-live]')
    expect(pin).to_be_attached(timeout=10_000)
    with engine.begin() as conn:
        uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        wf.reject(conn, Actor(Role.LEAD, user_id=uid), case.id, case.version, reason="测试")
    expect(pin).not_to_be_attached(timeout=10_000)


@pytest.fixture
def restartable(db_url: str, settings: Settings) -> Iterator[AppServer]:
    """An app server of this test's own, stopped and started again on the same port by the test."""
    server = AppServer(db_url, settings)
    server.start()
    yield server
    server.stop()


def test_the_wall_reconnects_after_the_server_restarts(
    browser: Browser, restartable: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    ctx = guarded_context(browser, restartable.base, foreign, viewport={"width": 1600, "height": 900})
    sign_in(ctx, restartable.base)
    page = ctx.new_page()
    open_wall(page, restartable.base, LONG_FALLBACK)
    restartable.stop()
    expect(page.locator("#wall-conn")).not_to_have_class("wall-conn wall-conn-open", timeout=10_000)
    restartable.start()  # same port: the page's EventSource finds it again by itself
    expect(page.locator("#wall-conn")).to_have_class("wall-conn wall-conn-open", timeout=30_000)
    case = commit_report(engine)
    expect(page.locator(f'[data-case="{case.id}"][data-live]')).to_be_attached(timeout=10_000)
    expect(page.locator(f'.wall-tick[data-ticket="{case.ticket}"]')).to_be_visible(timeout=10_000)
    ctx.close()
    assert foreign == []


VIEW = {"bounds": [[26.4, 106.5], [26.8, 106.9]], "zoom": 12}
#: What the browser would send for each input and state of the wall's callbacks.
VALUES: dict[str, Any] = {
    "wall-view.data": VIEW,
    "wall-doorbell.data": {"id": 10**9, "x": None, "n": 1},
    "wall-fallback.n_intervals": 1,
    "wall-base-reload.data": 0,
    "wall-window.value": "7d",
    "wall-cursor.data": "1:1:",
    "wall-live.data": {},
    "wall-ticker-store.data": [],
    "wall-base-as-of.data": 0,
    "wall-presets.data": None,
    "wall-map.id": "wall-map",
    "wall-heat-level.data": {"level": "1km", "bbox": [106.5, 26.4, 106.9, 26.8], "sig": ""},
    "wall-config.data": {"scale": "heat", "colors": ["#000"] * 5},
    "gy-lang.data": "zh",
}


def callback_body(dep: dict[str, Any]) -> dict[str, Any]:
    """The POST body the browser sends for the callback ``dep`` of /_dash-dependencies."""
    names = dep["output"].strip(".").split("...")
    outputs = [{"id": n.split(".")[0], "property": n.split(".")[1].split("@")[0]} for n in names]

    def item(x: dict[str, str]) -> dict[str, Any]:
        return {"id": x["id"], "property": x["property"], "value": VALUES.get(f"{x['id']}.{x['property']}")}

    inputs = [item(x) for x in dep["inputs"]]
    return {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        "state": [item(x) for x in dep["state"]],
    }


def test_anonymous_callers_get_no_wall_data(app_server: AppServer, engine: Engine) -> None:
    commit_report(engine)
    base = app_server.base
    deps = [
        d
        for d in httpx.get(base + "/_dash-dependencies").json()
        if not d.get("clientside_function") and d["output"].strip(".").startswith("wall-")
        and "wall-redirect" not in d["output"]
    ]  # fmt: skip
    firsts = {d["output"].strip(".").split("...")[0].split("@")[0] for d in deps}
    assert {"wall-base.data", "wall-heat-geo.data", "wall-cursor.data", "wall-kpis.children"} <= firsts
    for dep in deps:  # every server-side callback of the wall refuses a caller without a session
        anonymous = httpx.post(base + "/_dash-update-component", json=callback_body(dep))
        assert anonymous.status_code == 204 and not anonymous.content, dep["output"]
    with httpx.Client(base_url=base) as staff:  # ... and answers a signed-in one
        sign_in_client(staff, "lead", PASSWORDS["lead"], "/wall")
        pins = next(d for d in deps if d["output"].strip(".").startswith("wall-base.data"))
        signed = staff.post(
            "/_dash-update-component",
            json=callback_body(pins),
            headers={"X-CSRFToken": staff.cookies["_csrf_token"]},
        )
        assert signed.status_code == 200
        base_layer = json.loads(signed.text)["response"]["wall-base"]["data"]
        assert base_layer["mode"] == "bubbles" and sum(base_layer["n"]) + len(base_layer["id"]) >= 1
        assert staff.get("/push/status").json()["listening"] in (True, False)
    # the event stream and its status refuse anonymous callers too
    assert httpx.get(base + "/push/events").status_code == 401
    assert httpx.get(base + "/push/status").status_code == 401


def test_the_wall_rotates_through_preset_views(wall_page: Page, app_server: AppServer) -> None:
    wall_page.goto(app_server.base + "/wall?rotate=5" + LONG_FALLBACK.replace("?", "&"))
    label = wall_page.locator("#wall-preset-label")
    expect(label).to_have_text("全市", timeout=30_000)
    expect(label).to_have_text(re.compile("区$"), timeout=15_000)  # the first central district
    first = label.inner_text()
    expect(label).not_to_have_text(first, timeout=15_000)  # and on to the next one


def test_the_wall_speaks_english_when_asked(wall_page: Page, app_server: AppServer, engine: Engine) -> None:
    commit_report(engine)  # an event for the ticker, whatever ran before
    open_wall(wall_page, app_server.base, LONG_FALLBACK + "&lang=en")
    expect(wall_page.locator("#wall-title")).to_have_text("Guiyang City Management Command Center")
    expect(wall_page.locator(".wall-kpi-open .wall-kpi-label")).to_have_text("Open cases")
    expect(wall_page.locator("#wall-conn")).to_have_text("Live")
    expect(wall_page.locator("#wall-preset-label")).to_have_text("Whole city")
    # the ticker too: its events, in English (a ticker written by two callbacks was left at "Waiting for events")
    expect(wall_page.locator(".wall-tick-action").first).to_have_text(
        re.compile(r"^[A-Za-z]"), timeout=10_000
    )
    expect(wall_page.locator("#wall-ticker .wall-empty")).to_have_count(0)


def test_signed_out_visitors_are_sent_to_sign_in(page: Page, app_server: AppServer) -> None:
    page.goto(app_server.base + "/wall?rotate=30")
    page.wait_for_url("**/login?next=*", timeout=15_000)
    assert "wall" in page.url


def test_the_browser_reads_snapshots_as_the_server_does(wall_page: Page, app_server: AppServer) -> None:
    """``gy.snapshot.sees`` and ``covers`` (assets/gy.js, what a wall merges a delta by) against
    :mod:`db.snapshots` over every pair of small snapshots."""
    import itertools

    from db import snapshots

    texts = []
    for xmin, xmax in itertools.combinations_with_replacement(range(1, 6), 2):
        inner = list(range(xmin, xmax))
        for k in range(len(inner) + 1):
            texts += [f"{xmin}:{xmax}:{','.join(map(str, c))}" for c in itertools.combinations(inner, k)]
    texts += ["junk", "5:3:", "", "1:5:7", "1:2:,", "3:5:1", " 1:2:"]
    wall_page.goto(app_server.base + "/public")
    wall_page.wait_for_function("() => window.gy && window.gy.snapshot && window.gy.snapshot.covers")
    got = wall_page.evaluate(
        """(texts) => texts.map((a) => texts.map((b) => window.gy.snapshot.covers(a, b)))
            .concat([texts.map((a) => [0, 1, 2, 3, 4, 5, 6].map((x) => window.gy.snapshot.sees(x, a)))])""",
        texts,
    )
    want = [[snapshots.covers(a, b) for b in texts] for a in texts]
    assert got[:-1] == want
    assert got[-1] == [[snapshots.visible(x, a) for x in range(7)] for a in texts]
