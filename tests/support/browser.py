"""Browser test helpers: Debian's Chromium and its flags, contexts that may reach only the app's own host,
screenshots, and signing in through the login page."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from playwright.sync_api import Browser, BrowserContext, Page, Request, Route

from demo.users import DEMO_USERS

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


class ForeignRequests(list[str]):
    """URLs of requests to any host but the app's own (aborted)."""


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


def screenshot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


PASSWORDS = {u.username: u.password for u in DEMO_USERS}


def sign_in(page: Page, base: str, user: str, target: str = "/workbench") -> None:
    page.goto(f"{base}/login?next={quote(target, safe='/')}")
    page.locator("#login-username").fill(user)
    page.locator("#login-password").fill(PASSWORDS[user])
    page.locator("#login-submit").click()
    page.wait_for_url(lambda url: url.endswith(target))


class HeldCall:
    """Holds the first Dash callback request of ``page`` that ``wanted`` picks (given the request's JSON body)
    until :meth:`release`: a slow answer on demand, so a test can make something else happen on the page while
    that answer is on its way. Other requests go on to the context's routes."""

    def __init__(self, page: Page, wanted: Callable[[dict[str, Any]], bool]) -> None:
        self.page, self.wanted = page, wanted
        self.route: Route | None = None
        page.route("**/_dash-update-component*", self._handle)

    def _handle(self, route: Route, request: Request) -> None:
        if self.route is None and self.wanted(json.loads(request.post_data or "{}")):
            self.route = route
            return
        route.fallback()

    def wait(self, timeout_ms: int = 15_000) -> None:
        """Until the request is held (the page's own timer, so Playwright serves the routes meanwhile)."""
        for _ in range(timeout_ms // 50):
            if self.route is not None:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError("no callback request of the kind wanted was made")

    def release(self) -> None:
        assert self.route is not None
        self.route.continue_()  # the app's own host: the context's guard would let it through
        self.page.unroute("**/_dash-update-component*", self._handle)


def outputs_of(body: dict[str, Any]) -> set[str]:
    """The component ids a Dash callback request's body would update."""
    outs = body.get("outputs")
    return {str(o.get("id")) for o in (outs if isinstance(outs, list) else [outs]) if isinstance(o, dict)}


def clicked_or_set(body: dict[str, Any]) -> bool:
    """Whether a Dash callback request carries an input with a value (a click, a store written), not only the
    empty inputs of buttons just drawn."""

    def values(x: Any) -> list[Any]:
        return [v for i in x for v in values(i)] if isinstance(x, list) else [x.get("value")]

    return any(values(body.get("inputs", [])))
