"""Tests for geo.grid: cell indices, codes and clipped cell generation."""

from __future__ import annotations

import time

import numpy as np
import pytest
import shapely

from geo.crs import to_metric
from geo.grid import (
    CELL_SIZE_M,
    CellSpec,
    cell_code,
    cell_index,
    cell_square,
    coarse_index,
    generate_cells,
    parse_cell_code,
)


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (0.0, 0.0, (0, 0)),
        (99.999, 99.999, (0, 0)),
        (100.0, 100.0, (1, 1)),  # exactly on a 100 m line: the cell east / north of it
        (650_000.0, 2_950_000.0, (6500, 29500)),  # on a grid node
        (650_049.9, 2_950_050.1, (6500, 29500)),  # floor, not rounding to the nearest node
        (650_099.999, 2_950_099.999, (6500, 29500)),
        (-0.001, -0.001, (-1, -1)),
        (-100.0, -100.0, (-1, -1)),
        (-100.001, -199.999, (-2, -2)),
    ],
)
def test_cell_index_floor(x: float, y: float, expected: tuple[int, int]) -> None:
    got = cell_index(x, y)
    assert got == expected
    assert all(type(v) is int for v in got)


def test_cell_index_arrays() -> None:
    x = np.array([0.0, 100.0, -0.5, 650_099.999])
    y = np.array([99.9, 200.0, -100.0, 2_950_000.0])
    i, j = cell_index(x, y)
    assert i.dtype == np.int64 and j.dtype == np.int64
    assert i.tolist() == [0, 1, -1, 6500]
    assert j.tolist() == [0, 2, -1, 29500]


def test_cell_square() -> None:
    sq = cell_square(6500, 29500)
    assert sq.bounds == (650_000.0, 2_950_000.0, 650_100.0, 2_950_100.0)
    assert sq.area == CELL_SIZE_M**2


@pytest.mark.parametrize(
    ("adcode", "i", "j", "code"),
    [
        ("520102", 6700, 29400, "52010215991700"),
        ("520103", 5000, 30999, "52010300000000"),  # row 0, col 0
        ("520111", 14999, 21000, "52011199999999"),  # row 9999, col 9999
        ("520113", 6512, 29644, "52011313551512"),
    ],
)
def test_cell_code_round_trip(adcode: str, i: int, j: int, code: str) -> None:
    assert cell_code(adcode, i, j) == code
    assert len(code) == 14
    assert parse_cell_code(code) == (adcode, i, j)


@pytest.mark.parametrize(("i", "j"), [(4999, 29000), (15000, 29000), (6000, 31000), (6000, 20999)])
def test_cell_code_out_of_range(i: int, j: int) -> None:
    with pytest.raises(ValueError):
        cell_code("520102", i, j)


@pytest.mark.parametrize("adcode", ["52010", "5201020", "52O102", "", "５２０１０２"])
def test_cell_code_bad_adcode(adcode: str) -> None:
    with pytest.raises(ValueError):
        cell_code(adcode, 6700, 29400)


@pytest.mark.parametrize("code", ["5201021599170", "520102159917000", "52010215991 70", "abcdefghijklmn"])
def test_parse_cell_code_rejects(code: str) -> None:
    with pytest.raises(ValueError):
        parse_cell_code(code)


def test_cell_code_round_trip_many() -> None:
    rng = np.random.default_rng(7)
    for i, j in zip(rng.integers(5000, 15000, 500), rng.integers(21000, 31000, 500), strict=True):
        assert parse_cell_code(cell_code("520115", int(i), int(j))) == ("520115", int(i), int(j))


def test_guiyang_point_code() -> None:
    x, y = to_metric(106.713, 26.571)
    i, j = cell_index(x, y)
    code = cell_code("520102", i, j)
    _, row, col = code[:6], int(code[6:10]), int(code[10:])
    assert 1500 <= col <= 2300 and 900 <= row <= 2100


@pytest.mark.parametrize(
    ("i", "j", "factor", "expected"),
    [
        (6703, 29459, 5, (1340, 5891)),
        (6703, 29459, 10, (670, 2945)),
        (-1, -10, 10, (-1, -1)),
        (0, 9, 10, (0, 0)),
    ],
)
def test_coarse_index(i: int, j: int, factor: int, expected: tuple[int, int]) -> None:
    assert coarse_index(i, j, factor) == expected
    ci, cj = coarse_index(np.array([i]), np.array([j]), factor)
    assert (int(ci[0]), int(cj[0])) == expected


def test_coarse_index_rejects_bad_factor() -> None:
    with pytest.raises(ValueError):
        coarse_index(1, 1, 0)


def _check_partition(poly: shapely.Geometry, cells: list[CellSpec], adcode: str) -> None:
    total = sum(c.geom_metric.area for c in cells)
    assert total == pytest.approx(poly.area, rel=1e-6)
    for c in cells:
        assert isinstance(c.geom_metric, shapely.Polygon | shapely.MultiPolygon)
        assert c.code == cell_code(adcode, c.i, c.j)
        assert parse_cell_code(c.code) == (adcode, c.i, c.j)
        assert cell_square(c.i, c.j).buffer(1e-6).covers(c.geom_metric)
        assert poly.buffer(1e-6).covers(c.geom_metric)
    assert len({(c.i, c.j) for c in cells}) == len(cells)
    # no overlaps: pieces live in distinct squares, and the union has the same area as the sum
    assert shapely.union_all([c.geom_metric for c in cells]).area == pytest.approx(total, rel=1e-9)
    assert [c.code for c in cells] == sorted(c.code for c in cells)


def test_generate_cells_aligned_square() -> None:
    poly = shapely.box(650_000, 2_950_000, 650_300, 2_950_300)
    cells = generate_cells(poly, "520102")
    assert len(cells) == 9  # neighbours that only touch the border are not cells
    assert all(c.geom_metric.area == pytest.approx(10_000) for c in cells)
    assert {(c.i, c.j) for c in cells} == {(i, j) for i in range(6500, 6503) for j in range(29500, 29503)}
    _check_partition(poly, cells, "520102")


def test_generate_cells_irregular_polygon_with_hole() -> None:
    rng = np.random.default_rng(3)
    t = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    r = 1_500 * (1 + 0.2 * np.sin(5 * t) + 0.02 * rng.standard_normal(t.size))
    shell = np.column_stack([671_234.5 + r * np.cos(t), 2_951_321.7 + r * np.sin(t)])
    hole = shapely.Point(671_300, 2_951_400).buffer(333.3).exterior.coords
    poly = shapely.Polygon(shell, [hole])
    assert poly.is_valid
    cells = generate_cells(poly, "520103", min_area_m2=0.0)
    _check_partition(poly, cells, "520103")
    full = [c for c in cells if c.geom_metric.area == pytest.approx(10_000)]
    assert 0 < len(full) < len(cells)
    # the hole's centre square is not a cell
    assert cell_index(671_300.0, 2_951_400.0) not in {(c.i, c.j) for c in cells}


def test_generate_cells_split_square_is_multipolygon_and_slivers_dropped() -> None:
    # a U shape whose two arms cut the square (6500, 29500) into two pieces
    u = shapely.Polygon(
        [(650_010, 2_950_010), (650_090, 2_950_010), (650_090, 2_950_290), (650_070, 2_950_290),
         (650_070, 2_950_150), (650_030, 2_950_150), (650_030, 2_950_290), (650_010, 2_950_290)]
    )  # fmt: skip
    cells = generate_cells(u, "520111", min_area_m2=0.0)
    _check_partition(u, cells, "520111")
    by_ij = {(c.i, c.j): c for c in cells}
    assert isinstance(by_ij[(6500, 29502)].geom_metric, shapely.MultiPolygon)
    assert isinstance(by_ij[(6500, 29501)].geom_metric, shapely.Polygon)
    # a 0.5 m sliver poking into the next square is dropped with the default min_area_m2 = 1
    poly = shapely.box(650_000, 2_950_000, 650_100.5, 2_950_001)
    assert [(c.i, c.j) for c in generate_cells(poly, "520111")] == [(6500, 29500)]
    assert len(generate_cells(poly, "520111", min_area_m2=0.0)) == 2


def test_generate_cells_multipolygon_and_empty() -> None:
    mp = shapely.MultiPolygon(
        [
            shapely.box(650_000, 2_950_000, 650_150, 2_950_100),
            shapely.box(660_000, 2_960_000, 660_050, 2_960_050),
        ]
    )
    cells = generate_cells(mp, "520112")
    _check_partition(mp, cells, "520112")
    assert len(cells) == 3
    assert generate_cells(shapely.Polygon(), "520112") == []


def test_generate_cells_is_fast() -> None:
    t = np.linspace(0, 2 * np.pi, 5000, endpoint=False)
    r = 6_000 * (1 + 0.15 * np.sin(7 * t) + 0.03 * np.sin(41 * t))
    poly = shapely.Polygon(np.column_stack([680_000 + r * np.cos(t), 2_940_000 + r * np.sin(t)]))
    started = time.perf_counter()
    cells = generate_cells(poly, "520113")
    elapsed = time.perf_counter() - started
    assert len(cells) > 10_000
    assert sum(c.geom_metric.area for c in cells) == pytest.approx(poly.area, rel=1e-6)
    assert elapsed < 10.0
