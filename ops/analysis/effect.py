"""Did a 专项整治 campaign lower the reports? A difference-in-differences on weekly counts, pure numpy/scipy.

The data
    Weekly counts of the campaign's categories in the treated area (``treated[w]``) and in comparable control areas
    together (``control[w]``), for ``n0`` weeks before the start (the same length as the campaign, at least 4) and
    ``n1`` weeks since the start (complete weeks only), ``post[w]`` telling which.

The model: Poisson difference-in-differences (log-linear, with week fixed effects)
    ``log E[y_gw] = a_g + b_w + d · [g = treated] · post_w``. The week effects ``b_w`` absorb whatever hits the
    whole city in a week (weather, holidays, the app's publicity, a reporting backlog); ``a_g`` the areas' levels.
    ``exp(d)`` is the *ratio of ratios*: how much the treated area's reports changed relative to the controls'.
    With two groups the maximum-likelihood estimate has a closed form: conditional on the week's total
    ``n_w = T_w + C_w`` the treated share is binomial with ``logit p_w = a + d · post_w``, so
    ``exp(d̂) = (ΣT_post / ΣC_post) / (ΣT_pre / ΣC_pre)`` (½ is added to each of the four sums so an area that fell
    to zero still gives a finite estimate).

The interval: quasi-likelihood sandwich, AR(1)-inflated, t reference
    Report counts are overdispersed (a wet week, a street market, one busy inspector) and serially correlated (a
    problem reported this week is often reported again next week), so the Poisson variance ``1/ΣT + 1/ΣC`` is far
    too small. We use the sandwich (robust, quasi-Poisson) variance of the estimating equation above with weeks
    as the units: the influence of week ``w`` on ``log(ΣT_P / ΣC_P)`` is ``e_w = T_w/ΣT_P − C_w/ΣC_P`` and the
    period's variance is ``n/(n−1) · Σ e_w²`` (HC1), which needs no dispersion parameter. For serial correlation
    it is multiplied by the AR(1) long-run factor ``(1+ρ)/(1−ρ)``, ``ρ`` the lag-1 autocorrelation of the
    influences pooled over both periods, bias-corrected for short series and held to [0, 0.8] (a parametric,
    "prewhitened" HAC in the manner of Andrews–Monahan; a Newey–West kernel on 4–8 demeaned weeks missed most of
    the correlation: 85–90 % coverage in our simulations). It never goes below the Poisson variance. The pre and
    post periods add. With few weeks the variance estimate is itself noisy, so the 95 % interval uses Student's
    t with ``n0 + n1 − 2`` degrees of freedom. A block bootstrap over weeks was the alternative; with 4–8 weeks
    per period it has too few distinct resamples and gives intervals that are too short.
    ``tests/ops/analysis/test_effect.py`` holds the coverage near 95 % on simulated overdispersed, autocorrelated
    counts (measured 89–96 % over the settings we tried, 400 simulations each).

Assumptions (say them to the user when they matter)
    Parallel trends: without the campaign, the treated area would have moved like the controls (we choose
    controls whose rate was similar in the weeks *before* the pre-period, :func:`choose_controls` and
    :mod:`ops.analysis.campaign_effect`: matching on the pre-period itself would pick squares that were high by
    chance and fall back after, faking an effect; we cannot test parallel trends with few weeks);
    no spill-over (controls exclude every 1 km square that touches the area); the campaign did not change how
    people report (a publicity drive can *raise* reports while problems fall).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MIN_PRE_WEEKS = 4
MIN_POST_WEEKS = 2
#: Fewer reports than this in the treated area before the start, or in the controls: 数据不足.
MIN_REPORTS = 10
LEVEL = 0.95


@dataclass(frozen=True, slots=True)
class Effect:
    """The campaign's effect. ``status``: ``fell`` / ``rose`` (the interval excludes no change), ``no_change``
    (it includes it), ``insufficient`` (too few weeks or reports: ``reason`` says which)."""

    status: str
    weeks_pre: int
    weeks_post: int
    treated_pre: int
    treated_post: int
    control_pre: int
    control_post: int
    ratio: float | None = None
    ratio_low: float | None = None
    ratio_high: float | None = None
    reason: str | None = None

    @property
    def change_pct(self) -> float | None:
        """The estimated change in per cent (−38.0 = fell 38 %)."""
        return None if self.ratio is None else (self.ratio - 1.0) * 100.0

    @property
    def interval_pct(self) -> tuple[float, float] | None:
        if self.ratio_low is None or self.ratio_high is None:
            return None
        return (self.ratio_low - 1.0) * 100.0, (self.ratio_high - 1.0) * 100.0

    def sentence(self, lang: str = "zh") -> str:
        return effect_sentence(self, lang)


def _influences(t: FloatArray, c: FloatArray) -> tuple[FloatArray, float, float]:
    """Each week's influence on ``log(ΣT / ΣC)`` over one period, and the period's sums (plus ½)."""
    st, sc = float(t.sum()) + 0.5, float(c.sum()) + 0.5
    return t / st - c / sc, st, sc


def _lag1(parts: list[FloatArray]) -> float:
    """The lag-1 autocorrelation of the influences, pooled over the periods, bias-corrected (Marriott–Pope:
    ``ρ̂ + (1 + 3ρ̂) / n``) and held to [0, 0.8]: short series understate it, and a negative one would only
    shorten the interval on noise."""
    num = sum(float(np.dot(e[1:], e[:-1])) for e in parts)
    den = sum(float(np.dot(e, e)) for e in parts)
    n = sum(e.size for e in parts)
    if den <= 0 or n < 3:
        return 0.0
    rho = num / den
    return float(min(max(rho + (1.0 + 3.0 * rho) / n, 0.0), 0.8))


def _period_variance(e: FloatArray, st: float, sc: float, inflate: float) -> float:
    """Variance of ``log(ΣT / ΣC)`` over one period: HC1 sandwich × the AR(1) long-run factor, at least the
    Poisson variance."""
    n = e.size
    hc1 = float(np.dot(e, e)) * n / (n - 1) if n > 1 else math.inf
    return max(hc1 * inflate, 1.0 / st + 1.0 / sc)


def did_effect(
    treated: npt.ArrayLike,
    control: npt.ArrayLike,
    post: npt.ArrayLike,
    *,
    level: float = LEVEL,
    min_pre_weeks: int = MIN_PRE_WEEKS,
    min_post_weeks: int = MIN_POST_WEEKS,
    min_reports: int = MIN_REPORTS,
) -> Effect:
    """The ratio of ratios of ``treated`` vs ``control`` weekly counts, post vs pre, with its ``level`` interval.

    >>> e = did_effect([20, 22, 18, 20, 10, 12, 11, 9], [40, 44, 36, 40, 40, 44, 44, 36], [0] * 4 + [1] * 4)
    >>> e.status, round(e.ratio, 2)
    ('fell', 0.52)
    """
    t = np.asarray(treated, dtype=np.float64)
    c = np.asarray(control, dtype=np.float64)
    p = np.asarray(post, dtype=bool)
    if not t.shape == c.shape == p.shape or t.ndim != 1:
        raise ValueError("treated, control and post must be 1-d arrays of one length")
    if (t < 0).any() or (c < 0).any():
        raise ValueError("counts must be non-negative")
    n0, n1 = int((~p).sum()), int(p.sum())
    sums = (int(t[~p].sum()), int(t[p].sum()), int(c[~p].sum()), int(c[p].sum()))
    base = Effect("insufficient", n0, n1, *sums)
    if n1 < min_post_weeks:
        return replace(base, reason="post_weeks")
    if n0 < min_pre_weeks:
        return replace(base, reason="pre_weeks")
    if sums[0] < min_reports or sums[2] < min_reports or sums[3] < min_reports / 2:
        return replace(base, reason="reports")
    t0, t1, c0, c1 = (x + 0.5 for x in sums)
    theta = math.log(t1 / c1) - math.log(t0 / c0)
    (e0, st0, sc0), (e1, st1, sc1) = _influences(t[~p], c[~p]), _influences(t[p], c[p])
    rho = _lag1([e0, e1])
    inflate = (1.0 + rho) / (1.0 - rho)
    var = _period_variance(e0, st0, sc0, inflate) + _period_variance(e1, st1, sc1, inflate)
    q = float(stats.t.ppf(0.5 + level / 2.0, df=max(n0 + n1 - 2, 1)))
    half = q * math.sqrt(var)
    low, high = math.exp(theta - half), math.exp(theta + half)
    status = "fell" if high < 1.0 else "rose" if low > 1.0 else "no_change"
    return Effect(status, n0, n1, *sums, ratio=math.exp(theta), ratio_low=low, ratio_high=high)


def choose_controls(
    treated_rate: float,
    pre_counts: npt.ArrayLike,
    area_km2: npt.ArrayLike,
    *,
    factor: float = 2.0,
    k_min: int = 5,
    k_max: int = 200,
    min_area_km2: float = 0.25,
) -> IntArray:
    """Indices of the candidate control squares whose rate per km² is like the treated area's.

    ``treated_rate`` and the candidates' counts are over the same matching weeks (reports per km²). A candidate is
    comparable when its rate is within ``factor`` of the treated rate (``|log(r/r_T)| ≤ log factor``); when
    fewer than ``k_min`` are, the ``k_min`` closest on that log scale are taken instead; at most ``k_max``, the
    closest first. Squares smaller than ``min_area_km2`` (slivers at a district's edge) and squares without any
    report are never controls: their rates are too noisy to compare.
    """
    counts = np.asarray(pre_counts, dtype=np.float64)
    area = np.asarray(area_km2, dtype=np.float64)
    ok = (area >= min_area_km2) & (counts > 0)
    if treated_rate <= 0 or not ok.any():
        return np.zeros(0, dtype=np.int64)
    idx = np.flatnonzero(ok)
    dist = np.abs(np.log(counts[idx] / area[idx] / treated_rate))
    order = np.argsort(dist, kind="stable")
    within = int((dist <= math.log(factor)).sum())
    k = min(max(within, k_min), k_max, idx.size)
    return np.sort(idx[order[:k]]).astype(np.int64)


def _pct(x: float) -> str:
    return f"{round(abs(x))}"


def _signed(x: float) -> str:
    return f"{round(x):+d}"


def effect_sentence(e: Effect, lang: str = "zh") -> str:
    """The effect in plain words: "整治后同类上报下降 38%（95% 区间 22%–51%）" and its English twin."""
    en = lang == "en"
    if e.status == "insufficient" or e.ratio is None or e.ratio_low is None or e.ratio_high is None:
        why = {
            "pre_weeks": ("整治开始前的数据不足 4 周", "less than 4 weeks of data before the start"),
            "post_weeks": ("整治开始不足 2 周", "the campaign started less than 2 weeks ago"),
            "reports": ("同类上报太少", "too few reports of these kinds"),
            "controls": ("没有可比较的对照区域", "no comparable control areas"),
        }.get(e.reason or "", ("", ""))
        if en:
            return "Not enough data to judge the effect" + (f" ({why[1]})." if why[1] else ".")
        return "数据不足，无法判断效果" + (f"（{why[0]}）。" if why[0] else "。")
    lo, hi = (e.ratio_low - 1.0) * 100.0, (e.ratio_high - 1.0) * 100.0
    mid = (e.ratio - 1.0) * 100.0
    if e.status == "fell":
        if en:
            return (
                f"Reports of the same kinds fell {_pct(mid)} % after the campaign "
                f"(95 % interval {_pct(hi)}–{_pct(lo)} %)."
            )
        return f"整治后同类上报下降 {_pct(mid)}%（95% 区间 {_pct(hi)}%–{_pct(lo)}%）。"
    if e.status == "rose":
        if en:
            return (
                f"Reports of the same kinds rose {_pct(mid)} % after the campaign "
                f"(95 % interval {_pct(lo)}–{_pct(hi)} %)."
            )
        return f"整治后同类上报上升 {_pct(mid)}%（95% 区间 {_pct(lo)}%–{_pct(hi)}%）。"
    if en:
        return (
            f"No credible change in reports of the same kinds (estimate {_signed(mid)} %, "
            f"95 % interval {_signed(lo)} % to {_signed(hi)} %)."
        )
    return (
        f"整治后同类上报没有可信的变化（估计 {_signed(mid)}%，95% 区间 {_signed(lo)}% 至 {_signed(hi)}%）。"
    )
