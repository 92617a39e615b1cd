"""Area subscriptions (区域订阅): what a case event pays for matching them, with N live subscriptions in the city.

For N in SUB_COUNTS: N subscriptions are committed (circles of 300–2,000 m around random grid cells of the six
gridded districts, owned by the shift lead, every category and both events; inserted directly, past the per-owner
limit) and the table analysed, as a city's would be; then REPORTS new reports at random grid cells are made
through ``wf.report`` (which matches in its own transaction) in a transaction rolled back (the city keeps its
cases). The bench's subscriptions are deleted at the end. Figures: the mean time of
one report, its extra cost over no subscription, the matching query alone (``matching.matches``, p50/p95) and
how many subscriptions a report told on average. ``python -m bench.subscriptions DATABASE_URL`` measures any
database (the app role's URL)."""

from __future__ import annotations

import statistics
import sys
import time

from sqlalchemy import Connection, Engine, text

from bench.common import BenchContext, Figure, pct
from db.engine import make_engine
from ops import workflow as wf
from ops.subscriptions import matching

SUB_COUNTS = (0, 100, 1_000, 5_000)
REPORTS = 100
_POINTS = text(
    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grid_cell "
    "WHERE district_code IN (SELECT code FROM district WHERE has_grid) ORDER BY random() LIMIT :n) x"
)
_ADD = text(
    """
    INSERT INTO subscription (staff_user_id, area, center, radius_m, events, channel_kind, channel, label)
    SELECT :uid, ST_Multi(ST_Transform(ST_Buffer(ST_Transform(c.p, 32648), c.r, 8), 4326)), c.p, c.r,
           ARRAY['new', 'closed'], 'url', 'json://127.0.0.1:9/bench', 'bench-subscriptions'
      FROM (SELECT ST_PointOnSurface(geom) AS p, 300 + floor(random() * 1700)::int AS r FROM grid_cell
             WHERE district_code IN (SELECT code FROM district WHERE has_grid) ORDER BY random() LIMIT :n) c
    """
)


def _reports(conn: Connection) -> tuple[float, list[float], float]:
    """REPORTS new reports: (mean seconds of one, the matching query's samples, mean subscriptions told)."""
    points = conn.execute(_POINTS, {"n": REPORTS}).all()
    times, told = [], []
    ids = []
    for lon, lat in points:
        t0 = time.perf_counter()
        r = wf.report(
            conn,
            wf.Actor.system(),
            category_code="C0101",
            lon=lon,
            lat=lat,
            description="基准测试",
            source="app",
        )
        times.append(time.perf_counter() - t0)
        ids.append(r.id)
    match_times = []
    for case_id in ids:
        t0 = time.perf_counter()
        found = matching.matches(conn, case_id, "new")
        match_times.append(time.perf_counter() - t0)
        told.append(len(found))
    return statistics.fmean(times), match_times, statistics.fmean(told)


def measure(engine: Engine) -> dict[int, tuple[float, list[float], float]]:
    """For each N in SUB_COUNTS: what :func:`_reports` measures with N live subscriptions."""
    out: dict[int, tuple[float, list[float], float]] = {}
    have = 0
    try:
        for n in SUB_COUNTS:
            with engine.begin() as conn:
                conn.execute(text("SELECT setseed(0.15)"))
                uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
                conn.execute(_ADD, {"uid": uid, "n": n - have})
            have = n
            with engine.begin() as conn:
                conn.execute(text("ANALYZE subscription"))
            with engine.connect() as conn:
                trans = conn.begin()
                try:
                    out[n] = _reports(conn)
                finally:
                    trans.rollback()
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM subscription WHERE label = 'bench-subscriptions'"))
    return out


def figures(engine: Engine) -> list[Figure]:
    res = measure(engine)
    base = res[SUB_COUNTS[0]][0]
    out = []
    for n, (mean, match, told) in res.items():
        out.append(
            Figure(
                f"subscriptions: a new report with {n:,} live subscriptions, mean",
                mean * 1000,
                "ms",
                note=(f"+{(mean - base) * 1000:.2f} ms over none; " if n else "")
                + f"matching p50 {pct(match, 50) * 1000:.2f} ms, p95 {pct(match, 95) * 1000:.2f} ms; "
                f"{told:.1f} told per report",
            )
        )
    return out


def run(ctx: BenchContext) -> list[Figure]:
    engine = make_engine(ctx.url, pool_size=2)  # the app role, as the app and the simulator connect
    try:
        return figures(engine)
    finally:
        engine.dispose()


def main(argv: list[str]) -> int:
    engine = make_engine(argv[0], pool_size=2)
    try:
        for fig in figures(engine):
            print(f"{fig.name}: {fig.value:.2f} {fig.unit} · {fig.note}")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
