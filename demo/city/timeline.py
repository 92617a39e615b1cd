"""When each step of each case happens: slot times for the whole demo city at once.

Center staff (dispatchers, leads) and departments work in working time for ordinary 小类 and around the clock
for urgent ones (natural-hour limits). A department's handling time is a lognormal share of the handling limit
with the department's own median (:meth:`Reference.department_median`), so some departments are slow and
some fast and about one case in ten is handled after its deadline. Slots later than ``now`` are kept in the
plan but not written (the case is still open at that step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from demo.city import slots as sl
from demo.city.draws import SHARES, Draws
from demo.city.refdata import UNITS, Reference
from demo.city.workclock import DAY, HOUR, US, VecCalendar
from geo.calendar import Unit
from ops.states import URGENT_FACTOR

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]
MINUTE = 60 * US
GAP = US  # at least one second between two steps of a case
#: Spread (sigma of the log) of handling times around the department's median share of the limit.
SPREAD = 0.55
NATURAL = UNITS.index(Unit.NATURAL_HOURS)
WORKING_DAYS = UNITS.index(Unit.WORKING_DAYS)


@dataclass
class Timeline:
    t: I8  # (NSLOTS, n) instants, -1 where the case does not take the slot (slot-major: columns are contiguous)
    urgent: B1  # urgency after filing
    limit: F8  # handling limit in the 小类's unit (urgent factor applied)
    unit: I8  # index into refdata.UNITS
    wrong_department: I8  # first department of returned cases, -1 otherwise
    extend_amount: F8  # in the 小类's unit, 0 where not extended
    escalate_delay: I8  # after the deadline, for cases escalated when they go red; -1 otherwise


def _lognormal(
    rng: np.random.Generator, median: F8 | float, sigma: float, n: int, lo: float, hi: float
) -> I8:
    v = np.asarray(median, dtype=np.float64) * np.exp(sigma * rng.standard_normal(n))
    return np.clip(v, lo, hi).astype(np.int64)


def _after(vc: VecCalendar, t: I8, delay: I8, working: B1) -> I8:
    """``t`` plus ``delay`` of working time where ``working``, of natural time elsewhere."""
    out = t + delay
    if working.any():
        out[working] = vc.add_us(t[working], delay[working], Unit.WORKING_HOURS)
    return out


def _work(vc: VecCalendar, a: I8, b: I8, working: B1) -> I8:
    out = np.maximum(b - a, 0)
    if working.any():
        out[working] = vc.work_us(a[working], b[working], Unit.WORKING_HOURS)
    return out


def build_timeline(
    rng: np.random.Generator, d: Draws, dept: I8, ref: Reference, vc: VecCalendar, now: int
) -> Timeline:
    n = d.n
    t = np.full((sl.NSLOTS, n), -1, dtype=np.int64)
    cat = d.category
    unit = ref.unit[cat]
    urgent = ref.urgent[cat] | (rng.random(n) < SHARES["urgent_upgrade"])
    limit = ref.limit[cat] * np.where(urgent, URGENT_FACTOR, 1.0)
    limit_us = np.where(unit == WORKING_DAYS, limit * vc.day_length, limit * HOUR)
    working = (
        unit != NATURAL
    )  # the center and the departments work office hours; urgent 小类 (natural hours) round the clock
    pri = d.dup_target < 0
    normal = pri & (d.fate == 0)

    t[sl.REPORT, pri] = d.created[pri]
    # duplicates get their instants from their target's (below); meanwhile they borrow the target's
    created = np.where(pri, d.created, d.created[np.maximum(d.dup_target, 0)])
    review_delay = _lognormal(rng, 25 * MINUTE, 0.9, n, MINUTE, 8 * HOUR)
    review = _after(vc, created, review_delay, working)
    rej = pri & (d.fate == 1)
    t[sl.REJECT, rej] = review[rej]
    t[sl.FILE, normal] = review[normal]
    disp1 = _after(vc, review, _lognormal(rng, 12 * MINUTE, 0.8, n, 30 * US, 4 * HOUR), working)
    t[sl.DISPATCH1, normal] = disp1[normal]

    # 回退: the first department says it is not theirs (sometimes after starting), then a re-dispatch
    ret = normal & (rng.random(n) < SHARES["return"])
    started1 = ret & (rng.random(n) < SHARES["return_started"])
    s1 = _after(vc, disp1, _lognormal(rng, 40 * MINUTE, 0.8, n, MINUTE, 2 * DAY), working)
    t[sl.START1, started1] = s1[started1]
    back = _after(
        vc, np.where(started1, s1, disp1), _lognormal(rng, 90 * MINUTE, 0.8, n, MINUTE, 3 * DAY), working
    )
    t[sl.RETURN, ret] = back[ret]
    disp2 = _after(vc, back, _lognormal(rng, 20 * MINUTE, 0.8, n, 30 * US, 4 * HOUR), working)
    t[sl.DISPATCH2, ret] = disp2[ret]
    td = np.where(ret, disp2, disp1)
    wrong = np.full(n, -1, dtype=np.int64)
    k = len(ref.departments)
    wrong[ret] = (dept[ret] + rng.integers(1, k, int(ret.sum()))) % k

    # handling: a share of the limit, lognormal around the department's median
    extended = normal & (rng.random(n) < SHARES["extend"])
    suspended = normal & (rng.random(n) < SHARES["suspend"])
    median = ref.department_median()[dept] * np.where(extended, 1.6, 1.0)
    share = np.clip(median * np.exp(SPREAD * rng.standard_normal(n)), 0.01, 12.0)
    h0 = _after(vc, td, (share * limit_us).astype(np.int64), working)
    span = np.maximum(h0 - td, 3 * GAP)
    u = np.sort(rng.uniform(0.03, 0.9, (n, 3)), axis=1)
    start = normal & (rng.random(n) < SHARES["start"])
    t[sl.START, start] = (td + (u[:, 0] * span).astype(np.int64))[start]
    susp = td + (u[:, 1] * span).astype(np.int64)
    t[sl.SUSPEND, suspended] = susp[suspended]
    pause = _lognormal(rng, 2 * DAY, 1.0, n, 10 * MINUTE, 150 * DAY)
    resume = susp + pause
    t[sl.RESUME, suspended] = resume[suspended]
    h1 = np.where(suspended, _after(vc, resume, _work(vc, susp, h0, working), working), h0)
    amount = np.maximum(np.round(ref.limit[cat] * rng.uniform(0.5, 1.0, n) * 2) / 2, 0.5)
    amount_us = np.where(unit == WORKING_DAYS, amount * vc.day_length, amount * HOUR).astype(np.int64)
    ext = np.where(
        suspended,
        resume + (rng.uniform(0.1, 0.8, n) * (h1 - resume)).astype(np.int64),
        td + (u[:, 2] * span).astype(np.int64),
    )
    t[sl.EXTEND, extended] = ext[extended]
    extra = (rng.uniform(0.1, 0.6, n) * amount_us).astype(np.int64)
    handle = np.where(extended, _after(vc, h1, extra, working), h1)
    t[sl.HANDLE, normal] = handle[normal]
    escalate_delay = np.where(
        normal & (rng.random(n) < SHARES["escalate_late"]),
        _lognormal(rng, 2 * HOUR, 1.0, n, MINUTE, 3 * DAY),
        -1,
    )

    # 核查: pass, or fail → 返工 with a new deadline, then pass
    vwork = np.ones(n, dtype=bool)
    verify1 = _after(
        vc, handle, _lognormal(rng, 0.3 * vc.day_length, 0.9, n, MINUTE, 3 * vc.day_length), vwork
    )
    fail = normal & (rng.random(n) < SHARES["rework"] * ref.department_rework()[dept])
    t[sl.VERIFY_FAIL, fail] = verify1[fail]
    share2 = np.clip(
        0.7 * ref.department_median()[dept] * np.exp(SPREAD * rng.standard_normal(n)), 0.01, 12.0
    )
    h2 = _after(vc, verify1, (share2 * limit_us).astype(np.int64), working)
    restart = fail & (rng.random(n) < SHARES["rework_started"])
    rspan = np.maximum(h2 - verify1, 3 * GAP)
    t[sl.START_R, restart] = (verify1 + (rng.uniform(0.05, 0.6, n) * rspan).astype(np.int64))[restart]
    t[sl.HANDLE_R, fail] = h2[fail]
    last = np.where(fail, h2, handle)
    verify2 = _after(vc, last, _lognormal(rng, 0.3 * vc.day_length, 0.9, n, MINUTE, 3 * vc.day_length), vwork)
    t[sl.VERIFY_PASS, normal] = verify2[normal]
    _strictly_increasing(t)

    _duplicates(rng, d, t, review_delay, working, vc, now)
    _strictly_increasing(t)
    return Timeline(
        t=t,
        urgent=urgent,
        limit=limit,
        unit=unit,
        wrong_department=wrong,
        extend_amount=np.where(extended, amount, 0.0),
        escalate_delay=escalate_delay,
    )


def _duplicates(
    rng: np.random.Generator, d: Draws, t: I8, review_delay: I8, center_w: B1, vc: VecCalendar, now: int
) -> None:
    """A duplicate is reported while its target is open and merged into it before the target closes."""
    dup = np.flatnonzero(d.dup_target >= 0)
    if not dup.size:
        return
    tgt = d.dup_target[dup]
    created_t = t[sl.REPORT, tgt]
    close = t[sl.VERIFY_PASS, tgt]
    # reported after the target and before both the target's closing and now
    window = np.maximum(np.minimum(close, now) - created_t, 0)
    delta = np.minimum(rng.random(dup.size) * 2 * DAY, 0.4 * window).astype(np.int64) + 1
    created = created_t + delta
    review_d = _after(vc, created, review_delay[dup], center_w[dup])
    merge = np.minimum(review_d, created + (0.9 * (close - created)).astype(np.int64))
    merge = np.maximum(merge, created + 2 * GAP)
    t[sl.REPORT, dup] = created
    from_filed = d.fate[dup] == 3
    t[sl.FILE, dup[from_filed]] = (created + (merge - created) // 2)[from_filed]
    t[sl.MERGE_F, dup[from_filed]] = merge[from_filed]
    t[sl.MERGE_R, dup[~from_filed]] = merge[~from_filed]
    d.created[dup] = created


def _strictly_increasing(t: I8) -> None:
    """Push each step at least :data:`GAP` after the previous one of its case."""
    prev = t[0].copy()
    for s in range(1, sl.NSLOTS):
        col = t[s]
        present = col >= 0
        np.copyto(col, np.maximum(col, prev + GAP), where=present)
        np.copyto(prev, col, where=present)


def plain_histories(rng: np.random.Generator, tl: Timeline, rows: I8) -> None:
    """Give ``rows`` (normal, primary reports) a plain history after their report: filed, dispatched, started,
    handled within hours, verified and closed the next day; nothing returned, suspended, extended, escalated
    or sent back to rework."""
    n = len(rows)
    if not n:
        return
    report = tl.t[sl.REPORT, rows]
    tl.t[:, rows] = -1
    tl.t[sl.REPORT, rows] = report
    file_ = report + rng.integers(10 * MINUTE, 40 * MINUTE, n)
    dispatch = file_ + rng.integers(5 * MINUTE, 30 * MINUTE, n)
    start = dispatch + rng.integers(20 * MINUTE, 90 * MINUTE, n)
    handle = start + rng.integers(1 * HOUR, 4 * HOUR, n)
    tl.t[sl.FILE, rows] = file_
    tl.t[sl.DISPATCH1, rows] = dispatch
    tl.t[sl.START, rows] = start
    tl.t[sl.HANDLE, rows] = handle
    tl.t[sl.VERIFY_PASS, rows] = handle + rng.integers(16 * HOUR, 30 * HOUR, n)
    tl.wrong_department[rows] = -1
    tl.extend_amount[rows] = 0.0
    tl.escalate_delay[rows] = -1
