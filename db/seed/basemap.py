"""Import the city's own basemap (roads, water, green space, buildings, points of interest) from a GeoPackage
(every layer of it), a Shapefile or a GeoJSON file, replacing the basemap in one transaction.

Each file layer is reprojected to WGS-84 from the CRS it declares (:func:`db.seed.layers.read_frame`), its kind and
columns recognised by the convention of :mod:`db.seed.basemap_rules`, and every feature checked: an empty or
missing geometry, a geometry of the wrong kind for its layer (a polygon among the roads), or one that cannot be
repaired refuses the whole file with a message naming the layer and the feature (number and name); an invalid
polygon that :func:`shapely.make_valid` repairs to a polygon is repaired and counted. A file whose features lie
nowhere near the service area (a wrong CRS, typically) is refused too. A refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import shapely
from sqlalchemy import Connection, text

from db.errors import ImportFailed
from db.seed.basemap_rules import (
    CLASS_COLUMNS,
    KIND_COLUMNS,
    NAME_COLUMNS,
    feature_class,
    layer_of_name,
    layer_of_value,
    pick_column,
)
from db.seed.layers import read_frame
from db.seed.reference import transform_geometries
from geo.crs import STORAGE_SRID

#: The geometry families each basemap layer accepts.
FAMILIES = {
    "road": ("LineString", "MultiLineString"),
    "water": ("Polygon", "MultiPolygon", "LineString", "MultiLineString"),
    "green": ("Polygon", "MultiPolygon"),
    "building": ("Polygon", "MultiPolygon"),
    "poi": ("Point", "MultiPoint"),
}
#: How far (degrees) beyond the districts' extent a basemap may reach.
MARGIN_DEG = 0.5
NAME_MAX = 120
MERCATOR_SRID = 3857
Progress = Callable[[str, int, int], None]


@dataclass
class BasemapImport:
    """What an import did: features per layer, polygons repaired, the source row's id (the tiles' version)."""

    counts: dict[str, int] = field(default_factory=dict)
    repaired: int = 0
    version: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class _Row:
    layer: str
    name: str | None
    cls: str
    rank: int
    min_zoom: int
    geom: Any


def _fail(zh: str, en: str, detail: str = "") -> ImportFailed:
    return ImportFailed(zh, en, detail=detail)


def file_layers(path: Path) -> list[str | None]:
    """The layers to read: every table of a GeoPackage, else the one layer of the file (None)."""
    if path.suffix.lower() != ".gpkg":
        return [None]
    try:
        return [str(row[0]) for row in pyogrio.list_layers(path)]
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file
        raise _fail(f"无法读取图层文件：{exc}", f"Cannot read the layer file: {exc}", repr(exc)) from exc


def _label(layer_name: str, i: int, name: object) -> tuple[str, str]:
    who = f"「{name}」" if isinstance(name, str) and name.strip() else ""
    return (
        f"图层 {layer_name} 第 {i + 1} 个要素{who}",
        f"layer {layer_name}, feature {i + 1}{f' ({name})' if who else ''}",
    )


def _geometry(geom: Any, kind: str, layer_name: str, i: int, name: object) -> tuple[Any, bool]:
    """The feature's geometry fit to store, and whether it was repaired; refuses what cannot be used."""
    zh, en = _label(layer_name, i, name)
    if geom is None or geom.is_empty:
        raise _fail(f"{zh}没有几何。", f"The {en} has no geometry.")
    if geom.geom_type not in FAMILIES[kind]:
        raise _fail(
            f"{zh}的几何类型 {geom.geom_type} 不适合图层类型 {kind}。",
            f"The {en} is a {geom.geom_type}, which a {kind} layer cannot hold.",
        )
    if geom.is_valid:
        return geom, False
    reason = shapely.is_valid_reason(geom)
    fixed = shapely.make_valid(geom)
    if fixed.geom_type == "GeometryCollection":  # keep the parts of the right family
        parts = [g for g in shapely.get_parts(fixed) if g.geom_type in FAMILIES[kind]]
        fixed = shapely.union_all(parts) if parts else fixed
    if fixed.is_empty or not fixed.is_valid or fixed.geom_type not in FAMILIES[kind]:
        raise _fail(
            f"{zh}的几何无效且无法修复（{reason}）。",
            f"The {en} has an invalid geometry that cannot be repaired ({reason}).",
        )
    return fixed, True


def _rows(frame: gpd.GeoDataFrame, layer_name: str, result: BasemapImport) -> list[_Row]:
    columns = [c for c in frame.columns if c != frame.geometry.name]
    kind = layer_of_name(layer_name)
    kind_col = pick_column(columns, KIND_COLUMNS) if kind is None else None
    name_col = pick_column(columns, NAME_COLUMNS)
    class_col = pick_column(columns, CLASS_COLUMNS)
    rows: list[_Row] = []
    names = frame[name_col].tolist() if name_col else [None] * len(frame)
    classes = frame[class_col].tolist() if class_col else [None] * len(frame)
    kinds = frame[kind_col].tolist() if kind_col else [None] * len(frame)
    for i, (geom, name, value, per) in enumerate(zip(frame.geometry, names, classes, kinds, strict=True)):
        this = kind or layer_of_value(per) or _by_geometry(geom)
        if this is None:
            zh, en = _label(layer_name, i, name)
            raise _fail(
                f"无法判断{zh}属于哪类底图图层（道路、水系、绿地、建筑、兴趣点）：请按约定命名图层或加 layer 字段。",
                f"Cannot tell which basemap layer the {en} belongs to (roads, water, green, buildings, poi): "
                "name the layer by the convention or add a 'layer' column.",
            )
        fixed, repaired = _geometry(geom, this, layer_name, i, name)
        result.repaired += repaired
        cls, rank, zoom = feature_class(this, value)
        text_name = str(name).strip()[:NAME_MAX] if isinstance(name, str) and name.strip() else None
        rows.append(_Row(this, text_name, cls, rank, zoom, fixed))
    return rows


def _by_geometry(geom: Any) -> str | None:
    if geom is None:
        return None
    if geom.geom_type in ("Point", "MultiPoint"):
        return "poi"
    if geom.geom_type in ("LineString", "MultiLineString"):
        return "road"
    return None


def _check_extent(conn: Connection, rows: list[_Row], path: Path) -> None:
    box = conn.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM district) s"
        )
    ).one()
    if box[0] is None:
        return
    west, south, east, north = (
        box[0] - MARGIN_DEG,
        box[1] - MARGIN_DEG,
        box[2] + MARGIN_DEG,
        box[3] + MARGIN_DEG,
    )
    minx, miny, maxx, maxy = shapely.total_bounds([r.geom for r in rows])
    if maxx < west or minx > east or maxy < south or miny > north:
        raise _fail(
            f"{path.name} 的要素（经度 {minx:.4f}…{maxx:.4f}，纬度 {miny:.4f}…{maxy:.4f}）不在服务区附近：坐标参考系是否正确？",
            f"The features of {path.name} (lon {minx:.4f}…{maxx:.4f}, lat {miny:.4f}…{maxy:.4f}) lie nowhere near "
            "the service area: is the file's CRS right?",
        )


def import_basemap(
    conn: Connection, path: Path, *, attribution: str | None = None, on_progress: Progress | None = None
) -> BasemapImport:
    """Replace the basemap with the features of ``path`` (in the caller's transaction)."""
    report = on_progress or (lambda *_: None)
    result = BasemapImport()
    rows: list[_Row] = []
    layers = file_layers(path)
    for n, layer in enumerate(layers):
        frame = read_frame(path, layer)
        rows.extend(_rows(frame, layer or path.stem, result))
        report("读取 read", n + 1, len(layers))
    _check_extent(conn, rows, path)
    conn.execute(text("DELETE FROM basemap_feature"))
    raw = conn.connection.driver_connection
    assert raw is not None  # nosec B101 # type narrowing for mypy, not a security check
    geoms = [r.geom for r in rows]
    wkbs = shapely.to_wkb(shapely.set_srid(geoms, STORAGE_SRID), hex=True, include_srid=True)
    mercator = transform_geometries(geoms, STORAGE_SRID, MERCATOR_SRID)
    merc_wkbs = shapely.to_wkb(shapely.set_srid(mercator, MERCATOR_SRID), hex=True, include_srid=True)
    step = max(len(rows) // 50, 1)
    with (
        raw.cursor() as cur,
        cur.copy(
            "COPY basemap_feature (layer, name, class, rank, min_zoom, geom, geom_mercator) FROM STDIN"
        ) as cp,
    ):
        for i, (row, wkb, merc) in enumerate(zip(rows, wkbs, merc_wkbs, strict=True)):
            cp.write_row((row.layer, row.name, row.cls, row.rank, row.min_zoom, wkb, merc))
            result.counts[row.layer] = result.counts.get(row.layer, 0) + 1
            if i % step == 0 or i == len(rows) - 1:
                report("写入 write", i + 1, len(rows))
    result.version = conn.execute(
        text(
            "INSERT INTO basemap_source (file_name, attribution, features) VALUES (:f, :a, :n) RETURNING id"
        ),
        {"f": path.name[:255], "a": (attribution or path.name).strip() or path.name, "n": result.total},
    ).scalar_one()
    return result
