"""Exact quantiles by linear interpolation between the closest ranks (PostgreSQL's ``percentile_cont``), from the
two order statistics around each: :func:`quantiles` over all the values, and the pieces the /stats rollup uses to
read only the bins holding those ranks (:func:`positions`, :func:`from_order_statistics`). Both ways end in
:func:`lerp`, so they give the same float to the last bit."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: the quantiles /stats shows: the median and p90
SHOWN = (0.5, 0.9)


def positions(n: int, q: float) -> tuple[int, int, float]:
    """The 0-based ranks ``k`` and ``k + 1`` (capped at the last) around quantile ``q`` of ``n`` sorted values and
    the weight of the upper one."""
    x = (n - 1) * q
    k = math.floor(x)
    return k, min(k + 1, n - 1), x - k


def lerp(a: float, b: float, t: float) -> float:
    """``a`` to ``b`` at ``t``, as numpy's percentile does it (from the nearer end, so ``t = 1`` gives ``b``)."""
    return b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t


def quantiles(values: np.ndarray, qs: Sequence[float] = SHOWN) -> tuple[float, ...] | None:
    """The quantiles ``qs`` of ``values`` (None when there are none)."""
    n = int(values.size)
    if n == 0:
        return None
    spots = [positions(n, q) for q in qs]
    part = np.partition(values, sorted({r for k, k1, _ in spots for r in (k, k1)}))
    return tuple(lerp(float(part[k]), float(part[k1]), t) for k, k1, t in spots)


def from_order_statistics(window: np.ndarray, below: int, k: int, k1: int, t: float) -> float:
    """The quantile from ``window``, the values of the ranks ``below`` … ``below + len(window) - 1`` (in any
    order) holding ranks ``k`` and ``k1``."""
    part = np.partition(window, sorted({k - below, k1 - below}))
    return lerp(float(part[k - below]), float(part[k1 - below]), t)
