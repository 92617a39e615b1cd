"""多发地点: places that keep producing reports of the same 小类 (issue 13, capability 2).

Method: density-based clustering (DBSCAN) of the period's reports, one clustering per 小类, with PostGIS
``ST_ClusterDBSCAN`` over the points projected to UTM 48N (EPSG:32648, metres). A *place* is a cluster: at least
``min_reports`` reports of one 小类, each within ``radius_m`` metres of another report of the cluster (chains
allowed: a long row of reports along a street is one place). Why DBSCAN: it needs no number of places in advance,
leaves isolated reports out (noise), and its two parameters say in plain words what a "place" is ("3 reports
within 50 m"). Assumptions: reports are placed where the problem is (GPS error of a few metres is well inside
the radius); the same problem reported twice still counts twice, except reports rejected as invalid (不予立案)
and duplicates merged into another case (合并), which are left out. A border report reachable from two places
is given to one of them (DBSCAN's rule); the counts therefore add up to the reports clustered.

Per place: its centre (the centroid of its reports), district (the most common), a readable name (the address of
the report nearest the centre, else the district's name), the 小类, the number of reports, first and last seen,
how many are still open, and how many *recurred after closing*: reports made after an earlier report of the same
place had been closed (结案), i.e. the problem came back. No statistical test is made here: this is a
description of the period, ranked by count (then last seen), not an inference.

Every read is scoped (:class:`~ops.analysis.scope.AnalysisScope`) and filtered (:class:`~ops.analysis.filters.
Filters`); a place's key is ``"<小类 code>:<id of its first report>"`` (stable while the place's first report is in
the period).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.errors import ValidationError
from db.vocabulary import OPEN_STATUSES
from geo.crs import METRIC_SRID
from ops.analysis.filters import Filters
from ops.analysis.scope import AnalysisScope

#: Defaults of ``GUIYANG_PLACES_RADIUS_M`` and ``GUIYANG_PLACES_MIN_REPORTS``.
RADIUS_M = 50.0
MIN_REPORTS = 3
#: At most this many places are listed (the largest first).
LIMIT = 500
#: Reports that do not count: invalid (不予立案) and duplicates merged into another case.
LEFT_OUT = ("rejected", "merged")
_OPEN = sorted(str(getattr(s, "value", s)) for s in OPEN_STATUSES)
_KEY = re.compile(r"^([A-Za-z0-9_-]{1,24}):(\d{1,19})$")


@dataclass(frozen=True, slots=True)
class Place:
    key: str
    category_code: str
    category_zh: str
    category_en: str
    district_code: str | None
    district_zh: str | None
    district_en: str | None
    address: str | None  # of the report nearest the centre, if any report has one
    lat: float
    lon: float
    count: int
    first_seen: datetime
    last_seen: datetime
    open: int
    recurred: int
    case_ids: tuple[int, ...]

    def name(self, lang: str) -> str:
        """A readable name: the nearest report's address, else the district."""
        if self.address:
            return self.address
        return (self.district_en if lang == "en" else self.district_zh) or self.district_code or "—"

    def as_json(self) -> dict[str, Any]:
        """The CLI's and the CSV's row (the issue's interface names)."""
        return {
            "key": self.key,
            "category_code": self.category_code,
            "category_zh": self.category_zh,
            "category_en": self.category_en,
            "district_code": self.district_code,
            "name": self.name("zh"),
            "lat": round(self.lat, 6),
            "lon": round(self.lon, 6),
            "count": self.count,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "open": self.open,
            "recurred": self.recurred,
            "case_ids": list(self.case_ids),
        }


@dataclass(frozen=True, slots=True)
class PlaceCase:
    id: int
    ticket: str
    status: str
    created_at: datetime
    closed_at: datetime | None
    lat: float
    lon: float
    address: str | None


def _no_jit(conn: Connection) -> None:
    """JIT off for the rest of the caller's transaction: the planner prices the DBSCAN window function so high
    that PostgreSQL compiles the query, which was measured to take 2 s of a 2.3 s query (20k-case city)."""
    conn.execute(text("SET LOCAL jit = off"))


def check_parameters(radius_m: float, min_reports: int) -> None:
    if not (math.isfinite(radius_m) and 1 <= radius_m <= 1000) or not 2 <= min_reports <= 1000:
        raise ValidationError(
            "多发地点参数无效（半径 1–1000 米，至少 2 件）。",
            "Invalid place parameters (radius 1–1000 m, at least 2 reports).",
            field="radius_m",
        )


def _sql(scope: AnalysisScope, filters: Filters) -> str:
    where = " AND ".join(
        (
            scope.where(),
            filters.category_sql(),
            filters.district_sql(),
            "c.created_at >= :since AND c.created_at <= :now",
            "c.status <> ALL(:left_out)",
        )
    )
    return f"""
    WITH pts AS (
        SELECT c.id, c.category_code, c.district_code, c.status, c.created_at, c.closed_at, c.geom,
               ST_ClusterDBSCAN(ST_Transform(c.geom, {METRIC_SRID}), eps := :eps, minpoints := :minpts)
                   OVER (PARTITION BY c.category_code) AS cid
          FROM "case" c
         WHERE {where}
    ), members AS (
        SELECT p.*,
               min(p.closed_at) FILTER (WHERE p.status = 'closed')
                   OVER (PARTITION BY p.category_code, p.cid) AS first_close
          FROM pts p WHERE p.cid IS NOT NULL
    ), cl AS (
        SELECT category_code, cid, min(id) AS first_id, count(*) AS n,
               min(created_at) AS first_seen, max(created_at) AS last_seen,
               count(*) FILTER (WHERE status = ANY(:open)) AS open,
               count(*) FILTER (WHERE first_close IS NOT NULL AND created_at > first_close) AS recurred,
               mode() WITHIN GROUP (ORDER BY district_code) AS district_code,
               ST_Centroid(ST_Collect(geom)) AS center,
               array_agg(id ORDER BY created_at, id) AS ids
          FROM members GROUP BY category_code, cid
         ORDER BY count(*) DESC, max(created_at) DESC, min(id)
         LIMIT :lim
    ), named AS (
        SELECT DISTINCT ON (m.category_code, m.cid) m.category_code, m.cid, c.address
          FROM members m JOIN cl ON cl.category_code = m.category_code AND cl.cid = m.cid
          JOIN "case" c ON c.id = m.id
         WHERE coalesce(c.address, '') <> ''
         ORDER BY m.category_code, m.cid, m.geom <-> cl.center, m.id
    )
    SELECT cl.category_code, cl.first_id, cl.n, cl.first_seen, cl.last_seen, cl.open, cl.recurred,
           cl.district_code, cl.ids, ST_Y(cl.center) AS lat, ST_X(cl.center) AS lon,
           cat.name_zh AS category_zh, cat.name_en AS category_en, d.name_zh AS district_zh,
           d.name_en AS district_en, named.address
      FROM cl JOIN category cat ON cat.code = cl.category_code
      LEFT JOIN district d ON d.code = cl.district_code
      LEFT JOIN named ON named.category_code = cl.category_code AND named.cid = cl.cid
     ORDER BY cl.n DESC, cl.last_seen DESC, cl.first_id
    """  # nosec B608 # SQL from constant fragments; values are bound parameters


def places(
    conn: Connection,
    scope: AnalysisScope,
    filters: Filters,
    now: datetime,
    *,
    radius_m: float = RADIUS_M,
    min_reports: int = MIN_REPORTS,
    limit: int = LIMIT,
) -> list[Place]:
    """The multi-occurrence places of the period, largest first (see the module's docstring)."""
    check_parameters(radius_m, min_reports)
    if scope.empty:
        return []
    params = {
        **scope.params(),
        **filters.params(),
        "since": filters.since(now),
        "now": now,
        "left_out": list(LEFT_OUT),
        "open": _OPEN,
        "eps": float(radius_m),
        "minpts": int(min_reports),
        "lim": int(limit),
    }
    _no_jit(conn)
    rows = conn.execute(text(_sql(scope, filters)), params).all()
    return [
        Place(
            key=f"{r.category_code}:{r.first_id}",
            category_code=r.category_code,
            category_zh=r.category_zh,
            category_en=r.category_en,
            district_code=r.district_code,
            district_zh=r.district_zh,
            district_en=r.district_en,
            address=r.address,
            lat=float(r.lat),
            lon=float(r.lon),
            count=int(r.n),
            first_seen=r.first_seen,
            last_seen=r.last_seen,
            open=int(r.open),
            recurred=int(r.recurred),
            case_ids=tuple(int(i) for i in r.ids),
        )
        for r in rows
    ]


def parse_key(key: Any) -> tuple[str, int]:
    """``"C0101:123"`` → ``("C0101", 123)``; anything else is refused."""
    m = _KEY.match(key) if isinstance(key, str) else None
    if m is None:
        raise ValidationError("地点无效。", "Invalid place.", field="place", detail=repr(key)[:80])
    return m.group(1), int(m.group(2))


_CASES = """
    SELECT c.id, c.ticket, c.status, c.created_at, c.closed_at, ST_Y(c.geom) AS lat, ST_X(c.geom) AS lon,
           c.address
      FROM "case" c WHERE c.id = ANY(:ids) AND {scope}
     ORDER BY c.created_at, c.id
"""


def place_cases(
    conn: Connection,
    scope: AnalysisScope,
    filters: Filters,
    now: datetime,
    key: str,
    *,
    radius_m: float = RADIUS_M,
    min_reports: int = MIN_REPORTS,
) -> tuple[Place, list[PlaceCase]] | None:
    """The place ``key`` (found again with the same filters, narrowed to its 小类) and its reports, oldest first;
    ``None`` when there is no such place in the reader's scope and period."""
    category, _ = parse_key(key)
    if filters.category is not None and filters.category != category:
        # the place's 小类 must lie within the filter (a 大类 filter keeps its 小类)
        parent = conn.execute(
            text("SELECT parent_code FROM category WHERE code = :c"), {"c": category}
        ).scalar_one_or_none()
        if parent != filters.category:
            return None
    narrowed = replace(filters, category=category)
    found = [
        p
        for p in places(conn, scope, narrowed, now, radius_m=radius_m, min_reports=min_reports, limit=100_000)
        if p.key == key
    ]
    if not found:
        return None
    return found[0], cases_of(conn, scope, found[0])


def cases_of(conn: Connection, scope: AnalysisScope, place: Place) -> list[PlaceCase]:
    """The reports of a place already found (e.g. kept from :func:`places`), oldest first, within ``scope``."""
    rows = conn.execute(
        text(_CASES.format(scope=scope.where())), {**scope.params(), "ids": list(place.case_ids)}
    ).all()
    return [
        PlaceCase(
            id=r.id,
            ticket=r.ticket,
            status=r.status,
            created_at=r.created_at,
            closed_at=r.closed_at,
            lat=float(r.lat),
            lon=float(r.lon),
            address=r.address,
        )
        for r in rows
    ]


def place_area(conn: Connection, place: Place, radius_m: float = RADIUS_M) -> dict[str, Any]:
    """The area of a place for a 专项整治 campaign: its reports buffered by ``radius_m`` metres (in UTM 48N), as a
    GeoJSON geometry in WGS-84."""
    check_parameters(radius_m, MIN_REPORTS)
    found = conn.execute(
        text(
            f"SELECT ST_AsGeoJSON(ST_Transform(ST_Buffer(ST_Transform(ST_Collect(geom), {METRIC_SRID}), :r, 8), "  # nosec B608 # a constant SRID; values are bound parameters
            '4326), 6) FROM "case" WHERE id = ANY(:ids)'
        ),
        {"r": float(radius_m), "ids": list(place.case_ids)},
    ).scalar()
    if found is None:
        raise ValidationError("地点无效。", "Invalid place.", field="place")
    geometry: dict[str, Any] = json.loads(found)
    return geometry
