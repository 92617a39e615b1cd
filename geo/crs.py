"""Coordinate reference systems: the one module that owns coordinates.

* Storage CRS: WGS-84 longitude/latitude, EPSG:4326 (CGCS2000 is the same for mapping purposes).
* Metric CRS: UTM zone 48N, EPSG:32648 (covers Guiyang; central meridian 105° E). All distances, areas and
  grid cells are computed there.
* GCJ-02 ("Mars coordinates") is what AMap/Gaode, Tencent maps and WeChat location send; convert it to WGS-84
  at intake with :func:`gcj02_to_wgs84`. Tianditu and OSM need no shift.

pyproj Transformers are cached (they are thread-safe since pyproj 3.1) and always built with
``always_xy=True``, so every coordinate pair in this project is ``(x, y)`` = ``(lon, lat)``.
"""

from __future__ import annotations

import functools
import math
import zoneinfo
from collections.abc import Callable
from typing import TypeVar, overload

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

__all__ = [
    "METRIC_SRID",
    "STORAGE_SRID",
    "TZ",
    "gcj02_to_wgs84",
    "get_transformer",
    "out_of_china",
    "to_lonlat",
    "to_metric",
    "transform_geometry",
    "wgs84_to_gcj02",
]

STORAGE_SRID = 4326
METRIC_SRID = 32648
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")

FloatArray = npt.NDArray[np.float64]
G = TypeVar("G", bound=BaseGeometry)

# Krasovsky 1940 ellipsoid as used by the GCJ-02 obfuscation.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
_INVERSE_TOL_DEG = 1e-9
_INVERSE_MAX_ITER = 50


@functools.lru_cache(maxsize=32)
def get_transformer(src_srid: int, dst_srid: int) -> Transformer:
    """Return the cached ``always_xy`` transformer from ``src_srid`` to ``dst_srid``.

    Parameters
    ----------
    src_srid, dst_srid : int
        EPSG codes.

    Returns
    -------
    pyproj.Transformer
    """
    return Transformer.from_crs(f"EPSG:{src_srid}", f"EPSG:{dst_srid}", always_xy=True)


def _apply(
    tr: Transformer, a: float | npt.ArrayLike, b: float | npt.ArrayLike
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    if np.ndim(a) == 0 and np.ndim(b) == 0:
        x, y = tr.transform(float(a), float(b))  # type: ignore[arg-type]
        return float(x), float(y)
    xa, ya = tr.transform(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    return np.asarray(xa, dtype=np.float64), np.asarray(ya, dtype=np.float64)


@overload
def to_metric(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def to_metric(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def to_metric(
    lon: float | FloatArray, lat: float | FloatArray
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Project WGS-84 longitude/latitude to EPSG:32648 metres.

    Parameters
    ----------
    lon, lat : float or numpy.ndarray
        Degrees (EPSG:4326).

    Returns
    -------
    tuple
        ``(x, y)`` in metres: floats for scalar input, float64 arrays for array input.

    Examples
    --------
    >>> x, y = to_metric(105.0, 0.0)
    >>> round(x, 3), round(y, 3)
    (500000.0, 0.0)
    """
    return _apply(get_transformer(STORAGE_SRID, METRIC_SRID), lon, lat)


@overload
def to_lonlat(x: float, y: float) -> tuple[float, float]: ...
@overload
def to_lonlat(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def to_lonlat(
    x: float | FloatArray, y: float | FloatArray
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Unproject EPSG:32648 metres to WGS-84 longitude/latitude.

    Parameters
    ----------
    x, y : float or numpy.ndarray
        Metres (EPSG:32648).

    Returns
    -------
    tuple
        ``(lon, lat)`` in degrees: floats for scalar input, float64 arrays for array input.
    """
    return _apply(get_transformer(METRIC_SRID, STORAGE_SRID), x, y)


# --- GCJ-02 -------------------------------------------------------------------------------------------------


@overload
def out_of_china(lon: float, lat: float) -> bool: ...
@overload
def out_of_china(lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]: ...
def out_of_china(lon: float | FloatArray, lat: float | FloatArray) -> bool | npt.NDArray[np.bool_]:
    """Tell whether a point lies outside China's rough bounding box, where GCJ-02 applies no shift.

    Parameters
    ----------
    lon, lat : float or numpy.ndarray
        Degrees.

    Returns
    -------
    bool or numpy.ndarray of bool
    """
    lo = np.asarray(lon, dtype=np.float64)
    la = np.asarray(lat, dtype=np.float64)
    out = (lo < 72.004) | (lo > 137.8347) | (la < 0.8293) | (la > 55.8271)
    if out.ndim == 0:
        return bool(out)
    return out


def _transform_lat(x: FloatArray, y: FloatArray) -> FloatArray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * math.pi) + 320.0 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: FloatArray, y: FloatArray) -> FloatArray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj_offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 minus WGS-84 at a WGS-84 point (no out-of-China test)."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1.0 - _GCJ_EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrtmagic * np.cos(radlat) * math.pi)
    return dlon, dlat


def _scalar_or_array(
    fn: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    lon: float | FloatArray,
    lat: float | FloatArray,
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    lo = np.asarray(lon, dtype=np.float64)
    la = np.asarray(lat, dtype=np.float64)
    scalar = lo.ndim == 0 and la.ndim == 0
    lo, la = np.broadcast_arrays(np.atleast_1d(lo), np.atleast_1d(la))
    rx, ry = fn(lo, la)
    if scalar:
        return float(rx[0]), float(ry[0])
    return rx, ry


def _wgs_to_gcj(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    dlon, dlat = _gcj_offset(lon, lat)
    keep = out_of_china(lon, lat)
    return np.where(keep, lon, lon + dlon), np.where(keep, lat, lat + dlat)


def _gcj_to_wgs(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    # Fixed-point iteration w <- g - offset(w); the offset varies slowly (|d offset / d w| << 1), so this
    # converges to machine precision in a handful of steps.
    keep = out_of_china(lon, lat)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(_INVERSE_MAX_ITER):
        dlon, dlat = _gcj_offset(wlon, wlat)
        nlon, nlat = lon - dlon, lat - dlat
        step = np.maximum(np.abs(nlon - wlon), np.abs(nlat - wlat))
        wlon, wlat = nlon, nlat
        if not np.any(step[~keep] > _INVERSE_TOL_DEG):
            break
    return np.where(keep, lon, wlon), np.where(keep, lat, wlat)


@overload
def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_gcj02(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def wgs84_to_gcj02(
    lon: float | FloatArray, lat: float | FloatArray
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Shift WGS-84 coordinates to GCJ-02 (unchanged outside China's rough box).

    Parameters
    ----------
    lon, lat : float or numpy.ndarray
        WGS-84 degrees.

    Returns
    -------
    tuple
        GCJ-02 ``(lon, lat)``, floats for scalar input, arrays for array input.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(116.397428, 39.90923)
    >>> round(lon, 4), round(lat, 4)
    (116.4037, 39.9106)
    """
    return _scalar_or_array(_wgs_to_gcj, lon, lat)


@overload
def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def gcj02_to_wgs84(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def gcj02_to_wgs84(
    lon: float | FloatArray, lat: float | FloatArray
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 coordinates back to WGS-84, solved iteratively (error far below 1e-7 degree).

    Parameters
    ----------
    lon, lat : float or numpy.ndarray
        GCJ-02 degrees, as sent by AMap/Gaode, Tencent maps or WeChat.

    Returns
    -------
    tuple
        WGS-84 ``(lon, lat)``, floats for scalar input, arrays for array input.
    """
    return _scalar_or_array(_gcj_to_wgs, lon, lat)


# --- geometries ---------------------------------------------------------------------------------------------


def transform_geometry(geom: G, src_srid: int, dst_srid: int) -> G:
    """Reproject a shapely geometry (2D) with the cached transformer.

    Parameters
    ----------
    geom : shapely geometry
        Any shapely geometry (or geometry collection); Z values are dropped.
    src_srid, dst_srid : int
        EPSG codes. Equal codes return ``geom`` unchanged.

    Returns
    -------
    shapely geometry
        Same geometry type, coordinates in ``dst_srid``.
    """
    if src_srid == dst_srid:
        return geom
    tr = get_transformer(src_srid, dst_srid)

    def _fn(coords: FloatArray) -> FloatArray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, _fn)
