"""趋势预警: a significant rise of an area × category's weekly counts over the last N weeks.

The test: the score test of the slope of a log-linear Poisson model ``log E[y_k] = a + b k`` over the weekly counts
``y_0 … y_{N-1}`` (oldest first), for ``b > 0``. Given the total ``S = Σ y_k`` the counts are multinomial with
equal shares under ``b = 0``, so ``T = Σ (k − k̄) y_k`` has mean 0 and variance ``S · mean((k − k̄)²)``;
``z = T / sqrt(φ S mean((k − k̄)²))`` is compared with the normal upper tail. Weekly counts of a city vary more
than a Poisson (weather, events): ``φ``, the Pearson dispersion of the weekly counts around each area's mean,
pooled over the areas of one category and area level (so it is well estimated), floored at 1, widens the test
accordingly (quasi-Poisson). Being conditional on ``S``, the test does not depend on how busy an area is, so
limiting the family to areas with at least a minimum total leaves its p-values valid and saves the FDR
budget for tests that could ever reach significance. Mann–Kendall's S must also be positive (a rank check that
a single extreme week cannot fake alone with the weeks before it falling).

A significant rise must also be large enough to matter: the estimated week-on-week rate ratio at least
``1 + trend_min_weekly_rise`` (default +10 % a week), since on a district's hundreds of weekly reports a rise of
1 % a week is significant and useless.

No echo up the hierarchy (:func:`without_echoes`), as for anomalies: a 小类 rising in one 1 km square lifts its
大类 there, its district and the district's 大类 too. A coarser rising series is kept only if the series left
after taking away the finer rising series inside it still passes the test.

Why not Mann–Kendall alone: on 8 weekly values its smallest one-sided p-value is about 2·10⁻⁴, which can never
survive an FDR correction over thousands of area × category tests; the Poisson score test uses the counts'
size. Assumptions: the weeks are independent given the trend; a rise shared by the whole city is a rise for
each area too (a district-wide 道路积水 season is reported, once, at the district).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from ops.analysis.anomaly import RANK, inside

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def dispersion(weekly: FloatArray, group: IntArray) -> FloatArray:
    """Pearson dispersion per test's ``group``: Σ (y − ȳ)²/ȳ over the group's areas and weeks / Σ (N − 1),
    floored at 1."""
    if len(group) == 0:
        return np.zeros(0)
    n_weeks = weekly.shape[1]
    mean = weekly.mean(axis=1)
    ok = mean > 0
    chi = np.where(ok, ((weekly - mean[:, None]) ** 2).sum(axis=1) / np.where(ok, mean, 1.0), 0.0)
    ng = int(group.max()) + 1
    num = np.bincount(group, weights=chi, minlength=ng)
    den = np.bincount(group, weights=ok * (n_weeks - 1.0), minlength=ng)
    phi = np.divide(num, den, out=np.ones(ng), where=den > 0)
    return np.asarray(np.maximum(phi, 1.0)[group], dtype=np.float64)


def mann_kendall_s(weekly: FloatArray) -> FloatArray:
    """Mann–Kendall's S = Σ_{i<j} sign(y_j − y_i) per row."""
    n = weekly.shape[1]
    i, j = np.triu_indices(n, k=1)
    return np.asarray(np.sign(weekly[:, j] - weekly[:, i]).sum(axis=1), dtype=np.float64)


def slope_test(weekly: FloatArray, phi: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(z, p, weekly_ratio)`` per row: the score statistic, its one-sided p-value (rise) and the estimated
    week-on-week rate ratio ``exp(b)`` (one Newton step from ``b = 0``)."""
    n = weekly.shape[1]
    kc = np.arange(n) - (n - 1) / 2.0
    total = weekly.sum(axis=1)
    t = weekly @ kc
    var0 = total * float(np.mean(kc**2))
    safe = np.where(var0 > 0, var0, 1.0)
    z = np.where(var0 > 0, t / np.sqrt(phi * safe), 0.0)
    p = stats.norm.sf(z)
    ratio = np.exp(np.where(var0 > 0, t / safe, 0.0))
    return z, np.asarray(p, dtype=np.float64), ratio


def _rank(rows: pd.DataFrame) -> list[int]:
    return [RANK[(a, int(c))] for a, c in zip(rows.area_level, rows.cat_level, strict=True)]


def without_echoes(
    found: pd.DataFrame, weeks: list[str], *, cutoff: float, min_count: float, min_ratio: float
) -> pd.DataFrame:
    """The rising series of ``found`` that are not the echo of a finer one.

    ``found``: one row per rising area × category (columns area_level, area_key, district_code, category_code,
    cat_level, parent_code, ``phi`` (its dispersion), ``p`` and the weekly counts in the ``weeks`` columns, oldest
    first). Finer ranks first (a 1 km 小类 before its 大类, a square before its district): a coarser series is kept
    only if, after taking away the kept finer series inside it (of the one finer rank that explains most of its
    rise: the finer series of one rank are disjoint, so nothing is taken away twice), the rest still passes: p at
    or below the pass's Benjamini–Hochberg cut-off ``cutoff``, Mann–Kendall S > 0, the weekly ratio at least
    ``min_ratio`` and the last week at least ``min_count``. The coarser series' own dispersion is kept."""
    if found.empty:
        return found
    ranked = found.assign(rank=_rank(found))
    kc = np.arange(len(weeks)) - (len(weeks) - 1) / 2.0
    kept: list[pd.Series] = []
    for _, row in ranked.sort_values(["rank", "p"]).iterrows():
        y = row[weeks].to_numpy(dtype=np.float64)
        finer: dict[int, FloatArray] = {}
        for f in kept:
            if f["rank"] < row["rank"] and inside(f, row):
                finer[int(f["rank"])] = finer.get(int(f["rank"]), np.zeros_like(y)) + f[weeks].to_numpy(float)
        if finer:
            rest = np.clip(y - max(finer.values(), key=lambda s: float(s @ kc)), 0.0, None)[None, :]
            _, p, ratio = slope_test(rest, np.array([float(row["phi"])]))
            if not (
                p[0] <= cutoff
                and mann_kendall_s(rest)[0] > 0
                and ratio[0] >= min_ratio
                and rest[0, -1] >= min_count
            ):
                continue
        kept.append(row)
    return found.loc[[r.name for r in kept]]
