"""import-layer --kind basemap: the city's roads, water, green space, buildings and points of interest from a
GeoPackage (several layers) or a Shapefile in a projected CRS, reprojected to WGS-84, classes and names mapped by
the convention, invalid polygons repaired, bad files refused naming the feature and changing nothing; the tiles
served by zoom hold the roads of the tile and nothing outside it."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, Polygon
from sqlalchemy import Connection, text

from db.errors import ImportFailed
from db.queries.basemap import basemap_info, tile
from db.seed.basemap import import_basemap
from tests.support.basemap import FAR, LAT, LON, MAIN, SIDE, small_layers, tile_of, write_geopackage
from tests.support.mvt import read_tile

pytestmark = pytest.mark.as_owner  # the import is an admin operation; the app role may only read


def rows(conn: Connection) -> list[tuple[str, str | None, str, int, int]]:
    return [
        tuple(r)
        for r in conn.execute(
            text("SELECT layer, name, class, rank, min_zoom FROM basemap_feature ORDER BY layer, name")
        )
    ]


def test_a_geopackage_in_cgcs2000_is_reprojected_and_mapped(conn: Connection, tmp_path: Path) -> None:
    path = write_geopackage(tmp_path / "city.gpkg", 4545)  # CGCS2000 / 3-degree Gauss-Kruger CM 108E
    done = import_basemap(conn, path, attribution="测试底图 / test basemap")
    assert done.counts == {"road": 3, "building": 1, "green": 1, "water": 1, "poi": 1}
    assert done.repaired == 0
    info = basemap_info(conn)
    assert info is not None and info.version == done.version and info.attribution == "测试底图 / test basemap"
    assert info.features == 7
    got = rows(conn)
    assert ("road", MAIN, "primary", 1, 11) in got
    assert ("road", SIDE, "minor", 4, 14) in got
    assert ("building", "测试大楼", "building", 0, 15) in got  # 名称 is a name column too
    # the crossing of the two roads is where it was, after WGS-84 → CGCS2000 GK → WGS-84 (PostGIS answers)
    x, y = conn.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Intersection(a.geom, b.geom) p FROM basemap_feature a, "
            "basemap_feature b WHERE a.name = :m AND b.name = :s) q"
        ),
        {"m": MAIN, "s": SIDE},
    ).one()
    assert abs(x - LON) < 1e-7 and abs(y - LAT) < 1e-7
    assert (
        conn.execute(text("SELECT count(*) FROM basemap_feature WHERE ST_SRID(geom) <> 4326")).scalar() == 0
    )


def test_a_shapefile_in_utm_with_chinese_columns(conn: Connection, tmp_path: Path) -> None:
    roads = small_layers()["roads"].rename(columns={"name": "名称", "fclass": "等级"})
    roads["等级"] = ["主干路", "支路", "次干路"]
    path = tmp_path / "gy_roads_2024.shp"  # a roads layer by its name
    roads.to_crs(epsg=32648).to_file(path, encoding="utf-8")
    done = import_basemap(conn, path)
    assert done.counts == {"road": 3}
    assert [r[1:4] for r in rows(conn)] == sorted(
        [(MAIN, "primary", 1), (SIDE, "minor", 4), (FAR, "secondary", 2)], key=lambda r: r[0]
    )
    start = conn.execute(
        text(
            "SELECT ST_X(ST_StartPoint(geom)), ST_Y(ST_StartPoint(geom)) FROM basemap_feature WHERE name = :n"
        ),
        {"n": MAIN},
    ).one()
    assert abs(start[0] - LON) < 1e-7 and abs(start[1] - (LAT - 0.004)) < 1e-7
    assert basemap_info(conn).attribution == "gy_roads_2024.shp"  # type: ignore[union-attr]


def test_an_invalid_polygon_is_repaired(conn: Connection, tmp_path: Path) -> None:
    bowtie = Polygon([(LON, LAT), (LON + 0.001, LAT + 0.001), (LON + 0.001, LAT), (LON, LAT + 0.001)])
    gpd.GeoDataFrame({"name": ["领结楼"]}, geometry=[bowtie], crs="EPSG:4326").to_file(
        tmp_path / "buildings.geojson", driver="GeoJSON"
    )
    done = import_basemap(conn, tmp_path / "buildings.geojson")
    assert done.repaired == 1
    assert conn.execute(text("SELECT bool_and(ST_IsValid(geom)) FROM basemap_feature")).scalar() is True


def test_bad_files_are_refused_naming_the_feature_and_change_nothing(
    conn: Connection, tmp_path: Path
) -> None:
    import_basemap(conn, write_geopackage(tmp_path / "good.gpkg", 4326))
    before = (rows(conn), basemap_info(conn))

    # a road that is a single point repeated: no line to draw, nothing to repair
    roads = small_layers()["roads"]
    roads.loc[1, "geometry"] = LineString([(LON, LAT), (LON, LAT)])
    roads.to_file(tmp_path / "roads.geojson", driver="GeoJSON")
    with pytest.raises(ImportFailed) as exc:
        import_basemap(conn, tmp_path / "roads.geojson")
    assert "feature 2" in exc.value.en and SIDE in exc.value.en and SIDE in exc.value.zh, exc.value.en

    # polygons in a layer whose name says nothing: water, green or buildings?
    small_layers()["green"].to_file(tmp_path / "layer7.geojson", driver="GeoJSON")
    with pytest.raises(ImportFailed, match="Cannot tell which basemap layer"):
        import_basemap(conn, tmp_path / "layer7.geojson")

    # a polygon among the roads
    mixed = gpd.GeoDataFrame({"name": ["面路"]}, geometry=[Point(LON, LAT).buffer(0.001)], crs="EPSG:4326")
    mixed.to_file(tmp_path / "roads2.geojson", driver="GeoJSON")
    with pytest.raises(ImportFailed, match="road layer cannot hold"):
        import_basemap(conn, tmp_path / "roads2.geojson")

    # metres declared as degrees (a wrong CRS): nowhere near the service area
    utm = small_layers()["roads"].to_crs(epsg=32648).set_crs(epsg=4326, allow_override=True)
    utm.to_file(tmp_path / "streets.geojson", driver="GeoJSON")
    with pytest.raises(ImportFailed, match="CRS"):
        import_basemap(conn, tmp_path / "streets.geojson")

    # no CRS at all, and not a layer file
    small_layers()["roads"].set_crs(None, allow_override=True).to_file(tmp_path / "nocrs.shp")
    with pytest.raises(ImportFailed, match="coordinate reference system"):
        import_basemap(conn, tmp_path / "nocrs.shp")
    (tmp_path / "junk.gpkg").write_text("not a geopackage")
    with pytest.raises(ImportFailed, match="Cannot read"):
        import_basemap(conn, tmp_path / "junk.gpkg")

    assert (rows(conn), basemap_info(conn)) == before


def test_a_tile_holds_the_roads_of_the_tile_and_nothing_outside(conn: Connection, tmp_path: Path) -> None:
    import_basemap(conn, write_geopackage(tmp_path / "city.gpkg", 32648))
    x, y = tile_of(LON, LAT, 15)
    layer = read_tile(tile(conn, 15, x, y))["basemap"]
    roads = {f.properties["name"] for f in layer.features if f.properties["layer"] == "road"}
    assert roads == {MAIN, SIDE}  # the far road is another tile's
    main = next(f for f in layer.features if f.properties.get("name") == MAIN)
    assert main.properties["class"] == "primary" and main.properties["rank"] == 1
    # clipped to the tile and its buffer
    assert all(
        -64 <= px <= 4096 + 64 and -64 <= py <= 4096 + 64 for f in layer.features for px, py in f.points
    )
    assert {f.properties["layer"] for f in layer.features} == {
        "road",
        "building",
        "green",
        "water",
    }  # poi from 16

    fx, fy = tile_of(LON + 0.1, LAT, 15)
    far = read_tile(tile(conn, 15, fx, fy))["basemap"]
    assert [f.properties["name"] for f in far.features] == [FAR]

    # by zoom: at 12 the main road only, without names (written from 15); an empty tile is empty
    x12, y12 = tile_of(LON, LAT, 12)
    city = read_tile(tile(conn, 12, x12, y12))["basemap"]
    assert [f.properties["class"] for f in city.features if f.properties["layer"] == "road"] == ["primary"]
    assert {f.properties["layer"] for f in city.features} == {"road", "green", "water"}  # buildings from 15
    assert not any("name" in f.properties for f in city.features)
    assert tile(conn, 15, x + 40, y + 40) == b""
