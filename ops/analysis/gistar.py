"""Getis-Ord Gi* hot spots over the unit grid's square lattice, vectorised (numpy; the weights as a scipy.sparse
matrix for checks, a shifted raster for speed).

**Method.** Each unit ``k`` of a study region (a 100 m cell, a 500 m or 1 km square, by its integer lattice
position ``(i, j)``) has a count ``x_k``. Its neighbourhood is the unit itself plus its 8 queen neighbours on the
``(i, j)`` lattice that belong to the study region, with binary weights ``w_kl = 1``. The Gi* statistic (Getis and
Ord 1992; Ord and Getis 1995) compares the neighbourhood's sum with what the region's mean predicts::

    z_k = (Σ_l w_kl x_l − x̄ W_k) / (s · sqrt((n W_k − W_k²) / (n − 1)))

with ``W_k = Σ_l w_kl`` (= Σ w², weights being binary), ``n`` the number of units, ``x̄`` and ``s`` the mean and the
(population) standard deviation of the counts over the whole study region. This is ArcGIS's "Hot Spot Analysis"
z-score and equals ``esda.G_Local(y, w, star=True, transform="B").Zs`` (a test holds it to that).

**The study region must include the units with zero reports**: every unit of the scope and district filter,
whether anything was reported there or not. Leaving the empty units out raises the mean, shrinks the spread and
cuts neighbourhoods short, and the statistic then answers another question (``x̄`` and ``s`` are *over the region*).

**Inference.** Two-sided p-values from the standard normal; the Benjamini–Hochberg procedure over all units of
the region controls the false discovery rate (many thousands of correlated tests: without it a homogeneous city
shows hundreds of "hot spots"). A unit is classed like ArcGIS's ``Gi_Bin``: ±3 / ±2 / ±1 when its BH-adjusted
p-value (q) is ≤ 0.01 / 0.05 / 0.10 (99 / 95 / 90 % confidence), the sign of ``z`` telling hot (+) from cold (−),
0 otherwise.

**Assumptions and limits.** The normal approximation holds when neighbourhood sums are not tiny: with very sparse
counts (most units 0 or 1) the null distribution of a neighbourhood sum is right-skewed (Poisson-like), so an
isolated unit with a handful of reports can reach a large z. Measured on a homogeneous Poisson 100 × 100 field:
at a mean of 2 per unit nothing is classed after FDR; at 0.3–0.5 per unit (a 30-day city at 100 m) 0–22 of
10,000 units are (0.2 %, all hot, mostly at 90 %). So the counts are shown beside every class, and the 500 m /
1 km levels are the ones to read when the cells are sparse. BH is valid under the positive dependence
neighbouring Gi* values have (Benjamini and Yekutieli 2001). A constant field (``s = 0``) has no hot spots (z = 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse, stats

from ops.analysis.fdr import bh_qvalues

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: (class, q threshold) from the strictest: 99 %, 95 %, 90 % confidence after FDR.
LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))
#: The queen neighbourhood with the unit itself: offsets on the (i, j) lattice.
_OFFSETS = [(di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1)]


@dataclass(frozen=True, slots=True)
class GiStar:
    """Per unit, in the order given: z-score, two-sided p, BH q, class −3..3, neighbourhood size (W_k)."""

    z: FloatArray
    p: FloatArray
    q: FloatArray
    cls: npt.NDArray[np.int8]
    weight: IntArray


def lattice_weights(i: npt.ArrayLike, j: npt.ArrayLike) -> sparse.csr_matrix:
    """Binary weights of the units at ``(i, j)`` (unique pairs): each unit with itself and its 8 queen neighbours
    present in the set, as an ``n × n`` CSR matrix (rows and columns in the order given).

    >>> lattice_weights([0, 0, 5], [0, 1, 5]).toarray().astype(int).tolist()
    [[1, 1, 0], [1, 1, 0], [0, 0, 1]]
    """
    ii = np.asarray(i, dtype=np.int64)
    jj = np.asarray(j, dtype=np.int64)
    n = ii.size
    if n == 0:
        return sparse.csr_matrix((0, 0))
    i0, j0 = ii.min() - 1, jj.min() - 1
    height = int(jj.max() - j0) + 2
    keys = (ii - i0) * height + (jj - j0)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    if np.any(sorted_keys[1:] == sorted_keys[:-1]):
        raise ValueError("lattice positions must be unique")
    rows, cols = [], []
    for di, dj in _OFFSETS:
        want = keys + di * height + dj
        pos = np.searchsorted(sorted_keys, want)
        pos[pos == n] = 0
        hit = sorted_keys[pos] == want
        rows.append(np.nonzero(hit)[0])
        cols.append(order[pos[hit]])
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    return sparse.csr_matrix((np.ones(r.size), (r, c)), shape=(n, n))


class Lattice:
    """The units' positions ``(i, j)`` (unique) on a raster of their bounding box, one cell of margin around:
    neighbourhood sums are 9 shifted slices of the raster added up (the same numbers as
    ``lattice_weights(i, j) @ values``, without building a matrix: ~100× faster on 250,000 units)."""

    def __init__(self, i: npt.ArrayLike, j: npt.ArrayLike) -> None:
        ii = np.asarray(i, dtype=np.int64)
        jj = np.asarray(j, dtype=np.int64)
        self.n = int(ii.size)
        if self.n == 0:
            self.shape, self.flat = (0, 0), np.zeros(0, dtype=np.int64)
            self.weight = np.zeros(0)
            return
        self.shape = (int(ii.max() - ii.min()) + 3, int(jj.max() - jj.min()) + 3)
        self.flat = (ii - ii.min() + 1) * self.shape[1] + (jj - jj.min() + 1)
        if np.bincount(self.flat).max() > 1:
            raise ValueError("lattice positions must be unique")
        #: W_k: how many units of the region are in each unit's neighbourhood (itself included)
        self.weight = self.neighbour_sum(np.ones(self.n))

    def neighbour_sum(self, values: npt.ArrayLike) -> FloatArray:
        """Σ over each unit's neighbourhood (itself and its queen neighbours in the region) of ``values``."""
        if self.n == 0:
            return np.zeros(0)
        raster = np.zeros(self.shape)
        raster.flat[self.flat] = np.asarray(values, dtype=np.float64)
        rows, cols = self.shape
        out = np.zeros((rows - 2, cols - 2))
        for di, dj in _OFFSETS:
            out += raster[1 + di : rows - 1 + di, 1 + dj : cols - 1 + dj]
        full = np.zeros(self.shape)
        full[1:-1, 1:-1] = out
        return np.asarray(full.flat[self.flat], dtype=np.float64)


def _z(x: FloatArray, local: FloatArray, weight: FloatArray) -> FloatArray:
    n = x.size
    if n < 2:
        return np.zeros(n)
    mean = x.mean()
    sd = np.sqrt(max((x * x).mean() - mean * mean, 0.0))
    if sd <= 1e-12 * max(1.0, abs(mean)):
        return np.zeros(n)
    spread = np.sqrt(np.maximum(n * weight - weight * weight, 0.0) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (local - mean * weight) / (sd * spread)
    return np.where(spread > 0, z, 0.0)


def gi_star_z(y: npt.ArrayLike, w: sparse.spmatrix) -> FloatArray:
    """Gi* z-scores of counts ``y`` under binary weights ``w`` (with the diagonal), see the module docstring."""
    x = np.asarray(y, dtype=np.float64)
    return _z(x, np.asarray(w @ x, dtype=np.float64), np.asarray(w.sum(axis=1), dtype=np.float64).ravel())


def two_sided_p(z: FloatArray) -> FloatArray:
    """Two-sided p-values of standard-normal z-scores."""
    return np.asarray(2.0 * stats.norm.sf(np.abs(z)), dtype=np.float64)


def classes(z: FloatArray, q: FloatArray) -> npt.NDArray[np.int8]:
    """ArcGIS ``Gi_Bin``-like classes: ±3/±2/±1 at q ≤ 0.01/0.05/0.10, the sign of z; 0 when not significant."""
    level = np.zeros(z.size, dtype=np.int8)
    for value, alpha in reversed(LEVELS):
        level[q <= alpha] = value
    return (level * np.sign(z)).astype(np.int8)


def gi_star(i: npt.ArrayLike, j: npt.ArrayLike, y: npt.ArrayLike, lattice: Lattice | None = None) -> GiStar:
    """Hot spots of counts ``y`` at lattice positions ``(i, j)``: every unit of the study region, zeros included
    (``lattice``: a kept :class:`Lattice` of the same positions)."""
    lat = lattice if lattice is not None else Lattice(i, j)
    x = np.asarray(y, dtype=np.float64)
    z = _z(x, lat.neighbour_sum(x), lat.weight)
    p = two_sided_p(z)
    q = bh_qvalues(p)
    return GiStar(z=z, p=p, q=q, cls=classes(z, q), weight=lat.weight.astype(np.int64))
