"""The campaign effect (difference-in-differences): a known effect falls inside its interval, the interval covers
the truth about 95 % of the time on overdispersed, autocorrelated counts, no effect gives an interval around 0,
too little data says so, and the control squares are the comparable ones."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pytest

from ops.analysis.effect import choose_controls, did_effect, effect_sentence

POST8 = np.r_[np.zeros(8, bool), np.ones(8, bool)]


def _series(
    rng: np.random.Generator,
    ratio: float,
    *,
    n0: int = 8,
    n1: int = 8,
    mt: float = 30.0,
    mc: float = 120.0,
    shape: float = 15.0,
    rho: float = 0.4,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Weekly counts: common city-wide AR(1) shocks, each area's own AR(1) noise and gamma overdispersion
    (negative-binomial counts), the treated area multiplied by ``ratio`` after the start."""
    n = n0 + n1
    post = np.r_[np.zeros(n0, bool), np.ones(n1, bool)]

    def ar1(sd: float) -> npt.NDArray[np.float64]:
        out = np.zeros(n)
        for w in range(n):
            out[w] = (rho * out[w - 1] if w else 0.0) + rng.normal(0.0, sd)
        return out

    common = ar1(0.2)

    def area(mu: float, eff: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        lam = mu * np.exp(common + ar1(0.15)) * eff * rng.gamma(shape, 1.0 / shape, n)
        return rng.poisson(lam).astype(np.int64)

    return area(mt, np.where(post, ratio, 1.0)), area(mc, np.ones(n)), post


def test_known_effect_inside_its_interval_and_said_in_words() -> None:
    rng = np.random.default_rng(3)
    t, c, post = _series(rng, 0.5, shape=200.0, rho=0.0, mt=60, mc=200)
    e = did_effect(t, c, post)
    assert e.ratio_low is not None and e.ratio_high is not None and e.ratio is not None
    assert e.ratio_low <= 0.5 <= e.ratio_high
    assert e.status == "fell"
    pct = round((1 - e.ratio) * 100)
    lo, hi = round((1 - e.ratio_high) * 100), round((1 - e.ratio_low) * 100)
    assert effect_sentence(e, "zh") == f"整治后同类上报下降 {pct}%（95% 区间 {lo}%–{hi}%）。"
    assert e.sentence("en") == (
        f"Reports of the same kinds fell {pct} % after the campaign (95 % interval {lo}–{hi} %)."
    )


def test_exact_ratio_of_ratios() -> None:
    e = did_effect([10] * 4 + [5] * 4, [40] * 8, [0] * 4 + [1] * 4)
    assert e.ratio == pytest.approx((20.5 / 160.5) / (40.5 / 160.5))
    assert (e.treated_pre, e.treated_post, e.control_pre, e.control_post) == (40, 20, 160, 160)


@pytest.mark.parametrize("ratio", [0.62, 1.0])
def test_coverage_near_95_percent(ratio: float) -> None:
    rng = np.random.default_rng(20261206)
    sims, hit = 200, 0
    for _ in range(sims):
        e = did_effect(*_series(rng, ratio))
        assert e.ratio_low is not None and e.ratio_high is not None
        hit += e.ratio_low <= ratio <= e.ratio_high
    assert 0.88 <= hit / sims <= 0.99, hit / sims


def test_short_series_coverage() -> None:
    rng = np.random.default_rng(11)
    sims, hit = 200, 0
    for _ in range(sims):
        e = did_effect(*_series(rng, 0.7, n0=4, n1=3, mt=20, mc=60))
        assert e.ratio_low is not None and e.ratio_high is not None
        hit += e.ratio_low <= 0.7 <= e.ratio_high
    assert 0.88 <= hit / sims <= 0.99, hit / sims


def test_no_effect_interval_contains_zero_change() -> None:
    rng = np.random.default_rng(5)
    t, c, post = _series(rng, 1.0, shape=100.0, rho=0.0)
    e = did_effect(t, c, post)
    assert e.status == "no_change"
    interval = e.interval_pct
    assert interval is not None and interval[0] < 0 < interval[1]
    assert e.sentence("zh").startswith("整治后同类上报没有可信的变化")
    assert e.sentence("en").startswith("No credible change")


def test_a_large_rise_is_a_rise() -> None:
    e = did_effect([10, 11, 9, 10, 30, 31, 29, 30], [50] * 8, [0] * 4 + [1] * 4)
    assert e.status == "rose" and e.ratio_low is not None and e.ratio_low > 1
    assert "上升" in e.sentence("zh") and "rose" in e.sentence("en")


@pytest.mark.parametrize(
    ("t", "c", "post", "reason"),
    [
        ([20, 20, 20, 10, 10], [40] * 5, [0, 0, 0, 1, 1], "pre_weeks"),
        ([20] * 5, [40] * 5, [0, 0, 0, 0, 1], "post_weeks"),
        ([1, 2, 1, 2, 0, 1], [40] * 6, [0, 0, 0, 0, 1, 1], "reports"),
        ([20] * 6, [1, 2, 1, 2, 0, 1], [0, 0, 0, 0, 1, 1], "reports"),
    ],
)
def test_too_little_data(t: list[int], c: list[int], post: list[int], reason: str) -> None:
    e = did_effect(t, c, post)
    assert (e.status, e.reason, e.ratio) == ("insufficient", reason, None)
    assert e.sentence("zh").startswith("数据不足")
    assert e.sentence("en").startswith("Not enough data")


def test_a_campaign_that_emptied_its_area_is_finite() -> None:
    e = did_effect([20] * 4 + [0] * 4, [40] * 8, [0] * 4 + [1] * 4)
    assert e.status == "fell" and e.ratio is not None and 0 < e.ratio < 0.05


def test_bad_input_refused() -> None:
    with pytest.raises(ValueError):
        did_effect([1, 2], [1, 2, 3], [0, 1])
    with pytest.raises(ValueError):
        did_effect([-1] * 6, [1] * 6, [0] * 4 + [1] * 2)


def test_controls_are_the_squares_with_a_similar_rate() -> None:
    # treated: 10 reports per km² over the pre-period; candidates' rates 1, 6, 9, 12, 19, 30, 10 (a sliver), 0
    counts = np.array([1, 6, 9, 12, 19, 30, 1, 0], dtype=float)
    area = np.array([1, 1, 1, 1, 1, 1, 0.1, 1], dtype=float)
    assert choose_controls(10.0, counts, area, k_min=2).tolist() == [1, 2, 3, 4]
    # too few within the factor: the k_min closest on the log scale instead, never the sliver or the empty square
    assert choose_controls(10.0, counts, area, factor=1.1, k_min=3).tolist() == [1, 2, 3]
    assert choose_controls(10.0, counts, area, k_max=2).tolist() == [2, 3]
    assert choose_controls(0.0, counts, area).size == 0


def test_controls_chosen_on_earlier_weeks_do_not_fake_an_effect() -> None:
    """No campaign effect at all, a treated area busier than most squares: controls chosen on the pre-period
    itself would be the squares that happened to be high then, fall back afterwards and fake a rise; chosen on
    the weeks before, they do not: the log ratio centres on 0 (chosen on the pre-period it came out at +0.14)."""
    from types import SimpleNamespace

    from ops.analysis.campaign_effect import Grid, _assemble

    rng = np.random.default_rng(8)
    n_match = n_pre = n_post = 4
    n_all = n_match + n_pre + n_post
    squares = 300
    grid = Grid(
        squares=np.array([(0, 0)] + [(1 + s // 20, s % 20) for s in range(squares)], dtype=np.int64),
        cells=np.full(squares + 1, 100, dtype=np.int64),
        tainted=np.array([True] + [False] * squares),
        inside_cells=np.array([100] + [0] * squares, dtype=np.int64),
    )
    logs, rejected = [], 0
    for _ in range(60):
        # squares differ widely; the treated area (8 a week) is among the busy ones
        rates = rng.gamma(0.5, 2.0, squares)
        rows = []
        for w in range(n_all):
            t = int(rng.poisson(8.0))
            rows.append(SimpleNamespace(si=0, sj=0, w=w, n=t, n_in=t))
            for s, c in enumerate(rng.poisson(rates)):
                if c:
                    rows.append(SimpleNamespace(si=1 + s // 20, sj=s % 20, w=w, n=int(c), n_in=0))
        week_starts = [date(2026, 1, 5) + timedelta(weeks=i) for i in range(n_pre + n_post)]
        out = _assemble(grid, rows, n_match, n_pre, n_post, week_starts, "districts")
        assert out.n_controls >= 5 and out.effect.ratio is not None
        logs.append(np.log(out.effect.ratio))
        rejected += out.effect.status != "no_change"
    assert abs(float(np.mean(logs))) < 0.1, np.mean(logs)
    assert rejected <= 8, rejected
