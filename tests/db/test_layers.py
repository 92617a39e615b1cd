"""import-layer: districts and grid replaced from GeoJSON / GeoPackage / Shapefile, reprojected, validated, in one
transaction — a bad file changes nothing and says why."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, box, shape
from sqlalchemy import Connection, text

from db.errors import ImportFailed
from db.seed.layers import import_districts, import_grid
from db.seed.reference import DISTRICTS_FILE
from geo.crs import METRIC_SRID, to_metric


def count(conn: Connection, table: str) -> int:
    return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_bad_files_change_nothing(conn: Connection, tmp_path: Path) -> None:
    before = (count(conn, "district"), count(conn, "grid_cell"))
    junk = tmp_path / "junk.geojson"
    junk.write_text("this is not a layer")
    with pytest.raises(ImportFailed) as exc:
        import_districts(conn, junk)
    assert "无法读取" in exc.value.zh and "Cannot read" in exc.value.en
    with pytest.raises(ImportFailed, match="No such file"):
        import_districts(conn, tmp_path / "missing.gpkg")

    bowtie = Polygon([(106.6, 26.5), (106.7, 26.6), (106.7, 26.5), (106.6, 26.6), (106.6, 26.5)])
    bad = gpd.GeoDataFrame(
        {"adcode": ["520102"], "name_zh": ["南明区"], "name_en": ["Nanming"]},
        geometry=[bowtie],
        crs="EPSG:4326",
    )
    bad.to_file(tmp_path / "bowtie.geojson", driver="GeoJSON")
    with pytest.raises(ImportFailed, match="invalid"):
        import_districts(conn, tmp_path / "bowtie.geojson")

    nameless = gpd.GeoDataFrame({"foo": ["x"]}, geometry=[box(106.6, 26.5, 106.7, 26.6)], crs="EPSG:4326")
    nameless.to_file(tmp_path / "nameless.gpkg", driver="GPKG")
    with pytest.raises(ImportFailed, match="adcode"):
        import_districts(conn, tmp_path / "nameless.gpkg")
    assert (count(conn, "district"), count(conn, "grid_cell")) == before


@pytest.mark.as_owner  # changes reference data, an admin operation
def test_districts_reimported_from_a_projected_geopackage(conn: Connection, tmp_path: Path) -> None:
    feats = json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))["features"]
    gdf = gpd.GeoDataFrame(
        [{k: f["properties"][k] for k in ("adcode", "name_zh", "name_en")} for f in feats],
        geometry=[shape(f["geometry"]) for f in feats],
        crs="EPSG:4326",
    ).to_crs(epsg=METRIC_SRID)
    path = tmp_path / "districts_utm.gpkg"
    gdf.to_file(path, driver="GPKG")
    assert import_districts(conn, path) == 10
    # reprojected back: 甲秀楼 is still routed to 南明区
    got = conn.execute(
        text("SELECT district_code FROM gy_route(ST_SetSRID(ST_MakePoint(106.7119, 26.5716), 4326))")
    )
    assert got.scalar_one() == "520102"


@pytest.mark.as_owner  # changes reference data, an admin operation
def test_official_grid_replaces_the_generated_one(conn: Connection, tmp_path: Path) -> None:
    x, y = to_metric(106.7135, 26.5838)  # 云岩区
    cells = [box(x - 150, y - 150, x, y + 150), box(x, y - 150, x + 150, y + 150)]  # two 150 m × 300 m cells
    gdf = gpd.GeoDataFrame(
        {"code": ["YY-A", "YY-B"], "district": ["520103", "520103"]},
        geometry=cells,
        crs=f"EPSG:{METRIC_SRID}",
    )
    path = tmp_path / "grid.shp"
    gdf.to_file(path)
    assert import_grid(conn, path) == 2
    assert count(conn, "grid_cell") == 2
    assert conn.execute(
        text("SELECT array_agg(code ORDER BY code) FROM district WHERE has_grid")
    ).scalar_one() == ["520103"]
    routed = conn.execute(
        text(
            "SELECT c.code FROM gy_route(ST_SetSRID(ST_MakePoint(106.7135 + 0.0005, 26.5838), 4326)) r "
            "JOIN grid_cell c ON c.id = r.cell_id"
        )
    ).scalar_one()
    assert routed == "YY-B"


def test_grid_with_unknown_district_is_refused(conn: Connection, tmp_path: Path) -> None:
    before = count(conn, "grid_cell")
    gdf = gpd.GeoDataFrame(
        {"code": ["X1"], "district": ["999999"]},
        geometry=[box(106.6, 26.5, 106.601, 26.501)],
        crs="EPSG:4326",
    )
    gdf.to_file(tmp_path / "g.geojson", driver="GeoJSON")
    with pytest.raises(ImportFailed, match="999999"):
        import_grid(conn, tmp_path / "g.geojson")
    assert count(conn, "grid_cell") == before
