"""Where a district's name goes on a map, and the slivers a district layer should not have.

A district is a MultiPolygon. Its label belongs at the visual centre of its *largest* part: the pole of
inaccessibility (the interior point farthest from the outline, :func:`shapely.ops.polylabel`), computed in the
metric CRS so that a degree of longitude does not count more than a degree of latitude. The first ring of a
MultiPolygon is no such place: in the bundled layer 乌当区's first part is a sliver inside a hole of 观山湖区.

Slivers (tiny parts and holes left where two neighbours' boundaries do not quite meet) are removed with
:func:`drop_slivers` before a layer is stored. Both functions take and give WGS-84 lon/lat geometries.
"""

from __future__ import annotations

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from geo.crs import METRIC_SRID, STORAGE_SRID, transform_geometry

__all__ = ["MIN_PART_M2", "drop_slivers", "label_point", "largest_part"]

#: Parts and holes smaller than this (square metres) are slivers: the smallest real district of Guiyang has about
#: 90 km², the largest sliver of the bundled layer (a 0.15 km² piece of 乌当区 inside 观山湖区) far less.
MIN_PART_M2 = 1_000_000.0


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    raise ValueError(f"not a polygon: {geom.geom_type}")


def largest_part(geom: BaseGeometry) -> Polygon:
    """The part of a (Multi)Polygon with the largest area (in lon/lat, which ranks parts of one city alike)."""
    return max(_polygons(geom), key=lambda p: p.area)


def label_point(geom: BaseGeometry, tolerance_m: float = 10.0) -> tuple[float, float]:
    """``(lon, lat)`` of the pole of inaccessibility of the largest part of ``geom`` (lon/lat)."""
    metric = transform_geometry(largest_part(geom), STORAGE_SRID, METRIC_SRID)
    pole = polylabel(metric, tolerance=tolerance_m)
    if not metric.contains(pole):  # polylabel is inside for any valid polygon; be certain anyway
        pole = metric.point_on_surface()
    lon, lat = transform_geometry(Point(pole.x, pole.y), METRIC_SRID, STORAGE_SRID).coords[0]
    return round(lon, 6), round(lat, 6)


def drop_slivers(geom: BaseGeometry, min_area_m2: float = MIN_PART_M2) -> MultiPolygon:
    """``geom`` (lon/lat) as a MultiPolygon without parts or holes smaller than ``min_area_m2``.

    A hole that small is filled (it is a gap between neighbours, or a neighbour's sliver that is dropped in turn).
    The largest part is always kept, however small."""
    polygons = _polygons(geom)
    keep_always = largest_part(geom)
    kept: list[Polygon] = []
    for poly in polygons:
        metric = transform_geometry(poly, STORAGE_SRID, METRIC_SRID)
        if poly is not keep_always and Polygon(metric.exterior).area < min_area_m2:
            continue
        holes = [
            ring
            for ring, metric_ring in zip(poly.interiors, metric.interiors, strict=True)
            if Polygon(metric_ring).area >= min_area_m2
        ]
        kept.append(Polygon(poly.exterior, holes))
    out = MultiPolygon(kept)
    return out if out.is_valid else MultiPolygon(_polygons(shapely.make_valid(out).buffer(0)))
