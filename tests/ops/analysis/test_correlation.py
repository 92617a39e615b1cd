"""Correlated complaint types: a planted construction trio (夜间施工 → 施工扰民 E0301, 渣土撒漏 E0302, 道路破损 C0201)
in one square over the same days is found with lift > 1 and significant, with that square as its example place;
independent categories are not; the permutation's mean is the exact Knox expectation; the database path respects
scope and the category filter."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Connection

from geo.crs import TZ
from ops.analysis import correlation as co
from ops.analysis import correlation_snapshot as snapshot
from ops.analysis.filters import Filters
from ops.analysis.scope import AnalysisScope
from tests.support.an_corr import EAST, NORTH, SOUTH, WEST, insert_reports

NOW = datetime(2026, 3, 31, 0, 0, tzinfo=TZ)
TRIO = {"E0301", "E0302", "C0201"}


def _city(rng: np.random.Generator, k: int = 12, s: int = 150, d: int = 30, n: int = 6000) -> co.Reports:
    weights = rng.dirichlet(np.ones(s) * 0.5)  # busy and quiet squares: shared by every category
    cat = rng.integers(0, k, n)
    sq = rng.choice(s, n, p=weights)
    day = rng.integers(0, d, n)
    return co.Reports(
        cat, sq, day, [f"K{i:02d}" for i in range(k)], [(i, 0) for i in range(s)], ["520103"] * s, d
    )


def _plant(
    r: co.Reports, cats: list[int], square: int, days: range, each: int, rng: np.random.Generator
) -> co.Reports:
    m = len(cats) * each
    return co.Reports(
        np.r_[r.cat, np.repeat(cats, each)],
        np.r_[r.sq, np.full(m, square)],
        np.r_[r.day, rng.integers(days.start, days.stop, m)],
        r.codes,
        r.squares,
        r.square_district,
        r.days,
    )


def test_planted_trio_is_found_and_placed() -> None:
    rng = np.random.default_rng(2)
    base = _city(rng)
    quiet = int(np.argmin(np.bincount(base.sq, minlength=150)))  # a site at the edge of town
    city = _plant(base, [0, 1, 2], quiet, range(12, 16), 16, rng)
    pairs = co.analyse(city, permutations=99)
    hits = co.significant(pairs)
    assert {(p.category_a, p.category_b) for p in hits} == {("K00", "K01"), ("K00", "K02"), ("K01", "K02")}
    for p in hits:
        assert p.lift > 1.1 and p.q_value <= 0.05 and p.p_mc <= 0.02
        here = p.places[0]
        assert here.area_key == f"1km:{quiet}:0" and here.district_code == "520103"
        assert (
            here.pairs >= 200 and here.pairs > 3 * here.expected
        )  # the site itself: far above its expectation
    assert len(pairs) == 66  # every pair of twelve categories was tested


def test_independent_categories_are_not_related() -> None:
    rng = np.random.default_rng(4)
    for _ in range(3):
        pairs = co.analyse(_city(rng), permutations=99)
        assert len(pairs) == 66 and not co.significant(pairs)
        lifts = np.array([p.lift for p in pairs])
        assert abs(float(np.median(lifts)) - 1) < 0.05


def test_co_located_all_period_is_not_space_time_interaction() -> None:
    """Two categories sharing the same squares at steady rates all period: lift about 1 (spatial, not
    space-time)."""
    rng = np.random.default_rng(8)
    city = _plant(_city(rng), [3, 4], 40, range(0, 30), 40, rng)
    pair = next(
        p for p in co.analyse(city, permutations=99) if (p.category_a, p.category_b) == ("K03", "K04")
    )
    assert 0.8 < pair.lift < 1.25 and pair.q_value > 0.05


def test_permutation_mean_is_the_knox_expectation() -> None:
    rng = np.random.default_rng(9)
    r = _city(rng, k=5, s=30, d=20, n=800)
    kx = co.knox_expected(r.cat, r.sq, r.day, 5, 30, 20, 3)
    mean, var, _ = co.monte_carlo(r.cat, r.sq, r.day, 5, 30, 20, 3, kx.observed, 400, rng)
    off = ~np.eye(5, dtype=bool)
    se = np.sqrt(var / 400)
    assert np.all(np.abs(mean - kx.e_col)[off] < 4 * se[off] + 1e-9)
    assert np.allclose(kx.expected, np.maximum(kx.e_col, kx.e_col.T))
    # the permutation keeps each category's dates
    order = np.argsort(r.cat, kind="stable")
    cat, day = r.cat[order], r.day[order]
    perm = co.permute_within(cat, day, rng)
    for k in range(5):
        assert sorted(perm[cat == k]) == sorted(day[cat == k])


def test_one_category_clustered_alone_does_not_make_a_pair() -> None:
    """A burst of one category at a site, and a few unrelated reports of another there: not a related pair
    (the test keeps each category's own clustering when it moves the other's dates)."""
    rng = np.random.default_rng(12)
    base = _city(rng)
    quiet = int(np.argmin(np.bincount(base.sq, minlength=150)))
    city = _plant(base, [5], quiet, range(8, 12), 30, rng)
    city = _plant(city, [6], quiet, range(0, 30), 3, rng)
    pairs = co.analyse(city, permutations=99)
    assert not [p for p in co.significant(pairs) if {p.category_a, p.category_b} == {"K05", "K06"}]


def test_observed_counts_match_a_direct_count() -> None:
    rng = np.random.default_rng(1)
    r = _city(rng, k=4, s=10, d=10, n=300)
    kx = co.knox_expected(r.cat, r.sq, r.day, 4, 10, 10, 2)
    a, b = r.cat == 1, r.cat == 3
    direct = sum(
        int(np.sum((r.sq[b] == r.sq[i]) & (np.abs(r.day[b] - r.day[i]) <= 2))) for i in np.flatnonzero(a)
    )
    assert kx.observed[1, 3] == direct == kx.observed[3, 1]


def _trio_city(conn: Connection) -> None:
    rng = np.random.default_rng(3)
    rows = []
    background = ("C0101", "C0102", "E0102", "E0501", "E0301", "E0302", "C0201")
    for n in range(2100):
        t = NOW - timedelta(days=float(rng.uniform(0.01, 29.9)))
        rows.append((background[n % 7], rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH), t))
    site = (106.7135, 26.5838)  # a construction site in 云岩区
    for code in sorted(TRIO):
        for n in range(14):
            t = NOW - timedelta(days=20 - n % 4, hours=int(rng.integers(0, 20)))
            rows.append((code, site[0] + rng.uniform(-3e-4, 3e-4), site[1] + rng.uniform(-3e-4, 3e-4), t))
    insert_reports(conn, rows)


@pytest.mark.db
def test_database_correlations(conn: Connection) -> None:
    _trio_city(conn)
    site = (106.7135, 26.5838)
    pairs = co.correlations(conn, AnalysisScope.city(), Filters(days=30), NOW, permutations=99)
    hits = co.significant(pairs)
    assert {frozenset((p.category_a, p.category_b)) for p in hits} == {
        frozenset(x) for x in (("E0301", "E0302"), ("C0201", "E0301"), ("C0201", "E0302"))
    }
    place = hits[0].places[0]
    assert place.district_code == "520103" and place.area_key.startswith("1km:")
    assert abs(place.lon - site[0]) < 0.01 and abs(place.lat - site[1]) < 0.01
    # the category filter keeps only pairs touching it; another district's officer reads nothing of it
    only = co.correlations(conn, AnalysisScope.city(), Filters(days=30, category="C02"), NOW, permutations=49)
    assert only and all("C0201" in (p.category_a, p.category_b) for p in only)
    assert co.correlations(conn, AnalysisScope(district="520113"), Filters(days=30), NOW) == []


@pytest.mark.db
def test_the_cycle_keeps_the_city_wide_view_for_the_page(conn: Connection) -> None:
    _trio_city(conn)
    assert snapshot.read(conn, NOW) is None  # nothing computed yet: the page computes live
    assert snapshot.refresh_step(conn, NOW) == 3  # the trio's three pairs
    stored = snapshot.read(conn, NOW + timedelta(minutes=1))
    live = co.correlations(conn, AnalysisScope.city(), Filters(), NOW)
    assert stored is not None and stored.computed_at == NOW
    assert stored.tested == len(live) and stored.pairs == co.significant(
        live
    )  # the same pairs, places and all
    # between refreshes the step does nothing; after REFRESH it computes again; a stale result is not shown
    assert snapshot.refresh_step(conn, NOW + snapshot.REFRESH - timedelta(seconds=1)) == 0
    assert snapshot.read(conn, NOW + snapshot.STALE + timedelta(seconds=1)) is None
    assert snapshot.refresh_step(conn, NOW + snapshot.REFRESH) == 3
    # only the city-wide default view is kept: a district, a category or another window is computed live
    city = AnalysisScope.city()
    assert snapshot.covers(city, Filters(), co.WINDOW_DAYS)
    assert not snapshot.covers(AnalysisScope(district="520103"), Filters(), co.WINDOW_DAYS)
    assert not snapshot.covers(city, Filters(category="C02"), co.WINDOW_DAYS)
    assert not snapshot.covers(city, Filters(), co.WINDOW_DAYS + 1)
