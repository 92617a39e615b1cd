"""Benjamini–Hochberg false-discovery-rate control, the one implementation every analysis that makes many tests at
once uses (hot-spot units, alert windows, trend series, weekday × hour cells, pairs of 小类).

Why BH: a 7 × 24 matrix is 168 tests, 75 小类 give up to 2,775 pairs, the grid has 250k cells; at p ≤ 0.05 each, a
city with no pattern at all would show thousands of "findings". :func:`bh_qvalues` turns the p-values of one family
of tests into BH-adjusted p-values ("q-values"): rejecting every test with ``q <= alpha`` keeps the expected share
of false discoveries among the rejections at most ``alpha``, for independent tests and for positively dependent
ones (PRDS, Benjamini & Hochberg 1995, Benjamini & Yekutieli 2001), which is what overlapping counts of one city
give. Bonferroni would control the chance of any false discovery and miss most real patterns. It is the same
adjustment as ``statsmodels.stats.multitest.multipletests(method="fdr_bh")`` and
``scipy.stats.false_discovery_control``.
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


def bh_reject(p: npt.ArrayLike, alpha: float) -> npt.NDArray[np.bool_]:
    """Which tests BH rejects at FDR level ``alpha``."""
    q = bh_qvalues(p)
    return np.asarray(np.nan_to_num(q, nan=1.0) <= alpha)


def bh_p_cutoff(p: npt.ArrayLike, alpha: float) -> float:
    """The largest raw p-value BH rejects at ``alpha`` (0.0 when it rejects none): a raw p-value at or below it is
    a discovery of this family."""
    arr = np.asarray(p, dtype=np.float64)
    rejected = bh_reject(arr, alpha)
    return float(arr[rejected].max()) if rejected.any() else 0.0
