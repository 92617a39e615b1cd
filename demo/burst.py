"""A live burst for the simulator (``guiyang-ops simulate --burst CATEGORY@LAT,LON``): ``count`` reports of one
小类 within ``radius_m`` of a point, spread over ``minutes``, filed beside the normal simulation.

Each report goes through the same intake command as every simulated report (:func:`ops.workflow.report`, by the
simulator's intake actor, from a demo citizen of the app or another source), so routing, the duplicate
suggestions and the push to the wall are exactly those of a real report; the normal simulation then files,
merges or dispatches them like any other. Nothing is written by SQL here.

:func:`check` refuses a 小类 that is not an active 小类 of the catalog and a point outside the service area
(before anything is written); :class:`BurstRun` says which reports are due after how many seconds;
:func:`file_report` files one (its own transaction on an ``Engine``, a savepoint on a ``Connection``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import Connection, Engine, text

from db.errors import DomainError, OutsideServiceArea, ValidationError
from demo.city.draws import DESCRIPTION_TAILS, SOURCE_P, SOURCES
from demo.simulate import SimContext, StepResult
from geo.crs import METRIC_SRID, STORAGE_SRID, TZ, get_transformer
from ops import workflow as wf

DEFAULT_COUNT = 12
DEFAULT_MINUTES = 20.0
RADIUS_M = 150.0

_CHECK = text(
    """SELECT (SELECT name_zh FROM category WHERE code = :c AND level = 2 AND active) AS name,
              r.district_code, r.cell_id, coalesce(d.has_grid, false) AS has_grid
         FROM gy_route(ST_SetSRID(ST_MakePoint(CAST(:lon AS float8), CAST(:lat AS float8)), 4326)) r
         LEFT JOIN district d ON d.code = r.district_code"""
)


@dataclass(frozen=True)
class Burst:
    category: str
    lat: float
    lon: float
    count: int = DEFAULT_COUNT
    minutes: float = DEFAULT_MINUTES
    radius_m: float = RADIUS_M


def check(conn: Connection, burst: Burst) -> str:
    """The 小类's name; raises a :class:`DomainError` (zh and en) for an unknown or inactive 小类 (a 大类 too)
    or a point outside the service area (no grid district or no unit-grid cell there)."""
    row = conn.execute(_CHECK, {"c": burst.category, "lon": burst.lon, "lat": burst.lat}).one()
    if row.name is None:
        raise ValidationError(
            f"没有编码为 {burst.category} 的在用案件小类",
            f"There is no active case category (小类) with the code {burst.category}",
            field="category_code",
        )
    if row.district_code is None or not row.has_grid or row.cell_id is None:
        raise OutsideServiceArea(burst.lon, burst.lat)
    return str(row.name)


@dataclass
class BurstRun:
    """The burst's plan, drawn once: when (seconds after the start) and where each report comes."""

    burst: Burst
    name: str
    offsets: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    filed: int = 0  # reports taken so far (filed or refused)
    results: list[StepResult] = field(default_factory=list)

    @classmethod
    def plan(cls, rng: np.random.Generator, burst: Burst, name: str, context: SimContext) -> BurstRun:
        n = burst.count
        offsets = np.sort(rng.random(n)) * burst.minutes * 60.0
        cx, cy = get_transformer(STORAGE_SRID, METRIC_SRID).transform(burst.lon, burst.lat)
        x, y = np.empty(n), np.empty(n)
        todo = np.arange(n)
        for _ in range(20):  # points off the unit grid (the edge of the service area) are drawn again
            r = burst.radius_m * np.sqrt(rng.random(todo.size))
            a = 2 * np.pi * rng.random(todo.size)
            x[todo], y[todo] = cx + r * np.cos(a), cy + r * np.sin(a)
            todo = todo[~context.sampler.on_grid(x[todo], y[todo])]
            if not todo.size:
                break
        x[todo], y[todo] = cx, cy  # the checked point itself
        lon, lat = get_transformer(METRIC_SRID, STORAGE_SRID).transform(x, y)
        return cls(burst, name, offsets, np.round(np.asarray(lon), 6), np.round(np.asarray(lat), 6))

    @property
    def done(self) -> bool:
        return self.filed >= len(self.offsets)

    def next_at(self) -> float | None:
        """Seconds after the start when the next report is due (None when all are taken)."""
        return None if self.done else float(self.offsets[self.filed])

    def due(self, elapsed: float) -> list[int]:
        """Indices of the reports due by ``elapsed`` seconds and not taken yet (they are taken now)."""
        k = int(np.searchsorted(self.offsets, elapsed, side="right"))
        out = list(range(self.filed, max(k, self.filed)))
        self.filed = max(k, self.filed)
        return out


def _report(
    conn: Connection, ctx: SimContext, rng: np.random.Generator, run: BurstRun, k: int, now: datetime
) -> StepResult:
    source = SOURCES[int(rng.choice(len(SOURCES), p=SOURCE_P))]
    reporter = None
    if source == "app" and len(ctx.reporters):
        reporter = int(ctx.reporters[int(len(ctx.reporters) * rng.random() ** 3)])
    tail = DESCRIPTION_TAILS[int(rng.integers(0, len(DESCRIPTION_TAILS)))]
    r = wf.report(
        conn,
        ctx.staff["system"],
        category_code=run.burst.category,
        lon=float(run.lon[k]),
        lat=float(run.lat[k]),
        description=run.name + tail,
        source=source,
        reporter_id=reporter,
        now=now,
    )
    return StepResult("burst_report", r.id, True)


def file_report(
    target: Engine | Connection,
    ctx: SimContext,
    rng: np.random.Generator,
    run: BurstRun,
    k: int,
    now: datetime | None = None,
) -> StepResult:
    """File report ``k`` of the burst (a refusal of the workflow is reported, not raised)."""
    at = now or datetime.now(TZ)
    try:
        if isinstance(target, Engine):
            with target.begin() as conn:
                result = _report(conn, ctx, rng, run, k, at)
        else:
            with target.begin_nested():
                result = _report(target, ctx, rng, run, k, at)
    except DomainError as exc:
        result = StepResult(type(exc).__name__, None, False, exc.en)
    run.results.append(result)
    return result
