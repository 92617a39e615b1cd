"""Every page under the Content-Security-Policy in real Chromium, used briefly (the public map's "nearest to me"
and photo viewer, the wall's map and event stream, the workbench map and an upload preview, the stats page's
plotly charts, the grid map, moderation's photo thumbnails, the language switch): 0 violations, the headers on
every page, and no request to another host."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Request, Route, expect

from bench.trust.headers_probe import (
    CONTEXT_OPTIONS,
    CSP_INIT_SCRIPT,
    HEADERS,
    PAGES,
    browse,
    png,
    sign_in_context,
)
from dashboard.settings import Settings
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, guarded_context

pytestmark = pytest.mark.browser


@pytest.fixture
def contexts(
    browser: Browser, app_server: AppServer, foreign: ForeignRequests
) -> Iterator[tuple[BrowserContext, BrowserContext]]:
    anon = guarded_context(browser, app_server.base, foreign, **CONTEXT_OPTIONS)
    staff = guarded_context(browser, app_server.base, foreign, **CONTEXT_OPTIONS)
    sign_in_context(staff, app_server.base)
    yield anon, staff
    anon.close()
    staff.close()


def test_every_page_works_under_the_policy(
    contexts: tuple[BrowserContext, BrowserContext], app_server: AppServer, foreign: ForeignRequests
) -> None:
    results = browse(*contexts, app_server.base)
    assert len(results) == len(PAGES)  # every page was visited
    for name, (violations, doc, error) in results.items():
        assert error is None, (name, error)
        assert violations == [], (name, violations)
        assert all(h in doc for h in HEADERS), (name, sorted(doc))
    assert foreign == []


@pytest.mark.parametrize(
    ("env", "host"),
    [
        ({"GUIYANG_OSM_TILES": "1"}, "tile.openstreetmap.org"),
        ({"GUIYANG_TIANDITU_KEY": "k"}, "tianditu.gov.cn"),
    ],
)
def test_switched_on_tiles_load_under_the_policy(
    browser: Browser, db_url: str, settings: Settings, env: dict[str, str], host: str
) -> None:
    """With a tile setting on, the wall's tiles come from exactly that host (served here by a stand-in)."""
    server = AppServer(db_url, settings)
    server.env.update(env)
    server.start()
    tiles: list[str] = []
    try:
        ctx = browser.new_context(**CONTEXT_OPTIONS)

        def route(r: Route, request: Request) -> None:
            if urlparse(request.url).netloc == urlparse(server.base).netloc:
                r.continue_()
            elif urlparse(request.url).netloc.endswith(host):
                tiles.append(request.url)
                r.fulfill(status=200, content_type="image/png", body=png())
            else:
                r.abort()

        ctx.route("**/*", route)
        sign_in_context(ctx, server.base)
        ctx.add_init_script(CSP_INIT_SCRIPT)
        page = ctx.new_page()
        page.goto(server.base + "/wall")
        expect(page.locator(".wall-tiles img").first).to_be_attached(timeout=30_000)
        page.wait_for_timeout(1000)
        assert page.evaluate("window.__gyCsp") == []
        assert tiles
        ctx.close()
    finally:
        server.stop()
