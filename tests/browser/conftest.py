"""Browser tests: the real app served by uvicorn, driven in Debian's Chromium through Playwright. Any request to
another host is aborted and recorded, so a page that needs the internet fails. The app commits what the tests do
in it, so here the test database (``db_url``, ``engine``, ``conn`` ...) is a private copy of the template, not the
shared one the database tests use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import Engine

from dashboard.settings import Settings
from db.engine import make_engine
from tests.support.app import AppServer
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, ForeignRequests, guarded_context
from tests.support.db import as_app, private_copy


@pytest.fixture(scope="session")
def owner_db_url(owner_db_url: str, settings: Settings) -> Iterator[str]:
    with private_copy(owner_db_url, settings, "browser") as url:
        yield url


@pytest.fixture(scope="session")
def db_url(owner_db_url: str, settings: Settings) -> str:
    return as_app(settings, owner_db_url)


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url, pool_size=5)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def owner_engine(owner_db_url: str) -> Iterator[Engine]:
    eng = make_engine(owner_db_url, pool_size=2)
    yield eng
    eng.dispose()


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


@pytest.fixture
def foreign() -> ForeignRequests:
    return ForeignRequests()


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
