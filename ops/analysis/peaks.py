"""时间峰值: when reports come in — the weekday × hour-of-day matrix (Asia/Shanghai local time) of the reports
of a period, a category and a district, with its peaks marked by a test.

What is a peak, and against what. Citizens report when they are awake and out: every category is busier at
10:00 than at 03:00, so "more reports than an average hour" would mark the whole working day for every category.
Two questions are worth answering, and each has its own expectation:

1. **A category (or a 大类) chosen** — is it reported at this weekday and hour more than reports in general are?
   Expectation: row × column independence of the (selection vs. the other reports) × (168 weekday-hours) table,
   ``E[d, h] = N_sel × T[d, h] / N`` with ``T`` every report of the scope and district in that cell. Test: given
   the cell's total ``T[d, h]``, the selection's count is ``Binomial(T[d, h], N_sel / N)`` under independence (the
   exact conditional test of two Poisson counts with a common weekly rhythm; it needs no model of the rhythm,
   and the noise of the reference is in it). A peak here is what a campaign can aim at: "周五 18–20 时占道经营上报
   显著偏高" means 占道经营 is a larger share of the reports then than over the week.
2. **No category chosen** (every report of the scope) — which hours are the busiest of the week? Expectation:
   the weekly mean per hour, ``E[d, h] = N × exposure[d, h] / Σ exposure``, where ``exposure`` is the number of
   hours of that weekday-hour the period really holds (30 days hold four or five of each weekday, and the first
   day only in part). Test: Poisson upper tail ``P(X ≥ observed | E)``. This marks the staffing peaks.

Besides the matrix, every 小类 of the selection with at least :data:`MIN_CATEGORY_REPORTS` reports is tested as
in 1 against the reports of the scope (its share at each weekday-hour against its share over the week): these are
the peaks the page names in words.

Multiple testing: each family (the matrix's 168 cells; all 小类 × 168 cells together) is corrected by
Benjamini–Hochberg (:func:`ops.analysis.fdr.bh_qvalues`); a cell is a peak when ``q ≤`` :data:`ALPHA`, it
holds at least :data:`MIN_COUNT` reports and at least :data:`MIN_RATIO` × its expectation (a practical floor: with
many reports a 5 % excess is "significant" yet not worth a campaign).

Assumptions: reports are independent given the weekly rhythm (a burst of duplicates about one event inflates a
cell; merged duplicates still count, they are people reporting at that hour); the rhythm is the same in every week
of the period (a holiday week shifts it). Every report counts whatever its later status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats
from sqlalchemy import Connection, text

from geo.crs import TZ
from ops.analysis.fdr import bh_qvalues
from ops.analysis.filters import Filters
from ops.analysis.scope import AnalysisScope

ALPHA = 0.05
MIN_COUNT = 5
MIN_RATIO = 1.2
MIN_CATEGORY_REPORTS = 30
SHAPE = (7, 24)
WEEKDAYS = (
    ("周一", "Mon"),
    ("周二", "Tue"),
    ("周三", "Wed"),
    ("周四", "Thu"),
    ("周五", "Fri"),
    ("周六", "Sat"),
    ("周日", "Sun"),
)
#: the matrix's expectation: the other reports' rhythm (a category chosen) or the weekly mean (none chosen)
BASELINES = ("others", "weekly_mean")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Peak:
    """One significant weekday-hour: ``weekday`` 0 = Monday, ``hour`` 0–23 local; ``category_code`` None for the
    selection as a whole."""

    category_code: str | None
    weekday: int
    hour: int
    observed: int
    expected: float
    p_value: float
    q_value: float

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected > 0 else float("inf")


@dataclass(frozen=True, slots=True)
class PeakRange:
    """Consecutive peak hours ``[start, end)`` of one category on one weekday, summed."""

    category_code: str | None
    weekday: int
    start: int
    end: int
    observed: int
    expected: float
    q_value: float


@dataclass(frozen=True)
class PeakResult:
    counts: IntArray  # (7, 24) the selection's reports
    expected: FloatArray
    p: FloatArray
    q: FloatArray
    peak: npt.NDArray[np.bool_]
    baseline: str
    total: int
    peaks: list[Peak] = field(default_factory=list)
    category_peaks: list[Peak] = field(default_factory=list)


def exposure_hours(since: datetime, until: datetime) -> FloatArray:
    """Hours of each (weekday, hour) of Asia/Shanghai time inside ``[since, until)``, fractions at the ends."""
    out = np.zeros(SHAPE)
    start, end = since.astimezone(TZ), until.astimezone(TZ)
    t = start.replace(minute=0, second=0, microsecond=0)
    while t < end:
        nxt = t + timedelta(hours=1)
        part = (min(nxt, end) - max(t, start)).total_seconds() / 3600.0
        out[t.weekday(), t.hour] += max(part, 0.0)
        t = nxt
    return out


def weekly_mean_test(counts: npt.ArrayLike, exposure: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Expectation ``N × exposure share`` and the Poisson upper-tail p ``P(X ≥ count)`` of every cell."""
    c = np.asarray(counts, dtype=np.float64)
    ex = np.asarray(exposure, dtype=np.float64)
    expected = c.sum() * ex / ex.sum() if ex.sum() > 0 else np.zeros_like(c)
    p = np.where(expected > 0, stats.poisson.sf(c - 1, expected), np.where(c > 0, 0.0, 1.0))
    return expected, p


def share_test(counts: npt.ArrayLike, reference: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Counts ``(..., 7, 24)`` of a part of ``reference`` ``(7, 24)``: expectation under independence
    ``N_part × T / N`` and the conditional upper tail ``P(X ≥ count | Binomial(T, N_part / N))`` of every cell.
    NaN where the reference cell is empty (no test)."""
    c = np.asarray(counts, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    n = ref.sum()
    share = c.sum(axis=(-2, -1), keepdims=True) / n if n > 0 else np.zeros(c.shape[:-2] + (1, 1))
    expected = share * ref
    p = stats.binom.sf(c - 1, np.broadcast_to(ref, c.shape), np.broadcast_to(share, c.shape))
    p = np.where(ref > 0, p, np.nan)
    return expected, p


def _is_peak(counts: FloatArray, expected: FloatArray, q: FloatArray) -> npt.NDArray[np.bool_]:
    with np.errstate(invalid="ignore"):
        return (q <= ALPHA) & (counts >= MIN_COUNT) & (counts >= MIN_RATIO * expected)


def _peaks(code: str | None, counts: Any, expected: Any, p: Any, q: Any, mask: Any) -> list[Peak]:
    return [
        Peak(code, int(d), int(h), int(counts[d, h]), float(expected[d, h]), float(p[d, h]), float(q[d, h]))
        for d, h in zip(*np.nonzero(mask), strict=True)
    ]


def analyse(
    selection: npt.ArrayLike,
    reference: npt.ArrayLike,
    by_category: Mapping[str, npt.ArrayLike],
    exposure: npt.ArrayLike,
    *,
    chosen: bool,
) -> PeakResult:
    """The peaks of ``selection`` (7 × 24 counts) — against ``reference`` (every report of the scope and
    district) when a category was ``chosen``, else against the weekly mean over ``exposure`` — and of every 小类
    in ``by_category`` against ``reference``. Pure: arrays in, :class:`PeakResult` out."""
    sel = np.asarray(selection, dtype=np.int64)
    ref = np.asarray(reference, dtype=np.int64)
    if chosen:
        expected, p = share_test(sel, ref)
        baseline = "others"
    else:
        expected, p = weekly_mean_test(sel, exposure)
        baseline = "weekly_mean"
    q = bh_qvalues(p)
    mask = _is_peak(sel.astype(np.float64), expected, q)
    codes = sorted(code for code, m in by_category.items() if int(np.sum(m)) >= MIN_CATEGORY_REPORTS)
    category_peaks: list[Peak] = []
    if codes and ref.sum() > 0:
        stack = np.stack([np.asarray(by_category[c], dtype=np.float64) for c in codes])
        e_c, p_c = share_test(stack, ref)
        q_c = bh_qvalues(p_c)
        m_c = _is_peak(stack, e_c, q_c)
        for k, code in enumerate(codes):
            category_peaks += _peaks(code, stack[k], e_c[k], p_c[k], q_c[k], m_c[k])
    category_peaks.sort(key=lambda pk: (pk.q_value, -(pk.observed - pk.expected)))
    return PeakResult(
        counts=sel,
        expected=expected,
        p=p,
        q=q,
        peak=mask,
        baseline=baseline,
        total=int(sel.sum()),
        peaks=_peaks(None, sel, expected, p, q, mask),
        category_peaks=category_peaks,
    )


def peak_ranges(peaks: list[Peak]) -> list[PeakRange]:
    """Consecutive peak hours of one category on one weekday as ranges, the largest excess first."""
    out: list[PeakRange] = []
    key = sorted(peaks, key=lambda pk: (pk.category_code or "", pk.weekday, pk.hour))
    run: list[Peak] = []

    def close() -> None:
        if run:
            out.append(
                PeakRange(
                    run[0].category_code,
                    run[0].weekday,
                    run[0].hour,
                    run[-1].hour + 1,
                    sum(pk.observed for pk in run),
                    sum(pk.expected for pk in run),
                    min(pk.q_value for pk in run),
                )
            )

    for pk in key:
        last = run[-1] if run else None
        if last and (last.category_code, last.weekday, last.hour + 1) == (
            pk.category_code,
            pk.weekday,
            pk.hour,
        ):
            run.append(pk)
        else:
            close()
            run = [pk]
    close()
    out.sort(key=lambda r: -(r.observed - r.expected))
    return out


@dataclass(frozen=True, slots=True)
class PeakGroup:
    """The same peak hours ``[start, end)`` of one category on several weekdays (0 = Monday), summed."""

    category_code: str | None
    weekdays: tuple[int, ...]
    start: int
    end: int
    observed: int
    expected: float


def peak_groups(ranges: list[PeakRange]) -> list[PeakGroup]:
    """Ranges with the same category and hours on different weekdays as one group (an every-evening peak is
    one finding, not seven), the largest excess first."""
    groups: dict[tuple[str | None, int, int], list[PeakRange]] = {}
    for r in ranges:
        groups.setdefault((r.category_code, r.start, r.end), []).append(r)
    out = [
        PeakGroup(
            code,
            tuple(sorted(r.weekday for r in rs)),
            start,
            end,
            sum(r.observed for r in rs),
            sum(r.expected for r in rs),
        )
        for (code, start, end), rs in groups.items()
    ]
    out.sort(key=lambda g: -(g.observed - g.expected))
    return out


_COUNTS = """
    SELECT c.category_code AS code, ({category}) AS sel,
           CAST(EXTRACT(ISODOW FROM c.created_at AT TIME ZONE 'Asia/Shanghai') AS integer) - 1 AS wd,
           CAST(EXTRACT(HOUR FROM c.created_at AT TIME ZONE 'Asia/Shanghai') AS integer) AS hr,
           count(*) AS n
      FROM "case" c
     WHERE c.created_at >= :since AND c.created_at < :now AND {scope} AND {district}
     GROUP BY 1, 2, 3, 4
"""


def peaks(conn: Connection, scope: AnalysisScope, filters: Filters, now: datetime) -> PeakResult:
    """The time peaks of ``filters`` inside ``scope`` for the ``filters.days`` days before ``now``."""
    since = filters.since(now)
    sql = _COUNTS.format(
        category=filters.category_sql(), scope=scope.where(), district=filters.district_sql()
    )
    rows = conn.execute(text(sql), {"since": since, "now": now, **scope.params(), **filters.params()}).all()  # nosec B608 # SQL from constant fragments; values are bound parameters
    codes = [r.code for r in rows]
    chosen = np.array([bool(r.sel) for r in rows], dtype=bool)
    cell = np.array([r.wd * 24 + r.hr for r in rows], dtype=np.int64)
    n = np.array([r.n for r in rows], dtype=np.int64)
    ref = np.bincount(cell, weights=n, minlength=168).astype(np.int64).reshape(SHAPE)
    sel = np.bincount(cell[chosen], weights=n[chosen], minlength=168).astype(np.int64).reshape(SHAPE)
    names = sorted({c for c, ok in zip(codes, chosen, strict=True) if ok})
    index = {c: i for i, c in enumerate(names)}
    flat = np.zeros(len(names) * 168, dtype=np.int64)
    if names:
        ix = np.array([index[c] for c, ok in zip(codes, chosen, strict=True) if ok], dtype=np.int64)
        np.add.at(flat, ix * 168 + cell[chosen], n[chosen])
    by_cat = {c: flat[i * 168 : (i + 1) * 168].reshape(SHAPE) for c, i in index.items()}
    return analyse(sel, ref, by_cat, exposure_hours(since, now), chosen=filters.category is not None)


def peak_items(result: PeakResult, selection_code: str | None = None) -> list[dict[str, Any]]:
    """The peaks as plain rows (the CLI's JSON, the page's CSV): the matrix's cells first (``kind`` "matrix",
    ``category_code`` the chosen filter or None), then every 小类's (``kind`` "category"). ``weekday`` is ISO
    (1 = Monday), ``hour`` local 0–23."""
    out = []
    for kind, items in (("matrix", result.peaks), ("category", result.category_peaks)):
        for pk in items:
            out.append(
                {
                    "kind": kind,
                    "category_code": pk.category_code if kind == "category" else selection_code,
                    "weekday": pk.weekday + 1,
                    "weekday_zh": WEEKDAYS[pk.weekday][0],
                    "hour": pk.hour,
                    "observed": pk.observed,
                    "expected": round(pk.expected, 3),
                    "ratio": round(pk.ratio, 3),
                    "p_value": pk.p_value,
                    "q_value": pk.q_value,
                    "baseline": result.baseline if kind == "matrix" else "others",
                }
            )
    return out
