"""``seed-demo`` (the demo city's history, in bulk) and ``simulate`` (keep it alive through the workflow)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import text

from cli.progress import console, fail, ok, progress_bars
from cli.stopping import until_signal
from dashboard.database import database_url, local_cluster
from dashboard.settings import Settings
from db.engine import make_engine

if TYPE_CHECKING:
    from demo.burst import Burst
    from demo.city import SeedResult


def _seed_refusal(settings: Settings, cases: int, days: int) -> str | None:
    """Why this machine cannot take ``cases`` over ``days`` (memory, disk where the local cluster lives)."""
    from demo.city import sizing

    disk = None if settings.database_url else sizing.free_disk(local_cluster(settings).data_dir)
    return sizing.refusal(cases, days, memory=sizing.available_memory(), disk=disk)


def cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from demo.city import seed_demo_city

    refused = _seed_refusal(settings, args.cases, args.days)
    if refused:
        fail(refused)
        return 2
    try:
        return _seed(settings, args, seed_demo_city)
    except (ValueError, RuntimeError, MemoryError) as exc:  # others: cli.main's one line
        fail(f"seed-demo 失败，数据库未改变 / seed-demo failed, the database is unchanged: {_one_line(exc)}")
        return 1
    except KeyboardInterrupt:  # Ctrl-C: the transaction rolled back (and a history built beside was dropped)
        fail("seed-demo 已中断，数据库未改变 / seed-demo interrupted, the database is unchanged")
        return 130


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


def _seed(settings: Settings, args: argparse.Namespace, seed_demo_city: Callable[..., SeedResult]) -> int:
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
    if result.planted:
        kinds = sorted({g.pattern for g in result.planted})
        console.print(
            f"planted patterns (demo/city/patterns.py): {len(result.planted)} groups, "
            f"{sum(g.count for g in result.planted):,} reports ({', '.join(kinds)})"
        )
    return 0


def _burst_args(args: argparse.Namespace) -> Burst | None:
    """The ``--burst`` request, or None; ``ValueError`` for ``--burst-count``/``--burst-minutes`` alone."""
    from demo.burst import DEFAULT_COUNT, DEFAULT_MINUTES, Burst

    if args.burst is None:
        if args.burst_count is not None or args.burst_minutes is not None:
            raise ValueError("--burst-count/--burst-minutes without --burst")
        return None
    category, lat, lon = args.burst
    return Burst(
        category,
        lat,
        lon,
        count=args.burst_count if args.burst_count is not None else DEFAULT_COUNT,
        minutes=args.burst_minutes if args.burst_minutes is not None else DEFAULT_MINUTES,
    )


def cmd_simulate(settings: Settings, args: argparse.Namespace) -> int:
    from dashboard.api.open311_settings import get_open311_settings
    from db.errors import DomainError
    from demo import burst as bu
    from demo.rhythm import Rhythm, RhythmClocks
    from demo.simulate import SimContext, Verifying, simulate_steps
    from geo.crs import TZ

    try:
        burst = _burst_args(args)
    except ValueError:
        fail(
            "--burst-count 与 --burst-minutes 须与 --burst 同用 / --burst-count and --burst-minutes need --burst"
        )
        return 2
    engine = make_engine(database_url(settings), pool_size=2, working_periods=settings.working_periods)
    rng = np.random.default_rng(args.seed)
    # 我来核实 as the Open311 API runs it: the same radius, photo limit and media folder
    api = get_open311_settings()
    verifying = Verifying(api.verification_radius_m, settings.media_path, api.max_photo_bytes)
    run: bu.BurstRun | None = None
    if burst is not None:
        try:
            with engine.connect() as conn:
                name = bu.check(conn, burst)
        except DomainError as exc:
            engine.dispose()
            fail(f"--burst: {exc.zh} / {exc.en}")
            return 2
    context = SimContext.load(engine, verifying)
    if burst is not None:
        run = bu.BurstRun.plan(rng, burst, name, context)
        console.print(
            f"burst: {burst.count} × {burst.category} {name} within {burst.radius_m:.0f} m of "
            f"{burst.lat},{burst.lon} over {burst.minutes:g} min"
        )
    clocks = None
    if args.rate is None:
        with engine.connect() as conn:
            rhythm = Rhythm.load(conn, datetime.now(TZ))
        clocks = RhythmClocks(rhythm, args.speed, rng, time.monotonic())
        now = datetime.now(TZ)
        console.print(
            f"rhythm: {rhythm.per_hour('reports', now) * args.speed:.1f} reports and "
            f"{rhythm.per_hour('steps', now) * args.speed:.1f} steps an hour now (the history's × {args.speed:g})"
        )
    started = time.monotonic()
    done = skipped = 0
    with until_signal() as should_stop:
        try:
            while not should_stop() and (args.seconds is None or time.monotonic() - started < args.seconds):
                if run is not None:  # the burst's reports now due, beside the normal steps
                    due = run.due(time.monotonic() - started)
                    for k in due:
                        step = bu.file_report(engine, context, rng, run, k)
                        if args.verbose or not step.ok:
                            console.print(f"{step.action:<12} case {step.case_id or '-'} {step.detail}")
                    if due and run.done:
                        ok(f"burst: {sum(r.ok for r in run.results)} of {len(run.results)} reports filed")
                if clocks is not None:  # the history's rhythm: reports and steps as two Poisson processes
                    steps = clocks.due(time.monotonic(), engine, rng, context)
                elif time.monotonic() >= started + (done + skipped) / args.rate:
                    steps = simulate_steps(engine, 1, rng, context=context)
                else:
                    steps = []
                for step in steps:
                    done += step.ok
                    skipped += not step.ok and step.action != "idle"
                    if args.verbose:
                        console.print(
                            f"{step.action:<12} case {step.case_id or '-'} {'' if step.ok else step.detail}"
                        )

                # next tick at the requested rate or rhythm (or the burst's next report), waking up early on a signal
                tick = clocks.next_at() if clocks is not None else started + (done + skipped) / args.rate
                nxt = run.next_at() if run is not None else None
                if nxt is not None:
                    tick = min(tick, started + nxt)
                if args.seconds is not None:
                    tick = min(tick, started + args.seconds)
                while (left := tick - time.monotonic()) > 0 and not should_stop():
                    time.sleep(min(left, 0.2))
        finally:
            engine.dispose()
    ok(f"simulated {done:,} steps ({skipped:,} skipped) in {time.monotonic() - started:.0f} s")
    if run is not None and not run.done:
        ok(f"burst: {sum(r.ok for r in run.results)} of {len(run.offsets)} reports filed before the end")
    return 0
