"""Alarms (报警): what raising one costs a case event, how fast the banner reads, and in headless Chromium how
fast a new 突发 case rings on the wall and how fast an acknowledgement silences it (both by push).

The database figures run in one transaction that is rolled back (the city is left as it was). The browser figures
commit: each round reports an urgent case (left in the city, like the wall's report → pin benchmark) and a shift
lead acknowledges its alarm."""

from __future__ import annotations

import random
import time
from datetime import datetime

from sqlalchemy import Connection, text

from bench.common import BenchContext, Figure, sign_in_context
from bench.map_browser import CHROMIUM_ARGS
from bench.map_common import PASSWORD, latency_figure
from db.accounts import StaffIdentity, load_identity
from db.engine import make_engine
from geo.crs import TZ
from ops import workflow as wf
from ops.alarms import acknowledge, open_alarms

REPORTS = 200
ROUNDS = 12
URGENT, NORMAL = "E0401", "C0102"  # 燃气泄漏 (urgent: rings), 路灯不亮 (does not)
YUNYAN = (106.7135, 26.5838)

WATCH = """() => {
  window.__alm = {shown: {}, gone: {}};
  const seen = new Set();
  new MutationObserver(() => {
    const now = new Set();
    for (const el of document.querySelectorAll('.alm-item[data-alarm]')) { now.add(el.getAttribute('data-alarm')); }
    for (const id of now) { if (!(id in window.__alm.shown)) { window.__alm.shown[id] = Date.now(); } }
    for (const id of seen) { if (!now.has(id) && !(id in window.__alm.gone)) { window.__alm.gone[id] = Date.now(); } }
    seen.clear(); now.forEach((id) => seen.add(id));
  }).observe(document.body, {childList: true, subtree: true});
}"""


def _ident(conn: Connection, username: str) -> StaffIdentity:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).scalar_one()
    got = load_identity(conn, uid)
    assert got is not None  # nosec B101 # type narrowing
    return got


def _report(conn: Connection, category: str, rng: random.Random) -> wf.CaseResult:
    return wf.report(
        conn, wf.Actor.system(), category_code=category, lon=YUNYAN[0] + rng.uniform(-0.01, 0.01),
        lat=YUNYAN[1] + rng.uniform(-0.008, 0.008), description="bench alarm", source="inspector",
    )  # fmt: skip


def _database(ctx: BenchContext) -> list[Figure]:
    rng = random.Random(7)  # nosec B311 # deterministic benchmark data
    figures: list[Figure] = []
    with ctx.engine.connect() as conn:
        trans = conn.begin()
        try:
            per: dict[str, list[float]] = {URGENT: [], NORMAL: []}
            for i in range(2 * REPORTS):
                cat = URGENT if i % 2 else NORMAL
                t0 = time.perf_counter()
                _report(conn, cat, rng)
                per[cat].append(time.perf_counter() - t0)
            mean = {k: sum(v) / len(v) * 1000 for k, v in per.items()}
            figures.append(
                Figure("report of an urgent 小类 (raises its alarm)", mean[URGENT], "ms", "",
                       None, f"mean of {REPORTS}; a non-urgent report {mean[NORMAL]:.2f} ms (no alarm)")
            )  # fmt: skip
            for who in ("lead", "yunyan", "cgj"):
                user = _ident(conn, who)
                samples = []
                for _ in range(30):
                    t0 = time.perf_counter()
                    open_alarms(conn, user, limit=50)
                    samples.append(time.perf_counter() - t0)
                figures.append(
                    latency_figure(f"open alarms read ({who}, {REPORTS}+ ringing)", samples, 50, "")
                )
        finally:
            trans.rollback()
    return figures


def _browser(ctx: BenchContext) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    base = ctx.app_base_url()
    engine = make_engine(ctx.url, pool_size=2)
    rng = random.Random(11)  # nosec B311 # deterministic benchmark data
    shown: list[float] = []
    gone: list[float] = []
    try:
        with engine.begin() as conn:  # a quiet start: whatever rings is acknowledged
            lead = _ident(conn, "lead")
            for a in open_alarms(conn, lead, limit=1000):
                acknowledge(conn, lead, a.id, now=datetime.now(TZ), note="bench")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
                headless=True,
            )
            bctx = browser.new_context(viewport={"width": 1920, "height": 1080})
            bctx.route("**/tiles/**", lambda r: r.fulfill(status=204))
            sign_in_context(bctx, base, "lead", PASSWORD, "/wall")
            page = bctx.new_page()
            page.goto(base + "/wall?fallback=3600")
            page.wait_for_selector(".wall-conn-open", timeout=60_000)
            page.wait_for_function("() => !!window.gyAlarms", timeout=60_000)
            page.evaluate(WATCH)
            for _ in range(ROUNDS):
                t0 = time.time() * 1000
                with engine.begin() as conn:
                    case = _report(conn, URGENT, rng)
                    alarm = conn.execute(
                        text("SELECT id FROM alarm WHERE case_id = :c AND acknowledged_at IS NULL"),
                        {"c": case.id},
                    ).scalar_one()
                page.wait_for_function(f"() => '{alarm}' in window.__alm.shown", timeout=30_000, polling=20)
                shown.append((page.evaluate(f"window.__alm.shown['{alarm}']") - t0) / 1000)
                t1 = time.time() * 1000
                with engine.begin() as conn:
                    acknowledge(conn, lead, alarm, now=datetime.now(TZ), note="bench")
                page.wait_for_function(
                    f"() => '{alarm}' in window.__alm.gone && !window.gyAlarms.state().looping",
                    timeout=30_000,
                    polling=20,
                )
                gone.append((page.evaluate(f"window.__alm.gone['{alarm}']") - t1) / 1000)
            browser.close()
    finally:
        engine.dispose()
    return [
        latency_figure("urgent case committed → alarm on the wall (push)", shown, 1000),
        latency_figure("acknowledged → alarm gone, chime stopped on the wall", gone, 1000),
    ]


def run(ctx: BenchContext) -> list[Figure]:
    figures = _database(ctx)
    figures += _browser(ctx)
    return figures
