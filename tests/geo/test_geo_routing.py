"""Tests for geo.routing: the offline twin of the database's point -> district / cell rule."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.crs import to_metric
from geo.grid import cell_code, cell_index
from geo.routing import Route, Router

# Two districts sharing the meridian 106.70 (the smaller adcode on the EAST side, so "first listed" or
# "west wins" would fail), a third one south of them with a hole, and a fourth overlapping the first.
EAST = ("520102", shapely.box(106.70, 26.50, 106.80, 26.60))
WEST = ("520103", shapely.box(106.60, 26.50, 106.70, 26.60))
SOUTH = ("520111", shapely.Polygon(shapely.box(106.60, 26.40, 106.80, 26.50).exterior.coords,
                                   [shapely.box(106.72, 26.42, 106.74, 26.44).exterior.coords]))  # fmt: skip
OVERLAP = ("520113", shapely.box(106.75, 26.55, 106.85, 26.65))


def _ij(lon: float, lat: float) -> tuple[int, int]:
    return cell_index(*to_metric(lon, lat))


@pytest.fixture(scope="module")
def router() -> Router:
    cell_points = [(106.65, 26.55), (106.70, 26.55), (106.75, 26.45), (106.70, 26.50), (106.80, 26.60)]
    cells = []
    for lon, lat in cell_points:
        i, j = _ij(lon, lat)
        for adcode, _ in (EAST, WEST, SOUTH, OVERLAP):
            cells.append((adcode, i, j))
    # (106.78, 26.58) is inside EAST and OVERLAP, but only OVERLAP has a cell there
    cells.append((OVERLAP[0], *_ij(106.78, 26.58)))
    return Router([WEST, OVERLAP, SOUTH, EAST], cells)


@pytest.mark.parametrize(
    ("lon", "lat", "district", "has_cell"),
    [
        (106.65, 26.55, "520103", True),  # inside WEST
        (106.70, 26.55, "520102", True),  # on the WEST/EAST edge: both cover it, smaller adcode wins
        (106.70, 26.50, "520102", True),  # corner shared by WEST, EAST and SOUTH
        (106.75, 26.50, "520102", False),  # EAST/SOUTH edge, no such cell
        (106.75, 26.45, "520111", True),  # inside SOUTH
        (106.73, 26.43, None, False),  # in SOUTH's hole
        (106.72, 26.43, "520111", False),  # on the hole's ring: covered (boundary)
        (106.80, 26.60, "520102", True),  # EAST's corner, also inside OVERLAP: smaller adcode
        (106.78, 26.58, "520102", False),  # EAST and OVERLAP: EAST wins, and EAST has no cell there
        (106.82, 26.62, "520113", False),  # only OVERLAP
        (106.60, 26.55, "520103", False),  # WEST's outer edge
        (106.59, 26.55, None, False),  # outside
        (0.0, 0.0, None, False),
    ],
)
def test_route_table(router: Router, lon: float, lat: float, district: str | None, has_cell: bool) -> None:
    r = router.route(lon, lat)
    assert r.district == district
    if district is None:
        assert r == Route(None, None, None, None)
        return
    assert (r.i, r.j) == _ij(lon, lat)
    assert isinstance(r.i, int) and isinstance(r.j, int)
    if has_cell:
        assert r.i is not None and r.j is not None
        assert r.cell_code == cell_code(district, r.i, r.j)
    else:
        assert r.cell_code is None


def test_nan_point_routes_nowhere(router: Router) -> None:
    assert router.route(float("nan"), float("nan")) == Route(None, None, None, None)


def test_route_many_matches_route(router: Router) -> None:
    rng = np.random.default_rng(11)
    lons = rng.uniform(106.55, 106.90, 2000)
    lats = rng.uniform(26.35, 26.70, 2000)
    # include exact edge points
    lons = np.concatenate([lons, [106.70, 106.70, 106.72, 106.73]])
    lats = np.concatenate([lats, [26.55, 26.50, 26.43, 26.43]])
    routes = router.route_many(lons, lats)
    assert len(routes) == len(lons)
    for k in range(len(lons)):
        assert routes[k] == router.route(float(lons[k]), float(lats[k]))
    assert 500 < routes.inside.sum() < 1500
    assert set(routes.district[routes.inside].tolist()) == {"520102", "520103", "520111", "520113"}


def test_route_many_empty_and_no_cells() -> None:
    r = Router([EAST], [])
    assert len(r) == 0
    assert len(r.route_many([], [])) == 0
    route = r.route(106.75, 26.55)
    assert route.district == "520102" and route.cell_code is None and route.i is not None


def test_router_without_districts() -> None:
    assert Router([], []).route(106.7, 26.5) == Route(None, None, None, None)


def test_router_rejects_cells_of_unknown_district() -> None:
    with pytest.raises(ValueError):
        Router([EAST], [("520199", 6700, 29400)])


def test_route_many_rejects_mismatched_lengths(router: Router) -> None:
    with pytest.raises(ValueError):
        router.route_many([106.7, 106.8], [26.5])


@pytest.mark.parametrize("cell", [("520102", 4999, 29400), ("520102", 6700, 31000), ("520102", 15000, 29400)])
def test_router_rejects_cells_outside_the_coded_area(cell: tuple[str, int, int]) -> None:
    with pytest.raises(ValueError):
        Router([EAST], [cell])


def test_router_rejects_bad_adcodes() -> None:
    with pytest.raises(ValueError):
        Router([("5201", EAST[1])], [("5201", 6700, 29400)])
