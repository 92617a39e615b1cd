"""The public map in real Chromium on the real app: three layers with data on a phone and a desktop, ticket
tracking, nearest service points, the photo viewer, the language switch; no response of any page, callback or
endpoint carries a reporter's personal data or an internal note; only public, coarsened reports; no other host."""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, text

from dashboard.app import GZIP_MIN_BYTES
from dashboard.settings import Settings
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, guarded_context, screenshot
from tests.support.public import Seeded, seed_city_cases, unique_point

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1440, "height": 900}


class Recorder:
    """Every body the page receives from the app: HTTP responses (documents, JSON, callbacks) and the frames of
    Dash's callback websocket."""

    def __init__(self, page: Page) -> None:
        self.bodies: list[str] = []
        self.urls: list[str] = []
        page.on("response", self._response)
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _response(self, response: Any) -> None:
        self.urls.append(response.url)
        kind = response.request.resource_type
        if kind in ("document", "xhr", "fetch") or "_dash" in response.url:
            try:
                self.bodies.append(response.text())
            except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
                pass

    def _frame(self, payload: str | bytes) -> None:
        self.bodies.append(payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))

    def text(self) -> str:
        """All bodies, with JSON \\u escapes decoded so Chinese values can be searched for."""
        out = []
        for body in self.bodies:
            out.append(body)
            try:
                out.append(json.dumps(json.loads(body), ensure_ascii=False))
            except ValueError:
                pass
        return "\n".join(out)


@pytest.fixture(scope="module")
def seeded(engine: Engine) -> Seeded:
    """Committed: a citizen with distinctive personal data and five reports at a point whose cell had none."""
    rng = random.Random(20260304)  # seeded: the same point every run
    with engine.begin() as conn:
        for _ in range(50):
            point = unique_point(rng)
            busy = conn.execute(
                text(
                    'SELECT count(*) FROM "case" WHERE cell_id = (SELECT (gy_route(ST_SetSRID('
                    "ST_MakePoint(:x, :y), 4326))).cell_id)"
                ),
                {"x": point[0], "y": point[1]},
            ).scalar_one()
            if not busy:
                break
        return seed_city_cases(conn, point, uuid.uuid4().hex[:10])


@pytest.fixture
def phone(browser: Browser, app_server: AppServer, foreign: ForeignRequests) -> Iterator[Page]:
    ctx = guarded_context(browser, app_server.base, foreign, viewport=PHONE, is_mobile=True, has_touch=True)
    yield ctx.new_page()
    ctx.close()


def open_map(page: Page, base: str, query: str = "", layers: tuple[str, ...] = ("beauty", "svc")) -> None:
    page.goto(base + "/" + query)
    for layer in layers:
        expect(page.locator(f".pub-m-{layer}").first).to_be_attached(timeout=20_000)


def assert_no_secrets(body: str, seeded: Seeded) -> None:
    for value in seeded.secrets.values():
        assert value not in body, f"a public response contains {value!r}"


def true_point_in(body: str, point: tuple[float, float]) -> bool:
    """Whether the true point (as stored, or rounded to 5 decimals) is in ``body`` as a number pair."""
    compact = body.replace(" ", "")
    for dp in (6, 5):
        lon, lat = (repr(round(v, dp)) for v in point)
        if re.search(rf"(?<![\d.]){re.escape(lon)},{re.escape(lat)}(?!\d)", compact):
            return True
    return False


def cell_centre(engine: Engine, seeded: Seeded) -> tuple[float, float]:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT round(ST_X(ST_PointOnSurface(geom))::numeric, 5)::float8, "
                "round(ST_Y(ST_PointOnSurface(geom))::numeric, 5)::float8 FROM grid_cell WHERE id = :id"
            ),
            {"id": seeded.closed.cell_id},
        ).one()
    return float(row[0]), float(row[1])


def polite_get(client: httpx.Client, url: str, **kw: Any) -> httpx.Response:
    """GET, waiting as told when the ticket lookups' rate limit says 429 (earlier tests spent some of it)."""
    for _ in range(5):
        r = client.get(url, **kw)
        if r.status_code != 429:
            return r
        time.sleep(int(r.headers["retry-after"]))
    return r


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_three_layers_with_data_and_no_personal_data(
    viewport: str,
    browser: Browser,
    app_server: AppServer,
    foreign: ForeignRequests,
    seeded: Seeded,
    engine: Engine,
) -> None:
    size = PHONE if viewport == "phone" else DESKTOP
    ctx = guarded_context(browser, app_server.base, foreign, viewport=size, is_mobile=viewport == "phone")
    page = ctx.new_page()
    rec = Recorder(page)
    open_map(page, app_server.base, layers=("beauty", "svc", "rep"))
    expect(page.locator("#pub-title")).to_have_text("贵阳城市服务地图")
    expect(page.locator("#pub-summary")).to_contain_text("本月举报", timeout=15_000)
    assert page.locator(".pub-m-beauty").count() >= 10
    # service points clustered per kind at city zoom (test_public_map_layers.py): clusters and single points
    assert page.locator(".pub-m-svc-cluster").count() >= 7
    assert page.locator(".pub-m-svc, .pub-m-svc-cluster").count() >= 20
    box = page.locator("#pub-map").bounding_box()
    assert box is not None and box["width"] <= size["width"] and box["height"] > 250
    screenshot(page, f"public-{viewport}")

    # street level around the seeded reports: one marker for the cell, three public reports in it
    centre = cell_centre(engine, seeded)  # (never the true point: it must not appear in any response)
    open_map(page, app_server.base, f"?lat={centre[1]}&lon={centre[0]}&z=17", ("beauty", "svc", "rep"))
    marker = page.locator(".pub-m-rep").filter(has_text="3")
    expect(marker.first).to_be_visible(timeout=15_000)
    # the cell's marker is the one at the map's centre (other tests' reports may make other cells' markers,
    # some off a phone's screen)
    mid = page.locator("#pub-map").bounding_box()
    assert mid is not None

    def off_centre(i: int) -> float:
        b = marker.nth(i).bounding_box()
        if b is None:
            return float("inf")
        dx = b["x"] + b["width"] / 2 - (mid["x"] + mid["width"] / 2)
        dy = b["y"] + b["height"] / 2 - (mid["y"] + mid["height"] / 2)
        return float(dx * dx + dy * dy)

    marker.nth(min(range(marker.count()), key=off_centre)).click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text("井盖破损")
    expect(popup).to_contain_text("近 30 天举报 3 件")
    expect(popup).to_contain_text("已办结")
    expect(popup).to_contain_text("处理中")
    screenshot(page, f"public-{viewport}-street")

    # follow my report: the closed case's stages
    page.get_by_role("tab", name="查进度").click()
    page.locator("#pub-track-input").fill(seeded.closed.ticket)
    page.locator("#pub-track-btn").click()
    result = page.locator("#pub-track-result")
    expect(result).to_contain_text(seeded.closed.ticket, timeout=10_000)
    for stage in ("已受理", "处理中", "已办结"):
        expect(result).to_contain_text(stage)
    expect(result).to_contain_text(seeded.times["verify"].strftime("%Y-%m-%d %H:%M"))
    expect(result).to_contain_text("井盖破损")
    screenshot(page, f"public-{viewport}-track")
    page.locator("#pub-track-input").fill(seeded.merged.ticket)
    page.locator("#pub-track-input").press("Enter")
    expect(result).to_contain_text("合并", timeout=10_000)
    page.locator("#pub-track-input").fill(seeded.private.ticket)
    page.locator("#pub-track-btn").click()
    expect(result).to_contain_text("不在公众地图公开", timeout=10_000)
    page.locator("#pub-track-input").fill("GY000000-1")
    page.locator("#pub-track-btn").click()
    expect(result).to_contain_text("没有找到", timeout=10_000)

    bodies = rec.text()
    assert len(rec.bodies) > 10
    assert seeded.closed.ticket in bodies and "已办结" in bodies  # the callback answers were captured too
    assert_no_secrets(bodies, seeded)
    assert true_point_in(json.dumps({"c": list(seeded.point)}), seeded.point)  # the check itself works
    assert not true_point_in(bodies, seeded.point)
    assert f"[{centre[0]},{centre[1]}]" in bodies.replace(" ", "")  # the coarsened position was sent
    own = urlparse(app_server.base).netloc
    assert all(urlparse(u).netloc == own for u in rec.urls if not u.startswith(("data:", "blob:")))
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"
    ctx.close()


def test_public_endpoints_are_small_cached_compressed_and_private_free(
    app_server: AppServer, seeded: Seeded
) -> None:
    base = app_server.base + "/public/v1"
    lon, lat = seeded.point
    urls = [
        "/beauty.json",
        "/service-points.json",
        "/service-points.json?kind=toilet,water",
        "/summary.json",
        "/basemap.json",
        "/district-labels.json",
        f"/grid.json?bbox={lon - 0.005},{lat - 0.005},{lon + 0.005},{lat + 0.005}",
        f"/track/{seeded.closed.ticket}.json",
        f"/track/{seeded.merged.ticket}.json",
        f"/track/{seeded.private.ticket}.json",
        *[
            f"/reports.json?bbox={lon - d},{lat - d},{lon + d},{lat + d}&zoom={z}"
            for d, z in ((0.01, 17), (0.01, 15), (0.03, 14), (0.1, 13), (0.3, 11))
        ],
    ]
    with httpx.Client(headers={"Accept-Encoding": "gzip"}) as client:
        for url in urls:
            r = polite_get(client, base + url)
            assert r.status_code == 200, url
            assert r.headers.get("content-encoding") == "gzip" or len(r.content) < GZIP_MIN_BYTES, url
            assert "max-age=" in r.headers["cache-control"] and r.headers["etag"], url
            body = r.text
            assert_no_secrets(body, seeded)
            assert not true_point_in(body, seeded.point), url
            again = polite_get(client, base + url, headers={"If-None-Match": r.headers["etag"]})
            assert again.status_code == 304 and again.content == b"", url
        reports = client.get(base + urls[-5]).json()
        assert all(it[0] != "E0502" for f in reports["features"] for it in f["properties"]["items"])
        assert client.get(base + "/nothing-here").status_code == 404
        assert polite_get(client, base + "/track/not-a-ticket.json").status_code == 404
        assert client.get(base + "/reports.json?bbox=1,2,3").status_code == 400
        assert client.get(app_server.base + "/media/public/987654321/thumb").status_code == 404
        assert client.get(app_server.base + "/media/staff/1/thumb").status_code == 404  # staff only
        photo = client.get(base + "/beauty.json").json()["features"][0]["properties"]["photo"]
        for variant in ("icon", "thumb", "full"):
            r = client.get(f"{app_server.base}/media/public/{photo}/{variant}")
            assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg", variant
            assert "max-age" in r.headers["cache-control"]
        assert len(client.get(f"{app_server.base}/media/public/{photo}/icon").content) < 8_000


def test_nearest_with_and_without_permission(
    browser: Browser, app_server: AppServer, foreign: ForeignRequests
) -> None:
    ctx = guarded_context(
        browser,
        app_server.base,
        foreign,
        viewport=PHONE,
        geolocation={"latitude": 26.5838, "longitude": 106.7135},
        permissions=["geolocation"],
    )
    page = ctx.new_page()
    open_map(page, app_server.base)
    page.get_by_role("tab", name="附近服务").click()
    page.locator("#pub-near-btn").click()
    items = page.locator(".pub-near-item")
    expect(items).to_have_count(5, timeout=15_000)
    expect(page.locator("#pub-near-status")).to_contain_text("您的当前位置")
    expect(items.first).to_contain_text("米")
    screenshot(page, "public-phone-nearest")
    # only drinking water
    for kind in ("公共厕所", "停车场", "城管服务站", "充电站", "回收点", "爱心驿站"):
        page.locator(".pub-kinds").get_by_text(kind, exact=True).click()
    expect(items.first).to_contain_text("直饮水", timeout=10_000)
    # each click answers on its own: wait for the last one's list (not just its first item)
    expect(items.filter(has_not_text="直饮水")).to_have_count(0, timeout=10_000)
    expect(items).to_have_count(5)
    ctx.close()

    ctx = guarded_context(browser, app_server.base, foreign, viewport=PHONE)  # no permission: the map centre
    page = ctx.new_page()
    open_map(page, app_server.base)
    page.get_by_role("tab", name="附近服务").click()
    page.locator("#pub-near-btn").click()
    expect(page.locator("#pub-near-status")).to_contain_text("地图中心", timeout=15_000)
    expect(page.locator(".pub-near-item")).to_have_count(5)
    ctx.close()
    assert foreign == []


def test_photo_viewer_layers_and_language(phone: Page, app_server: AppServer) -> None:
    open_map(phone, app_server.base, "?lat=26.5716&lon=106.7119&z=14")  # 甲秀楼 in the middle
    phone.locator('.pub-m-beauty[title="甲秀楼"]').click()
    viewer = phone.locator("#pub-photo")
    expect(viewer).to_have_class("pub-photo pub-photo-open")
    src = phone.locator("#pub-photo-img").get_attribute("src") or ""
    assert src.startswith("/media/public/") and src.endswith("/full")
    expect(phone.locator("#pub-photo-title")).to_have_text("甲秀楼")
    screenshot(phone, "public-phone-photo")
    phone.locator("#pub-photo-close").click()
    expect(viewer).to_have_class("pub-photo")

    # switch the 最美贵阳 layer off and on
    marker = phone.locator('.pub-m-beauty[title="甲秀楼"]')
    phone.locator(".pub-chip-beauty").click()
    expect(marker).to_be_hidden()
    phone.locator(".pub-chip-beauty").click()
    expect(marker).to_be_visible()

    phone.locator("#pub-lang-switch").click()
    expect(phone.locator("#pub-title")).to_have_text("Guiyang City Map")
    expect(phone.locator("#pub-summary")).to_contain_text("Reports this month", timeout=10_000)
    phone.locator("#pub-lang-switch").click()
    expect(phone.locator("#pub-title")).to_have_text("贵阳城市服务地图")


@pytest.fixture(scope="module")
def limited_server(db_url: str, settings: Settings) -> Iterator[AppServer]:
    """The app with a low limit of ticket lookups: two at once, then one every 10 s."""
    server = AppServer(db_url, settings)
    server.env.update({"GUIYANG_PUBLIC_TRACK_PER_MINUTE": "6", "GUIYANG_PUBLIC_TRACK_BURST": "2"})
    server.start()
    yield server
    server.stop()


def test_too_many_lookups_say_when_to_try_again(
    browser: Browser, limited_server: AppServer, foreign: ForeignRequests, seeded: Seeded
) -> None:
    ctx = guarded_context(
        browser, limited_server.base, foreign, viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = ctx.new_page()
    statuses: list[tuple[int, str]] = []
    page.on("response", lambda r: statuses.append((r.status, r.url)))
    open_map(page, limited_server.base)
    page.get_by_role("tab", name="查进度").click()
    result = page.locator("#pub-track-result")
    for number, expected in ((seeded.closed.ticket, seeded.closed.ticket), ("GY000000-1", "没有找到")):
        page.locator("#pub-track-input").fill(number)
        page.locator("#pub-track-btn").click()
        expect(result).to_contain_text(expected, timeout=10_000)
    page.locator("#pub-track-input").fill(seeded.closed.ticket)  # the third within seconds: too many
    page.locator("#pub-track-btn").click()
    expect(result).to_contain_text("查询过于频繁", timeout=10_000)
    expect(result.locator(".pub-warn")).to_be_visible()
    said = re.search(r"请 (\d+) 秒后再试", result.inner_text())
    assert said and 1 <= int(said.group(1)) <= 10, result.inner_text()
    assert seeded.closed.ticket not in result.inner_text()
    screenshot(page, "public-phone-track-limited")

    page.locator("#pub-lang-switch").click()  # the answer follows the language (still over the limit)
    expect(result).to_contain_text("Too many lookups", timeout=10_000)
    assert re.search(r"try again in \d+ s\.", result.inner_text()), result.inner_text()
    screenshot(page, "public-phone-track-limited-en")
    assert [s for s in statuses if s[0] >= 500] == []
    assert foreign == []
    ctx.close()


def test_public_alias_and_staff_header_hidden(page: Page, app_server: AppServer) -> None:
    page.goto(app_server.base + "/public")
    expect(page.locator("#pub-map")).to_be_visible(timeout=20_000)
    expect(page.locator("#gy-header")).to_be_hidden()
