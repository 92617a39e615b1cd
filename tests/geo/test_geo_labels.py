"""Tests for geo.labels: label points at a district's own visual centre, and no slivers."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import MultiPolygon, Point, Polygon, box, shape

from db.seed.reference import DISTRICTS_FILE
from geo.crs import METRIC_SRID, STORAGE_SRID, transform_geometry
from geo.labels import MIN_PART_M2, drop_slivers, label_point, largest_part


def _bundled() -> dict[str, MultiPolygon]:
    data = json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))
    return {f["properties"]["name_zh"]: drop_slivers(shape(f["geometry"])) for f in data["features"]}


def _area_m2(poly: Polygon) -> float:
    return float(transform_geometry(poly, STORAGE_SRID, METRIC_SRID).area)


def test_every_label_point_is_inside_its_district_and_no_other() -> None:
    districts = _bundled()
    for name, geom in districts.items():
        pt = Point(label_point(geom))
        assert [n for n, g in districts.items() if g.contains(pt)] == [name]


def test_no_part_or_hole_below_the_threshold() -> None:
    for name, geom in _bundled().items():
        for part in geom.geoms:
            assert _area_m2(Polygon(part.exterior)) >= MIN_PART_M2, name
            for ring in part.interiors:
                assert _area_m2(Polygon(ring)) >= MIN_PART_M2, name


def test_the_bundled_layer_had_slivers_that_are_gone() -> None:
    raw = json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))
    wudang = shape(next(f["geometry"] for f in raw["features"] if f["properties"]["adcode"] == "520112"))
    assert len(wudang.geoms) > 1  # the file as shipped: 乌当区's first part is a sliver inside 观山湖区
    first = wudang.geoms[0]
    assert _area_m2(first) < MIN_PART_M2
    cleaned = drop_slivers(wudang)
    assert len(cleaned.geoms) == 1
    assert not cleaned.contains(first.representative_point())


def test_label_of_a_multipolygon_goes_to_the_largest_part_not_the_first() -> None:
    tiny = box(106.60, 26.60, 106.601, 26.601)
    big = box(106.70, 26.50, 106.80, 26.60)
    lon, lat = label_point(MultiPolygon([tiny, big]))
    assert big.contains(Point(lon, lat))
    assert largest_part(MultiPolygon([tiny, big])).equals(big)
    assert lon == pytest.approx(106.75, abs=0.002) and lat == pytest.approx(26.55, abs=0.01)


def test_label_of_a_u_shape_is_inside_it() -> None:
    # a U: its centroid lies in the notch, outside the polygon; the label must not
    u = Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])
    u = Polygon([(106.5 + x * 0.01, 26.5 + y * 0.01) for x, y in u.exterior.coords])
    assert not u.contains(u.centroid)
    assert u.contains(Point(label_point(u)))


def test_the_largest_part_is_kept_however_small() -> None:
    tiny = box(106.60, 26.60, 106.6001, 26.6001)
    assert drop_slivers(tiny).equals(MultiPolygon([tiny]))


def test_a_small_hole_is_filled_a_large_one_kept() -> None:
    outer = [(106.5, 26.5), (106.7, 26.5), (106.7, 26.7), (106.5, 26.7)]
    small = [(106.55, 26.55), (106.5505, 26.55), (106.5505, 26.5505), (106.55, 26.5505)]
    large = [(106.6, 26.6), (106.65, 26.6), (106.65, 26.65), (106.6, 26.65)]
    out = drop_slivers(Polygon(outer, [small, large]))
    assert len(out.geoms[0].interiors) == 1
