"""The unit-grid (单元网格) scheme: 100 m squares in EPSG:32648 with stable 14-character codes.

Cells
-----
A cell is the square ``[100 i, 100 (i + 1)) x [100 j, 100 (j + 1))`` in UTM zone 48N metres (EPSG:32648),
aligned to the 100 m lines of the projection::

    i = floor(x / 100)        j = floor(y / 100)

This is ``floor``, not rounding: PostGIS ``ST_SnapToGrid`` would snap to the nearest node (cells centred on
multiples of 100 m) and must not be used. A point exactly on a 100 m line belongs to the cell east / north of
the line. The database computes the same ``floor(ST_X(ST_Transform(geom, 32648)) / 100)``; it is authoritative.

Codes
-----
``code = adcode (6 digits, GB/T 2260 district) + row (4 digits) + col (4 digits)``, 14 characters, where::

    col = i - 5000            (x origin 500,000 m: the zone's central meridian 105° E; counts west -> east)
    row = 30999 - j           (y origin: the line y = 3,100,000 m; rows count north -> south from 0)

so row 0 is the strip 3,099,900 m <= y < 3,100,000 m. Guiyang (about 106.3-107.2° E, 26.2-27.2° N) lands
around col 1,500-2,300 and row 900-2,100. Codes outside 0..9999 raise ``ValueError``. The numbering depends on
the position only: a cell keeps its code whatever else is added, and the code of a cell clipped by a district
border carries that district's adcode (two districts can each own a piece of the same square).

A city may later import its official grid layer; these generated cells are the stand-in until then.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = [
    "CELL_SIZE_M",
    "CellSpec",
    "cell_code",
    "cell_index",
    "cell_square",
    "coarse_index",
    "generate_cells",
    "parse_cell_code",
    "validate_adcode",
]

CELL_SIZE_M = 100
COL_ORIGIN_I = 5000  # col = i - 5000  (x = 500,000 m)
ROW_ORIGIN_J = 30999  # row = 30999 - j (y = 3,100,000 m is the top edge of row 0)
_MAX_PART = 9999
_COLLECTION_TYPE_ID = int(shapely.GeometryType.GEOMETRYCOLLECTION)
_POLYGONAL_TYPE_IDS = [int(shapely.GeometryType.POLYGON), int(shapely.GeometryType.MULTIPOLYGON)]
_BLOCKS = (100, 10, 5)  # block sides (in cells) used to cut the district before clipping border squares

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@overload
def cell_index(x: float, y: float) -> tuple[int, int]: ...
@overload
def cell_index(x: FloatArray, y: FloatArray) -> tuple[IntArray, IntArray]: ...
def cell_index(x: float | FloatArray, y: float | FloatArray) -> tuple[int, int] | tuple[IntArray, IntArray]:
    """Return the cell ``(i, j)`` containing metric point(s) ``(x, y)``.

    Parameters
    ----------
    x, y : float or numpy.ndarray
        EPSG:32648 metres.

    Returns
    -------
    tuple
        ``(i, j)`` as Python ints for scalars, int64 arrays for arrays.

    Examples
    --------
    >>> cell_index(650_000.0, 2_950_099.99)
    (6500, 29500)
    >>> cell_index(-0.5, 100.0)
    (-1, 1)
    """
    if np.ndim(x) == 0 and np.ndim(y) == 0:
        return math.floor(float(x) / CELL_SIZE_M), math.floor(float(y) / CELL_SIZE_M)
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    return (
        np.floor(xa / CELL_SIZE_M).astype(np.int64),
        np.floor(ya / CELL_SIZE_M).astype(np.int64),
    )


def cell_square(i: int, j: int) -> Polygon:
    """Return the full 100 m square of cell ``(i, j)`` in EPSG:32648 metres.

    Parameters
    ----------
    i, j : int
        Cell indices.

    Returns
    -------
    shapely.Polygon
    """
    s = CELL_SIZE_M
    return shapely.box(i * s, j * s, (i + 1) * s, (j + 1) * s)


def validate_adcode(adcode: str) -> None:
    """Raise ``ValueError`` unless ``adcode`` is 6 ASCII digits (GB/T 2260)."""
    if len(adcode) != 6 or not adcode.isascii() or not adcode.isdigit():
        raise ValueError(f"adcode must be 6 ASCII digits, got {adcode!r}")


def cell_code(adcode: str, i: int, j: int) -> str:
    """Return the 14-character code of cell ``(i, j)`` in district ``adcode``.

    Parameters
    ----------
    adcode : str
        6-digit GB/T 2260 district code, e.g. ``"520102"`` (南明区).
    i, j : int
        Cell indices.

    Returns
    -------
    str
        ``adcode + f"{row:04d}" + f"{col:04d}"``.

    Raises
    ------
    ValueError
        If the adcode is malformed or row / col fall outside 0..9999.

    Examples
    --------
    >>> cell_code("520102", 6700, 29400)
    '52010215991700'
    """
    validate_adcode(adcode)
    col = int(i) - COL_ORIGIN_I
    row = ROW_ORIGIN_J - int(j)
    if not (0 <= col <= _MAX_PART and 0 <= row <= _MAX_PART):
        raise ValueError(f"cell ({i}, {j}) is outside the coded area (row {row}, col {col} not in 0..9999)")
    return f"{adcode}{row:04d}{col:04d}"


def parse_cell_code(code: str) -> tuple[str, int, int]:
    """Invert :func:`cell_code`.

    Parameters
    ----------
    code : str
        14-digit cell code.

    Returns
    -------
    tuple of (str, int, int)
        ``(adcode, i, j)``.

    Raises
    ------
    ValueError
        If the code is not 14 ASCII digits.

    Examples
    --------
    >>> parse_cell_code("52010215991700")
    ('520102', 6700, 29400)
    """
    if len(code) != 14 or not code.isascii() or not code.isdigit():
        raise ValueError(f"cell code must be 14 ASCII digits, got {code!r}")
    row = int(code[6:10])
    col = int(code[10:14])
    return code[:6], col + COL_ORIGIN_I, ROW_ORIGIN_J - row


@overload
def coarse_index(i: int, j: int, factor: int) -> tuple[int, int]: ...
@overload
def coarse_index(i: IntArray, j: IntArray, factor: int) -> tuple[IntArray, IntArray]: ...
def coarse_index(
    i: int | IntArray, j: int | IntArray, factor: int
) -> tuple[int, int] | tuple[IntArray, IntArray]:
    """Map 100 m cell indices to coarser cells (``factor`` 5 = 500 m, 10 = 1 km) by floor division.

    Parameters
    ----------
    i, j : int or numpy.ndarray of int
        100 m cell indices.
    factor : int
        Positive number of 100 m cells per coarse cell side.

    Returns
    -------
    tuple
        Coarse ``(i // factor, j // factor)``, same kind as the input.

    Examples
    --------
    >>> coarse_index(6703, -1, 10)
    (670, -1)
    """
    if factor < 1:
        raise ValueError("factor must be a positive integer")
    if np.ndim(i) == 0 and np.ndim(j) == 0:
        return int(i) // factor, int(j) // factor
    return np.asarray(i, dtype=np.int64) // factor, np.asarray(j, dtype=np.int64) // factor


@dataclass(frozen=True, slots=True)
class CellSpec:
    """One generated cell: indices, code and its (clipped) polygon in EPSG:32648 metres."""

    i: int
    j: int
    code: str
    geom_metric: Polygon | MultiPolygon


def _polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon | None:
    """Keep only the polygonal part of an overlay result."""
    if isinstance(geom, Polygon | MultiPolygon):
        return None if geom.is_empty else geom
    polys: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon) and not part.is_empty:
            polys.append(part)
        elif isinstance(part, MultiPolygon):
            polys.extend(p for p in part.geoms if not p.is_empty)
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _clip_partial(
    geom: BaseGeometry, ii: IntArray, jj: IntArray, boxes: npt.NDArray[np.object_]
) -> npt.NDArray[np.object_]:
    """Clip border squares to ``geom``.

    Overlaying each square with the whole district would cost O(district vertices) per square, so the
    district is first cut into 10 km blocks, those into 1 km and 500 m blocks, and each square is clipped
    against the small piece of its own 500 m block.
    """
    local = np.full(len(boxes), geom, dtype=object)
    for b in _BLOCKS:
        blocks, inverse = np.unique(np.column_stack([ii // b, jj // b]), axis=0, return_inverse=True)
        inverse = inverse.ravel()
        first = np.unique(inverse, return_index=True)[1]  # one square per block, to pick its parent piece
        size = float(CELL_SIZE_M * b)
        x0, y0 = blocks[:, 0] * size, blocks[:, 1] * size
        pieces = shapely.intersection(shapely.box(x0, y0, x0 + size, y0 + size), local[first])
        mixed = np.flatnonzero(shapely.get_type_id(pieces) == _COLLECTION_TYPE_ID)
        for k in mixed:  # a block touching the border yields stray lines / points: keep polygons only
            pieces[k] = _polygonal(pieces[k]) or Polygon()
        local = pieces[inverse]
    return shapely.intersection(boxes, local)


def generate_cells(
    district_metric_geom: BaseGeometry, adcode: str, min_area_m2: float = 1.0
) -> list[CellSpec]:
    """Cut a district into 100 m cells clipped to its border.

    Every grid square that intersects the district is kept: whole if the district covers it, otherwise clipped
    to the district, keeping only the polygonal part (a MultiPolygon where the border cuts a square in
    several pieces). Pieces with an area under ``min_area_m2`` are dropped. Vectorised with shapely 2: squares
    are built as arrays, tested against a prepared geometry, and only squares crossing the border are clipped.

    Parameters
    ----------
    district_metric_geom : shapely Polygon or MultiPolygon
        The district in EPSG:32648 metres.
    adcode : str
        6-digit district code used in the cell codes.
    min_area_m2 : float, default 1.0
        Smallest clipped piece kept.

    Returns
    -------
    list of CellSpec
        Sorted by code: north to south, then west to east.
    """
    validate_adcode(adcode)
    geom = district_metric_geom
    if geom.is_empty:
        return []
    s = float(CELL_SIZE_M)
    minx, miny, maxx, maxy = geom.bounds
    i0, j0 = math.floor(minx / s), math.floor(miny / s)
    i1, j1 = math.floor(maxx / s), math.floor(maxy / s)
    gi, gj = np.meshgrid(np.arange(i0, i1 + 1, dtype=np.int64), np.arange(j0, j1 + 1, dtype=np.int64))
    ii, jj = gi.ravel(), gj.ravel()
    boxes = shapely.box(ii * s, jj * s, (ii + 1) * s, (jj + 1) * s)

    was_prepared = bool(shapely.is_prepared(geom))
    shapely.prepare(geom)
    try:
        hit = shapely.intersects(geom, boxes)
        ii, jj, boxes = ii[hit], jj[hit], boxes[hit]
        full = shapely.covers(geom, boxes)
    finally:
        if not was_prepared:
            shapely.destroy_prepared(geom)

    pieces = boxes.copy()
    partial = np.flatnonzero(~full)
    if partial.size:
        pieces[partial] = _clip_partial(geom, ii[partial], jj[partial], boxes[partial])
    areas = shapely.area(pieces)
    keep = (areas >= min_area_m2) & (areas > 0)
    ii, jj, pieces = ii[keep], jj[keep], pieces[keep]
    order = np.lexsort((ii, -jj))
    ii, jj, pieces = ii[order], jj[order], pieces[order]
    cols, rows = ii - COL_ORIGIN_I, ROW_ORIGIN_J - jj
    bad = np.flatnonzero((cols < 0) | (cols > _MAX_PART) | (rows < 0) | (rows > _MAX_PART))
    if bad.size:
        cell_code(adcode, int(ii[bad[0]]), int(jj[bad[0]]))  # raises with the offending cell
    polygonal = np.isin(shapely.get_type_id(pieces), _POLYGONAL_TYPE_IDS)

    cells: list[CellSpec] = []
    for i, j, row, col, piece, ok in zip(
        ii.tolist(), jj.tolist(), rows.tolist(), cols.tolist(), pieces, polygonal.tolist(), strict=True
    ):
        if not ok:  # a geometry collection: keep its polygons only
            piece = _polygonal(piece)
            if piece is None or piece.area < min_area_m2:
                continue
        cells.append(CellSpec(i, j, f"{adcode}{row:04d}{col:04d}", piece))
    return cells
