"""The city's own basemap in real Chromium: a small generated layer imported by the same path as
``import-layer --kind basemap``, the workbench opened at street zoom there, its road names written on the map
(from the app's own vector tiles: nothing from another host), and the layer switch back to the outline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import text

from db.engine import make_engine
from db.seed.basemap import import_basemap
from tests.support.app import AppServer
from tests.support.basemap import FAR, LAT, LON, MAIN, SIDE, write_geopackage
from tests.support.browser import ForeignRequests, guard_own_host, screenshot, sign_in

pytestmark = pytest.mark.browser

# Leaflet's maps, kept as they are made (as tests/browser/test_workbench.py does)
KEEP_MAPS = """(() => {
    let leaflet;
    Object.defineProperty(window, "L", {configurable: true, get() { return leaflet; }, set(value) {
        leaflet = value;
        value.Map.addInitHook(function () { (window.gyMaps = window.gyMaps || []).push(this); });
    }});
})();"""
READY = "() => (window.gyMaps || []).some((m) => m.getContainer().id === 'wb-map' && m._loaded)"
GO = "([lat, lon, z]) => window.gyMaps.find((m) => m.getContainer().id === 'wb-map').setView([lat, lon], z, {animate: false})"


@pytest.fixture(scope="module")
def imported(
    owner_db_url: str, app_server: AppServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[int]:
    eng = make_engine(owner_db_url, pool_size=1)
    path = write_geopackage(tmp_path_factory.mktemp("basemap") / "city.gpkg", 32648)
    with eng.begin() as conn:
        version = import_basemap(conn, path, attribution="测试路网（生成）/ test streets (generated)").version
    deadline = time.monotonic() + 15  # the app keeps what it knows of the basemap for a few seconds
    while httpx.get(app_server.base + "/basemap/v1/info.json").json()["version"] != version:
        assert time.monotonic() < deadline
        time.sleep(0.5)
    yield version
    with eng.begin() as conn:
        conn.execute(text("DELETE FROM basemap_feature"))
        conn.execute(text("DELETE FROM basemap_source"))
    eng.dispose()


def test_road_names_of_an_imported_layer_are_drawn_on_the_workbench(
    browser: Browser, app_server: AppServer, imported: int, tmp_path: Path
) -> None:
    foreign = ForeignRequests()
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    guard_own_host(ctx, app_server.base, foreign)
    ctx.add_init_script(KEEP_MAPS)
    tiles: list[str] = []
    ctx.on("request", lambda r: tiles.append(r.url) if "/basemap/v1/" in r.url else None)
    page = ctx.new_page()
    sign_in(page, app_server.base, "dispatcher", "/workbench")
    page.wait_for_function(READY, timeout=20_000)
    switch = page.locator(".leaflet-control-layers")
    expect(switch).to_be_attached()
    page.evaluate(GO, [LAT, LON, 16])

    labels = page.locator(".bm-road-label span")
    expect(labels.filter(has_text=MAIN).first).to_be_visible(timeout=15_000)
    expect(labels.filter(has_text=SIDE).first).to_be_visible()
    expect(labels.filter(has_text=FAR)).to_have_count(0)  # another tile's, far off screen
    # names are written along their roads: the side road's across, the main road's (north-south) top to bottom
    main = page.locator(".bm-road-label span", has_text=MAIN).first
    side = page.locator(".bm-road-label span", has_text=SIDE).first
    assert main.evaluate("(el) => el.style.writingMode") == "vertical-rl"
    assert side.evaluate("(el) => el.style.writingMode") == ""
    main_box, side_box = main.bounding_box(), side.bounding_box()
    assert (
        main_box
        and side_box
        and main_box["height"] > main_box["width"]
        and side_box["width"] > side_box["height"]
    )
    assert page.locator(".leaflet-control-attribution", has_text="测试路网（生成）").count() == 1
    assert any(f"/basemap/v1/{imported}/16/" in u for u in tiles)
    screenshot(page, "basemap-workbench-street-zoom")

    # below street zoom no names; the outline base leaves the city's basemap off the map
    page.evaluate(GO, [LAT, LON, 13])
    expect(labels).to_have_count(0, timeout=10_000)
    page.evaluate(GO, [LAT, LON, 16])
    expect(labels.filter(has_text=MAIN).first).to_be_visible(timeout=15_000)
    switch.hover()
    page.locator(".leaflet-control-layers-base label", has_text="轮廓底图").click()
    expect(labels).to_have_count(0, timeout=10_000)
    expect(page.locator(".leaflet-bm-base-pane canvas")).to_have_count(0)
    assert foreign == []
    ctx.close()
