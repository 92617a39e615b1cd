"""Tests for geo.crs: projections, GCJ-02 conversions and geometry transforms."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.crs import (
    METRIC_SRID,
    STORAGE_SRID,
    TZ,
    gcj02_to_wgs84,
    get_transformer,
    out_of_china,
    to_lonlat,
    to_metric,
    transform_geometry,
    wgs84_to_gcj02,
)


def test_constants() -> None:
    assert STORAGE_SRID == 4326
    assert METRIC_SRID == 32648
    assert str(TZ) == "Asia/Shanghai"


def test_transformers_are_cached() -> None:
    assert get_transformer(4326, 32648) is get_transformer(4326, 32648)


def test_to_metric_central_meridian_and_round_trip() -> None:
    x, y = to_metric(105.0, 0.0)
    assert isinstance(x, float) and isinstance(y, float)
    assert x == pytest.approx(500_000.0, abs=1e-6)
    assert y == pytest.approx(0.0, abs=1e-6)
    # Guiyang, 筑城广场 area
    x, y = to_metric(106.713, 26.571)
    assert 650_000 < x < 700_000 and 2_900_000 < y < 3_000_000
    lon, lat = to_lonlat(x, y)
    assert lon == pytest.approx(106.713, abs=1e-9)
    assert lat == pytest.approx(26.571, abs=1e-9)


def test_to_metric_arrays() -> None:
    lons = np.array([106.6, 106.7, 106.8])
    lats = np.array([26.5, 26.6, 26.7])
    x, y = to_metric(lons, lats)
    assert isinstance(x, np.ndarray) and x.shape == (3,) and x.dtype == np.float64
    for k in range(3):
        assert (x[k], y[k]) == pytest.approx(to_metric(float(lons[k]), float(lats[k])))
    back_lon, back_lat = to_lonlat(x, y)
    np.testing.assert_allclose(back_lon, lons, atol=1e-9)
    np.testing.assert_allclose(back_lat, lats, atol=1e-9)


@pytest.mark.parametrize(
    ("wgs", "gcj"),
    [
        ((116.397428, 39.90923), (116.403664, 39.910627)),  # 天安门
    ],
)
def test_gcj02_known_pair(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    lon, lat = wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-4)
    assert lat == pytest.approx(gcj[1], abs=1e-4)
    lon, lat = gcj02_to_wgs84(*gcj)
    assert lon == pytest.approx(wgs[0], abs=1e-4)
    assert lat == pytest.approx(wgs[1], abs=1e-4)


@pytest.mark.parametrize(
    "point",
    [
        (106.713, 26.571),  # 贵阳
        (116.397428, 39.90923),  # 北京
        (121.4737, 31.2304),  # 上海
        (87.6168, 43.8256),  # 乌鲁木齐
        (110.3312, 20.0311),  # 海口
        (126.6425, 45.7567),  # 哈尔滨
    ],
)
def test_gcj02_round_trip_scalar(point: tuple[float, float]) -> None:
    g = wgs84_to_gcj02(*point)
    assert g != point  # inside China the shift is a few hundred metres
    w = gcj02_to_wgs84(*g)
    assert isinstance(w[0], float)
    assert w[0] == pytest.approx(point[0], abs=1e-7)
    assert w[1] == pytest.approx(point[1], abs=1e-7)


def test_gcj02_round_trip_many_random_points() -> None:
    rng = np.random.default_rng(20250101)
    lon = rng.uniform(73.0, 135.0, 5000)
    lat = rng.uniform(18.0, 53.0, 5000)
    glon, glat = wgs84_to_gcj02(lon, lat)
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert np.max(np.abs(wlon - lon)) < 1e-6
    assert np.max(np.abs(wlat - lat)) < 1e-6
    # far better than the one-step approximation (errors of ~1e-5 degree)
    assert np.max(np.abs(wlon - lon)) < 1e-8


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (106.713, 26.571, False),
        (2.3522, 48.8566, True),  # Paris
        (139.6917, 35.6895, True),  # Tokyo
        (-74.0, 40.7, True),
        (120.0, 0.5, True),
        (72.0, 30.0, True),
        (100.0, 56.0, True),
    ],
)
def test_out_of_china(lon: float, lat: float, expected: bool) -> None:
    assert out_of_china(lon, lat) is expected
    if expected:
        assert wgs84_to_gcj02(lon, lat) == (lon, lat)
        assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_gcj02_arrays_mixed_in_and_out_of_china() -> None:
    lon = np.array([106.713, 2.3522, 116.397428])
    lat = np.array([26.571, 48.8566, 39.90923])
    assert out_of_china(lon, lat).tolist() == [False, True, False]
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert isinstance(glon, np.ndarray)
    assert glon[1] == lon[1] and glat[1] == lat[1]
    assert glon[0] != lon[0]
    for k in range(3):
        assert (glon[k], glat[k]) == wgs84_to_gcj02(float(lon[k]), float(lat[k]))
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    np.testing.assert_allclose(wlon, lon, atol=1e-8)
    np.testing.assert_allclose(wlat, lat, atol=1e-8)


def test_transform_geometry_round_trip() -> None:
    poly = shapely.Polygon([(106.6, 26.5), (106.8, 26.5), (106.8, 26.7), (106.6, 26.5)])
    metric = transform_geometry(poly, STORAGE_SRID, METRIC_SRID)
    assert isinstance(metric, shapely.Polygon)
    assert 1e8 < metric.area < 3e8  # about 0.02 square degrees at 26.6° N
    x0, y0 = to_metric(106.6, 26.5)
    assert metric.exterior.coords[0] == pytest.approx((x0, y0))
    back = transform_geometry(metric, METRIC_SRID, STORAGE_SRID)
    np.testing.assert_allclose(shapely.get_coordinates(back), shapely.get_coordinates(poly), atol=1e-9)
    assert transform_geometry(poly, 4326, 4326) is poly
    multi = shapely.MultiPoint([(106.6, 26.5), (106.7, 26.6)])
    assert isinstance(transform_geometry(multi, 4326, 32648), shapely.MultiPoint)
