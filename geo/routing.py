"""Point -> district / grid cell routing: the offline twin of the database's routing.

The database is authoritative; this module exists for tests, imports and batch jobs and follows exactly the
same rule:

1. **District**: among the districts whose geometry (EPSG:4326) *covers* the point (``ST_Covers`` /
   shapely ``covers``: a point on a border counts for every district sharing that border), take the one with
   the **smallest adcode** (string order, which is numeric order for 6-digit codes). Points in a hole or
   outside every district route to ``None``.
2. **Cell indices**: ``i = floor(x / 100)``, ``j = floor(y / 100)`` with ``(x, y)`` the point in EPSG:32648
   (see :mod:`geo.grid`). They are reported only for points inside a district.
3. **Cell**: ``(district, i, j)`` if that cell exists in the cell table, else ``None`` (a cell whose clipped
   piece was dropped for being tiny, or a district without generated cells).

This is the rule for the generated (regular) 100 m grid. A city's imported official grid has irregular cells,
which the database routes by polygon (the covering cell with the smallest code); this twin does not cover that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs import to_metric
from geo.grid import COL_ORIGIN_I, ROW_ORIGIN_J, cell_code, cell_index, validate_adcode

__all__ = ["Route", "Router", "Routes"]

_OFF = 1 << 20  # i and j are stored offset by 2**20 in 21 bits each of an int64 key


@dataclass(frozen=True, slots=True)
class Route:
    """Where one point belongs. All fields are ``None`` for a point outside every district."""

    district: str | None
    i: int | None
    j: int | None
    cell_code: str | None


@dataclass(frozen=True)
class Routes:
    """Vectorised result of :meth:`Router.route_many`.

    Attributes
    ----------
    district : numpy.ndarray of object
        Adcode per point, ``None`` outside every district.
    inside : numpy.ndarray of bool
        ``district is not None``.
    i, j : numpy.ndarray of int64
        Cell indices; meaningful only where ``inside`` (0 elsewhere).
    cell_code : numpy.ndarray of object
        Cell code per point, ``None`` where no cell exists.
    """

    district: npt.NDArray[np.object_]
    inside: npt.NDArray[np.bool_]
    i: npt.NDArray[np.int64]
    j: npt.NDArray[np.int64]
    cell_code: npt.NDArray[np.object_]

    def __len__(self) -> int:
        return len(self.district)

    def __getitem__(self, k: int) -> Route:
        if not self.inside[k]:
            return Route(None, None, None, None)
        return Route(self.district[k], int(self.i[k]), int(self.j[k]), self.cell_code[k])


def _keys(
    district_idx: npt.NDArray[np.int64], i: npt.NDArray[np.int64], j: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    return (district_idx << 42) | ((i + _OFF) << 21) | (j + _OFF)


class Router:
    """Route points to districts and grid cells, in memory.

    Parameters
    ----------
    districts : iterable of (str, shapely geometry)
        ``(adcode, geometry in EPSG:4326)``. An adcode may appear more than once (several polygons).
    cells : iterable of (str, int, int)
        ``(adcode, i, j)`` of the cells that exist.

    Examples
    --------
    >>> from shapely import box
    >>> router = Router([("520102", box(106.6, 26.5, 106.8, 26.6))], [])
    >>> router.route(106.7, 26.55).district
    '520102'
    >>> router.route(0.0, 0.0)
    Route(district=None, i=None, j=None, cell_code=None)
    """

    def __init__(
        self, districts: Iterable[tuple[str, BaseGeometry]], cells: Iterable[tuple[str, int, int]]
    ) -> None:
        pairs = sorted(districts, key=lambda p: p[0])
        self._tree_adcodes = np.array([a for a, _ in pairs], dtype=object)
        self._geoms = np.array([g for _, g in pairs], dtype=object)
        shapely.prepare(self._geoms)  # fast, exact point-in-polygon for covers()
        self._tree = shapely.STRtree(self._geoms)
        self.adcodes: tuple[str, ...] = tuple(sorted(set(self._tree_adcodes.tolist())))
        index = {a: k for k, a in enumerate(self.adcodes)}
        # district index of each tree entry (tree order is adcode order, so min tree index = min adcode)
        self._tree_didx = np.array([index[a] for a in self._tree_adcodes], dtype=np.int64)

        rows = list(cells)
        ads, ci, cj = zip(*rows, strict=True) if rows else ((), (), ())
        unknown = set(ads) - index.keys()
        if unknown:
            raise ValueError(f"cells refer to unknown districts: {sorted(unknown)}")
        for adcode in set(ads):
            validate_adcode(adcode)
        ii, jj = np.asarray(ci, dtype=np.int64), np.asarray(cj, dtype=np.int64)
        col, row = ii - COL_ORIGIN_I, ROW_ORIGIN_J - jj
        if rows and not (((col >= 0) & (col <= 9999) & (row >= 0) & (row <= 9999)).all()):
            raise ValueError("cell index outside the coded area (see geo.grid)")
        keys = _keys(np.array([index[a] for a in ads], dtype=np.int64), ii, jj)
        self._cell_keys = np.unique(keys)

    def __len__(self) -> int:
        """Number of known cells."""
        return len(self._cell_keys)

    def route(self, lon: float, lat: float) -> Route:
        """Route one WGS-84 point.

        Parameters
        ----------
        lon, lat : float
            Degrees (EPSG:4326).

        Returns
        -------
        Route
            District, cell indices and cell code (see the module docstring for the rule).
        """
        return self.route_many(np.array([lon], dtype=np.float64), np.array([lat], dtype=np.float64))[0]

    def route_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> Routes:
        """Route many WGS-84 points at once.

        Parameters
        ----------
        lons, lats : array_like of float
            Degrees (EPSG:4326), same shape (1-D).

        Returns
        -------
        Routes
            Arrays aligned with the input; ``routes[k]`` gives the :class:`Route` of point ``k``.
        """
        lo = np.atleast_1d(np.asarray(lons, dtype=np.float64)).ravel()
        la = np.atleast_1d(np.asarray(lats, dtype=np.float64)).ravel()
        if lo.shape != la.shape:
            raise ValueError("lons and lats must have the same length")
        n = len(lo)
        district = np.full(n, None, dtype=object)
        codes = np.full(n, None, dtype=object)
        ii = np.zeros(n, dtype=np.int64)
        jj = np.zeros(n, dtype=np.int64)
        inside = np.zeros(n, dtype=bool)
        if n == 0 or len(self._tree_adcodes) == 0:
            return Routes(district, inside, ii, jj, codes)

        points = shapely.points(lo, la)
        pt_idx, tree_idx = self._tree.query(points)  # bounding-box candidates
        hit = np.zeros(len(pt_idx), dtype=bool)
        for k in np.unique(tree_idx):
            m = tree_idx == k
            hit[m] = shapely.covers(self._geoms[k], points[pt_idx[m]])
        n_tree = len(self._tree_adcodes)
        best = np.full(n, n_tree, dtype=np.int64)
        np.minimum.at(best, pt_idx[hit], tree_idx[hit])
        inside = best < n_tree
        sel = np.flatnonzero(inside)
        if sel.size == 0:
            return Routes(district, inside, ii, jj, codes)

        district[sel] = self._tree_adcodes[best[sel]]
        x, y = to_metric(lo[sel], la[sel])
        ci, cj = cell_index(x, y)
        ii[sel], jj[sel] = ci, cj
        if len(self._cell_keys):
            keys = _keys(self._tree_didx[best[sel]], ci, cj)
            pos = np.minimum(np.searchsorted(self._cell_keys, keys), len(self._cell_keys) - 1)
            in_range = (np.abs(ci) < _OFF) & (np.abs(cj) < _OFF)
            found = np.flatnonzero((self._cell_keys[pos] == keys) & in_range)
            codes[sel[found]] = [
                cell_code(a, int(i), int(j))
                for a, i, j in zip(district[sel[found]], ci[found], cj[found], strict=True)
            ]
        return Routes(district, inside, ii, jj, codes)
