"""The wall's heatmap read model: :class:`HeatIndex`, report counts per level key from numpy arrays.

It keeps ``(cell, district, category, created_at)`` of the cases of the last :data:`KEEP_DAYS` days in memory, topped up
by id on each call (a few rows through the primary key) and rebuilt every :data:`REBUILD_SECONDS`; counting a
window in a viewport is then a ``bincount``, whatever the zoom, for every category or one 大类 / 小类 (a mask
over the kept rows; the memo of per-cell counts is keyed by window *and* category). Same numbers as
:func:`db.queries.grid_sql.counts_sql`. Part of the heatmap (see :mod:`db.queries.grid_levels`).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, text

from db.queries.grid_levels import (
    DISTRICT_BOXES,
    FACTOR,
    WIDEST,
    BBox,
    IntArray,
    boxes_meet,
    ij_range,
    window_start,
)
from geo.crs import TZ

KEEP_DAYS = 32
#: Ids are handed out at INSERT but become visible at COMMIT: each refresh looks this far below the high-water
#: mark again, so a transaction committing after a later one is not missed.
GAP_IDS = 500
REBUILD_SECONDS = 600.0

_TOP = text('SELECT coalesce(max(id), 0) FROM "case"')


@dataclass(frozen=True)
class _Grid:
    ids: IntArray  # sorted grid_cell ids
    i: IntArray
    j: IntArray
    district: IntArray  # index into codes
    codes: tuple[str, ...]  # district codes with a grid
    boxes: dict[str, BBox]  # district extents
    signature: tuple[int, int]


@dataclass(frozen=True)
class _Cases:
    pos: IntArray  # grid position of each kept case (-1: no cell)
    district: IntArray  # district index (-1: none)
    category: IntArray  # index into HeatIndex._categories (the case's 小类)
    created: npt.NDArray[np.float64]  # epoch seconds
    high_water: int  # largest case id in the table when loaded
    recent: IntArray  # ids loaded above high_water - GAP_IDS (a late commit of a lower id is still picked up)


@dataclass(frozen=True)
class _Level:
    """A level's squares, precomputed from the grid: each cell's square, each square's ``(I, J)`` and key."""

    grid: _Grid
    inverse: IntArray  # grid position -> square index
    si: IntArray
    sj: IntArray
    keys: npt.NDArray[np.object_]

    @classmethod
    def build(cls, grid: _Grid, level: str) -> _Level:
        if level == "cell":
            keys = np.array([str(x) for x in grid.ids.tolist()], dtype=object)
            return cls(grid, np.arange(len(grid.ids)), grid.i, grid.j, keys)
        f = FACTOR[level]
        code = (grid.i // f) * 100_000 + grid.j // f
        uniq, inverse = np.unique(code, return_inverse=True)
        si, sj = uniq // 100_000, uniq % 100_000
        keys = np.array([f"{a}_{b}" for a, b in zip(si.tolist(), sj.tolist(), strict=True)], dtype=object)
        return cls(grid, inverse.astype(np.int64), si, sj, keys)


class HeatIndex:
    """Counts of the last :data:`KEEP_DAYS` days in memory, refreshed incrementally; safe across threads."""

    def __init__(self, rebuild_seconds: float = REBUILD_SECONDS) -> None:
        self.rebuild_seconds = rebuild_seconds
        self._lock = threading.Lock()
        self._grid: _Grid | None = None
        self._cases: _Cases | None = None
        self._built_at = 0.0
        self._memo: dict[tuple[str, str | None], tuple[Any, IntArray, IntArray]] = {}
        #: 小类 codes met so far, by index (grows; never reordered, so kept rows stay valid)
        self._categories: dict[str, int] = {}
        #: category code -> its 大类 (parent) code, read with the grid
        self._parents: dict[str, str | None] = {}
        self._levels: dict[str, _Level] = {}

    @property
    def ready(self) -> bool:
        return self._cases is not None

    # loading
    def _load_grid(self, conn: Connection) -> _Grid:
        rows = conn.execute(text("SELECT id, i, j, district_code FROM grid_cell ORDER BY id")).all()
        dist = conn.execute(DISTRICT_BOXES).all()
        codes = tuple(r[0] for r in dist)
        index = {c: k for k, c in enumerate(codes)}
        arr = np.array([(r[0], r[1], r[2], index.get(r[3], -1)) for r in rows], dtype=np.int64).reshape(-1, 4)
        return _Grid(
            ids=arr[:, 0].copy(),
            i=arr[:, 1].copy(),
            j=arr[:, 2].copy(),
            district=arr[:, 3].copy(),
            codes=codes,
            boxes={r[0]: (float(r[1]), float(r[2]), float(r[3]), float(r[4])) for r in dist},
            signature=(len(rows), int(arr[:, 0].max()) if len(rows) else 0),
        )

    def _fetch(
        self, conn: Connection, grid: _Grid, where: str, params: dict[str, Any]
    ) -> tuple[_Cases, IntArray]:
        """Cases matching ``where``, and the table's largest id in the same snapshot (the next high-water mark)."""
        rows = conn.execute(
            text(
                'SELECT (SELECT coalesce(max(id), 0) FROM "case") AS top, coalesce(cell_id, -1) AS cell, '  # nosec B608 # SQL from constant fragments; values are bound parameters
                f'district_code, extract(epoch FROM created_at), id, category_code FROM "case" WHERE {where} '
                "ORDER BY id"
            ),
            params,
        ).all()
        top = int(rows[0][0]) if rows else int(conn.execute(_TOP).scalar_one())
        ids = np.array([r[4] for r in rows], dtype=np.int64)
        index = {c: k for k, c in enumerate(grid.codes)}
        cells = np.array([r[1] for r in rows], dtype=np.int64)
        pos = np.minimum(np.searchsorted(grid.ids, cells), max(len(grid.ids) - 1, 0))
        cases = _Cases(
            pos=np.where(grid.ids[pos] == cells, pos, -1).astype(np.int64) if len(grid.ids) else pos - 1,
            district=np.array([index.get(r[2], -1) for r in rows], dtype=np.int64),
            category=np.array([self._category_index(r[5]) for r in rows], dtype=np.int64),
            created=np.array([float(r[3]) for r in rows], dtype=np.float64),
            high_water=top,
            recent=ids[ids > top - GAP_IDS],
        )
        return cases, ids

    def refresh(self, conn: Connection, now: datetime | None = None) -> None:
        """Add the cases inserted since the last call; rebuild everything when due or when cases vanished."""
        at = now or datetime.now(TZ)
        with self._lock:
            grid, cases = self._grid, self._cases
            if (
                grid is not None
                and cases is not None
                and time.monotonic() - self._built_at < self.rebuild_seconds
            ):
                new, ids = self._fetch(conn, grid, "id > :low", {"low": cases.high_water - GAP_IDS})
                if new.high_water >= cases.high_water:  # else cases vanished (a re-seed): rebuild
                    fresh = ~np.isin(ids, cases.recent)
                    if fresh.any():
                        recent = np.union1d(cases.recent, ids)
                        self._cases = _Cases(
                            np.concatenate([cases.pos, new.pos[fresh]]),
                            np.concatenate([cases.district, new.district[fresh]]),
                            np.concatenate([cases.category, new.category[fresh]]),
                            np.concatenate([cases.created, new.created[fresh]]),
                            new.high_water,
                            recent[recent > new.high_water - GAP_IDS],
                        )
                    elif new.high_water != cases.high_water:
                        self._cases = dataclasses.replace(cases, high_water=new.high_water)
                    return
            grid = self._load_grid(conn) if grid is None or self._grid_changed(conn, grid) else grid
            self._parents = {r[0]: r[1] for r in conn.execute(text("SELECT code, parent_code FROM category"))}
            since = datetime.combine(
                at.astimezone(TZ).date() - timedelta(days=KEEP_DAYS), datetime.min.time(), TZ
            )
            self._cases, _ = self._fetch(conn, grid, "created_at >= :since", {"since": since})
            self._grid, self._built_at = grid, time.monotonic()

    def _category_index(self, code: str) -> int:
        k = self._categories.get(code)
        if k is None:
            k = self._categories[code] = len(self._categories)
        return k

    def _category_mask(self, cases: _Cases, category: str | None) -> npt.NDArray[np.bool_] | None:
        """Which kept cases are of ``category`` (a 小类, or a 大类: any of its 小类); None: every case."""
        if not category:
            return None
        wanted = [
            k
            for code, k in self._categories.items()
            if code == category or self._parents.get(code) == category
        ]
        return np.isin(cases.category, np.array(wanted, dtype=np.int64))

    def _grid_changed(self, conn: Connection, grid: _Grid) -> bool:
        row = conn.execute(text("SELECT count(*), coalesce(max(id), 0) FROM grid_cell")).one()
        return (int(row[0]), int(row[1])) != grid.signature

    # counting
    def _per_cell(
        self, window: str, now: datetime | None, category: str | None = None
    ) -> tuple[_Grid, _Cases, IntArray, IntArray]:
        """Counts per grid cell and per district in ``window`` (of ``category`` only, if given); memoised per
        window and category until new cases or a new day (when ``now`` is not given: an explicit ``now`` also
        caps the window's end)."""
        grid, cases = self._grid, self._cases
        assert grid is not None and cases is not None  # nosec B101 # type narrowing for mypy, not a security check
        start = window_start(window, now).timestamp()
        category = category or None
        key = (window, category, start, cases.high_water, len(cases.pos), grid.signature, now)
        hit = self._memo.get((window, category))
        if hit is not None and hit[0] == key:
            return grid, cases, hit[1], hit[2]
        mask = cases.created >= start
        if now is not None:
            mask &= cases.created <= now.timestamp()
        of_category = self._category_mask(cases, category)
        if of_category is not None:
            mask &= of_category
        pos = cases.pos[mask]
        per_cell = np.bincount(pos[pos >= 0], minlength=len(grid.ids))
        dist = cases.district[mask]
        per_district = np.bincount(dist[dist >= 0], minlength=len(grid.codes))
        self._memo[(window, category)] = (key, per_cell, per_district)
        return grid, cases, per_cell, per_district

    def _level(self, grid: _Grid, level: str) -> _Level:
        made = self._levels.get(level)
        if made is None or made.grid is not grid:
            made = _Level.build(grid, level)
            self._levels[level] = made
        return made

    def counts(
        self,
        conn: Connection,
        level: str,
        window: str,
        bbox: BBox | None = None,
        now: datetime | None = None,
        refresh: bool = True,
        category: str | None = None,
    ) -> dict[str, int]:
        """Report counts per key of ``level`` in ``window`` (same numbers as :func:`~db.queries.grid_sql.counts_sql`),
        of one 大类 or 小类 when ``category`` is given; ``refresh`` first adds the cases inserted since the last call."""
        if refresh or self._cases is None:
            self.refresh(conn, now)
        grid, _, per_cell, per_district = self._per_cell(window, now, category)
        if level == "district":
            return {
                code: int(per_district[k])
                for k, code in enumerate(grid.codes)
                if per_district[k] and (bbox is None or boxes_meet(grid.boxes[code], bbox))
            }
        agg = self._level(grid, level)
        per = (
            per_cell
            if level == "cell"
            else np.bincount(agg.inverse, weights=per_cell, minlength=len(agg.keys))
        )
        keep = per > 0
        if bbox is not None:
            f = FACTOR[level]
            i0, i1, j0, j1 = ij_range(bbox)
            keep &= (
                (agg.si * f <= i1)
                & ((agg.si + 1) * f - 1 >= i0)
                & (agg.sj * f <= j1)
                & ((agg.sj + 1) * f - 1 >= j0)
            )
        idx = np.flatnonzero(keep)
        return dict(zip(agg.keys[idx].tolist(), per[idx].astype(np.int64).tolist(), strict=True))

    def keys(
        self,
        conn: Connection,
        level: str,
        bbox: BBox | None,
        now: datetime | None = None,
        refresh: bool = True,
    ) -> list[str]:
        """Keys of ``level`` with at least one report in the widest window: the features worth drawing."""
        return list(self.counts(conn, level, WIDEST, bbox, now, refresh))
