"""The demo city's basemap, generated (there is no real road data here): a plausible street grid around each
landmark of ``data/guiyang_landmarks.csv`` with generated names, a river through the centre, the parks' green,
blocks of buildings near the centre and the landmarks as points of interest. Written as a GeoPackage in UTM 48N
(EPSG:32648, so the import reprojects it like any city's file) and imported by ``import-layer --kind basemap``
during ``setup --demo``; its attribution says it is generated.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import geopandas as gpd
from shapely import affinity
from shapely.geometry import LineString, Point, box
from shapely.geometry.base import BaseGeometry

from demo.public import landmarks
from geo.crs import METRIC_SRID, to_metric

ATTRIBUTION = "演示路网（生成）/ demo streets (generated)"
NUMERALS = "一二三四五六七八九十"
#: half the side of the street grid around a landmark (m) and the spacing of its streets
HALF = 1200
STEP = 200
CENTRAL = 6  # the grids of the first landmarks (the old centre) get buildings


def _grid(stem: str, x0: float, y0: float, turn: float) -> list[dict[str, object]]:
    """Streets on a grid turned by ``turn`` around (x0, y0): a 大道 through the middle each way, 路 or 街 every
    400 m, 巷 between."""
    cos, sin = math.cos(turn), math.sin(turn)

    def at(u: float, v: float) -> tuple[float, float]:
        return x0 + u * cos - v * sin, y0 + u * sin + v * cos

    out: list[dict[str, object]] = []
    n = HALF // STEP
    for axis, (word, big) in enumerate((("路", "南北大道"), ("街", "东西大道"))):
        for k in range(-n, n + 1):
            off = k * STEP
            if k == 0:
                name, cls = f"{stem}{big}", "primary"
            elif k % 2 == 0:
                name, cls = (
                    f"{stem}{'东西'[axis] if k > 0 else '西东'[axis]}{NUMERALS[abs(k) // 2 - 1]}{word}",
                    "secondary",
                )
            else:
                name, cls = f"{stem}{NUMERALS[(abs(k) - 1) % 10]}巷", "residential"
            ends = [at(off, -HALF), at(off, HALF)] if axis == 0 else [at(-HALF, off), at(HALF, off)]
            out.append({"name": name, "fclass": cls, "geometry": LineString(ends)})
    return out


def _buildings(rng: random.Random, x0: float, y0: float, turn: float) -> list[dict[str, object]]:
    """Blocks of buildings between the streets of the grid around (x0, y0) turned by ``turn``, near its middle."""
    out: list[dict[str, object]] = []
    for i in range(-4, 4):
        for j in range(-4, 4):
            if rng.random() < 0.3:
                continue
            u, v = i * STEP + 30, j * STEP + 30
            w, h = rng.uniform(40, 120), rng.uniform(30, 120)
            block = box(u, v, u + min(w, STEP - 60), v + min(h, STEP - 60))
            out.append({"class": "building", "geometry": _turned(block, x0, y0, turn)})
    return out


def _turned(geom: BaseGeometry, x0: float, y0: float, turn: float) -> BaseGeometry:
    return affinity.translate(affinity.rotate(geom, turn, origin=(0, 0), use_radians=True), x0, y0)


def _river(x0: float, y0: float) -> BaseGeometry:
    """A winding river (南明河-like in place, generated in shape) 60 m wide through the centre."""
    pts = [(x0 + d, y0 - 300 + 250 * math.sin(d / 900)) for d in range(-6000, 6001, 200)]
    return LineString(pts).buffer(30, cap_style="flat")


def demo_layers(seed: int = 14) -> dict[str, gpd.GeoDataFrame]:
    rng = random.Random(seed)  # nosec B311 # deterministic demo data, not security
    roads: list[dict[str, object]] = []
    buildings: list[dict[str, object]] = []
    green: list[dict[str, object]] = []
    pois: list[dict[str, object]] = []
    marks = landmarks()
    centres: list[tuple[float, float]] = []
    for n, lm in enumerate(marks):
        x, y = to_metric(lm.lon, lm.lat)
        # one street grid per neighbourhood: a landmark near an earlier one shares its streets
        if all(math.hypot(x - cx, y - cy) > 2 * HALF + STEP for cx, cy in centres):
            turn = math.radians(rng.uniform(-20, 20))
            centres.append((x, y))
            roads += _grid(lm.name_zh[:2], x, y, turn)
            if n < CENTRAL:
                buildings += _buildings(rng, x, y, turn)
        if lm.kind in ("park", "scenic area"):
            green.append({"name": lm.name_zh, "class": "park", "geometry": Point(x, y).buffer(350, 16)})
        pois.append({"name": lm.name_zh, "class": lm.kind, "geometry": Point(x, y)})
    cx, cy = to_metric(marks[0].lon, marks[0].lat)
    water = [{"name": "南明河（演示）", "class": "river", "geometry": _river(cx, cy)}]
    crs = f"EPSG:{METRIC_SRID}"
    return {
        "roads": gpd.GeoDataFrame(roads, crs=crs),
        "water": gpd.GeoDataFrame(water, crs=crs),
        "green": gpd.GeoDataFrame(green, crs=crs),
        "buildings": gpd.GeoDataFrame(buildings, crs=crs),
        "poi": gpd.GeoDataFrame(pois, crs=crs),
    }


def write_demo_basemap(path: Path) -> Path:
    """Write the demo basemap as a GeoPackage (one table per layer) at ``path``, replacing any file there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    for name, frame in demo_layers().items():
        frame.to_file(path, layer=name, driver="GPKG")
    return path


__all__ = ["ATTRIBUTION", "demo_layers", "write_demo_basemap"]
