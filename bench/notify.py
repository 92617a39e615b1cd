"""Issue 14, notifications: the time from a case event's commit to its message delivered to a JSON webhook on
localhost (p50/p95, with the delivery worker running as ``notify run`` does), and the cost a dispatch pays for its
outbox rows when N routes listen.

- **Delivery**: 50 cases at departments are escalated (督办: their status stays, only ``escalated`` is set), each
  committed on its own, after one more (not counted) that shows the worker is up; a route per department points
  at a local JSON receiver; the worker (``run_forever``, woken by
  the outbox's ``pg_notify``) delivers. Latency = arrival at the receiver − the start of the COMMIT. The routes and
  outbox rows are removed afterwards (the cases keep their 督办 mark and history: the city's case count stays).
- **Cost to a dispatch**: fresh cases reported and filed in one transaction that is rolled back at the end (the
  city stays as it was); the mean time of ``dispatch`` with 0, 1, 10 and 50 routes for the department.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import Connection, Engine, text

from bench.common import BenchContext, Figure, pct
from db.accounts import load_identity
from db.engine import make_engine
from ops import workflow as wf
from ops.notify.worker import WorkerConfig, run_forever

DELIVERIES = 50
DISPATCHES = 100
ROUTE_COUNTS = (0, 1, 10, 50)
LABEL = "bench-notify"


class _Receiver:
    """A JSON webhook that notes when each message arrived, by ticket (the title's second word)."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                data = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                receiver.arrived.setdefault(
                    str(data["title"]).split()[0].split("】")[-1], time.perf_counter()
                )
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _actor(conn: Connection, username: str) -> wf.Actor:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).scalar_one()
    ident = load_identity(conn, uid)
    assert ident is not None  # nosec B101 # type narrowing for mypy, not a security check
    return wf.Actor.from_identity(ident)


def _add_routes(conn: Connection, department: str, url: str, n: int) -> None:
    for _ in range(n):
        conn.execute(
            text("INSERT INTO notify_route (department_code, url, label) VALUES (:d, :u, :l)"),
            {"d": department, "u": url, "l": LABEL},
        )


def _forget(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "DELETE FROM notify_outbox WHERE route_id IN (SELECT id FROM notify_route WHERE label = :l)"
            ),
            {"l": LABEL},
        )
        conn.execute(text("DELETE FROM notify_route WHERE label = :l"), {"l": LABEL})


def delivery_latency(engine: Engine) -> list[float]:
    """Seconds from each escalation's commit to its message at the receiver."""
    receiver = _Receiver()
    stop = threading.Event()
    config = WorkerConfig(poll_s=5.0, light_interval_s=3600.0)
    worker = threading.Thread(target=run_forever, args=(engine, config, stop.is_set), daemon=True)
    try:
        with engine.begin() as conn:
            lead = _actor(conn, "lead")
            cases = conn.execute(
                text(
                    "SELECT id, version, ticket, department_code FROM \"case\" WHERE status = 'dispatched' "
                    "AND NOT escalated ORDER BY id LIMIT :n"
                ),
                {"n": DELIVERIES + 1},
            ).all()
            for dept in sorted({c.department_code for c in cases}):
                _add_routes(conn, dept, f"json://127.0.0.1:{receiver.port}/bench", 1)
        worker.start()
        warmup, *cases = cases  # the worker is running (apprise loaded, listening) once this one arrived
        with engine.begin() as conn:
            wf.escalate(conn, lead, warmup.id, warmup.version, reason="基准测试")
        end = time.perf_counter() + 60
        while warmup.ticket not in receiver.arrived and time.perf_counter() < end:
            time.sleep(0.02)
        committed: dict[str, float] = {}
        for case in cases:
            with engine.connect() as conn:
                wf.escalate(conn, lead, case.id, case.version, reason="基准测试")
                committed[case.ticket] = time.perf_counter()  # from the COMMIT's start: it counts too
                conn.commit()
            time.sleep(0.05)
        end = time.perf_counter() + 30
        while len(receiver.arrived) < len(cases) and time.perf_counter() < end:
            time.sleep(0.02)
        return [receiver.arrived[t] - committed[t] for t in committed if t in receiver.arrived]
    finally:
        stop.set()
        if worker.is_alive():
            worker.join(10)
        receiver.close()
        _forget(engine)


def dispatch_cost(engine: Engine) -> dict[int, float]:
    """Mean seconds of one dispatch with N routes for its department, N in ROUTE_COUNTS (rolled back)."""
    out: dict[int, float] = {}
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            lead = _actor(conn, "lead")
            points = conn.execute(
                text(
                    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grid_cell "
                    "WHERE district_code = '520103' ORDER BY id LIMIT :n) x"
                ),
                {"n": DISPATCHES},
            ).all()
            have = 0
            for n in ROUTE_COUNTS:
                filed = []
                for i in range(DISPATCHES):
                    lon, lat = points[i % len(points)]
                    r = wf.report(
                        conn, wf.Actor.system(), category_code="C0101", lon=lon, lat=lat,
                        description="基准测试", source="app",
                    )  # fmt: skip
                    filed.append(wf.file_case(conn, lead, r.id, r.version))
                dept = conn.execute(
                    text('SELECT suggested_department_code FROM "case" WHERE id = :id'), {"id": filed[0].id}
                ).scalar_one()
                _add_routes(conn, dept, "json://127.0.0.1:9/bench", n - have)
                have = n
                times = []
                for r in filed:
                    t0 = time.perf_counter()
                    wf.dispatch(conn, lead, r.id, r.version)
                    times.append(time.perf_counter() - t0)
                out[n] = statistics.fmean(times)
        finally:
            trans.rollback()
    return out


def run(ctx: BenchContext) -> list[Figure]:
    engine = make_engine(ctx.url, pool_size=4)  # the app role, as `notify run` connects
    try:
        lat = delivery_latency(engine)
        cost = dispatch_cost(engine)
    finally:
        engine.dispose()
    figures = [
        Figure(
            "notify: event commit → delivered (JSON webhook), p50",
            pct(lat, 50) * 1000,
            "ms",
            note=f"{len(lat)}/{DELIVERIES} delivered; worker woken by pg_notify",
        ),
        Figure("notify: event commit → delivered (JSON webhook), p95", pct(lat, 95) * 1000, "ms"),
    ]
    base = cost[0]
    for n in ROUTE_COUNTS:
        figures.append(
            Figure(
                f"notify: dispatch with {n} route(s) for its department, mean",
                cost[n] * 1000,
                "ms",
                note="" if n == 0 else f"+{(cost[n] - base) * 1000:.2f} ms over no route",
            )
        )
    return figures
