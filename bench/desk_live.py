"""The live workbench (issue 14): dispatch → the row shown in the department's open workbench, in headless
Chromium, pushed (LISTEN/NOTIFY → /push/events → the page's catch-up → its queue); and the catch-up query itself
on the city's history.

The department user (``cgj``) opens /workbench with its queue narrowed to today's cases of one 小类 (so a new row
belongs in the first page of the queue on any city); the benchmark then dispatches ``N`` filed cases to that
department through :mod:`ops.workflow` in its own connection, one at a time, and times from the COMMIT to the row in
the page's DOM. It runs against a copy of the bench database (:func:`bench.map_server.database_copy`), so the
bench database keeps its cases.

    python -m bench --cases 20000 --days 60 --only desk_live    # a small city
"""

from __future__ import annotations

import random
import time

from sqlalchemy import Engine, text

from bench.common import BenchContext, Figure, pct, sign_in_context, timed
from bench.map_browser import CHROMIUM_ARGS
from bench.map_common import latency_figure
from bench.map_server import app_server, database_copy
from db import snapshots
from db.accounts import load_identity
from db.engine import make_engine
from db.queries.wb_live import changed_in_reach
from db.scope import RowScope
from demo.users import DEMO_USERS
from ops import workflow as wf

DISPATCHES = 20
DEPARTMENT = "CGJ"
USER = "cgj"
CATEGORY = "C0102"  # 路灯不亮: the city bureau's in the central districts
MAJOR = "C01"  # its 大类
SPOT = (106.7119, 26.5716)  # 甲秀楼, 南明区
PASSWORD = {u.username: u.password for u in DEMO_USERS}
#: Records when each queue row first appears (the queue is redrawn from its data store by workbench.js).
WATCH = """() => {
  window.__rows = {};
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('#wb-queue .wb-row[data-id]')) {
      if (!(el.dataset.id in window.__rows)) { window.__rows[el.dataset.id] = Date.now(); }
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""


def _actor(engine: Engine, username: str) -> wf.Actor:
    with engine.connect() as conn:
        uid = conn.execute(
            text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}
        ).scalar_one()
        ident = load_identity(conn, uid)
    assert ident is not None  # nosec B101 # type narrowing for mypy, not a security check
    return wf.Actor.from_identity(ident)


def _filed(engine: Engine, n: int, seed: int = 14) -> list[wf.CaseResult]:
    """``n`` reports near :data:`SPOT`, filed (not dispatched yet), committed."""
    rng = random.Random(seed)  # nosec B311 # deterministic benchmark data, not security
    dispatcher = _actor(engine, "dispatcher")
    out = []
    with engine.begin() as conn:
        for i in range(n):
            r = wf.report(
                conn,
                wf.Actor.system(),
                category_code=CATEGORY,
                lon=SPOT[0] + rng.uniform(-0.004, 0.004),
                lat=SPOT[1] + rng.uniform(-0.003, 0.003),
                description=f"bench live {i}",
                source="inspector",
            )
            out.append(wf.file_case(conn, dispatcher, r.id, r.version))
    return out


def browser_figure(base: str, url: str, n: int = DISPATCHES) -> Figure:
    from playwright.sync_api import sync_playwright

    engine = make_engine(url, pool_size=2)
    cases = _filed(engine, n)
    dispatcher = _actor(engine, "dispatcher")
    latencies: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        ctx = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
        ctx.route("**/tiles/**", lambda route: route.fulfill(status=204))
        sign_in_context(ctx, base, USER, PASSWORD[USER], "/workbench")
        page = ctx.new_page()
        page.goto(base + "/workbench")
        page.wait_for_selector("#wb-queue .wb-row, #wb-queue .wb-empty", timeout=60_000)
        page.wait_for_selector(".wbp-conn-open", timeout=30_000)
        # today's cases of one 小类: the department's new rows belong on the queue's first page on any city
        page.evaluate(
            "([m, c]) => { const s = window.dash_clientside.set_props; s('wb-f-window', {value: 'today'}); "
            "s('wb-f-major', {value: m}); setTimeout(() => s('wb-f-category', {value: c}), 1500); }",
            [MAJOR, CATEGORY],
        )
        page.wait_for_timeout(4000)
        page.evaluate(WATCH)
        rng = random.Random(7)  # nosec B311 # deterministic benchmark pacing, not security
        for case in cases:
            conn = engine.connect()
            trans = conn.begin()
            wf.dispatch(conn, dispatcher, case.id, case.version, department_code=DEPARTMENT)
            t0 = time.time() * 1000
            trans.commit()
            conn.close()
            page.wait_for_function(f"() => '{case.id}' in window.__rows", timeout=20_000, polling=10)
            latencies.append((page.evaluate(f"window.__rows['{case.id}']") - t0) / 1000)
            page.wait_for_timeout(rng.randint(300, 900))
        ctx.close()
        browser.close()
    engine.dispose()
    return latency_figure(
        "dispatch → row in the department's open workbench (push, Chromium)",
        latencies,
        1000,
        "; from the COMMIT of workflow.dispatch (another connection) to the row in the queue's DOM",
    )


def query_figure(engine: Engine, gap: int = 50, runs: int = 200) -> Figure:
    """The catch-up after a doorbell: the department's cases among ``gap`` events the page's snapshot did not see,
    over the whole history. The events are copies of the newest ``gap`` ones, written after the snapshot in a
    transaction rolled back at the end (its own writes are the ones the snapshot did not see)."""
    with engine.connect() as conn, conn.begin() as tx:
        events = int(conn.execute(text("SELECT count(*) FROM case_event")).scalar_one())
        seen = snapshots.current(conn)
        conn.execute(
            text(
                "INSERT INTO case_event (case_id, action, from_status, to_status, actor_role, department_code, at) "
                "SELECT case_id, action, from_status, to_status, actor_role, department_code, now() "
                "FROM case_event ORDER BY id DESC LIMIT :gap"
            ),
            {"gap": gap},
        )
        scope = RowScope(department=DEPARTMENT)
        samples = timed(lambda: changed_in_reach(conn, scope, seen, None), runs)
        tx.rollback()
    p50, p95 = pct(samples, 50) * 1000, pct(samples, 95) * 1000
    return Figure(
        f"workbench catch-up query ({gap} new events, one department)",
        p95,
        "ms",
        "",
        None,
        f"p95; p50 {p50:,.2f} ms, {runs} runs over {events:,} events",
    )


def run(ctx: BenchContext) -> list[Figure]:
    figures = [query_figure(ctx.engine)]
    with database_copy(ctx) as url, app_server(url, ctx.media_dir) as base:
        figures.append(browser_figure(base, url))
    return figures
