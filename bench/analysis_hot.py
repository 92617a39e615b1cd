"""热点区域 on the bench city: Getis-Ord Gi* hot spots for the last 30 days city-wide at each level (target ≤ 1 s,
issue 13), as the app computes them (the grid kept in memory, as ``dashboard.hotspot_cache`` does), with the
parts apart: reading the grid once, the count query, the statistic alone."""

from __future__ import annotations

import functools
import statistics
import time
from datetime import datetime

import numpy as np
from sqlalchemy import text

from bench.common import BenchContext, Figure, timed
from geo.crs import TZ
from ops.analysis.filters import Filters
from ops.analysis.gistar import gi_star
from ops.analysis.grid_units import load_grid, study_region
from ops.analysis.hotspots import LEVELS, cell_counts, hotspots
from ops.analysis.scope import AnalysisScope

RUNS = 5
TARGET_S = 1.0


def run(ctx: BenchContext) -> list[Figure]:
    city = AnalysisScope.city()
    filters = Filters(days=30)
    figures: list[Figure] = []
    with ctx.engine.connect() as conn:
        newest = conn.execute(text('SELECT max(created_at) FROM "case"')).scalar_one()
        now = newest or datetime.now(TZ)
        t0 = time.perf_counter()
        grid = load_grid(conn)
        figures.append(
            Figure(
                "hot spots: read the grid once (kept)",
                time.perf_counter() - t0,
                "s",
                note=f"{grid.cell_id.size:,} cells",
            )
        )
        counts = timed(lambda: cell_counts(conn, city, filters, now), RUNS, warmup=1)
        figures.append(
            Figure("hot spots: count query, 30 days city-wide", statistics.median(counts) * 1000, "ms")
        )
        for level in LEVELS:
            t0 = time.perf_counter()
            res = hotspots(conn, city, filters, level, now, grid)  # the first: builds the study region
            first = time.perf_counter() - t0
            figures.append(Figure(f"hot spots: first call (builds the region), {level}", first, "s"))
            secs = timed(functools.partial(hotspots, conn, city, filters, level, now, grid), RUNS, warmup=1)
            med = statistics.median(secs)
            figures.append(
                Figure(
                    f"hot spots: 30 days city-wide, {level}",
                    med,
                    "s",
                    f"≤ {TARGET_S:g} s",
                    med <= TARGET_S,
                    f"{res.n_units:,} units, {res.total:,} reports, {res.n_hot} hot / {res.n_cold} cold",
                )
            )
            region = study_region(grid, level, None)
            y = np.asarray(res.count)
            stat = timed(functools.partial(gi_star, region.ui, region.uj, y, region.lattice), RUNS, warmup=1)
            figures.append(
                Figure(f"hot spots: Gi* + FDR alone, {level}", statistics.median(stat) * 1000, "ms")
            )
    return figures
