"""The unit grid as numpy arrays and the study regions of the hot-spot analysis (:mod:`ops.analysis.hotspots`).

:class:`Grid` is ``grid_cell`` (about 258,000 cells: id, integer ``(i, j)``, district) read once and kept by the
caller (reference data). A :class:`Region` is every unit of one level — a 100 m cell, or a 500 m / 1 km square
``(i // 5, j // 5)`` / ``(i // 10, j // 10)`` — covering the grid or one district's cells, *including the units
where nothing was reported*, with its :class:`~ops.analysis.gistar.Lattice`; regions are kept on their grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, text

from db.queries.grid_levels import FACTOR
from geo.crs import to_lonlat
from ops.analysis.gistar import Lattice

IntArray = npt.NDArray[np.int64]

_GRID = text(
    "SELECT district_code, array_agg(id ORDER BY id), array_agg(i ORDER BY id), array_agg(j ORDER BY id) FROM grid_cell"
    " GROUP BY district_code ORDER BY district_code"
)


@dataclass(frozen=True, eq=False)
class Grid:
    """The unit grid as arrays sorted by cell id: ``(i, j)`` and district of every cell."""

    cell_id: IntArray
    i: IntArray
    j: IntArray
    district: npt.NDArray[np.str_]
    #: study regions built on this grid, by (level, district): see :func:`study_region`
    regions: dict[tuple[str, str | None], Region] = field(default_factory=dict, repr=False)

    def rows_of(self, cell_ids: npt.ArrayLike) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        """Row positions of ``cell_ids`` in the grid, and which of them are in it."""
        ids = np.asarray(cell_ids, dtype=np.int64)
        if self.cell_id.size == 0:
            return np.zeros(ids.size, dtype=np.int64), np.zeros(ids.size, dtype=bool)
        pos = np.searchsorted(self.cell_id, ids)
        pos[pos >= self.cell_id.size] = 0
        return pos, self.cell_id[pos] == ids


def load_grid(conn: Connection) -> Grid:
    """``grid_cell`` as :class:`Grid` (about 258,000 rows, read as one array per district: ~1 s; keep it)."""
    rows = conn.execute(_GRID).all()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Grid(empty, empty, empty, np.zeros(0, dtype="<U6"))
    ids = np.concatenate([np.asarray(r[1], dtype=np.int64) for r in rows])
    order = np.argsort(ids, kind="stable")
    i = np.concatenate([np.asarray(r[2], dtype=np.int64) for r in rows])
    j = np.concatenate([np.asarray(r[3], dtype=np.int64) for r in rows])
    district = np.repeat(np.asarray([r[0] for r in rows], dtype=str), [len(r[1]) for r in rows])
    return Grid(
        cell_id=ids[order],
        i=i[order],
        j=j[order],
        district=district[order],
    )


def squares(level: str, ui: npt.ArrayLike, uj: npt.ArrayLike) -> list[list[list[float]]]:
    """Closed lon/lat rings (5 points, 6 decimals) of the lattice squares ``(ui, uj)`` of ``level`` (corners of
    EPSG:32648 squares)."""
    size = 100.0 * FACTOR[level]
    x0 = np.asarray(ui, dtype=np.float64) * size
    y0 = np.asarray(uj, dtype=np.float64) * size
    xs = np.stack([x0, x0 + size, x0 + size, x0, x0], axis=1)
    ys = np.stack([y0, y0, y0 + size, y0 + size, y0], axis=1)
    lon, lat = to_lonlat(xs.ravel(), ys.ravel())
    lons = np.round(lon, 6).reshape(-1, 5).tolist()
    lats = np.round(lat, 6).reshape(-1, 5).tolist()
    return [[[a, b] for a, b in zip(lo, la, strict=True)] for lo, la in zip(lons, lats, strict=True)]


def centres(level: str, ui: npt.ArrayLike, uj: npt.ArrayLike) -> tuple[list[float], list[float]]:
    """Lon/lat of the centres of lattice units of ``level``."""
    size = 100.0 * FACTOR[level]
    x = (np.asarray(ui, dtype=np.float64) + 0.5) * size
    y = (np.asarray(uj, dtype=np.float64) + 0.5) * size
    lon, lat = to_lonlat(x, y)
    return np.atleast_1d(lon).tolist(), np.atleast_1d(lat).tolist()


@dataclass(frozen=True, eq=False)
class Region:
    """A study region's units of one level: lattice positions ``(ui, uj)``, the unit of each grid row (−1: not in
    the region), each unit's district (the one most of its cells are in) and the :class:`Lattice` of the units."""

    ui: IntArray
    uj: IntArray
    unit_of_row: IntArray
    district: npt.NDArray[np.str_]
    lattice: Lattice


def study_region(grid: Grid, level: str, district: str | None) -> Region:
    """The units of ``level`` covering the grid (or one district's cells), kept on the grid (it is reference
    data): building one costs about as much as a whole analysis, using it nothing."""
    key = (level, district)
    hit = grid.regions.get(key)
    if hit is not None:
        return hit
    f = FACTOR[level]
    rows = np.ones(grid.cell_id.size, dtype=bool) if district is None else grid.district == district
    pos = np.nonzero(rows)[0]
    unit_of_row = np.full(grid.cell_id.size, -1, dtype=np.int64)
    if pos.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        region = Region(empty, empty, unit_of_row, np.zeros(0, dtype="<U6"), Lattice(empty, empty))
    else:
        ci, cj = grid.i[pos] // f, grid.j[pos] // f
        i0, j0 = ci.min(), cj.min()
        height = int(cj.max() - j0) + 1
        uniq, inverse = np.unique((ci - i0) * height + (cj - j0), return_inverse=True)
        inverse = inverse.ravel()
        unit_of_row[pos] = inverse
        ui, uj = uniq // height + i0, uniq % height + j0
        # the district most of a unit's cells are in: tally (unit, district), keep the largest per unit
        names, dcode = np.unique(grid.district[pos], return_inverse=True)
        tally = np.bincount(inverse * len(names) + dcode.ravel(), minlength=len(uniq) * len(names))
        unit_district = names[tally.reshape(len(uniq), len(names)).argmax(axis=1)]
        region = Region(ui, uj, unit_of_row, unit_district, Lattice(ui, uj))
    grid.regions[key] = region
    return region
