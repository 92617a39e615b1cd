"""Benjamini–Hochberg false-discovery-rate control for the many tests an analysis makes at once (every
weekday × hour cell, every pair of 小类).

Why BH: a 7 × 24 matrix is 168 tests, 75 小类 give up to 2,775 pairs; at p ≤ 0.05 each, a city with no pattern at
all would show 8 "peaks" and 140 "related pairs". BH keeps the expected share of false discoveries among the
reported ones at ``q``; it is valid for independent tests and for positively dependent ones (PRDS), which is what
overlapping counts of one city give. Bonferroni would control the chance of any false discovery and miss most
real patterns.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def bh_qvalues(p: npt.ArrayLike) -> FloatArray:
    """Benjamini–Hochberg adjusted p-values (q-values) of ``p``, any shape; NaN stays NaN and is not counted.

    ``q_i = min_{j: p_j >= p_i} (m p_j / rank_j)``, capped at 1; reject where ``q <= alpha``.

    >>> [round(float(x), 3) for x in bh_qvalues([0.01, 0.04, 0.03, 0.5])]
    [0.04, 0.053, 0.053, 0.5]
    """
    arr = np.asarray(p, dtype=np.float64)
    out = np.full(arr.shape, np.nan)
    flat = arr.ravel()
    ok = np.flatnonzero(~np.isnan(flat))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(flat[ok], kind="stable")]
    scaled = flat[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(scaled[::-1])[::-1]
    res = out.ravel()
    res[order] = np.clip(q, 0.0, 1.0)
    return res.reshape(arr.shape)
