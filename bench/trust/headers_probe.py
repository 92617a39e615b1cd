"""What the ``headers`` trust measurement and the header tests look at: 30+ different responses of the running app
(pages, Dash's JSON routes, assets, the APIs, redirects, errors, 404s) and every page in real Chromium with the
``securitypolicyviolation`` events and console messages about Content Security Policy collected.

No ``measure()`` here: :mod:`bench.trust.headers` runs it; ``tests/browser/test_security_headers.py`` and
``tests/browser/test_csp.py`` use it against the test server.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from PIL import Image
from playwright.sync_api import BrowserContext, FilePayload, Page, expect

from bench import common
from demo.users import DEMO_USERS

PASSWORDS = {u.username: u.password for u in DEMO_USERS}
#: The headers every response must carry (lower case), and the one only HTTPS deployments send.
HEADERS = (
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "permissions-policy",
)
HSTS = "strict-transport-security"


@dataclass(frozen=True)
class Probe:
    """One response: what was asked and the headers it came back with."""

    label: str
    status: int
    headers: dict[str, str]


def sign_in(client: httpx.Client, user: str = "lead") -> None:
    r = common.sign_in(client, user, PASSWORDS[user], "/workbench")
    assert r.status_code == 303 and "error" not in r.headers["location"], r.headers.get("location")


def _lang_callback() -> dict[str, Any]:
    """The body Dash posts when the language button is clicked (``switch_lang`` in dashboard.app)."""
    return {
        "output": "gy-lang.data",
        "outputs": {"id": "gy-lang", "property": "data"},
        "inputs": [{"id": "gy-lang-switch", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["gy-lang-switch.n_clicks"],
        "state": [{"id": "gy-lang", "property": "data", "value": "zh"}],
    }


def http_probes(base: str) -> list[Probe]:
    """Ask the app at ``base`` for 40-odd different things, anonymous and signed in, and keep the headers."""
    out: list[Probe] = []
    anon = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    staff = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    try:
        sign_in(staff)

        def get(label: str, path: str, client: httpx.Client = anon, **kw: Any) -> httpx.Response:
            r = client.get(path, **kw)
            out.append(Probe(label, r.status_code, {k.lower(): v for k, v in r.headers.items()}))
            return r

        def send(label: str, method: str, path: str, client: httpx.Client = anon, **kw: Any) -> None:
            r = client.request(method, path, **kw)
            out.append(Probe(label, r.status_code, {k.lower(): v for k, v in r.headers.items()}))

        index = get("page /", "/").text
        for path in ("/public", "/login", "/wall", "/workbench", "/stats", "/grid", "/moderation"):
            get(f"page {path} (anonymous)", path)
        for path in ("/wall", "/workbench", "/stats", "/grid", "/moderation"):
            get(f"page {path} (signed in)", path, staff)
        get("page: unknown path", "/no-such-page")
        get("dash layout", "/_dash-layout")
        get("dash dependencies", "/_dash-dependencies")
        send("dash callback (language)", "POST", "/_dash-update-component", json=_lang_callback())
        send("dash callback: malformed", "POST", "/_dash-update-component", content=b"{", headers={
            "content-type": "application/json"})  # fmt: skip
        suites = re.findall(r'src="(/_dash-component-suites/[^"]+)"', index)
        for src in suites[:3]:
            get(f"component suite {src.split('/')[2]}", src)
        get("favicon", "/_favicon.ico")
        get("asset css", "/assets/gy.css")
        get("asset js", "/assets/gy.js")
        get("asset svg", "/assets/icons/logo.svg")
        get("asset missing", "/assets/no-such-file.js")
        get("healthz", "/healthz")
        send("healthz wrong method", "DELETE", "/healthz")
        for name in ("beauty", "service-points", "summary", "basemap"):
            get(f"public api {name}", f"/public/v1/{name}.json")
        get("public api reports", "/public/v1/reports.json", params={"bbox": "106.70,26.56,106.73,26.59"})
        get("public api reports: bad bbox", "/public/v1/reports.json", params={"bbox": "x"})
        get("public api track: unknown ticket", "/public/v1/track/GY000000-1.json")
        get("public api unknown", "/public/v1/nothing.json")
        beauty = anon.get("/public/v1/beauty.json").json()
        photo = _first_photo(beauty)
        if photo is not None:
            get("public photo thumbnail", f"/media/public/{photo}/thumb")
        get("public photo unknown", "/media/public/999999999/thumb")
        get("staff photo, anonymous", "/media/staff/999999999/thumb")
        get("case photo unknown", "/media/photo/999999999/thumb", staff)
        get("open311 discovery", "/open311/v2/discovery.json")
        get("open311 services json", "/open311/v2/services.json")
        get("open311 services xml", "/open311/v2/services.xml")
        get("open311 requests", "/open311/v2/requests.json")
        get("open311 openapi", "/open311/v2/openapi.json")
        get("open311 unknown", "/open311/v2/nothing.json")
        send("open311 post without key", "POST", "/open311/v2/requests.json", data={"service_code": "x"})
        get("push status, anonymous", "/push/status")
        get("push status", "/push/status", staff)
        with staff.stream("GET", "/push/events") as r:  # an open event stream: headers only
            out.append(
                Probe("push event stream", r.status_code, {k.lower(): v for k, v in r.headers.items()})
            )
        get("stats export, anonymous", "/stats/export.csv")
        get("stats export csv", "/stats/export.csv", staff)
        send("sign-in wrong password", "POST", "/auth/login", data={"username": "lead", "password": "x"})
        get("sign-out", "/auth/logout")
    finally:
        anon.close()
        staff.close()
    return out


def _first_photo(beauty: Any) -> int | None:
    feats = beauty.get("features", []) if isinstance(beauty, dict) else []
    for f in feats:
        pid = (f.get("properties") or {}).get("photo")
        if pid:
            return int(pid)
    return None


# ---------------------------------------------------------------------------------------------- the browser

#: Collects every CSP violation of a document (and of its frames) before any script of the page runs.
CSP_INIT_SCRIPT = """
(() => {
  window.__gyCsp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__gyCsp.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} `
      + `at ${e.sourceFile}:${e.lineNumber} ${e.sample || ''}`);
  }, true);
})();
"""


@dataclass
class CspWatch:
    """Violations seen on one page: from the page's own events and from the console (workers, early ones)."""

    events: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    @property
    def all(self) -> list[str]:
        return self.events + self.console


def watch(page: Page) -> CspWatch:
    w = CspWatch()
    page.on(
        "console",
        lambda m: w.console.append(m.text) if "content security policy" in m.text.lower() else None,
    )
    return w


def collect(page: Page, w: CspWatch) -> None:
    w.events.extend(page.evaluate("window.__gyCsp || []"))


def wait_until(page: Page, selector: str, js: str, timeout_ms: int = 15_000) -> None:
    """Poll ``js`` on the first element of ``selector`` until true. Not ``page.wait_for_function``: given a bare
    expression, Playwright evaluates the string again on each poll, which the policy (no 'unsafe-eval') refuses
    and reports as a violation."""
    for _ in range(timeout_ms // 250):
        if page.locator(selector).first.evaluate(js):
            return
        page.wait_for_timeout(250)
    raise TimeoutError(f"{selector}: {js} still false after {timeout_ms} ms")


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (30, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


def _public(page: Page, base: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})  # the public map is made for phones
    page.goto(base + "/public?lat=26.5716&lon=106.7119&z=14")  # 甲秀楼 in the middle
    expect(page.locator(".pub-m-beauty").first).to_be_attached(timeout=30_000)
    page.locator('.pub-m-beauty[title="甲秀楼"]').click()  # the photo viewer loads the photo
    expect(page.locator("#pub-photo-title")).to_have_text("甲秀楼", timeout=15_000)
    wait_until(page, "#pub-photo-img", "img => img.complete && img.naturalWidth > 0")
    page.locator("#pub-photo-close").click()
    page.get_by_role("tab", name="附近服务").click()
    page.locator("#pub-near-btn").click()  # "nearest to me": the context grants geolocation
    expect(page.locator("#pub-near-status")).to_contain_text("您的当前位置", timeout=15_000)
    page.locator("#pub-lang-switch").click()
    expect(page.locator("#pub-title")).to_have_text("Guiyang City Map", timeout=10_000)
    page.locator("#pub-lang-switch").click()


def _root(page: Page, base: str) -> None:
    page.goto(base + "/")
    expect(page.locator(".pub-m-svc").first).to_be_attached(timeout=30_000)


def _login(page: Page, base: str) -> None:
    page.goto(base + "/login")
    expect(page.locator("input[name=username]")).to_be_visible(timeout=20_000)
    page.locator("#gy-lang-switch").click()
    page.wait_for_timeout(500)
    page.locator("#gy-lang-switch").click()


def _wall(page: Page, base: str) -> None:
    page.goto(base + "/wall")
    expect(page.locator(".wall-root .leaflet-container").first).to_be_visible(timeout=30_000)
    # the push stream (EventSource, same origin) is open
    expect(page.locator(".wall-conn-open").first).to_be_attached(timeout=20_000)


def _workbench(page: Page, base: str) -> None:
    page.goto(base + "/workbench")
    expect(page.locator(".leaflet-container").first).to_be_visible(timeout=30_000)
    rows = page.locator(".wb-row")
    if rows.count():
        rows.first.click()
        page.wait_for_timeout(1500)
        files = page.locator("#wb-card input[type=file]")
        if files.count():  # the upload preview of a handling report
            payload: FilePayload = {"name": "csp.png", "mimeType": "image/png", "buffer": png()}
            files.first.set_input_files(files=[payload])
            page.wait_for_timeout(500)
    page.locator("#gy-lang-switch").click()
    page.wait_for_timeout(1000)
    page.locator("#gy-lang-switch").click()


def _stats(page: Page, base: str) -> None:
    page.goto(base + "/stats")
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=30_000)
    # the table (AG Grid, drawn even while hidden for an empty period)
    expect(page.locator(".ag-root-wrapper .ag-header-cell").first).to_be_attached(timeout=30_000)
    page.locator(".js-plotly-plot").first.hover()  # plotly's hover layer and mode bar
    page.wait_for_timeout(500)


def _grid(page: Page, base: str) -> None:
    page.goto(base + "/grid")
    expect(page.locator(".leaflet-container").first).to_be_visible(timeout=30_000)
    expect(page.locator("path.leaflet-interactive").first).to_be_attached(timeout=30_000)


def _moderation(page: Page, base: str) -> None:
    page.goto(base + "/moderation")
    expect(page.locator("#mod-title")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)
    thumbs = page.locator("img.mod-thumb")
    if thumbs.count():
        wait_until(page, "img.mod-thumb", "img => img.complete && img.naturalWidth > 0")


def _desk_intake(page: Page, base: str) -> None:
    """新建案件 on the workbench: the form, a place clicked on the map (its marker is an inline SVG image)."""
    page.goto(base + "/workbench")
    page.locator("#di-open").click(timeout=30_000)
    expect(page.locator("#di-panel")).to_be_visible(timeout=10_000)
    box = page.locator("#wb-map").bounding_box()
    if box:
        page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
        page.wait_for_timeout(1000)


def _feedback(page: Page, base: str) -> None:
    page.goto(base + "/feedback")
    expect(page.locator("#fb-title")).to_be_visible(timeout=30_000)
    expect(page.locator("#fb-counts")).not_to_be_empty(timeout=30_000)


def _not_found(page: Page, base: str) -> None:
    page.goto(base + "/no-such-page")
    page.wait_for_selector("#react-entry-point", timeout=20_000)
    page.wait_for_timeout(1000)


#: Every page: (name, whether a signed-in lead is needed, how to visit and use it briefly).
PAGES: list[tuple[str, bool, Callable[[Page, str], None]]] = [
    ("/", False, _root),
    ("/public", False, _public),
    ("/login", False, _login),
    ("/no-such-page (404)", False, _not_found),
    ("/wall", True, _wall),
    ("/workbench", True, _workbench),
    ("/stats", True, _stats),
    ("/grid", True, _grid),
    ("/moderation", True, _moderation),
    ("/workbench (新建案件)", True, _desk_intake),
    ("/feedback", True, _feedback),
]

CONTEXT_OPTIONS: dict[str, Any] = {
    "viewport": {"width": 1600, "height": 900},
    "locale": "zh-CN",
    "geolocation": {"latitude": 26.5838, "longitude": 106.7135},
    "permissions": ["geolocation"],
}


def sign_in_context(ctx: BrowserContext, base: str, user: str = "lead") -> None:
    common.sign_in_context(ctx, base, user, PASSWORDS[user], "/workbench")


def browse(
    anon: BrowserContext, staff: BrowserContext, base: str
) -> dict[str, tuple[list[str], dict[str, str], str | None]]:
    """Visit and use every page; per page: the CSP violations, the main document's headers, and the error that
    stopped the visit early (None when it went through)."""
    for ctx in (anon, staff):
        ctx.add_init_script(CSP_INIT_SCRIPT)
    results: dict[str, tuple[list[str], dict[str, str], str | None]] = {}
    for name, needs_staff, visit in PAGES:
        page = (staff if needs_staff else anon).new_page()
        w = watch(page)
        doc: dict[str, str] = {}

        def keep(resp: Any, doc: dict[str, str] = doc, page: Page = page) -> None:
            if resp.request.is_navigation_request() and resp.frame == page.main_frame:
                doc.clear()
                doc.update({k.lower(): v for k, v in resp.headers.items()})

        page.on("response", keep)
        error = None
        try:
            visit(page, base)
            page.wait_for_timeout(500)
        except Exception as exc:  # noqa: BLE001 - reported with the page's result
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        try:
            collect(page, w)
        finally:
            page.close()
        results[name] = (w.all, doc, error)
    return results
