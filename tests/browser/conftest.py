"""Browser tests: the real app served by uvicorn on the test database, driven in Debian's Chromium through
Playwright. Any request to another host is aborted and recorded, so a page that needs the internet fails."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, Route, sync_playwright

from bench.app_process import AppProcess
from bench.common import login_token as login_token  # re-exported: the tests sign in as the benchmarks do
from bench.common import sign_in
from dashboard.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("GUIYANG_SCREENSHOTS", "var/screenshots"))


#: a client signed in through the form, as the benchmarks sign in
sign_in_client = sign_in


class AppServer(AppProcess):
    """The real app on the test database ``db_url``, with the session's settings; ``env`` may be changed before
    ``start()``."""

    def __init__(self, db_url: str, settings: Settings) -> None:
        super().__init__(
            {
                "DATABASE_URL": db_url,
                "GUIYANG_DEMO_MODE": "1",
                "GUIYANG_SECRET_KEY": settings.secret_key or "browser-test-secret-" + "y" * 32,
                "GUIYANG_MEDIA_DIR": str(settings.media_path),
                "GUIYANG_LOG_LEVEL": "WARNING",
            }
        )


@pytest.fixture(scope="session")
def app_server(db_url: str, settings: Settings) -> Iterator[AppServer]:
    server = AppServer(db_url, settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is required for browser tests (make browser-deps)"
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


class ForeignRequests(list[str]):
    """URLs of requests to any host but the app's own (aborted)."""


@pytest.fixture
def foreign() -> ForeignRequests:
    return ForeignRequests()


def guard_own_host(ctx: BrowserContext, base: str, foreign: ForeignRequests) -> None:
    """Let ``ctx`` reach only the app's own host (and data:/blob: URLs); anything else is aborted and noted in
    ``foreign``. A Playwright route: it is served only while Playwright has control (wait with the page's own
    ``wait_for_timeout``, not ``time.sleep``, while the page should go on)."""
    own = urlparse(base).netloc

    def guard(route: Route, request: Request) -> None:
        if request.url.startswith(("data:", "blob:")) or urlparse(request.url).netloc == own:
            route.continue_()
        else:
            foreign.append(request.url)
            route.abort()

    ctx.route("**/*", guard)


def guarded_context(browser: Browser, base: str, foreign: ForeignRequests, **kw: Any) -> BrowserContext:
    """A new zh-CN browser context (``kw`` as for ``new_context``) that may reach only the app at ``base``."""
    ctx = browser.new_context(**{"locale": "zh-CN", **kw})
    guard_own_host(ctx, base, foreign)
    return ctx


@pytest.fixture
def context(browser: Browser, app_server: AppServer, foreign: ForeignRequests) -> Iterator[BrowserContext]:
    ctx = guarded_context(browser, app_server.base, foreign, viewport={"width": 1600, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    p = context.new_page()
    yield p
    p.close()


def screenshot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
