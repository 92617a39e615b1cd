"""Read models of the workbench (/workbench): its filters, the pins of a viewport and the queue.

Every query that returns cases takes the reader's :class:`~db.scope.RowScope` (built from the signed-in user by
:func:`ops.policy.workbench_scope`: an officer sees only their district, department staff only their department's
cases, the command center everything, anyone else nothing) and adds it to the WHERE clause. The UI never filters
for security; these queries do.

The light of a case is the SQL function ``gy_light`` (:mod:`db.light`), the twin of :func:`ops.workflow.light`:
green before ``stage_yellow_at``, yellow up to and including ``stage_deadline``, red after it, no light without a
stage clock; a suspended case is judged at ``paused_since`` (its clock stopped there).

The case card and its duplicates live in :mod:`db.queries.wb_card`, the filter options (departments, districts,
categories) in :mod:`db.queries.wb_options`, the check of one case and where a user's map opens in
:mod:`db.queries.workbench_scope`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, text

from db.light import LIGHTS, light_sql
from db.models.base import sql_in
from db.queries.workbench_scope import BBox
from db.scope import RowScope
from db.vocabulary import OPEN_STATUSES, SOURCES, CaseStatus
from geo.crs import TZ

PIN_LIMIT = 3000
#: Cases on one page of the queue.
QUEUE_PAGE = 50
WINDOWS = ("open", "today", "7d", "30d")
#: Calendar days (today included) of each time window.
_WINDOW_DAYS = {"today": 1, "7d": 7, "30d": 30}
_OPEN = tuple(s.value for s in CaseStatus if s in OPEN_STATUSES)
_ALL = tuple(s.value for s in CaseStatus)

#: The light of case ``c`` at ``:now`` (at ``paused_since`` when suspended); NULL without a stage clock.
LIGHT_SQL = light_sql("c", ":now")


@dataclass(frozen=True)
class Filters:
    """What the workbench's filter bar asks for. Unknown values (from a forged request) are ignored.

    ``window``: ``open`` = every open case whatever its age (status filter limited to open statuses);
    ``today`` / ``7d`` / ``30d`` = cases reported since then, in any status unless ``statuses`` says otherwise.
    """

    district: str | None = None
    major: str | None = None  # 大类
    category: str | None = None  # 小类
    statuses: tuple[str, ...] = ()
    lights: tuple[str, ...] = ()
    window: str = "open"
    sources: tuple[str, ...] = ()

    @classmethod
    def from_inputs(
        cls,
        district: object = None,
        major: object = None,
        category: object = None,
        statuses: object = None,
        lights: object = None,
        window: object = None,
        sources: object = None,
    ) -> Filters:
        def one(v: object) -> str | None:
            return v if isinstance(v, str) and v else None

        def many(v: object, allowed: tuple[str, ...]) -> tuple[str, ...]:
            items = v if isinstance(v, list | tuple) else []
            return tuple(x for x in allowed if x in items)

        return cls(
            district=one(district),
            major=one(major),
            category=one(category),
            statuses=many(statuses, _ALL),
            lights=many(lights, LIGHTS),
            window=str(window) if window in WINDOWS else "open",
            sources=many(sources, SOURCES),
        )


#: Plan each filtered query for its own values. psycopg prepares a statement after five runs on a connection,
#: and PostgreSQL may then switch to a generic plan (any bounding box, any statuses): measured on the 1M-case
#: city, the city-wide open pins took 1,390 ms with it instead of 20 ms. Transaction-local: the pooled
#: connection keeps nothing.
_CUSTOM_PLANS = text("SET LOCAL plan_cache_mode = force_custom_plan")


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(TZ)).astimezone(TZ)


def _statuses(f: Filters) -> tuple[str, ...]:
    """The statuses ``f`` asks for: the chosen ones (all when none), only open ones in the ``open`` window."""
    chosen = f.statuses or _ALL
    return tuple(s for s in chosen if s in _OPEN) if f.window == "open" else chosen


def _where(
    scope: RowScope, f: Filters, now: datetime, bbox: BBox | None = None
) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = scope.params()
    clauses = [scope.where("c")]
    params["now"] = now
    if f.district:
        clauses.append("c.district_code = :district")
        params["district"] = f.district
    if f.category:
        clauses.append("c.category_code = :category")
        params["category"] = f.category
    elif f.major:
        clauses.append("c.category_code IN (SELECT code FROM category WHERE parent_code = :major)")
        params["major"] = f.major
    statuses = _statuses(f)
    if f.window in _WINDOW_DAYS:  # "open" and "all" (exports: every case whatever its age) add no date
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        params["since"] = start - timedelta(days=_WINDOW_DAYS[f.window] - 1)
        clauses.append("c.created_at >= :since")
    if statuses != _ALL:
        clauses.append("c.status = ANY(CAST(:statuses AS text[]))")
        params["statuses"] = list(statuses) or ["-"]
    if f.sources:
        clauses.append("c.source = ANY(CAST(:sources AS text[]))")
        params["sources"] = list(f.sources)
    if f.lights:
        clauses.append(f"{LIGHT_SQL} = ANY(CAST(:lights AS text[]))")
        params["lights"] = list(f.lights)
    if bbox is not None:
        clauses.append("c.geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326)")
        params.update(w=bbox[0], s=bbox[1], e=bbox[2], n=bbox[3])
    return " AND ".join(f"({c})" for c in clauses), params


@dataclass(frozen=True)
class Pins:
    """Pins of a viewport as a GeoJSON FeatureCollection (newest first), and whether the cap was reached."""

    geojson: dict[str, Any]
    shown: int
    capped: bool


def pins(
    conn: Connection,
    scope: RowScope,
    filters: Filters,
    bbox: BBox,
    *,
    now: datetime | None = None,
    limit: int = PIN_LIMIT,
) -> Pins:
    """The newest ``limit`` cases in ``bbox`` within ``scope`` and ``filters`` select."""
    where, params = _where(scope, filters, _now(now), bbox)
    conn.execute(_CUSTOM_PLANS)
    rows = conn.execute(
        text(
            f"SELECT c.id, c.ticket, c.status, c.urgency, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, "  # nosec B608 # SQL from constant fragments; values are bound parameters
            f'{LIGHT_SQL} AS light FROM "case" c WHERE {where} '
            "ORDER BY c.created_at DESC, c.id DESC LIMIT :lim"
        ),
        {**params, "lim": limit + 1},
    ).all()
    capped = len(rows) > limit
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(r.lon, 6), round(r.lat, 6)]},
            "properties": {
                "id": r.id,
                "t": r.ticket,
                "s": r.status,
                "l": r.light or "none",
                "u": r.urgency == "urgent",
            },
        }
        for r in rows[:limit]
    ]
    return Pins({"type": "FeatureCollection", "features": features}, len(features), capped)


@dataclass(frozen=True)
class Queue:
    """One page of the queue: its rows, the number of every matching case, and where the page starts."""

    rows: list[Row[Any]] = field(default_factory=list)
    total: int = 0
    offset: int = 0


_RUNNING = tuple(s for s in _OPEN if s != CaseStatus.SUSPENDED.value)
_FINISHED = tuple(s for s in _ALL if s not in _OPEN)
_BY_DEADLINE = "c.stage_deadline, c.created_at DESC, c.id"
_NEWEST = "c.created_at DESC, c.id"
#: The lights of a running clock, most urgent first (``None``: no stage clock).
_URGENCY: tuple[str | None, ...] = ("red", "yellow", "green", None)
#: The queue's parts, each read in its own order: running clocks by urgency (red, then yellow, then green, each
#: by stage deadline: the partial index on open cases' stage deadlines gives them in that order), suspended
#: cases by deadline, then finished cases, newest first.
_PARTS: tuple[tuple[tuple[str, ...], bool], ...] = (
    (_RUNNING, True),
    (("suspended",), False),
    (_FINISHED, False),
)
#: A case with a 挂账 / 延期 request waiting for a shift lead (待审批).
PENDING_SQL = "EXISTS (SELECT 1 FROM case_request r WHERE r.case_id = c.id AND r.state = 'pending')"


@dataclass(frozen=True)
class _Segment:
    """A run of the queue read in one index order: some statuses, optionally of one light."""

    statuses: tuple[str, ...]
    by_light: bool = False
    light: str | None = None
    newest_first: bool = False

    def holds(self, status: str, light: str | None) -> bool:
        return status in self.statuses and (not self.by_light or light == self.light)

    def sql(self) -> str:
        cond = f"c.status IN {sql_in(self.statuses)}"  # the filter's statuses are checked values
        if self.by_light:
            cond += f" AND {LIGHT_SQL} = '{self.light}'" if self.light else f" AND {LIGHT_SQL} IS NULL"
        return cond

    @property
    def order(self) -> str:
        return _NEWEST if self.newest_first else _BY_DEADLINE


def _segments(first: tuple[str, ...]) -> list[_Segment]:
    """The queue's segments in order: the statuses ``first`` (the reader's own work) ahead of everything, by
    urgency; then running clocks by urgency, suspended cases, finished cases."""
    parts: list[tuple[tuple[str, ...], bool]] = []
    if first:
        parts.append((tuple(s for s in _ALL if s in first), True))
    for statuses, by_light in _PARTS:
        rest = tuple(s for s in statuses if s not in first)
        if rest:
            parts.append((rest, by_light))
    out: list[_Segment] = []
    for statuses, by_light in parts:
        if by_light:
            out.extend(_Segment(statuses, True, light) for light in _URGENCY)
        else:
            out.append(_Segment(statuses, newest_first=set(statuses) <= set(_FINISHED)))
    return out


def _windows(sizes: list[int], offset: int, limit: int) -> list[tuple[int, int, int]]:
    """Which segments the page ``[offset, offset + limit)`` takes rows from: ``(segment, its offset, count)``."""
    out = []
    start = 0
    for n, size in enumerate(sizes):
        lo, hi = max(offset, start), min(offset + limit, start + size)
        if lo < hi:
            out.append((n, lo - start, hi - lo))
        start += size
    return out


def queue(
    conn: Connection,
    scope: RowScope,
    filters: Filters,
    *,
    bbox: BBox | None = None,
    now: datetime | None = None,
    limit: int = QUEUE_PAGE,
    offset: int = 0,
    first: tuple[str, ...] = (),
    only_first: bool = False,
    pending_only: bool = False,
) -> Queue:
    """One page of the work list (``limit`` rows from ``offset``), most pressing first: the statuses ``first``
    (what the reader may act on: an officer's 待处置 / 处置中 before the 待受理 reports they cannot touch), then
    running clocks, each by urgency (超期 red, then yellow, then green, each by stage deadline), then suspended
    cases, then finished ones (windows other than ``open``), newest first. ``only_first``: nothing but the
    statuses ``first``; ``pending_only``: only cases with a request waiting for a shift lead (待审批).

    Two statements whatever the page: one count of the matching cases per status and light (the total, and the
    size of each segment), then only the segments the page falls in, each read in its own index order from its
    own offset (no sort of every open case: the 1M-case city has 40,000); names are joined to the page's rows
    only. An offset past the end gives the last page."""
    where, params = _where(scope, filters, _now(now), bbox)
    if only_first and first:
        where += " AND (c.status = ANY(CAST(:first AS text[])))"
        params["first"] = list(first)
    if pending_only:
        where += f" AND ({PENDING_SQL})"
    conn.execute(_CUSTOM_PLANS)
    count_sql = (
        f'SELECT c.status, {LIGHT_SQL} AS light, count(*) AS n FROM "case" c WHERE {where} GROUP BY 1, 2'  # nosec B608 # SQL from constant fragments; values are bound parameters
    )
    counts = conn.execute(text(count_sql), params).all()
    segments = _segments(first)
    sizes = [sum(r.n for r in counts if s.holds(r.status, r.light)) for s in segments]
    total = sum(sizes)
    limit = max(1, limit)
    offset = max(0, min(offset, (total - 1) // limit * limit if total else 0))
    parts = " UNION ALL ".join(
        f'(SELECT c.id, {n} AS part FROM "case" c WHERE {where} AND {segments[n].sql()} '  # nosec B608 # SQL from constant fragments; values are bound parameters
        f"ORDER BY {segments[n].order} OFFSET {skip} LIMIT {take})"
        for n, skip, take in _windows(sizes, offset, limit)
    )
    if not parts:
        return Queue([], total, offset)
    newest = [n for n, s in enumerate(segments) if s.newest_first] or [-1]
    rows = conn.execute(
        text(
            f"WITH top AS ({parts}) "  # nosec B608 # SQL from constant fragments; values are bound parameters
            "SELECT c.id, c.ticket, c.status, c.urgency, c.escalated, c.source, c.address, c.created_at, "
            "c.stage_yellow_at, c.stage_deadline, c.paused_since, c.district_code, c.department_code, "
            "ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, cat.name_zh AS category_zh, cat.name_en AS category_en, "
            f"d.name_zh AS district_zh, d.name_en AS district_en, {LIGHT_SQL} AS light, "
            f"{PENDING_SQL} AS pending_request "
            'FROM top JOIN "case" c ON c.id = top.id JOIN category cat ON cat.code = c.category_code '
            "LEFT JOIN district d ON d.code = c.district_code "
            f"ORDER BY top.part, CASE WHEN top.part IN ({', '.join(map(str, newest))}) THEN NULL "
            "ELSE c.stage_deadline END, c.created_at DESC, c.id"
        ),
        params,
    ).all()
    return Queue(list(rows), total, offset)
