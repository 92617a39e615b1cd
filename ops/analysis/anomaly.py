"""异常预警: which area × category × window counts are improbable under their expectation.

Pure functions over a pandas frame of tests, one row per (area level, area, category, window) of a cycle, with
``observed`` and the negative-binomial predictive of :mod:`ops.analysis.expectation` (``expected``, ``nb_n``,
``nb_p``). The decision, in order:

1. ``p = P(Y >= observed)`` under the predictive; ``q`` = Benjamini–Hochberg over *every* test of the cycle (all
   areas, both area levels, 大类 and 小类, both windows: :func:`ops.analysis.fdr.bh_qvalues`);
2. a discovery needs ``q <= fdr`` and ``observed >= min_count`` (a handful of reports is never worth a shift
   lead's attention, however unusual);
3. one candidate per area × category: the window with the smallest p (the shorter on a tie);
4. no echo up the hierarchy: a 1 km square's burst of one 小类 also lifts its 大类, its district and the
   district's 大类. A coarser candidate (1 km 大类, district 小类, district 大类) is kept only if what is left after
   taking away the excess (observed − expected) of the finer alerts inside it (raised now or still live) is
   itself a discovery (p at or below the cycle's BH cut-off, and at least ``min_count``). The finer alerts of one
   rank are disjoint; the rank that explains most is used, so an excess is never taken away twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ops.analysis.expectation import upper_p
from ops.analysis.fdr import bh_p_cutoff, bh_qvalues

#: Specificity of an (area level, category level) pair: finer first.
RANK = {("1km", 2): 0, ("1km", 1): 1, ("district", 2): 2, ("district", 1): 3}


@dataclass(frozen=True, slots=True)
class Thresholds:
    fdr: float
    min_count: int


def add_p_q(tests: pd.DataFrame) -> pd.DataFrame:
    """``tests`` with ``p`` and ``q`` columns (needs ``observed``, ``nb_n``, ``nb_p``)."""
    out = tests.copy()
    out["p"] = upper_p(out["observed"].to_numpy(), out["nb_n"].to_numpy(), out["nb_p"].to_numpy())
    out["q"] = bh_qvalues(out["p"].to_numpy())
    return out


def inside(fine: pd.Series, coarse: pd.Series) -> bool:
    """Is ``fine``'s area × category part of ``coarse``'s?"""
    same_cat = fine.category_code == coarse.category_code or fine.parent_code == coarse.category_code
    if not same_cat:
        return False
    if fine.area_level == coarse.area_level:
        return bool(fine.area_key == coarse.area_key)
    return bool(
        coarse.area_level == "district" and fine.area_level == "1km" and fine.district_code == coarse.area_key
    )


def select(tests: pd.DataFrame, th: Thresholds, live: pd.DataFrame | None = None) -> pd.DataFrame:
    """The anomalies to raise from ``tests`` (with ``p``, ``q``; see :func:`add_p_q`).

    ``tests`` columns: area_level, area_key, district_code, category_code, cat_level (1 大类, 2 小类),
    parent_code, window_hours, observed, expected, nb_n, nb_p, p, q. ``live``: alerts still live (same columns
    area_level, area_key, district_code, category_code, cat_level, parent_code, observed, expected) that explain
    coarser excess like the ones raised now.
    """
    cutoff = bh_p_cutoff(tests["p"].to_numpy(), th.fdr) if len(tests) else 0.0
    cand = tests[(tests["q"] <= th.fdr) & (tests["observed"] >= th.min_count)]
    if cand.empty:
        return cand
    cand = cand.sort_values(["p", "window_hours"]).drop_duplicates(
        ["area_level", "area_key", "category_code"]
    )
    cand = cand.assign(rank=[RANK[(a, int(c))] for a, c in zip(cand.area_level, cand.cat_level, strict=True)])
    finer: list[pd.Series] = []
    if live is not None and not live.empty:
        lv = live.assign(
            rank=[RANK[(a, int(c))] for a, c in zip(live.area_level, live.cat_level, strict=True)]
        )
        finer = [row for _, row in lv.iterrows()]
    kept = []
    for idx, row in cand.sort_values(["rank", "p"]).iterrows():
        explained = np.zeros(4)
        for f in finer:
            if f["rank"] < row["rank"] and inside(f, row):
                explained[int(f["rank"])] += max(float(f.observed) - float(f.expected), 0.0)
        if explained.any():
            residual = int(round(float(row.observed) - float(explained.max())))
            if residual < th.min_count:
                continue
            p_res = float(upper_p(np.array([residual]), np.array([row.nb_n]), np.array([row.nb_p]))[0])
            if p_res > cutoff:
                continue
        kept.append(idx)
        finer.append(row)
    return cand.loc[kept].drop(columns="rank")
