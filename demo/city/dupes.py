"""The duplicate suggestions of every report, as ``report`` computes them at the moment of reporting.

For a report at ``t``: the open cases (reported at or before ``t``, not closed by ``t``) of the same 小类 whose
point lies within the 小类's ``duplicate_radius_m`` on the WGS-84 spheroid, reported in the week before,
nearest first (then by id), at most five. Candidates come from a tile join in metres (tiles as large as the
largest radius, so the 3 × 3 neighbourhood holds every candidate); the distance is the geodesic one
(GeographicLib, as PostGIS computes ``geography`` distances), in the same order PostGIS sorts them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from pyproj import Geod

from demo.city.workclock import US
from geo.crs import METRIC_SRID, STORAGE_SRID, get_transformer
from ops.workflow.base import DUPLICATE_WINDOW, MAX_DUPLICATES

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]
_GEOD = Geod(ellps="WGS84")
WINDOW_US = int(DUPLICATE_WINDOW.total_seconds()) * US
_IDX_BITS = 23
#: Most rows one pass takes (row indices are packed into the low bits of the sort key).
MAX_ROWS_ONE_PASS = (1 << _IDX_BITS) - 1
#: Rows whose suggestions one pass computes: a pass also reads the week before its first row, so its memory
#: (about 1 KB a row at the peak) is bounded by this and the busiest week, not by the size of the city.
CHUNK_ROWS = 1 << 21


def find_duplicates(
    lon: F8,
    lat: F8,
    category: I8,
    created: I8,
    closed: I8,
    radius: F8,
    *,
    chunk: int = CHUNK_ROWS,
    on_chunk: Callable[[int, int], None] | None = None,
) -> tuple[I8, I8]:
    """``(dups, count)``: per case (rows in id order, ``created`` strictly increasing), the row indices of up to
    five suggested duplicates in order (``-1`` padding) and how many there are. ``closed`` is -1 for open
    cases; ``radius`` per case (its 小类's).

    Works through the rows ``chunk`` at a time: the candidates of a report lie in the week before it, so the
    pass over rows ``[lo, hi)`` reads rows ``[first inside the week before lo, hi)`` and gives exactly what one
    pass over every row would (``on_chunk(done, total)`` follows the chunks). ``ValueError`` when one week alone holds more rows than a pass can take."""
    n = len(lon)
    out = np.full((n, MAX_DUPLICATES), -1, dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    step = max(int(chunk), 1)
    for lo in range(0, n, step):
        hi = min(lo + step, n)
        start = int(np.searchsorted(created, created[lo] - WINDOW_US, side="left"))
        if hi - start > MAX_ROWS_ONE_PASS:
            raise ValueError("too many reports within one week for a duplicate pass")
        part = slice(start, hi)
        d, k = _one_pass(lon[part], lat[part], category[part], created[part], closed[part], radius[part])
        mine = slice(lo - start, hi - start)
        out[lo:hi] = np.where(d[mine] >= 0, d[mine] + start, -1)
        count[lo:hi] = k[mine]
        if on_chunk is not None:
            on_chunk(hi, n)
    return out, count


def _one_pass(lon: F8, lat: F8, category: I8, created: I8, closed: I8, radius: F8) -> tuple[I8, I8]:
    """:func:`find_duplicates` over every row at once (row indices relative to these rows)."""
    n = len(lon)
    out = np.full((n, MAX_DUPLICATES), -1, dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    if n < 2:
        return out, count
    if n > MAX_ROWS_ONE_PASS:
        raise ValueError("too many rows for one duplicate pass")
    x, y = get_transformer(STORAGE_SRID, METRIC_SRID).transform(lon, lat)
    tile = float(radius.max()) * 1.01 + 1.0
    tx = np.floor(np.asarray(x) / tile).astype(np.int64)
    ty = np.floor(np.asarray(y) / tile).astype(np.int64)
    tx -= tx.min() - 1
    ty -= ty.min() - 1
    if tx.max() >= (1 << 14) - 1 or ty.max() >= (1 << 14) - 1 or category.max() >= 1 << 10:
        raise ValueError("area too large for the duplicate tiles")
    key = (category << 28) | (tx << 14) | ty
    # one stable sort by tile serves every search: shifting all keys by a neighbour offset keeps their order,
    # and within a tile the rows (and their window starts) are in id order
    order = np.argsort(key, kind="stable")
    comp = (key[order] << _IDX_BITS) | order
    first = np.searchsorted(created, created - WINDOW_US, side="left")[order]  # first row inside the window
    me = order.astype(np.int64)
    pairs_c: list[I8] = []
    pairs_d: list[I8] = []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            k2 = (key[order] + (dx << 14) + dy) << _IDX_BITS
            lo = np.searchsorted(comp, k2 | first, side="left")
            hi = np.searchsorted(comp, k2 | me, side="left")
            cnt = np.maximum(hi - lo, 0)
            total = int(cnt.sum())
            if not total:
                continue
            c = np.repeat(me, cnt)
            start = np.repeat(lo - np.concatenate(([0], np.cumsum(cnt)[:-1])), cnt)
            pos = start + np.arange(total)
            pairs_c.append(c)
            pairs_d.append(comp[pos] & ((1 << _IDX_BITS) - 1))
    if not pairs_c:
        return out, count
    c = np.concatenate(pairs_c)
    d = np.concatenate(pairs_d)
    is_open = (closed[d] < 0) | (closed[d] > created[c])
    c, d = c[is_open], d[is_open]
    # metres in the projection first (cheap, generous), then the geodesic distance for what is left
    near = (
        np.hypot(np.asarray(x)[c] - np.asarray(x)[d], np.asarray(y)[c] - np.asarray(y)[d])
        <= radius[c] * 1.01 + 0.5
    )
    c, d = c[near], d[near]
    _, _, dist = _GEOD.inv(lon[c], lat[c], lon[d], lat[d])
    dist = np.asarray(dist)
    inside = dist <= radius[c]
    c, d, dist = c[inside], d[inside], dist[inside]
    order = np.lexsort((d, dist, c))
    c, d = c[order], d[order]
    starts = np.searchsorted(c, np.arange(n), side="left")
    rank = np.arange(len(c)) - starts[c]
    keep = rank < MAX_DUPLICATES
    out[c[keep], rank[keep]] = d[keep]
    count = np.minimum(np.bincount(c, minlength=n), MAX_DUPLICATES).astype(np.int64)
    return out, count
