"""Replace districts or grid cells from a GeoJSON, Shapefile or GeoPackage file, in one transaction.

A bad file changes nothing and raises :class:`ImportFailed` saying why.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely
from sqlalchemy import Connection, text

from db.errors import ImportFailed
from db.seed.reference import copy_cells
from geo.crs import METRIC_SRID, STORAGE_SRID, transform_geometry
from geo.grid import cell_index
from geo.labels import drop_slivers, label_point

DISTRICT_COLUMNS = {
    "adcode": ("adcode", "code", "district", "district_code"),
    "name_zh": ("name_zh", "name"),
    "name_en": ("name_en",),
}
GRID_COLUMNS = {
    "code": ("code", "cell_code", "grid_code", "bgid"),
    "district": ("district", "district_code", "adcode"),
}


def _fail(zh: str, en: str, detail: str = "") -> ImportFailed:
    return ImportFailed(zh, en, detail=detail)


def read_frame(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """One layer of a file (``layer``: a GeoPackage's table; None: the file's only or first layer), reprojected
    from the CRS it declares to WGS-84; a missing file, an unreadable or empty layer or no CRS is refused."""
    where = f"{path.name}:{layer}" if layer else path.name
    if not path.exists():
        raise _fail(f"文件不存在：{path}", f"No such file: {path}")
    try:
        gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file
        raise _fail(f"无法读取图层文件：{exc}", f"Cannot read the layer file: {exc}", repr(exc)) from exc
    if gdf.empty:
        raise _fail(f"图层 {where} 中没有要素。", f"The layer {where} has no features.")
    if gdf.crs is None:
        raise _fail(
            f"图层 {where} 没有坐标参考系 (CRS)。",
            f"The layer {where} has no coordinate reference system (CRS).",
        )
    return gdf.to_crs(epsg=STORAGE_SRID)


def read_layer(path: Path) -> gpd.GeoDataFrame:
    gdf = read_frame(path)
    bad = [
        i
        for i, g in enumerate(gdf.geometry)
        if g is None or g.is_empty or not g.is_valid or g.geom_type not in ("Polygon", "MultiPolygon")
    ]
    if bad:
        reasons = [
            shapely.is_valid_reason(gdf.geometry.iloc[i]) if gdf.geometry.iloc[i] is not None else "empty"
            for i in bad[:5]
        ]
        raise _fail(
            f"{len(bad)} 个要素的几何无效或不是面（第 {', '.join(str(i + 1) for i in bad[:5])} 个：{'; '.join(reasons)}）。",
            f"{len(bad)} features have invalid or non-polygon geometry (features {', '.join(str(i + 1) for i in bad[:5])}: "
            f"{'; '.join(reasons)}).",
        )
    return gdf


def _column(gdf: gpd.GeoDataFrame, names: tuple[str, ...], what: str) -> str:
    lower = {c.lower(): c for c in gdf.columns}
    for n in names:
        if n in lower:
            return lower[n]
    raise _fail(
        f"图层缺少字段 {what}（可用名称：{', '.join(names)}）。",
        f"The layer lacks the field {what} (accepted names: {', '.join(names)}).",
    )


def import_districts(conn: Connection, path: Path) -> int:
    gdf = read_layer(path)
    cols = {k: _column(gdf, v, k) for k, v in DISTRICT_COLUMNS.items()}
    codes = [str(c) for c in gdf[cols["adcode"]]]
    if len(set(codes)) != len(codes):
        raise _fail("区县代码重复。", "Duplicate district codes.")
    if any(len(c) != 6 or not c.isdigit() for c in codes):
        raise _fail("区县代码须为 6 位数字 (GB/T 2260)。", "District codes must be 6 digits (GB/T 2260).")
    existing = {r[0] for r in conn.execute(text("SELECT code FROM district"))}
    missing = existing - set(codes)
    used = (
        conn.execute(
            text('SELECT DISTINCT district_code FROM "case" WHERE district_code = ANY(:m)'),
            {"m": list(missing)},
        )
        .scalars()
        .all()
        if missing
        else []
    )
    if used:
        raise _fail(
            f"新图层缺少已有案件所在的区县：{', '.join(used)}。",
            f"The new layer lacks districts that cases are in: {', '.join(used)}.",
        )
    for code, name_zh, name_en, geom in zip(
        codes, gdf[cols["name_zh"]], gdf[cols["name_en"]], gdf.geometry, strict=True
    ):
        mp = drop_slivers(geom)
        lon, lat = label_point(mp)
        conn.execute(
            text(
                "INSERT INTO district (code, name_zh, name_en, geom, label_point) VALUES (:c, :zh, :en, "
                "ST_SetSRID(ST_GeomFromWKB(decode(:g, 'hex')), 4326), ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) "
                "ON CONFLICT (code) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, "
                "geom = EXCLUDED.geom, label_point = EXCLUDED.label_point"
            ),
            {
                "c": code,
                "zh": str(name_zh),
                "en": str(name_en),
                "g": shapely.to_wkb(mp, hex=True),
                "lon": lon,
                "lat": lat,
            },
        )
    if missing:
        conn.execute(text("DELETE FROM district WHERE code = ANY(:m)"), {"m": list(missing)})
    conn.execute(text("SELECT gy_refresh_district_parts()"))
    _reroute_cases(conn)
    return len(codes)


def import_grid(conn: Connection, path: Path) -> int:
    gdf = read_layer(path)
    code_col = _column(gdf, GRID_COLUMNS["code"], "code")
    codes = [str(c) for c in gdf[code_col]]
    if len(set(codes)) != len(codes):
        raise _fail("网格编码重复。", "Duplicate cell codes.")
    districts = {r[0] for r in conn.execute(text("SELECT code FROM district"))}
    lower = {c.lower() for c in gdf.columns}
    if any(n in lower for n in GRID_COLUMNS["district"]):
        dcol = _column(gdf, GRID_COLUMNS["district"], "district")
        dcodes = [str(d) for d in gdf[dcol]]
    else:
        dcodes = [c[:6] for c in codes]
    unknown = sorted(set(dcodes) - districts)
    if unknown:
        raise _fail(
            f"网格所属区县不存在：{', '.join(unknown[:5])}。",
            f"Cells name districts that do not exist: {', '.join(unknown[:5])}.",
        )
    cells = []
    for code, dcode, geom in zip(codes, dcodes, gdf.geometry, strict=True):
        metric = transform_geometry(geom, STORAGE_SRID, METRIC_SRID)
        rep = metric.representative_point()
        i, j = cell_index(rep.x, rep.y)
        cells.append((code, dcode, int(i), int(j), metric))
    conn.execute(text('UPDATE "case" SET cell_id = NULL WHERE cell_id IS NOT NULL'))
    conn.execute(text("DELETE FROM grid_cell"))
    conn.execute(text("UPDATE district SET has_grid = code = ANY(:d)"), {"d": sorted(set(dcodes))})
    n = copy_cells(conn, cells, regular=False)
    _reroute_cases(conn)
    return n


def _reroute_cases(conn: Connection) -> None:
    conn.execute(
        text(
            'UPDATE "case" c SET district_code = r.district_code, cell_id = r.cell_id '
            'FROM (SELECT id, (gy_route(geom)).* FROM "case") r '
            "WHERE c.id = r.id AND (c.district_code IS DISTINCT FROM r.district_code "
            "OR c.cell_id IS DISTINCT FROM r.cell_id)"
        )
    )
