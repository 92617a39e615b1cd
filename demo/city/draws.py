"""Per-case draws that need no routing: when, where, what, from whom, and how each case will go.

Arrays are in draw order: first the primary cases, then the duplicate reports (``dup_target`` >= 0), which
copy their target's 小类 and lie within its duplicate radius. Instants are microseconds since 2000-01-01 UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from demo.city.plant import Plan, plant
from demo.city.refdata import Reference
from demo.city.spots import KINDS, SEASONS, ZONES, PointSampler, category_weights, jitter_near
from demo.city.workclock import DAY, HOUR, LOCAL_OFFSET, from_pg

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]

SHARES = {
    "reject": 0.06,  # 不予立案, of all reports
    "merge": 0.04,  # duplicates merged, of all reports
    "merge_after_filing": 0.25,  # of the merges
    "return": 0.05,  # 回退, of the dispatched
    "return_started": 0.3,  # of the returns: the department had started
    "start": 0.6,  # a separate 开始处置 step
    "rework": 0.07,  # 返工, of the verifications
    "rework_started": 0.5,
    "extend": 0.03,
    "suspend": 0.02,
    "escalate_late": 0.3,  # of the cases that went red before being handled
    "urgent_upgrade": 0.03,  # normal 小类 filed as urgent
    "citizen_verify": 0.35,  # verified by a citizen rather than a dispatcher
    "lead": 0.15,  # center acts by the shift lead rather than the dispatcher
}
SOURCES = ("app", "inspector", "hotline", "wechat", "web", "other")
SOURCE_P = (0.5, 0.28, 0.1, 0.06, 0.05, 0.01)
WEEKDAY = (1.12, 1.05, 1.0, 1.0, 1.03, 0.82, 0.72)
HOURLY = (
    0.15,
    0.08,
    0.05,
    0.04,
    0.05,
    0.15,
    0.5,
    1.3,
    2.4,
    2.6,
    2.3,
    2.0,
    1.4,
    1.3,
    1.9,
    2.1,
    2.2,
    2.4,
    2.0,
    1.5,
    1.2,
    0.9,
    0.6,
    0.3,
)
#: Days from 1970-01-01 to 2000-01-01.
EPOCH_1970_DAYS = 10957
DESCRIPTION_TAILS = (
    "",
    "，请尽快处理",
    "，影响市民出行",
    "，存在安全隐患",
    "，已持续多日",
    "，周边居民反映强烈",
)


@dataclass
class Draws:
    n: int
    created: I8  # primaries only are meaningful; duplicates get theirs from the timeline
    lon: F8
    lat: F8
    x: F8
    y: F8
    category: I8
    source: I8
    reporter: I8  # index into the demo persons, -1 for none
    description: I8  # category * len(DESCRIPTION_TAILS) + tail
    address: I8  # index into spot names, -1 for none
    fate: I8  # 0 normal, 1 reject, 2 merge from reported, 3 merge from filed
    dup_target: I8  # draw index of the target for duplicates, -1 otherwise
    spot_names: list[str]
    plan: Plan  # the planted patterns (draw rows of each group)


def _created(rng: np.random.Generator, n: int, days: int, now: int, ref: Reference) -> I8:
    """Report instants over the last ``days`` days: weekday and hour-of-day peaks, quieter holidays, growth."""
    today = (now + LOCAL_OFFSET) // DAY
    first_day = today - days + 1
    w = np.empty(days)
    for k in range(days):
        d = from_pg((first_day + k) * DAY - LOCAL_OFFSET + 12 * HOUR).date()
        w[k] = WEEKDAY[d.weekday()] * (0.6 if d in ref.calendar.holidays else 1.0) * (1 + 0.3 * k / days)
    hourly = np.asarray(HOURLY) / sum(HOURLY)
    out = np.empty(n, dtype=np.int64)
    todo = np.arange(n)
    while todo.size:
        day = rng.choice(days, size=todo.size, p=w / w.sum())
        hour = rng.choice(24, size=todo.size, p=hourly)
        t = (first_day + day) * DAY - LOCAL_OFFSET + hour * HOUR + rng.integers(0, HOUR, todo.size)
        out[todo] = t
        todo = todo[t >= now]
    return out


def draw_cases(
    rng: np.random.Generator,
    n: int,
    days: int,
    now: int,
    ref: Reference,
    persons: int,
    plant_rng: np.random.Generator | None = None,
) -> Draws:
    """The draws of ``n`` cases; with ``plant_rng`` the patterns of :mod:`.patterns` are planted (its own stream)."""
    n_dup = int(round(n * SHARES["merge"]))
    n_pri = n - n_dup
    created = np.zeros(n, dtype=np.int64)
    created[:n_pri] = _created(rng, n_pri, days, now, ref)
    sampler = PointSampler(ref.cells_i, ref.cells_j, ref.cells_zone)
    pts, names = sampler.sample(rng, n_pri), list(sampler.names)
    # the category mix by zone, kind of place and month
    category = np.empty(n, dtype=np.int64)
    month_idx = local_month(created[:n_pri])
    group = (pts.zone * len(KINDS) + pts.kind) * (SEASONS + 1) + month_idx
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        zone, rest = divmod(int(g), len(KINDS) * (SEASONS + 1))
        kind, mon = divmod(rest, SEASONS + 1)
        p = category_weights(ref.codes, ZONES[zone], KINDS[kind], mon)
        category[rows] = rng.choice(len(ref.codes), size=len(rows), p=p)
    plan = Plan()
    if plant_rng is not None:
        plan = plant(
            plant_rng,
            n_primary=n_pri,
            cases=n,
            days=days,
            now=now,
            codes=ref.codes,
            names=names,
            on_grid=sampler.on_grid,
            created=created,
            category=category,
            x=pts.x,
            y=pts.y,
            lon=pts.lon,
            lat=pts.lat,
            address=pts.address,
        )
    fate = np.zeros(n, dtype=np.int64)
    fate[:n_pri][rng.random(n_pri) < SHARES["reject"] / (1 - SHARES["merge"])] = 1
    fate[plan.recurring] = 0  # the recurring place is filed each time, and nobody else reports it meanwhile
    # duplicates: a later report of the same problem, merged into an open case of the same 小类 nearby
    eligible = np.setdiff1d(np.flatnonzero(fate[:n_pri] == 0), plan.recurring)
    target = rng.choice(eligible, size=n_dup, replace=False) if n_dup else np.zeros(0, dtype=np.int64)
    dup_target = np.full(n, -1, dtype=np.int64)
    dup_target[n_pri:] = target
    fate[n_pri:] = np.where(rng.random(n_dup) < SHARES["merge_after_filing"], 3, 2)
    category[n_pri:] = category[target]
    dx, dy, dlon, dlat = jitter_near(rng, pts.x[target], pts.y[target], ref.radius[category[target]])
    source = rng.choice(len(SOURCES), size=n, p=SOURCE_P)
    # a few citizens report a lot: a skewed pick among the demo persons
    reporter = np.where(source == SOURCES.index("app"), (persons * rng.random(n) ** 3).astype(np.int64), -1)
    if persons == 0:
        reporter[:] = -1
    tails = len(DESCRIPTION_TAILS)
    address = np.concatenate([pts.address, pts.address[target]])
    return Draws(
        n=n,
        created=created,
        lon=np.concatenate([pts.lon, dlon]),
        lat=np.concatenate([pts.lat, dlat]),
        x=np.concatenate([pts.x, dx]),
        y=np.concatenate([pts.y, dy]),
        category=category,
        source=source,
        reporter=reporter,
        description=category * tails + rng.integers(0, tails, n),
        address=address,
        fate=fate,
        dup_target=dup_target,
        spot_names=names,
        plan=plan,
    )


def local_month(t: I8) -> I8:
    """Month (1-12) of instants in Asia/Shanghai."""
    days_1970 = (t + LOCAL_OFFSET) // DAY + EPOCH_1970_DAYS
    return days_1970.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1
