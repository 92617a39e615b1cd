"""What an area × category "usually" has in a time window: a Poisson–gamma (negative-binomial) empirical-Bayes
expectation that respects hour-of-day × weekday seasonality.

The model
---------
Reports of one category in one area arrive as a Poisson process whose rate depends on the hour of the week
(168 slots: 占道经营 peaks in the evenings, 夜间施工 at night, weekends differ). For a window ``[t - h, t)`` (the
last 2 h or 24 h) the count is ``Y ~ Poisson(λ)``, with ``λ`` this area's rate for exactly those hour-of-week slots.

We estimate ``λ`` from two sources and let the data say how to weigh them (empirical Bayes):

1. *the same slots in the previous W weeks* of this area: ``y_1 … y_W``, the counts in ``[t - h - 7k d, t - 7k d)``
   (partial hours at the edges weighted by their overlap). Unbiased but, in a sparse 1 km square, mostly zeros;
2. *a prior* ``λ ~ Gamma(α, α / μ0)`` with mean ``μ0 = area level × category seasonality``: the area's own count
   over the whole baseline period (all hours, so it is well estimated even when sparse) spread over the window
   with the category's city-wide hour-of-week profile. A Jeffreys-like half report keeps ``μ0 > 0`` where an area
   never had a report.

The posterior is ``Gamma(α + S, α / μ0 + W)`` (``S = Σ y_k``) and the next window's count is negative binomial
with ``n = α + S`` and ``p = b / (b + 1)``, ``b = α / μ0 + W``: mean ``(α + S) / b``. It is over-dispersed
relative to a Poisson with a known mean, because ``λ`` is uncertain: a sparse area with a short history cannot
alarm on one or two reports. ``α`` (how much an area's slots follow the category's profile) is estimated per
category by the method of moments across areas: ``Var(S) = Wμ0 + W²μ0²/α``, clamped to ``[ALPHA_MIN, ALPHA_MAX]``.

Why this model and not another: EWMA/CUSUM charts need a tuned reference value and control limit per series and
follow one series sequentially; with ~10⁵ area × category series of mostly zeros they either alarm on every
stray report or need limits so wide they miss bursts, and they have no natural p-value to control the FDR over.
A prospective space-time scan statistic (SaTScan) finds clusters of any shape and size but needs Monte-Carlo
replications of the whole city per cycle (999 × the data), far beyond a 2-second cycle; our fixed, meaningful
areas (the 1 km squares the wall draws and the districts that act) are the scan's windows, with an exact
p-value each and Benjamini–Hochberg instead of the scan's maximum statistic. The negative-binomial expectation
gives each test a calibrated p-value, handles sparse areas by shrinkage, and costs a few vectorised numpy
operations per cycle. Its quality is measured in ``bench/analysis_alerts.py`` (bursts found, false alarms a day
on a replay).

Assumptions: counts are Poisson given the rate (reports are independent; duplicates merged into one case are
still reports and counted); the rate of a slot is stable over the baseline weeks apart from gamma noise (a
trend over weeks is the trend test's job, :mod:`ops.analysis.trend`); the window being tested is not in its own
baseline (the last day is left out of the area level too). Holidays are not modelled: a holiday looks like the
weekday it falls on.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ALPHA_MIN = 0.5
ALPHA_MAX = 50.0
#: Reports added to every area's level so an area without history has a small, positive expectation.
LEVEL_PSEUDO = 0.5
#: Reports added to both sides of the category's seasonal factor (shrinks a rare category's profile to flat).
SEASON_PSEUDO = 1.0


def seasonal_factor(
    slot_total: FloatArray, level_total: FloatArray, window_hours: float, weeks: int, level_hours: float
) -> FloatArray:
    """How much busier the window's hour-of-week slots are than an average hour, for a category city-wide:
    its count in the window's slots over ``weeks`` past weeks against what a flat week would put there."""
    flat = level_total / level_hours * window_hours * weeks
    return np.asarray((slot_total + SEASON_PSEUDO) / (flat + SEASON_PSEUDO), dtype=np.float64)


def prior_mean(level: FloatArray, level_hours: float, window_hours: float, season: FloatArray) -> FloatArray:
    """``μ0``: the area's average hourly rate over the baseline period × window length × seasonal factor."""
    return np.asarray((level + LEVEL_PSEUDO) / level_hours * window_hours * season, dtype=np.float64)


def prior_shape(past_sum: FloatArray, mu0: FloatArray, weeks: int, group: IntArray) -> FloatArray:
    """``α`` per test, estimated per ``group`` (a category at one area level) by the method of moments:
    ``1/α = Σ[(S − Wμ0)² − Wμ0] / Σ(Wμ0)²`` over the group's areas, clamped."""
    if len(group) == 0:
        return np.zeros(0)
    ng = int(group.max()) + 1
    w_mu = weeks * mu0
    num = np.bincount(group, weights=(past_sum - w_mu) ** 2 - w_mu, minlength=ng)
    den = np.bincount(group, weights=w_mu**2, minlength=ng)
    inv = np.divide(num, den, out=np.full(ng, 1.0 / ALPHA_MAX), where=den > 0)
    alpha = 1.0 / np.clip(inv, 1.0 / ALPHA_MAX, 1.0 / ALPHA_MIN)
    return np.asarray(alpha[group], dtype=np.float64)


def predictive(
    past_sum: FloatArray, mu0: FloatArray, alpha: FloatArray, weeks: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The negative-binomial predictive of the window's count: ``(mean, n, p)`` (scipy's ``nbinom(n, p)``)."""
    b = alpha / mu0 + weeks
    n = alpha + past_sum
    p = b / (b + 1.0)
    return n / b, n, p


def upper_p(observed: npt.ArrayLike, n: FloatArray, p: FloatArray) -> FloatArray:
    """``P(Y >= observed)`` under ``nbinom(n, p)``: 1 for an observed count of 0."""
    obs = np.asarray(observed, dtype=np.float64)
    out = stats.nbinom.sf(obs - 1.0, n, p)
    return np.asarray(np.where(obs <= 0, 1.0, np.clip(out, 0.0, 1.0)), dtype=np.float64)
