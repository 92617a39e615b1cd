"""Gi* hot spots: our vectorised statistic against PySAL's ``esda``, a planted cluster, a homogeneous field."""

from __future__ import annotations

import doctest
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from ops.analysis import gistar
from ops.analysis.fdr import bh_qvalues


def _irregular_region(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """About 400 lattice positions: a disc with a hole and a detached islet (edges, corners, isolated units)."""
    ii, jj = np.meshgrid(np.arange(-12, 13), np.arange(-12, 13), indexing="ij")
    r2 = ii**2 + jj**2
    keep = (r2 <= 144) & (r2 > 4) & (rng.random(ii.shape) > 0.08)
    i = np.concatenate([ii[keep].ravel() + 3000, [3030, 3030, 3040]])
    j = np.concatenate([jj[keep].ravel() + 7000, [7030, 7031, 7040]])
    return i.astype(np.int64), j.astype(np.int64)


def _pysal_weights(i: np.ndarray, j: np.ndarray):  # noqa: ANN202 - libpysal.weights.W
    """Queen neighbours by brute force, independently of ``gistar.lattice_weights``."""
    libpysal = pytest.importorskip("libpysal")
    pos = list(zip(i.tolist(), j.tolist(), strict=True))
    neighbours = {
        k: [m for m, (b, d) in enumerate(pos) if m != k and abs(a - b) <= 1 and abs(c - d) <= 1]
        for k, (a, c) in enumerate(pos)
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands
        return libpysal.weights.W(neighbours, silence_warnings=True)


def test_z_scores_equal_esda() -> None:
    esda = pytest.importorskip("esda")
    rng = np.random.default_rng(13)
    i, j = _irregular_region(rng)
    assert 300 <= i.size <= 600
    y = rng.poisson(2.0, i.size).astype(float)
    y[:12] += 9  # some structure, so z spans both tails
    w = _pysal_weights(i, j)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.G_Local(y, w, star=True, transform="B", permutations=0)
    ours = gistar.gi_star(i, j, y)
    assert_allclose(ours.z, ref.Zs, rtol=1e-9, atol=1e-9)
    assert_allclose(ours.p, 2 * ref.p_norm, rtol=1e-9, atol=1e-12)
    assert np.nanmax(np.abs(ours.z)) > 2  # not a trivial comparison


def test_weights_are_the_queen_lattice_with_self() -> None:
    rng = np.random.default_rng(1)
    i, j = _irregular_region(rng)
    w = gistar.lattice_weights(i, j)
    expected = (np.abs(i[:, None] - i[None, :]) <= 1) & (np.abs(j[:, None] - j[None, :]) <= 1)
    assert (w.toarray() == expected).all()
    # the raster's neighbourhood sums are the matrix's
    y = rng.poisson(3.0, i.size).astype(float)
    lattice = gistar.Lattice(i, j)
    assert_allclose(lattice.neighbour_sum(y), w @ y)
    assert_allclose(lattice.weight, expected.sum(axis=1))
    assert_allclose(gistar.gi_star(i, j, y, lattice).z, gistar.gi_star_z(y, w), rtol=1e-12)
    for bad in (gistar.lattice_weights, gistar.Lattice):
        with pytest.raises(ValueError):
            bad([1, 1], [2, 2])


def test_planted_cluster_is_hot_and_homogeneous_field_is_quiet() -> None:
    rng = np.random.default_rng(2026)
    ii, jj = np.meshgrid(np.arange(100), np.arange(100), indexing="ij")
    i, j = ii.ravel(), jj.ravel()
    # a homogeneous Poisson city: nothing at a moderate rate; at a sparse one (most units 0) the normal
    # approximation lets a few units through (the skew the module docstring warns of), still ≤ 0.3 %
    assert np.count_nonzero(gistar.gi_star(i, j, rng.poisson(2.0, i.size)).cls) == 0
    y = rng.poisson(0.5, i.size)
    quiet = gistar.gi_star(i, j, y)
    assert np.count_nonzero(quiet.cls) <= 30  # of 10,000 units, after FDR
    assert np.count_nonzero(quiet.cls < 0) == 0

    planted = (np.abs(i - 40) <= 2) & (np.abs(j - 60) <= 2)
    y2 = rng.poisson(2.0, i.size)
    y2[planted] += rng.poisson(6.0, planted.sum())
    hot = gistar.gi_star(i, j, y2)
    core = (np.abs(i - 40) <= 1) & (np.abs(j - 60) <= 1)
    assert (hot.cls[core] == 3).all()
    assert (hot.cls[planted] >= 1).mean() >= 0.8
    far = (np.abs(i - 40) > 4) | (np.abs(j - 60) > 4)
    # what FDR promises: false discoveries are a small share of the discoveries
    assert np.count_nonzero(hot.cls[far]) <= 0.15 * np.count_nonzero(hot.cls)
    assert hot.z[core].min() > 3


def test_a_cold_hole_in_a_busy_field() -> None:
    rng = np.random.default_rng(5)
    ii, jj = np.meshgrid(np.arange(60), np.arange(60), indexing="ij")
    i, j = ii.ravel(), jj.ravel()
    y = rng.poisson(8.0, i.size)
    hole = (np.abs(i - 30) <= 3) & (np.abs(j - 30) <= 3)
    y[hole] = 0
    res = gistar.gi_star(i, j, y)
    centre = (np.abs(i - 30) <= 2) & (np.abs(j - 30) <= 2)
    assert (res.cls[centre] == -3).all()


def test_constant_and_tiny_fields_have_no_hot_spots() -> None:
    assert (gistar.gi_star([0, 0, 1], [0, 1, 0], [4, 4, 4]).cls == 0).all()
    assert gistar.gi_star([], [], []).z.size == 0
    assert (gistar.gi_star([0], [0], [3]).cls == 0).all()


def test_bh_matches_the_step_up_rule() -> None:
    rng = np.random.default_rng(3)
    p = rng.random(200) ** 3
    q = bh_qvalues(p)
    for alpha in (0.01, 0.05, 0.1):
        order = np.sort(p)
        passing = np.nonzero(order <= alpha * np.arange(1, 201) / 200)[0]
        k = passing.max() + 1 if passing.size else 0
        assert np.count_nonzero(q <= alpha) == k


def test_doctests() -> None:
    assert doctest.testmod(gistar).failed == 0
