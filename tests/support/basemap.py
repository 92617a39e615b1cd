"""A small city basemap the tests generate, with known names and places: two named roads crossing at a point in
Guiyang, a road far from it, a building, a park, a river and a point of interest; and the tile of a point."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
from shapely.geometry import LineString, Point, box

#: where the test roads cross (in 云岩区, away from the demo city's generated grids)
LON, LAT = 106.7302, 26.6011
MAIN = "测试中华北路"
SIDE = "测试省府路"
FAR = "测试远处路"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n)


def small_layers() -> dict[str, gpd.GeoDataFrame]:
    """The layers in WGS-84 (write them in any CRS with ``to_crs``)."""
    d = 0.004
    roads = gpd.GeoDataFrame(
        {
            "name": [MAIN, SIDE, FAR],
            "fclass": ["primary", "residential", "secondary"],
        },
        geometry=[
            LineString([(LON, LAT - d), (LON, LAT + d)]),
            LineString([(LON - d, LAT), (LON + d, LAT)]),
            LineString([(LON + 0.1, LAT - d), (LON + 0.1, LAT + d)]),
        ],
        crs="EPSG:4326",
    )
    buildings = gpd.GeoDataFrame(
        {"名称": ["测试大楼"]},
        geometry=[box(LON + 0.0004, LAT + 0.0004, LON + 0.0008, LAT + 0.0007)],
        crs="EPSG:4326",
    )
    green = gpd.GeoDataFrame(
        {"name": ["测试公园"]},
        geometry=[box(LON - 0.003, LAT + 0.001, LON - 0.001, LAT + 0.003)],
        crs="EPSG:4326",
    )
    water = gpd.GeoDataFrame(
        {"name": ["测试河"]},
        geometry=[LineString([(LON - d, LAT - 0.002), (LON + d, LAT - 0.0025)]).buffer(0.0002)],
        crs="EPSG:4326",
    )
    poi = gpd.GeoDataFrame({"name": ["测试站"]}, geometry=[Point(LON + 0.001, LAT - 0.001)], crs="EPSG:4326")
    return {"roads": roads, "buildings": buildings, "green": green, "water": water, "poi": poi}


def write_geopackage(path: Path, epsg: int) -> Path:
    """Every layer as a table of one GeoPackage in ``epsg``."""
    for name, frame in small_layers().items():
        frame.to_crs(epsg=epsg).to_file(path, layer=name, driver="GPKG")
    return path
