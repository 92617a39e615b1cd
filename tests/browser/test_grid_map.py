"""The foundation's map page: districts and the unit grid from PostGIS, in real Chromium, no foreign hosts. Staff
only: a visitor who is not signed in is sent to sign in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in


def test_grid_map_shows_districts_then_cells_when_zoomed(
    page: Page, app_server: AppServer, foreign: ForeignRequests
) -> None:
    sign_in(page, app_server.base, "dispatcher", "/grid")
    districts = page.locator(".leaflet-overlay-pane path")
    expect(districts.first).to_be_visible(timeout=20_000)
    assert districts.count() >= 10
    expect(page.locator("#grid-status")).to_contain_text("放大")
    screenshot(page, "grid-city")

    # zoom to street level over 云岩区: the grid of the viewport arrives
    for _ in range(4):
        page.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(400)
    expect(page.locator("#grid-status")).to_contain_text("网格", timeout=15_000)
    expect(page.locator("#grid-status")).not_to_contain_text("放大", timeout=15_000)
    assert page.locator(".leaflet-overlay-pane path").count() > 100
    screenshot(page, "grid-street")
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"


def test_language_switch(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "dispatcher", "/grid")
    expect(page.locator("#gy-title")).to_have_text("贵阳城市管理一张图")
    page.locator("#gy-lang-switch").click()
    expect(page.locator("#gy-title")).to_have_text("Guiyang City Management One Map")
    page.locator("#gy-lang-switch").click()


def test_healthz_and_unknown_api_path(app_server: AppServer) -> None:
    import httpx

    r = httpx.get(app_server.base + "/healthz")
    assert r.status_code == 200 and r.json()["database"] == "up"
