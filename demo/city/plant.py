"""Planting the declared patterns (:mod:`.patterns`) into the demo city's draw.

:func:`plant` takes primary reports of the draw (before duplicates are drawn, so a duplicate of a planted
report copies it) and gives them the planted instant, point, 小类 and address; everything else about them
(source, reporter, fate, the whole history) is drawn as for any report. The recurring place's reports are
never rejected nor the target of a duplicate, and get a short, plain history (:func:`.timeline.plain_histories`:
filed, dispatched, started, handled within hours, verified and closed the next day), so each is closed well
before the place is reported again. Planting and the plain histories use random streams of their own, so the
rest of the city is drawn as without them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from demo.city.patterns import MARKET_EVENING, Planted, truth
from demo.city.workclock import DAY, HOUR, LOCAL_OFFSET, from_pg, to_pg
from geo.crs import METRIC_SRID, STORAGE_SRID, get_transformer

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]
OnGrid = Callable[[F8, F8], npt.NDArray[np.bool_]]
DAY0 = date(2000, 1, 1)  # local day 0 of the generator's instants
WEEKDAY_OF_DAY0 = DAY0.weekday()


@dataclass
class Plan:
    """What was planted: the groups (the truth) and the draw rows of each, in the same order."""

    groups: list[Planted] = field(default_factory=list)
    rows: list[I8] = field(default_factory=list)

    @property
    def recurring(self) -> I8:
        """Rows of the recurring place, in report order."""
        parts = [r for g, r in zip(self.groups, self.rows, strict=True) if g.pattern == "recurring"]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _local_day(t: int) -> int:
    return (t + LOCAL_OFFSET) // DAY


def _instants(rng: np.random.Generator, g: Planted, n: int, now: int) -> I8:
    """Report instants of group ``g`` (strictly before ``now``)."""
    start, end = to_pg(g.start), to_pg(g.end)
    if g.pattern == "rain_burst":  # front-loaded: most reports in the first hour of the storm
        return start + ((end - start - 1) * rng.random(n) ** 1.4).astype(np.int64)
    hours = np.asarray(g.hours, dtype=np.int64)
    if g.pattern == "recurring":
        days = np.array([(d - DAY0).days for d in g.dates], dtype=np.int64)
        return days * DAY - LOCAL_OFFSET + rng.choice(hours, n) * HOUR + rng.integers(0, HOUR, n)
    first, last = _local_day(start), _local_day(end - 1)
    days = np.arange(first, last + 1)
    w = np.ones(len(days))
    if g.pattern == "market_evening":
        w = np.asarray(MARKET_EVENING.weekday_weight)[(days + WEEKDAY_OF_DAY0) % 7]
    out = np.empty(n, dtype=np.int64)
    todo = np.arange(n)
    while todo.size:
        day = rng.choice(days, todo.size, p=w / w.sum())
        t = day * DAY - LOCAL_OFFSET + rng.choice(hours, todo.size) * HOUR + rng.integers(0, HOUR, todo.size)
        out[todo] = t
        todo = todo[(t >= min(now, end)) | (t < start)]
    return out


def _points(rng: np.random.Generator, g: Planted, n: int, on_grid: OnGrid) -> tuple[F8, F8, F8, F8]:
    """Points of group ``g`` within its radius (denser towards a market), on the unit grid."""
    cx, cy = get_transformer(STORAGE_SRID, METRIC_SRID).transform(g.lon, g.lat)
    power = 1.0 if g.pattern == "market_evening" else 0.5
    x, y = np.empty(n), np.empty(n)
    todo = np.arange(n)
    for _ in range(20):
        r = g.radius_m * rng.random(todo.size) ** power
        a = 2 * np.pi * rng.random(todo.size)
        x[todo], y[todo] = cx + r * np.cos(a), cy + r * np.sin(a)
        todo = todo[~on_grid(x[todo], y[todo])]
        if not todo.size:
            break
    x[todo], y[todo] = cx, cy  # the place itself routes (a test checks every declared place)
    lon, lat = get_transformer(METRIC_SRID, STORAGE_SRID).transform(x, y)
    return x, y, np.round(np.asarray(lon), 6), np.round(np.asarray(lat), 6)


def plant(
    rng: np.random.Generator,
    *,
    n_primary: int,
    cases: int,
    days: int,
    now: int,
    codes: list[str],
    names: list[str],
    on_grid: OnGrid,
    created: I8,
    category: I8,
    x: F8,
    y: F8,
    lon: F8,
    lat: F8,
    address: I8,
) -> Plan:
    """Plant the groups of :func:`patterns.truth` into primary rows ``[0, n_primary)`` of the draw arrays (in
    place); ``names`` (the address names) gets the planted places that are not spots already."""
    groups = truth(cases, days, from_pg(now), set(codes))
    if not groups:
        return Plan()
    total = sum(g.count for g in groups)
    if total > n_primary // 4:
        raise RuntimeError(f"{total} planted reports would be too many of {n_primary}")
    picked = rng.choice(n_primary, total, replace=False)
    plan = Plan()
    at = 0
    for g in groups:
        rows = np.sort(picked[at : at + g.count])
        at += g.count
        created[rows] = np.sort(_instants(rng, g, g.count, now))
        x[rows], y[rows], lon[rows], lat[rows] = _points(rng, g, g.count, on_grid)
        category[rows] = codes.index(g.category)
        if g.name not in names:
            names.append(g.name)
        address[rows] = names.index(g.name)
        plan.groups.append(g)
        plan.rows.append(rows)
    return plan
