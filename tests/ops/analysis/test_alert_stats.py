"""The alert engine's statistics on known answers: BH q-values, the negative-binomial expectation, the trend test."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ops.analysis import expectation, trend
from ops.analysis.fdr import bh_p_cutoff, bh_qvalues, bh_reject


def test_bh_qvalues_by_hand() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan, 0.5])
    # sorted 0.005, 0.01, 0.03, 0.04, 0.5 (m = 5): 0.025, 0.025, 0.05, 0.05, 0.5 after the running minimum
    q = bh_qvalues(p)
    assert np.allclose(q[[3, 0, 2, 1, 5]], [0.025, 0.025, 0.05, 0.05, 0.5])
    assert np.isnan(q[4])
    assert bh_reject(p, 0.03).tolist() == [True, False, False, True, False, False]
    assert bh_p_cutoff(p, 0.05) == 0.04
    assert bh_p_cutoff(p, 0.001) == 0.0


def test_bh_controls_fdr_under_the_null() -> None:
    rng = np.random.default_rng(3)
    rejections = [bh_reject(rng.uniform(size=2000), 0.05).any() for _ in range(200)]
    assert np.mean(rejections) <= 0.1  # all null: P(any rejection) = FWER <= alpha


def test_nb_predictive_is_the_gamma_poisson_mixture() -> None:
    past = np.array([3.0])
    mu0 = np.array([0.5])
    alpha = np.array([2.0])
    mean, n, p = expectation.predictive(past, mu0, alpha, weeks=8)
    # posterior Gamma(alpha + S, alpha/mu0 + W) = Gamma(5, 12): mean 5/12
    assert np.isclose(mean[0], 5 / 12)
    draws = stats.poisson.rvs(stats.gamma.rvs(5, scale=1 / 12, size=200_000, random_state=1), random_state=2)
    assert abs(float(expectation.upper_p(np.array([2]), n, p)[0]) - np.mean(draws >= 2)) < 0.005
    assert expectation.upper_p(np.array([0]), n, p)[0] == 1.0


def test_prior_shape_finds_little_extra_variation_in_poisson_data() -> None:
    rng = np.random.default_rng(5)
    mu0 = rng.uniform(0.5, 3.0, 5000)
    past = rng.poisson(8 * mu0).astype(float)
    alpha = expectation.prior_shape(past, mu0, 8, np.zeros(5000, dtype=np.int64))
    assert alpha[0] >= 20  # Poisson data: the prior is trusted (alpha large)
    lam = mu0 * rng.gamma(1.0, 1.0, 5000)  # alpha = 1
    alpha1 = expectation.prior_shape(
        rng.poisson(8 * lam).astype(float), mu0, 8, np.zeros(5000, dtype=np.int64)
    )
    assert 0.7 < alpha1[0] < 1.4


def test_trend_score_test_null_and_rise() -> None:
    rng = np.random.default_rng(7)
    flat = rng.poisson(10.0, size=(4000, 8)).astype(float)
    group = np.zeros(4000, dtype=np.int64)
    phi = trend.dispersion(flat, group)
    assert np.allclose(phi, 1.0, atol=0.1)
    _, p, _ = trend.slope_test(flat, phi)
    assert 0.03 < np.mean(p < 0.05) < 0.07  # calibrated under the null
    rising = np.array([[3, 5, 8, 12, 17, 23, 30, 40]], dtype=float)
    z, p1, ratio = trend.slope_test(rising, np.ones(1))
    assert p1[0] < 1e-10 and 1.3 < ratio[0] < 1.6
    assert trend.mann_kendall_s(rising)[0] == 28


def _series(
    level: str, key: str, district: str, cat: str, cat_level: int, parent: str, y: list[float]
) -> dict[str, object]:
    weeks = np.array([y], dtype=float)
    _, p, _ = trend.slope_test(weeks, np.ones(1))
    row = {"area_level": level, "area_key": key, "district_code": district, "category_code": cat}
    return {**row, "cat_level": cat_level, "parent_code": parent, "phi": 1.0, "p": float(p[0])} | {
        f"w{k}": v for k, v in enumerate(y)
    }


def test_a_trend_is_not_echoed_up_the_hierarchy() -> None:
    import pandas as pd

    weeks = [f"w{k}" for k in range(8)]
    square = [3, 5, 8, 12, 17, 23, 30, 40]  # 道路积水 rising in one 1 km square of 云岩区
    flat = [60, 58, 61, 59, 60, 62, 58, 60]  # the rest of the district, steady
    elsewhere = [20, 24, 29, 35, 42, 50, 60, 72]  # a rise spread over 南明区, no square significant alone
    rows = [
        _series("1km", "1km:1:1", "520103", "E0404", 2, "E04", square),
        _series("1km", "1km:1:1", "520103", "E04", 1, "", square),
        _series(
            "district",
            "520103",
            "520103",
            "E0404",
            2,
            "E04",
            [a + b for a, b in zip(square, flat, strict=True)],
        ),
        _series(
            "district", "520103", "520103", "E04", 1, "", [a + b for a, b in zip(square, flat, strict=True)]
        ),
        _series("district", "520102", "520102", "E0404", 2, "E04", elsewhere),
    ]
    found = pd.DataFrame(rows)
    assert (found["p"] < 1e-3).all()  # each rises significantly on its own
    kept = trend.without_echoes(found, weeks, cutoff=1e-3, min_count=5, min_ratio=1.1)
    # the square's 小类 stays; its 大类 there and its district are its echo; 南明区's own rise stays
    assert sorted(zip(kept.area_key, kept.category_code, strict=True)) == [
        ("1km:1:1", "E0404"),
        ("520102", "E0404"),
    ]
    # a district rising beyond its square's rise is kept for what is left
    both = [a + b for a, b in zip(square, elsewhere, strict=True)]
    found.loc[2, weeks] = both
    kept = trend.without_echoes(found, weeks, cutoff=1e-3, min_count=5, min_ratio=1.1)
    assert ("520103", "E0404") in set(zip(kept.area_key, kept.category_code, strict=True))
