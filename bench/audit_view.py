"""The audit viewer on the bench city (millions of case events): one page's latency per filter, first and deep
(the 20th page, by the keyset), and the CSV export's rate and memory (every staff action on cases of the last 30
days, through the export's own page loop and cell writer, in process). Target: a page p95 ≤ 300 ms."""

from __future__ import annotations

import csv
import functools
import io
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection

from bench.common import BenchContext, Figure, pct, timed
from dashboard.components.admin_audit import csv_cells
from db.engine import make_engine
from geo.crs import TZ
from ops import audit_view as av

TARGET_MS = 300


def _filters() -> dict[str, av.Filter]:
    today = datetime.now(TZ).date()
    return {
        "all kinds": av.parse_filter(),
        "case actions": av.parse_filter(groups=["case"]),
        "sign-in failures": av.parse_filter(groups=["signin_failed"]),
        "one person (simulator)": av.parse_filter("simulator"),
        "a week, case actions": av.parse_filter(
            groups=["case"], since=today - timedelta(days=7), until=today
        ),
    }


def _deep(conn: Connection, flt: av.Filter, pages: int) -> av.Page:
    got = av.read_page(conn, flt)
    for _ in range(pages - 1):
        if got.next is None:
            break
        got = av.read_page(conn, flt, got.next)
    return got


def run(ctx: BenchContext) -> list[Figure]:
    engine = make_engine(ctx.url, pool_size=2)  # the app role, as the page's callback
    today = datetime.now(TZ).date()
    filters = _filters()
    out: list[Figure] = []
    try:
        with engine.connect() as conn:
            for name, flt in filters.items():
                first = timed(functools.partial(av.read_page, conn, flt), runs=20)
                p95 = pct(first, 95) * 1000
                out.append(Figure(f"audit page: {name}", p95, "ms p95", f"≤ {TARGET_MS}", p95 <= TARGET_MS))
            deep = timed(lambda: _deep(conn, filters["case actions"], 20), runs=3, warmup=1)
            out.append(Figure("audit: 20 pages walked (case actions)", min(deep) * 1000, "ms"))
        flt = av.parse_filter(groups=["case"], since=today - timedelta(days=30), until=today)

        def read(fn: Callable[[Connection], av.Page]) -> av.Page:
            with engine.connect() as c, c.begin():
                return fn(c)

        tracemalloc.start()
        t0 = time.perf_counter()
        rows = 0
        buf = io.StringIO()
        writer = csv.writer(buf)
        for row in av.iter_rows(read, flt):
            writer.writerow(csv_cells(row, "zh"))
            rows += 1
            if buf.tell() > 1 << 20:
                buf.seek(0)
                buf.truncate()
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        out.append(
            Figure(
                "audit CSV: rows/s (case actions, 30 days)",
                rows / seconds if seconds else 0,
                "rows/s",
                note=f"{rows:,} rows",
            )
        )
        out.append(Figure("audit CSV: peak Python memory", peak, "MiB", "bounded"))
    finally:
        engine.dispose()
    return out
