"""Read models of the OGC API – Features endpoint (/ogc/): its collections as SQL, one page of items at a time.

Public collections show only what the public map shows: service points in use, approved 最美贵阳 posts with an
approved photo, and public reports of public 小类 at their **public point** (the point of their grid cell or the
centre of their 50 m square, :mod:`db.queries.public_position`; never the true point) with their public stage,
小类, district and day, nothing else. ``cases`` (partners' keys only) is limited to the key's 小类 and districts
and never selects a person's field (reporter, contact, account) nor an event's note or actor; its free text
(description, address) is masked like the public text (:func:`db.masking.mask_public_text`).

Every value is a bound parameter; SQL is assembled from the constant fragments of :data:`COLLECTIONS` only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.masking import mask_public_text
from db.queries.public_common import COORD_DP, STAGE_OF, no_jit
from db.queries.public_position import public_point_sql
from geo.crs import TZ

#: The public point lies within about 150 m of the true one (its 100 m cell or 50 m square): a bbox is first
#: widened by this many degrees on the true point (indexed), then applied exactly to the public point.
PUBLIC_MARGIN_DEG = 0.003
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000


@dataclass(frozen=True)
class Queryable:
    """A property one may filter on with ``?name=v1,v2`` (any of the values)."""

    name: str
    sql: str  # the SQL expression compared with ``= ANY(:param)``
    values: tuple[str, ...] = ()  # the only values allowed (empty: any)
    #: the values asked → the values compared (e.g. a public stage → its statuses)
    expand: Callable[[tuple[str, ...]], list[str]] | None = None


@dataclass(frozen=True)
class Collection:
    id: str
    public: bool
    from_sql: str  # FROM ... [JOIN ...] WHERE <the collection's own conditions>
    fid_sql: str
    fid_int: bool
    point_sql: str  # the geometry shown (EPSG:4326 point)
    time_sql: str  # the instant datetime filters apply to
    select_sql: str  # further select-list items, read by ``props``
    order_sql: str
    props: Callable[[Any], dict[str, Any]]
    queryables: tuple[Queryable, ...] = ()
    key_sql: str = ""  # the row's primary key (a page is chosen by key first, its points computed after)
    #: the bbox test (:w, :s, :e, :n) on the point shown, written so an index serves it
    bbox_sql: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # property name → JSON schema type


@dataclass(frozen=True)
class ItemQuery:
    bbox: tuple[float, float, float, float] | None = None
    start: datetime | None = None
    end: datetime | None = None
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    #: 小类 shown at their true point in public collections (GUIYANG_PUBLIC_EXACT_CATEGORIES)
    public_exact: tuple[str, ...] = ()
    #: a partner's grant (``cases``): 小类 and districts
    categories: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page:
    features: list[dict[str, Any]]
    matched: int


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(TZ).isoformat(timespec="seconds") if value is not None else None


def _service_point(r: Any) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "name_zh": r.name_zh,
        "name_en": r.name_en,
        "address": r.address,
        "hours": r.open_hours,
        "updated": _iso(r.updated_at),
    }


def _photo_spot(r: Any) -> dict[str, Any]:
    return {
        "title": mask_public_text(r.title),
        "body": mask_public_text(r.body),
        "photo": f"/media/photo/{r.photo_id}/full",
        "thumbnail": f"/media/photo/{r.photo_id}/thumb",
        "width": r.width,
        "height": r.height,
        "created": _iso(r.created_at),
    }


def _public_report(r: Any) -> dict[str, Any]:
    return {
        "category_code": r.category_code,
        "category_zh": r.cat_zh,
        "category_en": r.cat_en,
        "stage": STAGE_OF[r.status],
        "district_code": r.district_code,
        "reported": r.created_at.astimezone(TZ).date().isoformat(),  # the day only, as the public map
    }


def _case(r: Any) -> dict[str, Any]:
    return {
        "ticket": r.ticket,
        "category_code": r.category_code,
        "category_zh": r.cat_zh,
        "category_en": r.cat_en,
        "status": r.status,
        "stage": STAGE_OF[r.status],
        "district_code": r.district_code,
        "department_code": r.department_code,
        "department_zh": r.dep_zh,
        "urgency": r.urgency,
        "escalated": r.escalated,
        "source": r.source,
        "address": mask_public_text(r.address),
        "description": mask_public_text(r.description),
        "created": _iso(r.created_at),
        "filed": _iso(r.filed_at),
        "dispatched": _iso(r.dispatched_at),
        "handled": _iso(r.handled_at),
        "closed": _iso(r.closed_at),
        "deadline": _iso(r.deadline),
        "overdue": bool(
            r.deadline is not None
            and (r.closed_at or datetime.now(TZ)) > r.deadline
            and r.status != "rejected"
        ),
        "rework_count": r.rework_count,
    }


STAGE_VALUES = ("received", "progress", "resolved", "refused")
STATUS_VALUES = tuple(STAGE_OF)


def _statuses_of(stages: tuple[str, ...]) -> list[str]:
    return [s for s, st in STAGE_OF.items() if st in stages]


_ENV = "ST_MakeEnvelope(:w, :s, :e, :n, 4326)"
_EXACT = "c.category_code = ANY(CAST(:public_exact AS text[]))"
#: A public report lies in the box when its public point does: the reports of the cells whose point on surface is
#: in the box (the cells by their index, once, as an array; then the reports by ``cell_id`` in one bitmap scan of
#: the case table, each row read once), and the few without a cell (or of a public-exact 小类) by their own point
#: within a margin (indexed), then by their public point exactly. (Written as ``c.id IN (…)`` it read each of
#: 143,000 reports twice in a 2 km box of the 1M city: 3.5 s.)
_PUBLIC_BBOX = f"""((c.cell_id = ANY(ARRAY(
    SELECT g.id FROM grid_cell g WHERE g.geom && {_ENV} AND ST_Intersects(ST_PointOnSurface(g.geom), {_ENV})))
    AND NOT ({_EXACT}))
  OR (c.geom && ST_MakeEnvelope(:w - :m, :s - :m, :e + :m, :n + :m, 4326)
    AND (c.cell_id IS NULL OR {_EXACT}) AND ST_Intersects({public_point_sql("c")}, {_ENV})))"""  # nosec B608 # constant fragments

_SERVICE_KINDS = ("toilet", "parking", "service_station", "water", "charging", "recycling", "rest")
_S = "string"

COLLECTIONS: dict[str, Collection] = {
    c.id: c
    for c in (
        Collection(
            id="service_points",
            public=True,
            from_sql="FROM service_point s WHERE s.retired_at IS NULL",
            fid_sql="s.id",
            fid_int=True,
            point_sql="s.geom",
            key_sql="s.id",
            bbox_sql="s.geom && " + _ENV,
            time_sql="s.created_at",
            select_sql="s.kind, s.name_zh, s.name_en, s.address, s.open_hours, s.updated_at",
            order_sql="s.kind, s.id",
            props=_service_point,
            queryables=(Queryable("kind", "s.kind", _SERVICE_KINDS),),
            fields={"kind": _S, "name_zh": _S, "name_en": _S, "address": _S, "hours": _S, "updated": _S},
        ),
        Collection(
            id="photo_spots",
            public=True,
            from_sql="FROM beauty_post b JOIN photo p ON p.id = b.photo_id AND p.approved WHERE b.state = 'approved'",
            fid_sql="b.id",
            fid_int=True,
            point_sql="b.geom",
            key_sql="b.id",
            bbox_sql="b.geom && " + _ENV,
            time_sql="b.created_at",
            select_sql="b.title, b.body, b.photo_id, p.width, p.height, b.created_at",
            order_sql="b.created_at DESC, b.id DESC",
            props=_photo_spot,
            fields={"title": _S, "body": _S, "photo": _S, "thumbnail": _S, "width": "integer", "created": _S},
        ),
        Collection(
            id="public_reports",
            public=True,
            from_sql='FROM "case" c JOIN category k ON k.code = c.category_code WHERE c.public AND k.public',
            fid_sql="c.ticket",
            fid_int=False,
            point_sql=public_point_sql("c"),
            key_sql="c.id",
            time_sql="c.created_at",
            select_sql="c.category_code, k.name_zh AS cat_zh, k.name_en AS cat_en, c.status, c.district_code, "
            "c.created_at",
            order_sql="c.created_at DESC, c.id DESC",
            props=_public_report,
            queryables=(
                Queryable("category_code", "c.category_code"),
                Queryable("stage", "c.status", STAGE_VALUES, _statuses_of),
                Queryable("district_code", "c.district_code"),
            ),
            bbox_sql=_PUBLIC_BBOX,
            fields={
                "category_code": _S,
                "category_zh": _S,
                "category_en": _S,
                "stage": _S,
                "district_code": _S,
                "reported": _S,
            },  # fmt: skip
        ),
        Collection(
            id="cases",
            public=False,
            from_sql='FROM "case" c JOIN category k ON k.code = c.category_code '
            "LEFT JOIN department d ON d.code = c.department_code "
            "WHERE c.category_code = ANY(CAST(:g_cats AS text[])) AND c.district_code = ANY(CAST(:g_dists AS text[]))",
            fid_sql="c.ticket",
            fid_int=False,
            point_sql="c.geom",
            key_sql="c.id",
            bbox_sql="c.geom && " + _ENV,
            time_sql="c.created_at",
            select_sql="c.ticket, c.category_code, k.name_zh AS cat_zh, k.name_en AS cat_en, c.status, "
            "c.district_code, c.department_code, d.name_zh AS dep_zh, c.urgency, c.escalated, c.source, c.address, "
            "c.description, c.created_at, c.filed_at, c.dispatched_at, c.handled_at, c.closed_at, c.deadline, "
            "c.rework_count",
            order_sql="c.created_at DESC, c.id DESC",
            props=_case,
            queryables=(
                Queryable("category_code", "c.category_code"),
                Queryable("status", "c.status", STATUS_VALUES),
                Queryable("stage", "c.status", STAGE_VALUES, _statuses_of),
                Queryable("district_code", "c.district_code"),
                Queryable("department_code", "c.department_code"),
                Queryable("urgency", "c.urgency", ("normal", "urgent")),
            ),
            fields={
                "ticket": _S,
                "category_code": _S,
                "category_zh": _S,
                "category_en": _S,
                "status": _S,
                "stage": _S,
                "district_code": _S,
                "department_code": _S,
                "department_zh": _S,
                "urgency": _S,
                "escalated": "boolean",
                "source": _S,
                "address": _S,
                "description": _S,
                "created": _S,
                "filed": _S,
                "dispatched": _S,
                "handled": _S,
                "closed": _S,
                "deadline": _S,
                "overdue": "boolean",
                "rework_count": "integer",
            },  # fmt: skip
        ),
    )
}


def _where(coll: Collection, q: ItemQuery, params: dict[str, Any]) -> str:
    """The conditions beyond the collection's own, with their values put in ``params``."""
    out: list[str] = []
    if q.bbox is not None:
        params.update(zip(("w", "s", "e", "n"), q.bbox, strict=True))
        params["m"] = PUBLIC_MARGIN_DEG
        out.append(coll.bbox_sql)
    if q.start is not None:
        params["t0"] = q.start
        out.append(f"{coll.time_sql} >= :t0")
    if q.end is not None:
        params["t1"] = q.end
        out.append(f"{coll.time_sql} <= :t1")
    by_name = {qb.name: qb for qb in coll.queryables}
    for i, (name, values) in enumerate(sorted(q.filters.items())):
        qb = by_name[name]  # the caller checked the names
        params[f"f{i}"] = qb.expand(values) if qb.expand else list(values)
        out.append(f"{qb.sql} = ANY(CAST(:f{i} AS text[]))")
    return "".join(f" AND {w}" for w in out)


def _params(q: ItemQuery) -> dict[str, Any]:
    return {"public_exact": list(q.public_exact), "g_cats": list(q.categories), "g_dists": list(q.districts)}


def _feature(coll: Collection, r: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": r.fid,
        "geometry": {"type": "Point", "coordinates": [float(r.lon), float(r.lat)]},
        "properties": coll.props(r),
    }


def _select(coll: Collection) -> str:
    return (
        f"SELECT {coll.fid_sql} AS fid, round(ST_X(pos.g)::numeric, {COORD_DP})::float8 AS lon, "
        f"round(ST_Y(pos.g)::numeric, {COORD_DP})::float8 AS lat, {coll.select_sql} "
        f"{_lateral_from(coll)}"
    )


def _lateral_from(coll: Collection) -> str:
    """The FROM clause with the shown point as ``pos.g`` (a lateral join placed before the WHERE)."""
    head, where = coll.from_sql.split(" WHERE ", 1)
    return f"{head} CROSS JOIN LATERAL (SELECT {coll.point_sql} AS g) pos WHERE {where}"


def items(conn: Connection, coll: Collection, q: ItemQuery) -> Page:
    """One page of ``coll``'s features matching ``q`` and how many match in all. The page's keys are chosen
    first (no point computed for rows skipped by ``offset``); the points of those rows only, after."""
    params = _params(q)
    where = _where(coll, q, params)
    no_jit(conn)
    base = coll.from_sql + where
    matched = int(conn.execute(text(f"SELECT count(*) {base}"), params).scalar_one())  # nosec B608 # constant fragments; values bound
    params.update(lim=q.limit, off=q.offset)
    page = f"SELECT {coll.key_sql} {base} ORDER BY {coll.order_sql} LIMIT :lim OFFSET :off"  # nosec B608
    rows = conn.execute(
        text(f"{_select(coll)} AND {coll.key_sql} IN ({page}) ORDER BY {coll.order_sql}"),
        params,  # nosec B608 # constant fragments; values bound
    ).all()
    return Page([_feature(coll, r) for r in rows], matched)


def item(conn: Connection, coll: Collection, fid: str, q: ItemQuery) -> dict[str, Any] | None:
    """One feature by its id (None: no such feature in this collection, or not within the grant)."""
    if coll.fid_int and not (fid.isascii() and fid.isdigit() and len(fid) < 18):
        return None
    params = _params(q)
    params["fid"] = int(fid) if coll.fid_int else fid
    row = conn.execute(text(f"{_select(coll)} AND {coll.fid_sql} = :fid"), params).first()  # nosec B608 # constant fragments
    return _feature(coll, row) if row is not None else None
