"""``seed-demo`` (the demo city's history, in bulk) and ``simulate`` (keep it alive through the workflow)."""

from __future__ import annotations

import argparse
import signal
import time
from types import FrameType

import numpy as np
from sqlalchemy import text

from dashboard import cli_args as a
from dashboard.database import database_url
from dashboard.progress import console, ok, progress_bars
from dashboard.settings import Settings
from db.engine import make_engine

#: Most cases one seed-demo run writes: what one duplicate pass takes (``dupes.MAX_CASES_ONE_PASS``, held equal
#: by a test; not imported here, the demo-city package is slow to import for ``--help``).
MAX_CASES = (1 << 23) - 1
#: Random seeds numpy accepts.
SEED = a.int_range(0, 2**32 - 1)


def cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from demo.city import seed_demo_city

    engine = make_engine(
        database_url(settings, role="owner"), pool_size=1, working_periods=settings.working_periods
    )
    started = time.perf_counter()
    with engine.connect() as conn:
        # a bulk load of its own: this session alone commits without waiting for the WAL flush (re-run on a crash)
        conn.exec_driver_sql("SET synchronous_commit = off")
        existing = int(conn.execute(text('SELECT count(*) FROM "case"')).scalar_one())
        if existing and args.if_empty:
            ok(f"the database already has {existing:,} cases: nothing to do (--if-empty)")
            return 0
        if args.replace and existing:
            console.print(
                f"--replace: removing {existing:,} cases and their history (admin-only demo operation)"
            )
        with progress_bars() as bar:
            result = seed_demo_city(
                conn, cases=args.cases, days=args.days, seed=args.seed, replace=args.replace, on_progress=bar
            )
        conn.commit()
    elapsed = time.perf_counter() - started
    ok(
        f"demo city: {result.cases:,} cases, {result.events:,} events, {result.persons_created:,} demo persons "
        f"created, in {elapsed:.1f} s"
    )
    console.print(
        "rows written: "
        + ", ".join(
            f"{t} {n:,}"
            for t, n in (
                ("case", result.cases),
                ("case_event", result.events),
                ("person", result.persons_created),
            )
        )
    )
    console.print("statuses: " + ", ".join(f"{k} {v:,}" for k, v in result.statuses.items() if v))
    console.print("seconds: " + ", ".join(f"{k} {v}" for k, v in result.timings.items()))
    return 0


def cmd_simulate(settings: Settings, args: argparse.Namespace) -> int:
    from dashboard.api.open311_settings import get_open311_settings
    from demo.simulate import SimContext, Verifying, simulate_steps

    engine = make_engine(database_url(settings), pool_size=2, working_periods=settings.working_periods)
    rng = np.random.default_rng(args.seed)
    stop = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stop
        stop = True

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    # 我来核实 as the Open311 API runs it: the same radius, photo limit and media folder
    api = get_open311_settings()
    verifying = Verifying(api.verification_radius_m, settings.media_path, api.max_photo_bytes)
    context = SimContext.load(engine, verifying)
    started = time.monotonic()
    done = skipped = 0
    try:
        while not stop and (args.seconds is None or time.monotonic() - started < args.seconds):
            for step in simulate_steps(engine, 1, rng, context=context):
                done += step.ok
                skipped += not step.ok
                if args.verbose:
                    console.print(
                        f"{step.action:<12} case {step.case_id or '-'} {'' if step.ok else step.detail}"
                    )
            # next tick at the requested rate, waking up early on a signal
            wait = started + (done + skipped) / args.rate - time.monotonic()
            while wait > 0 and not stop:
                time.sleep(min(wait, 0.2))
                wait = started + (done + skipped) / args.rate - time.monotonic()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        engine.dispose()
    ok(f"simulated {done:,} steps ({skipped:,} skipped) in {time.monotonic() - started:.0f} s")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sd = sub.add_parser("seed-demo", help="the demo city: N cases with full histories over the last D days")
    sd.add_argument(
        "--cases", type=a.int_range(1, MAX_CASES), default=50_000, help="number of cases (default 50,000)"
    )
    sd.add_argument(
        "--days", type=a.int_range(1, 3650), default=90, help="days of history ending now (default 90)"
    )
    sd.add_argument("--seed", type=SEED, default=1, help="random seed: same seed, same city (default 1)")
    sd.add_argument("--if-empty", action="store_true", help="do nothing when the database already has cases")
    sd.add_argument(
        "--replace",
        action="store_true",
        help="remove every existing case and its history first (admin-only demo operation)",
    )
    sd.set_defaults(func=cmd_seed_demo)

    sm = sub.add_parser("simulate", help="keep the demo city alive: reports and steps through the workflow")
    sm.add_argument(
        "--rate", type=a.positive_float(1000), default=2.0, help="workflow steps per second (default 2)"
    )
    sm.add_argument(
        "--seconds",
        type=a.positive_float(),
        default=None,
        help="stop after this many seconds (default: never)",
    )
    sm.add_argument("--seed", type=SEED, default=None, help="random seed (default: a fresh one)")
    sm.add_argument("--verbose", action="store_true", help="print every step")
    sm.set_defaults(func=cmd_simulate)
