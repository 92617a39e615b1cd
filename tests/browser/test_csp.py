"""Every page under the Content-Security-Policy in real Chromium, used briefly (the public map's "nearest to me"
and photo viewer, the wall's map and event stream, the workbench map and an upload preview, the stats page's
plotly charts, the grid map, moderation's photo thumbnails, the language switch): 0 violations, the headers on
every page, and no request to another host."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from bench.trust.headers_probe import CONTEXT_OPTIONS, HEADERS, browse, sign_in_context
from tests.browser.conftest import AppServer, ForeignRequests, guarded_context

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
    assert len(results) == 9
    for name, (violations, doc, error) in results.items():
        assert error is None, (name, error)
        assert violations == [], (name, violations)
        assert all(h in doc for h in HEADERS), (name, sorted(doc))
    assert foreign == []
