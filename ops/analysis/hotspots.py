"""热点区域: Getis-Ord Gi* hot spots of reports over the unit grid for a period, a category and a district scope.

The statistic is :mod:`ops.analysis.gistar` (its docstring gives the method, why, and its assumptions). Here is
the thin part around it:

- **the study region** is every grid unit of the scope and district filter — a 100 m cell, or a 500 m / 1 km
  square ``(i // 5, j // 5)`` / ``(i // 10, j // 10)`` of the cells' integer ``(i, j)`` — *including the units
  where nothing was reported* (leaving them out would make the mean, the spread and the neighbourhoods wrong).
  It comes from :mod:`ops.analysis.grid_units` (``grid_cell`` as numpy arrays, read once and kept by the caller:
  the grid is reference data);
- **the counts** come from one SQL statement over ``case.cell_id`` (btree-indexed with ``created_at``) for the
  period, category (a 大类 matches its 小类), district filter and the user's :class:`AnalysisScope`, grouped by
  cell; each cell is joined to its ``(i, j)`` in numpy through the grid arrays, not per request in SQL;
- every report counts (all statuses), as on the heatmap: a place many people report is what a campaign aims at.

:func:`hotspots` returns :class:`HotSpots`, plain data: every unit with count, z, p, q and class, the significant
ones as rows and as GeoJSON for the map. :func:`membership` answers "is this case's cell in a hot spot" from a
result (the workbench card keeps results for a few minutes, it never recomputes per card).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, text

from db.queries.grid_levels import FACTOR
from geo.crs import to_lonlat
from ops.analysis.filters import Filters
from ops.analysis.gistar import GiStar, gi_star
from ops.analysis.grid_units import Grid, centres, load_grid, squares, study_region
from ops.analysis.scope import AnalysisScope

LEVELS = ("cell", "500m", "1km")
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class HotUnit:
    """One unit of a result, as the CLI and the page's table show it."""

    key: str
    level: str
    lat: float
    lon: float
    count: int
    z: float
    p: float
    q: float
    cls: int
    district_code: str

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "level": self.level,
            "lat": self.lat,
            "lon": self.lon,
            "count": self.count,
            "z": round(self.z, 4),
            "p": self.p,
            "q": self.q,
            "class": self.cls,
            "district_code": self.district_code,
        }


@dataclass(frozen=True, eq=False)
class HotSpots:
    """Every unit of the study region (lattice position ``(ui, uj)`` of ``level``) with its count and Gi*."""

    level: str
    filters: Filters
    since: datetime
    until: datetime
    ui: IntArray
    uj: IntArray
    count: IntArray
    district: npt.NDArray[np.str_]
    stat: GiStar
    _index: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)
    #: what was made of this result once (it does not change): the GeoJSON, the significant units
    _made: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def n_units(self) -> int:
        return int(self.ui.size)

    @property
    def n_hot(self) -> int:
        return int(np.count_nonzero(self.stat.cls > 0))

    @property
    def n_cold(self) -> int:
        return int(np.count_nonzero(self.stat.cls < 0))

    @property
    def total(self) -> int:
        return int(self.count.sum())

    def bounds(self) -> list[list[float]] | None:
        """``[[south, west], [north, east]]`` of the study region (WGS-84), ``None`` when it is empty."""
        if not self.ui.size:
            return None
        size = 100.0 * FACTOR[self.level]
        xs = np.array([self.ui.min(), self.ui.max() + 1], dtype=np.float64) * size
        ys = np.array([self.uj.min(), self.uj.max() + 1], dtype=np.float64) * size
        lon, lat = to_lonlat(np.array([xs[0], xs[1], xs[0], xs[1]]), np.array([ys[0], ys[0], ys[1], ys[1]]))
        return [[float(np.min(lat)), float(np.min(lon))], [float(np.max(lat)), float(np.max(lon))]]

    def key(self, k: int) -> str:
        """The unit's key, ``LEVEL:I:J`` (as the alerts' ``area_key``)."""
        return f"{self.level}:{int(self.ui[k])}:{int(self.uj[k])}"

    def find(self, i: int, j: int) -> int | None:
        """Position of the unit at lattice ``(i, j)`` of this level, if in the study region."""
        if not self._index and self.ui.size:
            self._index.update(
                {(a, b): k for k, (a, b) in enumerate(zip(self.ui.tolist(), self.uj.tolist(), strict=True))}
            )
        return self._index.get((int(i), int(j)))

    def units(self, positions: npt.ArrayLike) -> list[HotUnit]:
        pos = np.asarray(positions, dtype=np.int64)
        lon, lat = centres(self.level, self.ui[pos], self.uj[pos])
        s = self.stat
        return [
            HotUnit(
                key=self.key(k),
                level=self.level,
                lat=round(float(la), 6),
                lon=round(float(lo), 6),
                count=int(self.count[k]),
                z=float(s.z[k]),
                p=float(s.p[k]),
                q=float(s.q[k]),
                cls=int(s.cls[k]),
                district_code=str(self.district[k]),
            )
            for k, lo, la in zip(pos.tolist(), lon, lat, strict=True)
        ]

    def significant(self, kind: str = "both") -> list[HotUnit]:
        """Units with a class (``kind`` ``"hot"``, ``"cold"`` or ``"both"``), the strongest first (|z| down)."""
        if f"significant:{kind}" in self._made:
            return list(self._made[f"significant:{kind}"])
        cls = self.stat.cls
        mask = cls > 0 if kind == "hot" else cls < 0 if kind == "cold" else cls != 0
        pos = np.nonzero(mask)[0]
        pos = pos[np.argsort(-np.abs(self.stat.z[pos]), kind="stable")]
        units = self._made[f"significant:{kind}"] = self.units(pos)
        return list(units)

    def all_units(self) -> list[HotUnit]:
        return self.units(np.arange(self.n_units))

    def geojson(self) -> dict[str, Any]:
        """The significant units as a GeoJSON FeatureCollection of squares (WGS-84), properties ``k`` (key),
        ``c`` (class), ``n`` (count), ``z``, ``d`` (district); the map styles them by ``c`` in the browser. Made
        once per result (callers must not change it)."""
        if "geojson" in self._made:
            return self._made["geojson"]
        pos = np.nonzero(self.stat.cls != 0)[0]
        rings = squares(self.level, self.ui[pos], self.uj[pos])
        features = [
            {
                "type": "Feature",
                "id": self.key(k),
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "k": self.key(k),
                    "c": int(self.stat.cls[k]),
                    "n": int(self.count[k]),
                    "z": round(float(self.stat.z[k]), 2),
                    "d": str(self.district[k]),
                },
            }
            for k, ring in zip(pos.tolist(), rings, strict=True)
        ]
        made: dict[str, Any] = {"type": "FeatureCollection", "features": features}
        self._made["geojson"] = made
        return made

    def hot_area(self, keys: list[str]) -> tuple[dict[str, Any] | None, list[str]]:
        """The hot units among ``keys`` (``LEVEL:I:J`` of this result) as one GeoJSON MultiPolygon (WGS-84), and
        their keys; ``(None, [])`` when none of them is a hot spot here."""
        found: list[int] = []
        for key in keys:
            parts = key.split(":") if isinstance(key, str) else []
            if len(parts) != 3 or parts[0] != self.level:
                continue
            try:
                k = self.find(int(parts[1]), int(parts[2]))
            except ValueError:
                continue
            if k is not None and self.stat.cls[k] > 0 and k not in found:
                found.append(k)
        if not found:
            return None, []
        pos = np.asarray(found, dtype=np.int64)
        rings = squares(self.level, self.ui[pos], self.uj[pos])
        return {"type": "MultiPolygon", "coordinates": [[r] for r in rings]}, [self.key(k) for k in found]


def _counts_sql(scope: AnalysisScope, filters: Filters) -> Any:
    where = " AND ".join([scope.where(), filters.category_sql(), filters.district_sql()])
    return text(
        'SELECT c.cell_id, count(*) FROM "case" c'  # nosec B608 # fragments from code, values bound
        " WHERE c.cell_id IS NOT NULL AND c.created_at > :since AND c.created_at <= :until"
        f" AND {where} GROUP BY c.cell_id"
    )


def cell_counts(
    conn: Connection, scope: AnalysisScope, filters: Filters, now: datetime
) -> tuple[IntArray, IntArray]:
    """Reports per grid cell (``cell_id``, ``n``) in ``(now − days, now]`` for the filters within ``scope``."""
    params = {"since": filters.since(now), "until": now, **scope.params(), **filters.params()}
    rows = conn.execute(_counts_sql(scope, filters), params).all()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ids, n = zip(*rows, strict=True)
    return np.asarray(ids, dtype=np.int64), np.asarray(n, dtype=np.int64)


def _outside(scope: AnalysisScope, filters: Filters) -> bool:
    """Whether the filters ask for something outside the scope (an officer's other district, a department's
    other category): the answer is then empty, never another's data."""
    if scope.empty:
        return True
    if scope.district is not None and filters.district not in (None, scope.district):
        return True
    return bool(
        scope.categories is not None and filters.category and filters.category not in scope.categories
    )


def hotspots(
    conn: Connection,
    scope: AnalysisScope,
    filters: Filters,
    level: str,
    now: datetime,
    grid: Grid | None = None,
) -> HotSpots:
    """Gi* hot spots of reports in ``(now − filters.days, now]`` over every unit of ``level`` in the study region
    (the scope's or the filter's district, else the whole grid), see the module docstring. ``grid``: a kept
    :func:`load_grid` (read here when not given)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    g = grid if grid is not None else load_grid(conn)
    since = filters.since(now)
    if _outside(scope, filters):
        g = Grid(g.cell_id[:0], g.i[:0], g.j[:0], g.district[:0])
    district = filters.district or scope.district
    region = study_region(g, level, district)
    count = np.zeros(region.ui.size, dtype=np.int64)
    if region.ui.size:
        ids, n = cell_counts(conn, scope, filters, now)
        pos, known = g.rows_of(ids)
        units = region.unit_of_row[pos[known]]
        inside = units >= 0
        count = np.bincount(units[inside], weights=n[known][inside], minlength=count.size).astype(np.int64)
    return HotSpots(
        level=level,
        filters=filters,
        since=since,
        until=now,
        ui=region.ui,
        uj=region.uj,
        count=count,
        district=region.district,
        stat=gi_star(region.ui, region.uj, count, region.lattice),
    )


@dataclass(frozen=True, slots=True)
class Membership:
    """Whether a cell's unit is a hot (or cold) spot in a result: class −3..3, z, q, its count and key."""

    key: str
    cls: int
    z: float
    q: float
    count: int


def case_cell(conn: Connection, scope: AnalysisScope, case_id: int) -> tuple[int | None, str] | None:
    """The grid cell and 小类 of a case the scope may read (``None`` otherwise)."""
    sql = text(
        'SELECT c.cell_id, c.category_code FROM "case" c'  # nosec B608 # fragment from code, values bound
        f" WHERE c.id = :case_id AND {scope.where()}"
    )
    row = conn.execute(sql, {"case_id": case_id, **scope.params()}).one_or_none()
    return None if row is None else (None if row[0] is None else int(row[0]), str(row[1]))


def membership(result: HotSpots, grid: Grid, cell_id: int | None) -> Membership | None:
    """The class of the unit holding grid cell ``cell_id`` in ``result``; ``None`` outside its study region."""
    if cell_id is None:
        return None
    pos, known = grid.rows_of([cell_id])
    if not known[0]:
        return None
    f = FACTOR[result.level]
    k = result.find(int(grid.i[pos[0]]) // f, int(grid.j[pos[0]]) // f)
    if k is None:
        return None
    s = result.stat
    return Membership(
        key=result.key(k), cls=int(s.cls[k]), z=float(s.z[k]), q=float(s.q[k]), count=int(result.count[k])
    )
