"""A wall screen watching the crash: ``/wall`` in headless Chromium (push only: the polling fallback set to an
hour, tiles answered 204) open on the real app while PostgreSQL is killed and restarted. Afterwards it tells how
long the wall took to show the last acknowledged report in its ticker, how its push stream and connection
indicator went, and every page error. Used by :func:`bench.trust.durability.crash_run`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from bench.common import sign_in_context
from bench.soak import CHROMIUM, CHROMIUM_ARGS, WALL_PASSWORD, route_tiles, watch_errors

PUSH_ONLY = "?fallback=3600"  # the wall's polling fallback after an hour: what it shows came by push

# counts the page's EventSource streams opened and dropped (wall.js opens its own)
COUNT_STREAMS = """(() => {
  const Own = window.EventSource;
  window.__streams = {opened: 0, errors: 0};
  window.EventSource = class extends Own {
    constructor(url, init) {
      super(url, init);
      this.addEventListener('open', () => { window.__streams.opened += 1; });
      this.addEventListener('error', () => { window.__streams.errors += 1; });
    }
  };
})();"""
# the connection indicator's states, in order (実時 / 重连中 / 离线)
WATCH_CONN = """() => {
  const el = document.querySelector('#wall-conn');
  window.__conn = [el.className.replace('wall-conn wall-conn-', '')];
  new MutationObserver(() => {
    const now = el.className.replace('wall-conn wall-conn-', '');
    if (window.__conn[window.__conn.length - 1] !== now) { window.__conn.push(now); }
  }).observe(el, {attributes: true, attributeFilter: ['class']});
}"""


@dataclass
class WallReport:
    shown_s: float | None = None  # from the last acknowledgement to the wall's ticker showing its ticket
    ticker: list[str] = field(default_factory=list)  # the tickets in the ticker at the end
    conn: list[str] = field(default_factory=list)  # the connection indicator's states during the run
    streams_opened: int = 0
    stream_errors: int = 0
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


class WallWatcher:
    """``with WallWatcher() as wall: wall.open(base); ... wall.wait(s) ...; wall.until_shows(ticket, since)``."""

    def __init__(self, user: str = "lead", password: str = WALL_PASSWORD) -> None:
        self.user = user
        self.password = password
        self.report = WallReport()
        self._pw: Any = None
        self._browser: Any = None
        self.page: Any = None

    def __enter__(self) -> WallWatcher:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._pw is not None:
                self._pw.stop()

    def open(self, base: str, timeout_s: float = 60) -> None:
        """Sign in as the shift lead and open the wall until its push stream is open."""
        ctx = self._browser.new_context(locale="zh-CN", viewport={"width": 1600, "height": 900})
        route_tiles(ctx)
        ctx.add_init_script(COUNT_STREAMS)
        sign_in_context(ctx, base, self.user, self.password, "/wall")
        page = ctx.new_page()
        watch_errors(page, self.report.page_errors, self.report.console_errors)
        page.goto(base + "/wall" + PUSH_ONLY)
        page.wait_for_selector("#wall-conn.wall-conn-open", timeout=timeout_s * 1000)
        page.wait_for_selector(".wall-tick, .wall-empty", state="attached", timeout=timeout_s * 1000)
        page.evaluate(WATCH_CONN)
        self.page = page

    def wait(self, seconds: float) -> None:
        """Let time pass with the page running (Playwright keeps serving its routes and events)."""
        if seconds > 0:
            self.page.wait_for_timeout(seconds * 1000)

    def until_shows(self, ticket: str, since: float, timeout_s: float = 30) -> WallReport:
        """Wait until the ticker holds ``ticket``; ``shown_s`` counts from ``since`` (a ``time.monotonic()``)."""
        r = self.report
        try:
            self.page.wait_for_selector(
                f'.wall-tick[data-ticket="{ticket}"]', state="attached", timeout=timeout_s * 1000
            )
            r.shown_s = time.monotonic() - since
        except Exception:  # noqa: BLE001 - not shown in time: shown_s stays None and the caller fails
            r.shown_s = None
        r.ticker = self.page.eval_on_selector_all(
            ".wall-tick[data-ticket]", "els => els.map(e => e.getAttribute('data-ticket'))"
        )
        r.conn = self.page.evaluate("window.__conn || []")
        streams = self.page.evaluate("window.__streams || {}")
        r.streams_opened = int(streams.get("opened", 0))
        r.stream_errors = int(streams.get("errors", 0))
        return r
