"""The wall soak: ``/wall`` open in headless Chromium for a long time (``make soak``: an hour) while the demo
simulator runs at 10× the demo city's rate, sampled every minute: the JS heap after a forced garbage collection,
the DOM's nodes and event listeners (CDP ``Memory.getDOMCounters``), the ticker's and the live pins' entries, and the
app server's resident memory. The verdict compares the samples just after the warm-up with the last ones: heap
growth < 10 %, DOM and listeners bounded, the server's memory flat, no page error. ``tests/browser/test_soak.py``
runs :func:`soak` for a few minutes in CI with the same checks.

Runs on its own database (``guiyang_ops_soak``) in the project's cluster, seeded once with the demo city (50k cases
over 90 days, as ``make demo``)."""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess  # nosec B404 # runs our own interpreter, never through a shell
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.app_process import AppProcess
from bench.common import sign_in_context

WALL_PASSWORD = "demo-lead-2026"  # noqa: S105 # nosec B105 # the demo shift lead's published demo password
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
HEAP_GROWTH_MAX = 10.0  # % of the JS heap after GC, warm-up → end
RSS_GROWTH_MAX = 10.0  # % of the server's resident memory, warm-up → end
DOM_GROWTH_MAX = 10.0  # % of DOM nodes and of JS event listeners, warm-up → end

PAGE_STATE = """() => ({
  ticks: document.querySelectorAll('.wall-tick').length,
  pins: document.querySelectorAll('[data-live][data-case]').length,
  conn: (document.querySelector('#wall-conn') || {}).className || '',
})"""


@dataclass
class Sample:
    second: float
    heap_mb: float  # JS heap used after a forced GC
    nodes: int
    listeners: int
    ticks: int
    pins: int
    rss_mb: float  # the app server's resident memory
    conn: str


@dataclass
class SoakResult:
    samples: list[Sample] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    warmup_s: float = 0.0
    events: int = 0  # case events written while the page was open

    def _growth(self, attr: str) -> float:
        """% growth of ``attr`` from the samples just after the warm-up (median of up to 3) to the last ones."""
        after = [s for s in self.samples if s.second >= self.warmup_s] or self.samples
        k = max(1, min(3, len(after) // 3))
        first = statistics.median(getattr(s, attr) for s in after[:k])
        last = statistics.median(getattr(s, attr) for s in after[-k:])
        return (last - first) / first * 100 if first else 0.0

    @property
    def heap_growth(self) -> float:
        return self._growth("heap_mb")

    @property
    def rss_growth(self) -> float:
        return self._growth("rss_mb")

    @property
    def node_growth(self) -> float:
        return self._growth("nodes")

    @property
    def listener_growth(self) -> float:
        return self._growth("listeners")

    def failures(self) -> list[str]:
        out = []
        if self.heap_growth >= HEAP_GROWTH_MAX:
            out.append(f"JS heap after GC grew {self.heap_growth:.1f} % (≥ {HEAP_GROWTH_MAX:.0f} %)")
        if self.rss_growth >= RSS_GROWTH_MAX:
            out.append(f"server RSS grew {self.rss_growth:.1f} % (≥ {RSS_GROWTH_MAX:.0f} %)")
        if self.node_growth >= DOM_GROWTH_MAX:
            out.append(f"DOM nodes grew {self.node_growth:.1f} %")
        if self.listener_growth >= DOM_GROWTH_MAX:
            out.append(f"event listeners grew {self.listener_growth:.1f} %")
        if self.page_errors:
            out.append(f"{len(self.page_errors)} page errors, first: {self.page_errors[0][:200]}")
        if self.console_errors:
            out.append(f"{len(self.console_errors)} console errors, first: {self.console_errors[0][:200]}")
        return out

    def summary(self) -> str:
        return (
            f"{len(self.samples)} samples over {self.samples[-1].second / 60 if self.samples else 0:.1f} min, "
            f"{self.events} case events: JS heap after GC {self.heap_growth:+.1f} %, DOM nodes "
            f"{self.node_growth:+.1f} %, listeners {self.listener_growth:+.1f} %, server RSS {self.rss_growth:+.1f} %, "
            f"{len(self.page_errors)} page errors, {len(self.console_errors)} console errors"
        )

    def table(self) -> str:
        head = f"{'min':>6} {'heap MB':>8} {'nodes':>7} {'listeners':>9} {'ticks':>5} {'pins':>5} {'RSS MB':>7}  conn"
        rows = [
            f"{s.second / 60:6.1f} {s.heap_mb:8.2f} {s.nodes:7d} {s.listeners:9d} {s.ticks:5d} {s.pins:5d} "
            f"{s.rss_mb:7.1f}  {s.conn.replace('wall-conn ', '')}"
            for s in self.samples
        ]
        return "\n".join([head, *rows])

    def write_csv(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(Sample.__dataclass_fields__))
            w.writeheader()
            for s in self.samples:
                w.writerow(asdict(s))


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` and its children (uvicorn with several workers) in MiB."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def watch_errors(page: Any, page_errors: list[str], console_errors: list[str]) -> None:
    """Collect ``page``'s uncaught errors and its console's errors into the lists."""

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            console_errors.append(msg.text)

    page.on("pageerror", lambda err: page_errors.append(str(err)))
    page.on("console", on_console)


def route_tiles(ctx: Any) -> None:
    """Tiles answered with an empty 204: nothing depends on a tile server."""
    ctx.route("**/tiles/**", lambda route: route.fulfill(status=204, body=b""))


def soak(
    base: str,
    server_pid: int,
    *,
    seconds: float,
    interval_s: float = 60.0,
    warmup_s: float = 300.0,
    user: str = "lead",
    password: str = WALL_PASSWORD,
    count_events: Any = None,
    log: Any = None,
    shot: Path | None = None,
) -> SoakResult:
    """Open ``/wall`` on ``base`` as ``user`` for ``seconds`` and sample it every ``interval_s``. ``count_events``:
    a callable giving the number of case events so far (the rate of the run); ``log``: called with each sample;
    ``shot``: a screenshot of the wall at the end."""
    from playwright.sync_api import sync_playwright

    result = SoakResult(warmup_s=warmup_s)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            ctx = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
            route_tiles(ctx)
            sign_in_context(ctx, base, user, password, "/wall")
            page = ctx.new_page()
            watch_errors(page, result.page_errors, result.console_errors)
            page.goto(base + "/wall")
            page.wait_for_selector("#wall-conn.wall-conn-open", timeout=60_000)
            cdp = ctx.new_cdp_session(page)
            events0 = count_events() if count_events else 0
            t0 = time.monotonic()
            while True:
                cdp.send("HeapProfiler.collectGarbage")
                heap = cdp.send("Runtime.getHeapUsage")
                dom = cdp.send("Memory.getDOMCounters")
                state = page.evaluate(PAGE_STATE)
                sample = Sample(
                    second=round(time.monotonic() - t0, 1),
                    heap_mb=round(heap["usedSize"] / 2**20, 2),
                    nodes=int(dom["nodes"]),
                    listeners=int(dom["jsEventListeners"]),
                    ticks=int(state["ticks"]),
                    pins=int(state["pins"]),
                    rss_mb=round(rss_mb(server_pid), 1),
                    conn=str(state["conn"]),
                )
                result.samples.append(sample)
                if log:
                    log(sample)
                left = seconds - (time.monotonic() - t0)
                if left <= 0:
                    break
                page.wait_for_timeout(min(interval_s, left) * 1000)  # Playwright keeps serving the routes
            result.events = (count_events() - events0) if count_events else 0
            if shot is not None:
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot))
            ctx.close()
        finally:
            browser.close()
    return result


def _prepare(database: str, cases: int, days: int) -> tuple[str, str]:
    """The soak database set up and seeded (once); its URLs as the app role and as the superuser."""
    from dashboard.database import database_url, local_cluster
    from dashboard.settings import get_settings

    settings = get_settings(demo_mode=True)
    ops = [sys.executable, "-m", "cli"]
    env = {"GUIYANG_DATABASE_NAME": database, "GUIYANG_DEMO_MODE": "1"}
    import os

    env = {**os.environ, **env}
    subprocess.run([*ops, "setup", "--demo", "--database", database], check=True, env=env)  # nosec B603
    subprocess.run(  # nosec B603 # our own argument list, no shell
        [*ops, "seed-demo", "--cases", str(cases), "--days", str(days), "--if-empty"], check=True, env=env
    )
    url = database_url(settings, dbname=database)
    admin = url if settings.database_url else local_cluster(settings).url(database)
    return url, admin


def main(argv: list[str] | None = None) -> int:
    import os

    from sqlalchemy import text

    from db.engine import make_engine

    p = argparse.ArgumentParser(prog="make soak", description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=60.0)
    p.add_argument("--interval", type=float, default=60.0, help="seconds between samples")
    p.add_argument("--warmup", type=float, default=5.0, help="minutes before the first sample compared")
    p.add_argument(
        "--times", type=float, default=10.0, help="the simulator's rate: this many times the city's mean"
    )
    p.add_argument("--cases", type=int, default=50_000)
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--database", default="guiyang_ops_soak")
    p.add_argument("--csv", type=Path, default=Path("var/soak.csv"))
    p.add_argument("--shot", type=Path, default=None, help="a screenshot of the wall at the end")
    args = p.parse_args(argv)

    url, admin_url = _prepare(args.database, args.cases, args.days)
    media = Path("var/soak-media")
    media.mkdir(parents=True, exist_ok=True)
    app = AppProcess(
        {"DATABASE_URL": url, "GUIYANG_DEMO_MODE": "1", "GUIYANG_LOG_LEVEL": "WARNING",
         "GUIYANG_MEDIA_DIR": str(media.resolve())},
        args=["--no-proxy-headers"],
    )  # fmt: skip
    engine = make_engine(admin_url, pool_size=1)

    def count_events() -> int:
        with engine.connect() as c:
            return int(c.execute(text("SELECT count(*) FROM case_event")).scalar_one())

    with engine.connect() as c:  # the demo city's mean rate of case events over its history, per second
        span = c.execute(text("SELECT extract(epoch FROM max(at) - min(at)) FROM case_event")).scalar_one()
    rate = round(args.times * count_events() / max(float(span or 0), 3600.0), 3)
    sim_env = {**os.environ, "GUIYANG_DATABASE_NAME": args.database, "GUIYANG_DEMO_MODE": "1"}
    sim: subprocess.Popen[bytes] | None = None
    try:
        app.start(90, what="the app for the soak")
        sim = subprocess.Popen(  # nosec B603 # our own interpreter and arguments, no shell
            [sys.executable, "-m", "cli", "simulate", "--rate", str(rate)],
            env=sim_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        print(
            f"soak: /wall at {app.base} for {args.minutes:g} min, simulator --rate {rate:g} steps/s "
            f"({args.times:g}× the city's mean event rate)",
            flush=True,
        )
        result = soak(
            app.base,
            app.pid,
            seconds=args.minutes * 60,
            interval_s=args.interval,
            warmup_s=args.warmup * 60,
            count_events=count_events,
            shot=args.shot,
            log=lambda s: print(
                f"  {s.second / 60:6.1f} min  heap {s.heap_mb:7.2f} MB  nodes {s.nodes:6d}  listeners "
                f"{s.listeners:5d}  ticks {s.ticks:3d}  pins {s.pins:4d}  RSS {s.rss_mb:6.1f} MB  {s.conn}",
                flush=True,
            ),
        )
        if sim.poll() is not None:
            print(f"soak: the simulator ended early (code {sim.returncode})")
    finally:
        if sim is not None and sim.poll() is None:
            sim.terminate()
            sim.wait(20)
        app.stop()
        engine.dispose()
    result.write_csv(args.csv)
    print(result.table())
    print(f"samples: {args.csv}")
    print("soak:", result.summary())
    failures = result.failures()
    for f in failures:
        print("FAIL:", f)
    print("verdict:", "FAIL" if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
