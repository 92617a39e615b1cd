"""关联分析: pairs of 小类 reported together — in the same 1 km square within ±N days — more often than their places
and their dates alone explain.

Statistic (Knox-type, one per unordered pair of 小类 A ≠ B): ``X_AB`` = the number of (A report, B report) pairs in
the same 1 km square (``(i // 10, j // 10)`` of the unit-grid cell) whose local dates differ by at most
``window_days``.

Null hypothesis and permutation: **the dates of one category are permuted among its own reports** (places fixed),
the other category kept as it is, and the test is made both ways (B's dates moved against A's, A's against B's;
a pair counts only when both agree: the larger p-value and the larger expectation are used). This keeps where
each category is reported (two categories both common in the busy squares downtown are not called related:
same-square pairs are the same in every permutation) and when each is reported over the period (a city-wide rise,
the weekly rhythm, a rainy week); it breaks only the link between the moved category's places and dates, i.e. it
tests the **space-time interaction** of A with B, as Knox's test does for one kind of event. Keeping the other
category fixed keeps its own clustering: a burst of 夜间施工 at one site with a few unrelated reports of another
kind there is not a related pair (moving both categories' dates would destroy the burst in the null and call it
one). We prefer this to permuting the category labels within each area, which keeps each area's dates: a square
whose reports are nearly all of the related kinds (a construction site) would look the same under every such
permutation and could not be found.

Expectation (exact, the permutation mean): with ``G_B(t)`` the share of B's reports dated within ±N days of day
``t``, moving B's dates gives ``E_AB = Σ_{a ∈ A} n_B(s_a) G_B(d_a)`` (a Knox-type expectation: close-in-space
pairs × the chance of being close in time); ``E`` shown is the larger of both ways. **Lift** = ``X_AB / E_AB``: how
many times more often A and B were reported in the same square within ±N days than if one kept its places and
dates and the other's dates were unrelated to them.

p-values: ``R`` Monte Carlo permutations (every category's dates permuted independently in each replicate, and the
count taken with the original reports on one side and the permuted on the other: all ordered pairs at once, one
sparse product per replicate) give every pair's null distribution; the rank p-value ``(1 + #{X_r ≥ X}) / (R + 1)``
cannot go below ``1/(R+1)``, too coarse for Benjamini–Hochberg over thousands of pairs, so the p-value used is the
upper tail of a negative binomial with the exact mean and the permutations' variance (Poisson when they show no
over-dispersion); the rank p-value is reported beside it (``p_mc``). BH FDR over every pair tested: both categories
with at least ``min_reports`` reports and at least one shared square. A pair is listed when ``q ≤ alpha``,
lift > 1 and ``X ≥ MIN_PAIRS``. Example places: the squares whose co-occurring pairs most exceed their own
expectation.

Assumptions and limits: reports are the unit (duplicates of one event count each); a pair that shares squares all
period long at steady rates has lift ≈ 1 (that is spatial co-location, which the hot-spot and places analyses show);
1 km squares cut some sites in two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse, stats
from sqlalchemy import Connection, text

from geo.crs import TZ, to_lonlat
from ops.analysis.fdr import bh_qvalues
from ops.analysis.filters import Filters
from ops.analysis.scope import AnalysisScope

ALPHA = 0.05
MIN_PAIRS = 5
MIN_REPORTS = 10
WINDOW_DAYS = 3
PERMUTATIONS = 99
SQUARE_CELLS = 10  # a 1 km square is 10 × 10 unit-grid cells
PLACES = 3

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Place:
    area_key: str  # '1km:I:J'
    district_code: str | None
    lon: float
    lat: float
    pairs: int  # co-occurring pairs of the two categories in this square
    expected: float  # the same under the date permutation (this square's share of the pair's expectation)


@dataclass(frozen=True, slots=True)
class Pair:
    category_a: str
    category_b: str
    reports_a: int
    reports_b: int
    observed: int
    expected: float
    lift: float
    p_value: float
    p_mc: float
    q_value: float
    places: list[Place] = field(default_factory=list)


@dataclass(frozen=True)
class Knox:
    """All-pairs figures (K × K): observed ``X``, exact null means (``e_col`` one way, ``expected`` the larger
    of both ways), same-square pairs ``S``."""

    observed: FloatArray
    expected: FloatArray
    same_square: FloatArray
    e_col: FloatArray


def _band(s: int, d: int, w: int) -> sparse.csr_matrix:
    """The (S·D × S·D) block-diagonal band: column (s, d) sums days ``d − w … d + w`` of square ``s``."""
    offsets = list(range(-w, w + 1))
    day_band = sparse.diags([np.ones(d - abs(o)) for o in offsets], offsets, shape=(d, d), dtype=np.float64)
    return sparse.kron(sparse.identity(s, format="csr"), day_band, format="csr")


def _counts(cat: IntArray, sq: IntArray, day: IntArray, k: int, s: int, d: int) -> sparse.csr_matrix:
    """Reports per category (rows) and (square, day) (columns ``square × d + day``); ``cat`` sorted."""
    indptr = np.r_[0, np.cumsum(np.bincount(cat, minlength=k))]
    return sparse.csr_matrix((np.ones(cat.size), sq * d + day, indptr), shape=(k, s * d))


def _dense(m: Any) -> FloatArray:
    return np.asarray(m.toarray(), dtype=np.float64)


def date_closeness(cat: IntArray, day: IntArray, k: int, d: int, w: int) -> FloatArray:
    """``G[B, t]`` = the share of category B's reports dated within ``w`` days of day ``t`` (K × D)."""
    f = np.zeros((k, d))
    np.add.at(f, (cat, day), 1.0)
    totals = f.sum(axis=1, keepdims=True)
    f = np.divide(f, totals, out=np.zeros_like(f), where=totals > 0)
    idx = np.arange(d)
    return f @ (np.abs(idx[:, None] - idx[None, :]) <= w).astype(np.float64)


def knox_expected(cat: IntArray, sq: IntArray, day: IntArray, k: int, s: int, d: int, w: int) -> Knox:
    """Observed Knox counts of every pair and their exact expectations under the date permutations.

    ``e_col[A, B]``: the mean when B's dates are permuted and A's kept, ``Σ_{a ∈ A} n_B(s_a) G[B, d_a]``;
    ``e_col[B, A]`` the other way round; ``expected`` the larger of the two."""
    order = np.argsort(cat, kind="stable")
    cat, sq, day = cat[order], sq[order], day[order]
    n = sparse.csr_matrix((np.ones(cat.size), (cat, sq)), shape=(k, s))
    same = _dense(n @ n.T)
    g = date_closeness(cat, day, k, d, w)
    per_report = _dense(n[:, sq]).T * g[:, day].T  # (reports × K): n_B(s_i) G[B, d_i]
    e_col = np.zeros((k, k))
    np.add.at(e_col, cat, per_report)
    c = _counts(cat, sq, day, k, s, d)
    observed = _dense((c @ _band(s, d, w)) @ c.T)
    return Knox(observed=observed, expected=np.maximum(e_col, e_col.T), same_square=same, e_col=e_col)


def permute_within(groups: IntArray, values: IntArray, rng: np.random.Generator) -> IntArray:
    """``values`` shuffled among the rows of the same group (``groups`` sorted ascending)."""
    out = values.copy()
    bounds = np.flatnonzero(np.diff(groups)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, groups.size], strict=True):
        rng.shuffle(out[lo:hi])
    return out


def monte_carlo(
    cat: IntArray,
    sq: IntArray,
    day: IntArray,
    k: int,
    s: int,
    d: int,
    w: int,
    observed: FloatArray,
    permutations: int,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Mean, variance and rank p-value of ``X[A, B]`` with B's dates permuted and A's kept (every ordered
    pair at once: each replicate permutes every category's dates independently, and ``X`` with the original
    counts on the left and the permuted on the right moves only B's)."""
    order = np.argsort(cat, kind="stable")
    cat, sq, day = cat[order], sq[order], day[order]
    # (C band)ᵀ once, as CSR: each replicate is then one CSR × CSR product
    right = (_counts(cat, sq, day, k, s, d) @ _band(s, d, w)).T.tocsr()
    total = np.zeros((k, k))
    total_sq = np.zeros((k, k))
    exceed = np.zeros((k, k))
    for _ in range(permutations):
        x = _dense(_counts(cat, sq, permute_within(cat, day, rng), k, s, d) @ right).T
        total += x
        total_sq += x * x
        exceed += x >= observed
    mean = total / permutations
    var = np.maximum(total_sq / permutations - mean * mean, 0.0) * permutations / max(permutations - 1, 1)
    return mean, var, (1.0 + exceed) / (permutations + 1.0)


def tail_p(observed: FloatArray, mean: FloatArray, var: FloatArray) -> FloatArray:
    """``P(X ≥ observed)`` under a negative binomial with ``mean`` and ``var`` (Poisson where ``var ≤ mean``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        over = var > mean * (1 + 1e-9)
        r = np.where(over, mean * mean / np.where(over, var - mean, 1.0), 1.0)
        prob = np.where(over, mean / np.where(var > 0, var, 1.0), 0.5)
        p_nb = stats.nbinom.sf(observed - 1, r, prob)
        p_po = stats.poisson.sf(observed - 1, mean)
    return np.where(mean > 0, np.where(over, p_nb, p_po), 1.0)


@dataclass(frozen=True)
class Reports:
    """One row per report: category index, square index, local day index, and what the indices mean."""

    cat: IntArray
    sq: IntArray
    day: IntArray
    codes: list[str]
    squares: list[tuple[int, int]]
    square_district: list[str | None]
    days: int
    selected: frozenset[str] | None = None  # only pairs touching these codes are tested (a category filter)


def analyse(
    reports: Reports,
    *,
    window_days: int = WINDOW_DAYS,
    min_reports: int = MIN_REPORTS,
    permutations: int = PERMUTATIONS,
    seed: int = 20260,
    alpha: float = ALPHA,
) -> list[Pair]:
    """Every pair tested, the significant ones first (strongest lift first), then the rest by q. Pure."""
    k, s, d = len(reports.codes), len(reports.squares), reports.days
    if k < 2 or reports.cat.size == 0:
        return []
    counts = np.bincount(reports.cat, minlength=k)
    eligible = counts >= min_reports
    keep = eligible[reports.cat]
    cat, sq, day = reports.cat[keep], reports.sq[keep], reports.day[keep]
    knox = knox_expected(cat, sq, day, k, s, d, window_days)
    ia, ib = np.triu_indices(k, 1)
    tested = eligible[ia] & eligible[ib] & (knox.same_square[ia, ib] > 0) & (knox.expected[ia, ib] > 0)
    if reports.selected is not None:
        chosen = np.array([c in reports.selected for c in reports.codes])
        tested &= chosen[ia] | chosen[ib]
    ia, ib = ia[tested], ib[tested]
    if ia.size == 0:
        return []
    _, var, rank_p = monte_carlo(
        cat, sq, day, k, s, d, window_days, knox.observed, permutations, np.random.default_rng(seed)
    )
    x, e = knox.observed[ia, ib], knox.expected[ia, ib]
    # both ways: B's dates permuted against A's, and A's against B's; a pair counts only if both agree
    p = np.maximum(tail_p(x, knox.e_col[ia, ib], var[ia, ib]), tail_p(x, knox.e_col[ib, ia], var[ib, ia]))
    p_mc = np.maximum(rank_p, rank_p.T)
    q = bh_qvalues(p)
    lift = np.divide(x, e, out=np.zeros_like(x), where=e > 0)
    hit = (q <= alpha) & (lift > 1) & (x >= MIN_PAIRS)
    order = np.lexsort((q, -lift, ~hit))
    g = date_closeness(cat, day, k, d, window_days)
    out = []
    for n in order:
        a, b = int(ia[n]), int(ib[n])
        places = _places(reports, cat, sq, day, (a, b), window_days, g) if hit[n] else []
        out.append(
            Pair(
                reports.codes[a],
                reports.codes[b],
                int(counts[a]),
                int(counts[b]),
                int(x[n]),
                float(e[n]),
                float(lift[n]),
                float(p[n]),
                float(p_mc[a, b]),
                float(q[n]),
                places,
            )
        )
    return out


def significant(pairs: list[Pair], alpha: float = ALPHA) -> list[Pair]:
    return [p for p in pairs if p.q_value <= alpha and p.lift > 1 and p.observed >= MIN_PAIRS]


def _places(
    reports: Reports, cat: IntArray, sq: IntArray, day: IntArray, pair: tuple[int, int], w: int, g: FloatArray
) -> list[Place]:
    """The squares where the pair's co-occurrences most exceed their expectation (the larger of both ways,
    ``G`` from :func:`date_closeness`), with their district and centre."""
    a, b = pair
    both = (cat == a) | (cat == b)
    c2, s2, d2 = np.where(cat[both] == a, 0, 1), sq[both], day[both]
    x = np.zeros(len(reports.squares))
    e = np.zeros(len(reports.squares))
    for s_ in np.unique(s2):
        m = s2 == s_
        da, db = d2[m & (c2 == 0)], d2[m & (c2 == 1)]
        if da.size and db.size:
            x[s_] = np.sum(np.abs(da[:, None] - db[None, :]) <= w)
            e[s_] = max(db.size * g[b, da].sum(), da.size * g[a, db].sum())
    top = [int(i) for i in np.argsort(-(x - e), kind="stable")[:PLACES] if x[i] > e[i]]
    if not top:
        return []
    ij = np.array([reports.squares[i] for i in top], dtype=np.float64)
    lon, lat = to_lonlat((ij[:, 0] + 0.5) * SQUARE_CELLS * 100, (ij[:, 1] + 0.5) * SQUARE_CELLS * 100)
    return [
        Place(
            f"1km:{reports.squares[i][0]}:{reports.squares[i][1]}",
            reports.square_district[i],
            round(float(lon[n]), 6),
            round(float(lat[n]), 6),
            int(x[i]),
            round(float(e[i]), 2),
        )
        for n, i in enumerate(top)
    ]


_ROWS = """
    WITH r AS (
        SELECT c.cell_id, c.category_code AS code, ({category}) AS sel, c.district_code AS district,
               (c.created_at AT TIME ZONE 'Asia/Shanghai')::date - CAST(:first_day AS date) AS day,
               count(*) AS n
          FROM "case" c
         WHERE c.created_at >= :since AND c.created_at < :now AND c.cell_id IS NOT NULL AND {scope} AND {district}
         GROUP BY 1, 2, 3, 4, 5
    )
    SELECT r.code, r.sel, CAST(floor(g.i / 10.0) AS integer) AS si, CAST(floor(g.j / 10.0) AS integer) AS sj,
           r.district, r.day, sum(r.n) AS n
      FROM r CROSS JOIN LATERAL (SELECT i, j FROM grid_cell WHERE id = r.cell_id LIMIT 1) g  -- index lookups
     GROUP BY 1, 2, 3, 4, 5, 6
"""


def read_reports(conn: Connection, scope: AnalysisScope, filters: Filters, now: datetime) -> Reports:
    """The reports of the period in ``scope`` and the district filter (every category: a pair needs both), with
    the category filter kept as the set of codes a tested pair must touch."""
    since = filters.since(now)
    first = since.astimezone(TZ).date()
    sql = _ROWS.format(category=filters.category_sql(), scope=scope.where(), district=filters.district_sql())
    params: dict[str, Any] = {
        "since": since,
        "now": now,
        "first_day": first,
        **scope.params(),
        **filters.params(),
    }
    rows = conn.execute(text(sql), params).all()  # nosec B608 # constant fragments; values are bound
    days = (now.astimezone(TZ).date() - first).days + 1
    codes = sorted({r.code for r in rows})
    code_ix = {c: n for n, c in enumerate(codes)}
    squares = sorted({(r.si, r.sj) for r in rows})
    sq_ix = {s: n for n, s in enumerate(squares)}
    votes: dict[int, dict[str | None, int]] = {}
    for r in rows:
        v = votes.setdefault(sq_ix[(r.si, r.sj)], {})
        v[r.district] = v.get(r.district, 0) + int(r.n)
    n = np.array([r.n for r in rows], dtype=np.int64)
    selected = frozenset(r.code for r in rows if r.sel) if filters.category is not None else None
    return Reports(
        cat=np.repeat(np.array([code_ix[r.code] for r in rows], dtype=np.int64), n),
        sq=np.repeat(np.array([sq_ix[(r.si, r.sj)] for r in rows], dtype=np.int64), n),
        day=np.repeat(np.array([r.day for r in rows], dtype=np.int64), n),
        codes=codes,
        squares=squares,
        square_district=[max(votes[i], key=lambda k: votes[i][k]) for i in range(len(squares))],
        days=days,
        selected=selected,
    )


def correlations(
    conn: Connection,
    scope: AnalysisScope,
    filters: Filters,
    now: datetime,
    *,
    window_days: int = WINDOW_DAYS,
    permutations: int = PERMUTATIONS,
) -> list[Pair]:
    """Every pair tested for ``filters`` inside ``scope`` over the ``filters.days`` days before ``now``."""
    reports = read_reports(conn, scope, filters, now)
    return analyse(reports, window_days=window_days, permutations=permutations)


def pair_items(pairs: list[Pair], window_days: int = WINDOW_DAYS) -> list[dict[str, Any]]:
    """The pairs as plain rows (the CLI's JSON, the page's CSV), places as lists of dicts."""
    return [
        {
            "category_a": p.category_a,
            "category_b": p.category_b,
            "reports_a": p.reports_a,
            "reports_b": p.reports_b,
            "window_days": window_days,
            "observed": p.observed,
            "expected": round(p.expected, 3),
            "lift": round(p.lift, 3),
            "p_value": p.p_value,
            "p_mc": p.p_mc,
            "q_value": p.q_value,
            "places": [
                {
                    "area_key": pl.area_key,
                    "district_code": pl.district_code,
                    "lat": pl.lat,
                    "lon": pl.lon,
                    "pairs": pl.pairs,
                    "expected": pl.expected,
                }
                for pl in p.places
            ],
        }
        for p in pairs
    ]
