"""The read replica and the road past one machine (docs/scaling.md): figures measured on this machine.

- WAL written per 1,000 reports filed through the workflow's own report command (the volume a replica streams
  and a backup archives), and the standby's replay lag during that burst and how long it took to catch up
  (needs ``guiyang-ops db replica up``; without a standby these two are left out, said in the table);
- the wall's viewport pins read through ``Services.view`` on the replica vs on the primary;
- a city-wide aggregate (90 days per 小类 × district) against the same for one district, and the fan-in of the
  per-district answers: what sharding by district does to one query (each shard's work, the coordinator's merge).

The reports are written in one transaction that is rolled back: the WAL is written and streamed all the same,
and the bench city keeps its size (a re-run does not re-seed). Taken on the shared 2-core machine.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from bench.common import BenchContext, Figure, pct, timed
from dashboard.database import local_replica
from dashboard.runtime import Services
from dashboard.settings import get_settings
from db.engine import make_engine
from db.queries.live import viewport_pins
from db.read_route import ReadRoute, _lsn
from geo.bbox import BBox
from ops import workflow as wf
from ops.workflow import Actor

REPORTS = 1000
RUNS = 15
#: the wall at street zoom over 云岩区's centre (as bench/map_queries)
STREET: BBox = (106.700, 26.570, 106.730, 26.595)
_AGG = """
SELECT category_code, district_code, count(*) AS n,
       count(*) FILTER (WHERE status = 'closed') AS closed,
       avg(extract(epoch FROM coalesce(dispatched_at, now()) - created_at)) AS dispatch_s
  FROM {table} WHERE created_at >= now() - interval '90 days'
 GROUP BY category_code, district_code
"""


def _wal(conn: Connection) -> int:
    return _lsn(str(conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()))


def _burst(app_url: str, replica: Engine | None) -> tuple[list[Figure], int]:
    """1,000 reports in one rolled-back transaction; the WAL they wrote and the standby's lag meanwhile."""
    engine = make_engine(app_url, pool_size=2)
    lag: list[int] = []
    done = threading.Event()
    head = [0]

    def watch() -> None:
        assert replica is not None  # nosec B101 # only started with a replica
        with replica.connect() as conn:
            while not done.is_set():
                replayed = _lsn(str(conn.execute(text("SELECT pg_last_wal_replay_lsn()::text")).scalar_one()))
                conn.commit()
                if head[0]:
                    lag.append(max(0, head[0] - replayed))
                time.sleep(0.05)

    rng = random.Random(7)  # nosec B311 # spread of the bench's report points, not security
    watcher = threading.Thread(target=watch, daemon=True) if replica is not None else None
    try:
        with engine.connect() as conn:
            start = _wal(conn)
            conn.commit()
        if watcher:
            watcher.start()
        t0 = time.perf_counter()
        with engine.connect() as conn, conn.begin() as tx:
            for i in range(REPORTS):
                wf.report(
                    conn,
                    Actor.system(),
                    category_code="C0101",
                    lon=106.70 + rng.random() * 0.03,
                    lat=26.57 + rng.random() * 0.025,
                    description=f"bench report {i}",
                    source="app",
                )
                if i % 50 == 0:
                    head[0] = _wal(conn)
            tx.rollback()
        secs = time.perf_counter() - t0
        with engine.connect() as conn:
            end = _wal(conn)
        head[0] = end
        figures = [
            Figure(
                f"WAL per {REPORTS:,} reports (report command)",
                (end - start) / 1024 / 1024,
                "MiB",
                note=f"{(end - start) / REPORTS / 1024:.1f} KiB a report; {REPORTS / secs:.0f} reports/s on one "
                f"connection; load {os.getloadavg()[0]:.1f}",
            )
        ]
        if replica is not None:
            t1 = time.perf_counter()
            with replica.connect() as conn:
                while time.perf_counter() - t1 < 30:
                    replayed = str(conn.execute(text("SELECT pg_last_wal_replay_lsn()::text")).scalar_one())
                    conn.commit()
                    if _lsn(replayed) >= end:
                        break
                    time.sleep(0.02)
            done.set()
            figures.append(
                Figure(
                    "replica lag during a 1,000-report burst (max)",
                    max(lag or [0]) / 1024,
                    "KiB",
                    note=f"p50 {pct([float(x) for x in lag] or [0.0], 50) / 1024:.0f} KiB over {len(lag)} samples (50 ms); caught up "
                    f"{(time.perf_counter() - t1) * 1000:.0f} ms after the burst's last write",
                )
            )
        else:
            figures.append(Figure("replica lag during a burst", 0, "", note="no standby: db replica up"))
        return figures, end - start
    finally:
        done.set()
        engine.dispose()


def _views(app_url: str, replica_url: str | None) -> list[Figure]:
    settings = get_settings()
    primary = make_engine(app_url, pool_size=2)
    out: list[Figure] = []
    try:
        targets: list[tuple[str, Services]] = [("primary", Services(settings=settings, engine=primary))]
        if replica_url:
            route = ReadRoute(primary, make_engine(replica_url, pool_size=2), max_lag_s=10)
            targets.append(("replica", Services(settings=settings, engine=primary, reads=route)))
        for name, app in targets:
            where: list[bool] = []

            def once(app: Services = app, where: list[bool] = where) -> None:
                app.view(lambda c: viewport_pins(c, STREET, 16))
                where.append(app.view(lambda c: bool(c.execute(text("SELECT pg_is_in_recovery()")).scalar())))

            s = timed(once, RUNS)
            on = "standby" if all(where[-RUNS:]) else "primary"
            out.append(
                Figure(
                    f"wall street-zoom pins through view ({name})",
                    pct(s, 50) * 1000,
                    "ms",
                    note=f"p95 {pct(s, 95) * 1000:.0f} ms, {RUNS} runs; read on the {on}",
                )
            )
            if app.reads is not None and app.reads.replica is not None:
                app.reads.replica.dispose()
    finally:
        primary.dispose()
    return out


def _shards(engine: Engine) -> list[Figure]:
    """A district's shard simulated as a table of its own (its cases only, indexed as ``case``), against the
    whole city's table: the work one shard does for a city-wide question, and the coordinator's merge."""
    out: list[Figure] = []
    with engine.connect() as conn:
        sizes = Counter(
            dict(conn.execute(text('SELECT district_code, count(*) FROM "case" GROUP BY 1')).tuples().all())
        )
        districts = [d for d, _ in sizes.most_common() if d]
        biggest = districts[0]
        conn.execute(
            text('CREATE TEMP TABLE shard AS SELECT * FROM "case" WHERE district_code = :d'), {"d": biggest}
        )
        conn.execute(text("CREATE INDEX ON shard (created_at)"))
        conn.execute(text("ANALYZE shard"))
        answers: dict[str, list[Any]] = {}

        def ask(table: str, key: str) -> None:
            answers[key] = list(conn.execute(text(_AGG.format(table=table))).all())

        s_city = timed(lambda: ask('"case"', "city"), RUNS, 2)
        s_one = timed(lambda: ask("shard", "shard"), RUNS, 2)
        parts = [
            list(
                conn.execute(text(_AGG.format(table='"case"') + " HAVING district_code = :d"), {"d": d}).all()
            )
            for d in districts
        ]
        conn.rollback()
    t0 = time.perf_counter()
    merged: dict[tuple[str, str], int] = {}
    for rows in parts:  # the coordinator's fan-in: per-shard partial aggregates, summed
        for r in rows:
            merged[(r.category_code, r.district_code)] = (
                merged.get((r.category_code, r.district_code), 0) + r.n
            )
    fan_in_ms = (time.perf_counter() - t0) * 1000
    share = sizes[biggest] / max(1, sum(sizes.values()))
    out.append(
        Figure(
            "90-day 小类 × district aggregate, city-wide (one node)",
            pct(s_city, 50) * 1000,
            "ms",
            note=f"p95 {pct(s_city, 95) * 1000:.0f} ms; {len(answers['city'])} groups; load {os.getloadavg()[0]:.1f}",
        )
    )
    out.append(
        Figure(
            "the same on the largest district's shard alone",
            pct(s_one, 50) * 1000,
            "ms",
            note=f"{biggest}: {share:.0%} of the cases; p95 {pct(s_one, 95) * 1000:.0f} ms; merging the "
            f"{len(districts)} districts' partial answers {fan_in_ms:.2f} ms",
        )
    )
    return out


def run(ctx: BenchContext) -> list[Figure]:
    settings = get_settings()
    replica = local_replica(settings)
    replica_url = None
    if not settings.database_url and replica.standby.running():
        replica_url = replica.url(str(make_url(ctx.url).database))
    standby = make_engine(replica_url, pool_size=2) if replica_url else None
    try:
        figures, _ = _burst(ctx.url, standby)
    finally:
        if standby is not None:
            standby.dispose()
    return figures + _views(ctx.url, replica_url) + _shards(ctx.engine)
