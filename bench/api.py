"""Issue 4: the Open311 API through the real app (uvicorn, loopback) on the 1M-case city.

- ``POST requests.json``: 4 concurrent clients, each its own keep-alive connection, a bounded number of reports
  (form-encoded, with an ``Idempotency-Key`` like a real app); p50/p95 latency and throughput.
  Goal: p95 ≤ 100 ms and ≥ 100 requests/s on this 2-core machine.
- ``GET requests.json`` answering 1,000 requests (the default window of the last 90 days, one full page).

The reports are real commits; at the end the benchmark removes them again (and its API key), so the city keeps
its size (``make bench`` re-seeds a city whose case count differs) and no row points at a removed case.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
import uuid

import httpx
from sqlalchemy import Connection, text

from bench.common import BenchContext, Figure, pct
from ops.citizen.keys import create_key

CLIENTS = 4
POSTS_PER_CLIENT = 150
WARMUP_PER_CLIENT = 10
GET_RUNS = 30
BASE = "/open311/v2"


def _points(conn: Connection, n: int, seed: int = 4) -> list[tuple[float, float]]:
    """Points inside the service area: centres of grid cells of the six central districts."""
    rows = conn.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(c.geom) p FROM grid_cell c "
            "JOIN district d ON d.code = c.district_code AND d.has_grid ORDER BY c.id LIMIT 20000) x"
        )
    ).all()
    rng = random.Random(seed)  # nosec B311 # deterministic demo/benchmark data, not security
    return [(float(x), float(y)) for x, y in rng.sample(rows, min(n, len(rows)))]


def _categories(conn: Connection) -> list[str]:
    """小类 a citizen reports without extra answers (no required question), not escalated at once."""
    return list(
        conn.execute(
            text(
                "SELECT code FROM category WHERE level = 2 AND active AND NOT urgent "
                "AND NOT questions @> '[{\"required\": true}]' ORDER BY code"
            )
        ).scalars()
    )


def _cleanup(ctx: BenchContext, key_id: int) -> int:
    """Remove the benchmark's reports with everything that points at them, and its key; returns how many cases
    were removed. An admin-only bench operation on the bench database: the transaction runs with
    ``session_replication_role = replica`` (as a bulk load would), which lets it delete from the append-only
    history and skips the foreign-key checks, one of which (``case.merged_into_id``, unindexed) would scan the
    whole city for every removed case; nothing else refers to these fresh cases (no merge, handle or close)."""
    with ctx.engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        ids = list(
            conn.execute(
                text("SELECT case_id FROM case_intake WHERE api_key_id = :k"), {"k": key_id}
            ).scalars()
        )
        conn.execute(text("DELETE FROM idempotency_key WHERE api_key_id = :k"), {"k": key_id})
        for table in ("case_intake", "photo", "verification_task", "points_ledger", "case_event"):
            conn.execute(text(f"DELETE FROM {table} WHERE case_id = ANY(:ids)"), {"ids": ids})  # nosec B608 # table names from a constant list
        conn.execute(text('DELETE FROM "case" WHERE id = ANY(:ids)'), {"ids": ids})
        conn.execute(text("DELETE FROM api_key WHERE id = :k"), {"k": key_id})
    return len(ids)


def _post_load(
    base: str, key: str, points: list[tuple[float, float]], categories: list[str]
) -> tuple[list[float], float, int]:
    """Latencies (s) of the timed POSTs, the wall time of the timed phase and the number of errors."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    ready = threading.Barrier(CLIENTS + 1)
    done = threading.Barrier(CLIENTS + 1)

    def client(n: int) -> None:
        nonlocal errors
        rng = random.Random(n)  # nosec B311 # deterministic demo/benchmark data, not security
        mine: list[float] = []
        bad = 0
        with httpx.Client(base_url=base, timeout=30) as http:

            def post() -> float:
                nonlocal bad
                lon, lat = rng.choice(points)
                data = {
                    "api_key": key,
                    "service_code": rng.choice(categories),
                    "lat": f"{lat:.7f}",
                    "long": f"{lon:.7f}",
                    "description": "bench: 路面有坑",
                }
                t0 = time.perf_counter()
                resp = http.post(
                    f"{BASE}/requests.json", data=data, headers={"Idempotency-Key": uuid.uuid4().hex}
                )
                elapsed = time.perf_counter() - t0
                if resp.status_code != 201:
                    bad += 1
                return elapsed

            for _ in range(WARMUP_PER_CLIENT):
                post()
            ready.wait()
            for _ in range(POSTS_PER_CLIENT):
                mine.append(post())
            done.wait()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    ready.wait()
    t0 = time.perf_counter()
    done.wait()
    wall = time.perf_counter() - t0
    for t in threads:
        t.join()
    return latencies, wall, errors


def run(ctx: BenchContext) -> list[Figure]:
    base = ctx.app_base_url()
    with ctx.engine.begin() as conn:
        info, key = create_key(conn, "bench")
        points = _points(conn, 5000)
        categories = _categories(conn)
    try:
        latencies, wall, errors = _post_load(base, key, points, categories)
        total = len(latencies)
        p50, p95 = pct(latencies, 50) * 1000, pct(latencies, 95) * 1000
        rate = total / wall
        note = f"{CLIENTS} clients × {POSTS_PER_CLIENT} (+{WARMUP_PER_CLIENT} warm-up), {errors} errors"

        gets: list[float] = []
        sizes: set[int] = set()
        with httpx.Client(base_url=base, timeout=60) as http:
            for i in range(GET_RUNS + 3):
                t0 = time.perf_counter()
                resp = http.get(f"{BASE}/requests.json", params={"page_size": 1000})
                elapsed = time.perf_counter() - t0
                body = resp.json()
                sizes.add(len(body))
                if i >= 3:
                    gets.append(elapsed)
            xml = http.get(f"{BASE}/requests.xml", params={"page_size": 1000})
        get_note = f"{GET_RUNS} runs, {sorted(sizes)} results, {len(resp.content) / 1e6:.2f} MB JSON, {len(xml.content) / 1e6:.2f} MB XML"
    finally:
        removed = _cleanup(ctx, info.id)
    return [
        Figure("POST requests.json p50 (4 clients)", p50, "ms", "", None, note),
        Figure("POST requests.json p95 (4 clients)", p95, "ms", "≤ 100 ms", p95 <= 100 and errors == 0, note),
        Figure(
            "POST requests.json throughput",
            rate,
            "req/s",
            "≥ 100 req/s",
            rate >= 100,
            f"{removed} bench reports removed after",
        ),
        Figure(
            "GET requests.json, 1,000 results: p50", statistics.median(gets) * 1000, "ms", "", None, get_note
        ),
        Figure(
            "GET requests.json, 1,000 results: p95", pct(gets, 95) * 1000, "ms", "", sizes == {1000}, get_note
        ),
    ]
