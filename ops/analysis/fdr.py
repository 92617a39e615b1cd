"""Benjamini–Hochberg false-discovery-rate control, shared by every analysis that makes many tests at once.

:func:`bh_qvalues` turns the p-values of one family of tests into BH-adjusted p-values ("q-values"): rejecting
every test with ``q <= alpha`` keeps the expected share of false discoveries among the rejections at most
``alpha`` (for independent or positively dependent tests, Benjamini & Hochberg 1995, Benjamini & Yekutieli 2001).
It is the same adjustment as ``statsmodels.stats.multitest.multipletests(method="fdr_bh")``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def bh_qvalues(p: npt.ArrayLike) -> FloatArray:
    """BH-adjusted p-values, in the order of ``p`` (NaN stays NaN and does not count as a test).

    ``q_(i) = min_{k >= i} p_(k) * m / k`` over the sorted p-values, capped at 1.
    """
    arr = np.asarray(p, dtype=np.float64)
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnan(arr)
    m = int(ok.sum())
    if m == 0:
        return out
    vals = arr[ok]
    order = np.argsort(vals, kind="mergesort")
    ranked = vals[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1.0)
    out[ok] = q
    return out


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
