"""Many open screens: 30, 100 and 300 wall and workbench screens on one served app (the real uvicorn server, on
loopback), each holding ``/push/events`` with its feed and merging its deltas as the browser does (bench/screens_client.py),
plus a probe calling the wall's heat + pins callbacks once a second, while a writer files ~1 report a second.
Prints per screen count (target ≤ 300 ms at 300 screens): the time from a report's commit to its feed's delta merged
(:mod:`dashboard.feeds`), the catch-up callbacks' p95 (the screens that could not merge a delta), the walls' KPI
tiles' reads and the probe's p95; the server's RSS and CPU, and the clients' CPU (the clients must not be the
bottleneck).

Two thirds of the screens are walls (the shift lead), one third workbenches (a dispatcher, the 云岩 officer and the
city bureau's staff: three scopes). Runs on a copy of the bench database (the writer's reports stay there).

    python -m bench --cases 200000 --only screens        # SCREENS_STEP_S=60 SCREENS_WORKERS=2 by default
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.app_process import running_app
from bench.common import BenchContext, Figure, pct, sign_in
from bench.map_server import database_copy
from bench.screens_client import Samples, Screen, probe
from db.engine import make_engine
from demo.users import DEMO_USERS
from ops import workflow as wf

STEPS = (30, 100, 300)
STEP_S = float(os.environ.get("SCREENS_STEP_S", "60"))
WORKERS = int(os.environ.get("SCREENS_WORKERS", "2"))
WARM_S = 8.0
TARGET_MS = 300.0
PASSWORD = {u.username: u.password for u in DEMO_USERS}
WORKBENCH_USERS = ("dispatcher", "yunyan", "cgj")
SPOT = (106.7119, 26.5716)


def _session(base: str, user: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=30) as client:
        sign_in(client, user, PASSWORD[user], "/wall")
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        return {"Cookie": cookie, "X-CSRFToken": client.cookies["_csrf_token"]}


def _writer(url: str, stop: threading.Event, written: list[int], commits: dict[int, float]) -> None:
    """About one report a second (one case event each), committed one by one; ``commits``: event id → the clock
    (``time.perf_counter``) once committed."""
    engine = make_engine(url, pool_size=1)
    rng = random.Random(16)  # nosec B311 # deterministic benchmark data, not security
    try:
        while not stop.is_set():
            with engine.begin() as conn:
                case = wf.report(conn, wf.Actor.system(), category_code="C0102",
                                 lon=SPOT[0] + rng.uniform(-0.02, 0.02), lat=SPOT[1] + rng.uniform(-0.02, 0.02),
                                 description="bench screens", source="inspector")  # fmt: skip
            commits[case.event_id] = time.perf_counter()
            written.append(1)
            stop.wait(rng.uniform(0.5, 1.5))
    finally:
        engine.dispose()


def _tree(pid: int) -> list[int]:
    """``pid`` and its children (uvicorn's workers)."""
    out = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _cpu_s(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


async def _steps(base: str, pids: list[int], written: list[int], commits: dict[int, float]) -> list[Figure]:
    sessions = {u: _session(base, u) for u in ("lead", *WORKBENCH_USERS)}
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=2000)
    figures: list[Figure] = []
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        deps = (await client.get("/_dash-dependencies", headers=sessions["lead"])).json()
        screens: list[Screen] = []
        tasks: list[asyncio.Task[Any]] = []
        stop = asyncio.Event()
        for n in STEPS:
            samples, measuring = Samples(), asyncio.Event()
            while len(screens) < n:
                i = len(screens)
                kind = "workbench" if i % 3 == 2 else "wall"
                user = "lead" if kind == "wall" else WORKBENCH_USERS[(i // 3) % len(WORKBENCH_USERS)]
                screen = Screen(base, kind, deps, sessions[user], commits)
                screens.append(screen)
            step = [asyncio.create_task(s.listen(samples, stop, measuring)) for s in screens]
            step += [asyncio.create_task(s.catch_up_loop(samples, stop, measuring)) for s in screens]
            step.append(asyncio.create_task(probe(client, deps, sessions["lead"], samples, stop, measuring)))
            tasks = step
            await asyncio.sleep(WARM_S)
            cpu0, mine0, events0, t0 = _cpu_s(pids), time.process_time(), len(written), time.perf_counter()
            measuring.set()
            await asyncio.sleep(STEP_S)
            measuring.clear()
            secs = time.perf_counter() - t0
            server_cpu, client_cpu = (_cpu_s(pids) - cpu0) / secs, (time.process_time() - mine0) / secs
            events, streams = len(written) - events0, samples.streams_open
            stop.set()
            for s in screens:
                s.rung.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            stop = asyncio.Event()
            for s in screens:  # the next step reconnects every screen (as after a server restart)
                s.rung.clear()
                s.close()
            figures += _figures(n, samples, streams, events, secs, server_cpu, client_cpu, _rss_mib(pids))
    return figures


def _figures(
    n: int,
    s: Samples,
    streams: int,
    events: int,
    secs: float,
    server_cpu: float,
    client_cpu: float,
    rss: float,
) -> list[Figure]:
    def p95(xs: list[float]) -> float:
        return pct(xs, 95) * 1000 if xs else float("nan")

    def p50(xs: list[float]) -> str:
        return f"p50 {pct(xs, 50) * 1000:.0f} ms" if xs else "p50 -"

    def judged(value: float) -> bool | None:
        return (value <= TARGET_MS) if n >= 300 else None

    cu, pr, dl, kp = p95(s.catch_up), p95(s.probe), p95(s.delivered), p95(s.kpis)
    target = f"≤ {TARGET_MS:.0f} ms at 300" if n >= 300 else ""
    common = (f"; {n} screens ({streams} streams open at the end), {events} events in {secs:.0f} s, "
              f"{len(s.errors)} errors{' ' + s.errors[0] if s.errors else ''}; "
              f"server {WORKERS} worker(s) CPU {server_cpu * 100:.0f} %, RSS {rss:,.0f} MiB; "
              f"clients CPU {client_cpu * 100:.0f} %")  # fmt: skip
    return [
        Figure(f"{n} open screens: commit → delta merged p95", dl, "ms", target, judged(dl),
               f"{p50(s.delivered)}, {s.merged} deltas merged{common}"),
        Figure(f"{n} open screens: catch-up callback p95", cu, "ms", target, judged(cu) if s.catch_up else None,
               f"{p50(s.catch_up)}, {len(s.catch_up)} catch-ups (screens off their feed, doorbells)"),
        Figure(f"{n} open screens: wall KPI tiles p95", kp, "ms", target, judged(kp),
               f"{p50(s.kpis)}, {len(s.kpis)} reads"),
        Figure(f"{n} open screens: probe heat + pins p95", pr, "ms", target, judged(pr),
               f"{p50(s.probe)}, {len(s.probe)} probes"),
    ]  # fmt: skip


def run(ctx: BenchContext) -> list[Figure]:
    with database_copy(ctx) as url:
        env = {"DATABASE_URL": url, "GUIYANG_DEMO_MODE": "1", "GUIYANG_LOG_LEVEL": "WARNING",
               "GUIYANG_MEDIA_DIR": ctx.media_dir, "GUIYANG_WORKERS": str(WORKERS)}  # fmt: skip
        args = ["--no-proxy-headers", "--workers", str(WORKERS), "--timeout-worker-healthcheck", "120"]
        with running_app(
            env, timeout_s=600, what="the app for the screens benchmark", args=args, log_level="info"
        ) as app:
            stop, written, commits = threading.Event(), list[int](), dict[int, float]()
            writer = threading.Thread(target=_writer, args=(url, stop, written, commits), daemon=True)
            writer.start()
            try:
                return asyncio.run(_steps(app.base, _tree(app.pid), written, commits))
            finally:
                stop.set()
                writer.join(10)


def main() -> None:
    """``python -m bench.screens``: this benchmark alone on the bench database as ``make bench`` left it (``--only
    screens`` also runs ``analysis_screens``)."""
    from dashboard.database import database_url, local_cluster
    from dashboard.settings import get_settings

    settings = get_settings(demo_mode=True)
    name = os.environ.get("BENCH_DATABASE", "guiyang_ops_bench")
    admin = database_url(settings, dbname=name, role="owner", ensure=False)
    if not settings.database_url:
        admin = local_cluster(settings).url(name)
    engine = make_engine(admin)
    ctx = BenchContext(url=database_url(settings, dbname=name), engine=engine, cases=0,
                       media_dir=str(settings.media_path), admin_url=admin)  # fmt: skip
    try:
        for f in run(ctx):
            print(f"{f.name}: {f.value:,.0f} {f.unit}  [{f.target}] {'' if f.ok is None else f.ok}  {f.note}")
    finally:
        ctx.close()


if __name__ == "__main__":
    main()
