"""Read models of the workbench (/workbench): pins, queue, case card, duplicates, filter options.

Every query that returns cases takes the reader's :class:`~db.scope.RowScope` (built from the signed-in user by
:func:`ops.policy.workbench_scope`: an officer sees only their district, department staff only their department's
cases, the command center everything, anyone else nothing) and adds it to the WHERE clause. The UI never filters
for security; these queries do.

The light of a case is the SQL function ``gy_light`` (:mod:`db.light`), the twin of :func:`ops.workflow.light`:
green before ``stage_yellow_at``, yellow up to and including ``stage_deadline``, red after it, no light without a
stage clock; a suspended case is judged at ``paused_since`` (its clock stopped there).

The check of one case and where a user's map opens live in :mod:`db.queries.workbench_scope`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, text

from db.light import LIGHTS, light_sql
from db.models.base import sql_in
from db.queries.recurrence import CaseRecurrence, case_recurrence
from db.queries.workbench_scope import BBox
from db.reference_rules import CATEGORY_AT_CASE
from db.scope import RowScope
from db.vocabulary import OPEN_STATUSES, SOURCES, CaseStatus
from geo.crs import TZ

PIN_LIMIT = 3000
#: Cases on one page of the queue.
QUEUE_PAGE = 50
DUPLICATE_LIMIT = 10
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


@dataclass(frozen=True)
class CaseCard:
    """Everything the case card shows; ``case`` carries the case's columns plus names and the light."""

    case: Row[Any]
    events: list[Row[Any]]
    duplicates: list[Row[Any]]
    photos: list[Row[Any]]
    #: The case's latest 挂账 / 延期 request (pending or decided), with the names of who asked and decided.
    request: Row[Any] | None = None
    #: 复发: the closed case this one recurs and the later cases that recur it (db.queries.recurrence).
    recurrence: CaseRecurrence = field(default_factory=CaseRecurrence)


_CARD = (
    "SELECT c.id, c.ticket, c.source, c.category_code, c.description, c.address, c.status, c.resume_status, "  # nosec B608 # SQL from constant fragments; values are bound parameters
    "c.urgency, c.escalated, c.district_code, c.department_code, c.suggested_department_code, "
    "c.merged_into_id, c.deadline, c.stage_started_at, c.stage_yellow_at, c.stage_deadline, c.paused_since, "
    "c.rework_count, c.return_count, c.extension_count, c.created_at, c.filed_at, c.dispatched_at, "
    "c.handled_at, c.closed_at, c.updated_at, c.version, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, "
    "cat.name_zh AS category_zh, cat.name_en AS category_en, "
    # the 小类's limit in force on the report date (the one its deadlines were computed with)
    "coalesce(crule.time_limit, cat.time_limit) AS time_limit, coalesce(crule.time_unit, cat.time_unit) AS time_unit, "
    "cat.close_condition, maj.code AS major_code, maj.name_zh AS major_zh, maj.name_en AS major_en, "
    "cat.kind, d.name_zh AS district_zh, d.name_en AS district_en, g.code AS cell_code, "
    "dep.name_zh AS department_zh, dep.name_en AS department_en, "
    "sdep.name_zh AS suggested_zh, sdep.name_en AS suggested_en, mi.ticket AS merged_into_ticket, "
    f"{LIGHT_SQL} AS light "
    f'FROM "case" c JOIN category cat ON cat.code = c.category_code {CATEGORY_AT_CASE} '
    "LEFT JOIN category maj ON maj.code = cat.parent_code LEFT JOIN district d ON d.code = c.district_code "
    "LEFT JOIN grid_cell g ON g.id = c.cell_id LEFT JOIN department dep ON dep.code = c.department_code "
    "LEFT JOIN department sdep ON sdep.code = c.suggested_department_code "
    'LEFT JOIN "case" mi ON mi.id = c.merged_into_id '
    "WHERE c.id = :id AND {scope}"
)
_EVENTS = text(
    "SELECT e.id, e.action, e.from_status, e.to_status, e.actor_role, e.note, e.payload, e.at, "
    "u.display_name AS actor_name, e.department_code, dep.name_zh AS department_zh, "
    "dep.name_en AS department_en FROM case_event e LEFT JOIN staff_user u ON u.id = e.actor_user_id "
    "LEFT JOIN department dep ON dep.code = e.department_code WHERE e.case_id = :id "
    # events are never before the report: the bound lets the partitioned history skip older months
    'AND e.at >= (SELECT created_at FROM "case" WHERE id = :id) ORDER BY e.at, e.id'
)
_REQUEST = text(
    "SELECT r.id, r.kind, r.state, r.amount, r.reason, r.requested_at, r.decided_at, r.decision_note, "
    "r.department_code, dep.name_zh AS department_zh, dep.name_en AS department_en, "
    "ru.display_name AS requested_by_name, du.display_name AS decided_by_name "
    "FROM case_request r LEFT JOIN department dep ON dep.code = r.department_code "
    "LEFT JOIN staff_user ru ON ru.id = r.requested_by LEFT JOIN staff_user du ON du.id = r.decided_by "
    "WHERE r.case_id = :id ORDER BY r.requested_at DESC, r.id DESC LIMIT 1"
)
_PHOTOS = text("SELECT id, kind, width, height, created_at FROM photo WHERE case_id = :id ORDER BY id")
# Open cases of the same 小类 within its duplicate radius: a bounding box on the geometry index first
# (degrees from metres, rounded up), then the spheroid distance.
_DUPLICATES = (
    "SELECT o.id, o.ticket, o.status, o.created_at, "
    "ST_Distance(o.geom::geography, x.geom::geography) AS distance_m "
    'FROM "case" x JOIN category cat ON cat.code = x.category_code '
    'JOIN "case" o ON o.geom && ST_Expand(x.geom, '
    "1.05 * cat.duplicate_radius_m / (111320.0 * cos(radians(ST_Y(x.geom)))), "
    "1.05 * cat.duplicate_radius_m / 110000.0) "
    "WHERE x.id = :id AND o.id <> x.id AND o.category_code = x.category_code "
    "AND o.status = ANY(CAST(:open AS text[])) "
    "AND ST_DWithin(o.geom::geography, x.geom::geography, cat.duplicate_radius_m) AND {scope} "
    "ORDER BY distance_m, o.id LIMIT :lim"
)


def case_card(
    conn: Connection, scope: RowScope, case_id: int, *, now: datetime | None = None
) -> CaseCard | None:
    """The case with its history, photos and open duplicates nearby; ``None`` if absent or out of scope."""
    sql = text(_CARD.format(scope=scope.where("c")))
    row = conn.execute(sql, {**scope.params(), "id": case_id, "now": _now(now)}).first()
    if row is None:
        return None
    events = list(conn.execute(_EVENTS, {"id": case_id}).all())
    photos = list(conn.execute(_PHOTOS, {"id": case_id}).all())
    request = conn.execute(_REQUEST, {"id": case_id}).first()
    return CaseCard(
        row,
        events,
        photos=photos,
        duplicates=duplicates(conn, scope, case_id),
        request=request,
        recurrence=case_recurrence(conn, scope, case_id),
    )


def duplicates(
    conn: Connection, scope: RowScope, case_id: int, *, limit: int = DUPLICATE_LIMIT
) -> list[Row[Any]]:
    """Open cases of the same 小类 within the 小类's duplicate radius of ``case_id``, nearest first."""
    return list(
        conn.execute(
            text(_DUPLICATES.format(scope=scope.where("o"))),
            {**scope.params(), "id": case_id, "open": list(_OPEN), "lim": limit},
        ).all()
    )


def departments(conn: Connection) -> list[Row[Any]]:
    """Departments for the dispatch select: city bureaus, utilities, then district bureaus."""
    return list(
        conn.execute(
            text(
                "SELECT code, name_zh, name_en, type, district_code FROM department "
                "ORDER BY CASE type WHEN 'city_bureau' THEN 0 WHEN 'utility' THEN 1 ELSE 2 END, code"
            )
        ).all()
    )


def districts(conn: Connection) -> list[Row[Any]]:
    return list(
        conn.execute(
            text("SELECT code, name_zh, name_en, has_grid FROM district ORDER BY NOT has_grid, code")
        ).all()
    )


def categories(conn: Connection) -> list[Row[Any]]:
    """大类 (level 1) and active 小类 (level 2), by code."""
    return list(
        conn.execute(
            text(
                "SELECT code, parent_code, level, kind, name_zh, name_en FROM category "
                "WHERE active OR level = 1 ORDER BY code"
            )
        ).all()
    )
