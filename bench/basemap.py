"""The city's own basemap: time to import a city-sized layer (``import-layer --kind basemap``) and to make a
vector tile at city zoom (12), street zoom (15) and building zoom (17), p95 over 25 tiles around the centre each
(tile query in PostGIS; then through the app over HTTP, cold), with the tiles' gzip size, and the same tiles as
GeoJSON (the alternative not taken) for comparison.

The layer is generated (there is no real road data here): a 20 km × 20 km street grid around the centre in 100 m
segments between crossings (80,000 roads: a 主干路 every 2 km, a 次干路 every 500 m, the rest minor), 60,000
buildings in the central 8 km and a river, written as a GeoPackage in CGCS2000 / 3-degree Gauss-Kruger CM 108E
(EPSG:4545) and imported as a city's would be. It replaces the bench database's basemap; the demo's generated
streets are put back at the end.
"""

from __future__ import annotations

import gzip
import math
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import httpx
import numpy as np
import shapely
from sqlalchemy import text

from bench.common import BenchContext, Figure, pct
from db.queries.basemap import TILE_SQL, tile
from db.seed.basemap import import_basemap
from demo.basemap import ATTRIBUTION, write_demo_basemap
from geo.crs import METRIC_SRID, to_metric

CENTRE = (106.70, 26.58)
HALF_M = 10_000
SEG_M = 100
ZOOMS = (12, 15, 17)
TARGET_P95_MS = {12: 150.0, 15: 50.0, 17: 20.0}
GEOJSON_SQL = TILE_SQL.replace(
    "SELECT ST_AsMVT(q, 'basemap', 4096, 'g') FROM q",
    "SELECT coalesce(json_agg(json_build_object('l', layer, 'n', name, 'c', class, 'r', rank, "
    "'g', ST_AsGeoJSON(g)::json)), '[]')::text FROM q",
)
if GEOJSON_SQL == TILE_SQL:
    raise RuntimeError("bench/basemap.py: the GeoJSON twin of the tile query no longer matches it")


def city_layer(path: Path) -> Path:
    cx, cy = to_metric(*CENTRE)
    n = HALF_M // SEG_M
    ks = np.arange(-n, n)
    lines, names, classes = [], [], []
    for axis, word in ((0, "路"), (1, "街")):
        for k in ks:
            cls = "primary" if k % 20 == 0 else "secondary" if k % 5 == 0 else "residential"
            for s in ks:
                a = (cx + k * SEG_M, cy + s * SEG_M) if axis == 0 else (cx + s * SEG_M, cy + k * SEG_M)
                b = (a[0], a[1] + SEG_M) if axis == 0 else (a[0] + SEG_M, a[1])
                lines.append(shapely.LineString([a, b]))
                names.append(f"基准{abs(int(k))}{'东西南北'[axis * 2 + (k < 0)]}{word}")
                classes.append(cls)
    i, j = np.meshgrid(np.arange(-200, 200), np.arange(-200, 200))
    keep = ((i + j) % 2 == 0) & (i % 5 != 0) & (j % 5 != 0)
    i, j = i[keep][:60_000], j[keep][:60_000]
    boxes = shapely.box(cx + i * 20 + 3, cy + j * 20 + 3, cx + i * 20 + 15, cy + j * 20 + 15)
    river = shapely.LineString([(cx + d, cy + 800 * math.sin(d / 2500)) for d in range(-HALF_M, HALF_M, 250)])
    crs = f"EPSG:{METRIC_SRID}"
    layers = {
        "roads": gpd.GeoDataFrame({"name": names, "fclass": classes}, geometry=lines, crs=crs),
        "buildings": gpd.GeoDataFrame({"class": ["building"] * len(boxes)}, geometry=list(boxes), crs=crs),
        "water": gpd.GeoDataFrame({"name": ["基准河"]}, geometry=[river.buffer(40)], crs=crs),
    }
    for name, frame in layers.items():
        frame.to_crs(epsg=4545).to_file(path, layer=name, driver="GPKG")
    return path


def tiles_around(z: int, count: int = 25) -> list[tuple[int, int]]:
    n = 2**z
    r = math.radians(CENTRE[1])
    x0 = int((CENTRE[0] + 180) / 360 * n)
    y0 = int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n)
    side = int(math.sqrt(count))
    return [
        (x0 + dx, y0 + dy)
        for dx in range(-side // 2 + 1, side // 2 + 1)
        for dy in range(-side // 2 + 1, side // 2 + 1)
    ]


def run(ctx: BenchContext) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = city_layer(Path(tmp) / "city.gpkg")
        t0 = time.perf_counter()
        with ctx.engine.begin() as conn:
            done = import_basemap(conn, path, attribution="基准路网（生成）/ benchmark streets (generated)")
        secs = time.perf_counter() - t0
    figures.append(
        Figure("basemap import (GeoPackage, EPSG:4545)", secs, "s", note=f"{done.total:,} features")
    )
    try:
        with ctx.engine.connect() as conn:
            for z in ZOOMS:
                mvt_ms, gj_ms, sizes, gj_sizes = [], [], [], []
                for x, y in tiles_around(z):
                    t = time.perf_counter()
                    raw = tile(conn, z, x, y)
                    mvt_ms.append((time.perf_counter() - t) * 1000)
                    if raw:  # the sizes of tiles with something in them
                        sizes.append(len(gzip.compress(raw, 6)))
                    t = time.perf_counter()
                    gj = conn.execute(text(GEOJSON_SQL), {"z": z, "x": x, "y": y}).scalar_one()
                    gj_ms.append((time.perf_counter() - t) * 1000)
                    if raw:
                        gj_sizes.append(len(gzip.compress(gj.encode(), 6)))
                p95 = pct(mvt_ms, 95)
                figures.append(
                    Figure(
                        f"basemap tile z{z} (ST_AsMVT) p95",
                        p95,
                        "ms",
                        f"≤ {TARGET_P95_MS[z]:.0f} ms",
                        p95 <= TARGET_P95_MS[z],
                        f"gzip median {statistics.median(sizes) / 1024:.1f} KB (tiles with data); as GeoJSON p95 "
                        f"{pct(gj_ms, 95):.0f} ms, {statistics.median(gj_sizes) / 1024:.1f} KB",
                    )
                )
        base = ctx.app_base_url()
        version = httpx.get(base + "/basemap/v1/info.json", timeout=10).json()["version"]
        with httpx.Client(base_url=base, timeout=30, headers={"Accept-Encoding": "gzip"}) as client:
            ms = []
            for x, y in tiles_around(15, 49):
                t = time.perf_counter()
                r = client.get(f"/basemap/v1/{version}/15/{x}/{y}.pbf")
                ms.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
        figures.append(
            Figure("basemap tile z15 over HTTP, cold, p95", pct(ms, 95), "ms", "≤ 100 ms", pct(ms, 95) <= 100)
        )
    finally:
        with tempfile.TemporaryDirectory() as tmp, ctx.engine.begin() as conn:
            import_basemap(conn, write_demo_basemap(Path(tmp) / "demo.gpkg"), attribution=ATTRIBUTION)
    return figures
