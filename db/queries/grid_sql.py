"""The heatmap's reference path: report counts per level key in one SQL statement.

Slower than :class:`db.queries.grid_index.HeatIndex` (the wall's read model) but plain to read: the tests and the
benchmark check the index against it. Part of the heatmap (see :mod:`db.queries.grid_levels`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.queries.grid_levels import DISTRICT_BOXES, FACTOR, BBox, boxes_meet, ij_range, window_start
from geo.crs import TZ

_COUNT_CELLS = text(
    """
    SELECT w.cell_id, w.n, g.i, g.j, w.district_code
      FROM (SELECT cell_id, district_code, count(*) AS n FROM "case"
             WHERE created_at >= :since AND created_at <= :until
               AND (CAST(:cat AS text) IS NULL OR category_code = :cat
                    OR category_code IN (SELECT code FROM category WHERE parent_code = :cat))
             GROUP BY cell_id, district_code) w
      LEFT JOIN LATERAL (SELECT i, j FROM grid_cell WHERE id = w.cell_id) g ON true
    """
)


def counts_sql(
    conn: Connection,
    level: str,
    window: str,
    bbox: BBox | None = None,
    now: datetime | None = None,
    category: str | None = None,
) -> dict[str, int]:
    """Report counts per key of ``level`` for ``window`` (keys as in :func:`~db.queries.grid_geometry.geometry`),
    optionally in a viewport and of one 大类 or 小类 (``category``)."""
    at = now or datetime.now(TZ)
    params = {"since": window_start(window, at), "until": at, "cat": category or None}
    rows = conn.execute(_COUNT_CELLS, params).all()
    rng = ij_range(bbox) if bbox else None
    boxes = {r[0]: tuple(map(float, r[1:])) for r in conn.execute(DISTRICT_BOXES)} if bbox else {}
    out: dict[str, int] = {}
    for cell_id, n, i, j, district in rows:
        if level == "district":
            key = (
                district
                if bbox is None or (district in boxes and boxes_meet(boxes[district], bbox))
                else None
            )
        elif cell_id is not None:
            f = FACTOR[level]
            key = str(cell_id) if level == "cell" else f"{i // f}_{j // f}"
            key = key if rng is None or _overlaps(i // f, j // f, f, rng) else None
        else:
            key = None
        if key is not None:
            out[key] = out.get(key, 0) + int(n)
    return out


def _overlaps(si: Any, sj: Any, f: int, rng: tuple[int, int, int, int]) -> Any:
    """Whether square(s) ``(si, sj)`` of ``f`` cells overlap the cell range (numbers or numpy arrays)."""
    return (
        (si * f <= rng[1]) & ((si + 1) * f - 1 >= rng[0]) & (sj * f <= rng[3]) & ((sj + 1) * f - 1 >= rng[2])
    )
