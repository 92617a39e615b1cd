"""Cases for an export (``/export/cases.*``, ``guiyang-ops export cases``): the workbench's filters and scope
(:func:`db.queries.workbench._where`, the same WHERE clause the queue and the pins use), plus a period of report
dates, read through a server-side cursor so a million rows never sit in memory at once.

The reporter's name, phone and app account are joined only when ``contact`` is asked for: a reader who may not
see them gets rows without those columns (the query never reads them). Times come out of the database as text
in Asia/Shanghai (``YYYY-MM-DD HH:MM:SS``), the form every export writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from db.accounts import StaffIdentity
from db.queries.workbench import _CUSTOM_PLANS, LIGHT_SQL, PENDING_SQL, Filters, _now, _where
from db.queries.workbench_scope import BBox
from db.scope import RowScope

#: Rows fetched from the server-side cursor at a time (and written per chunk).
BATCH = 2000

#: The columns of an export, in order (their headers are the caller's to name): the case, then the reporter's
#: contact columns for readers who may see them.
CASE_COLUMNS: tuple[str, ...] = (
    "ticket",
    "status",
    "light",
    "urgency",
    "source",
    "major",
    "category_code",
    "category",
    "district",
    "department",
    "address",
    "description",
    "created_at",
    "filed_at",
    "dispatched_at",
    "handled_at",
    "closed_at",
    "deadline",
    "lon",
    "lat",
)
CONTACT_COLUMNS: tuple[str, ...] = ("reporter_name", "reporter_phone", "reporter_account")
_TIMES = ("created_at", "filed_at", "dispatched_at", "handled_at", "closed_at", "deadline")


def _local(column: str) -> str:
    return f"to_char(c.{column} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')"


_SELECT = {
    "ticket": "c.ticket",
    "status": "c.status",
    "light": LIGHT_SQL,
    "urgency": "c.urgency",
    "source": "c.source",
    "major": "maj.name_zh",
    "major_en": "maj.name_en",
    "category_code": "c.category_code",
    "category": "cat.name_zh",
    "category_en": "cat.name_en",
    "district": "d.name_zh",
    "district_en": "d.name_en",
    "department": "dep.name_zh",
    "department_en": "dep.name_en",
    "address": "c.address",
    "description": "c.description",
    **{k: _local(k) for k in _TIMES},
    "lon": "round(ST_X(c.geom)::numeric, 6)::float8",
    "lat": "round(ST_Y(c.geom)::numeric, 6)::float8",
    "reporter_name": "p.name",
    "reporter_phone": "p.phone",
    "reporter_account": "p.account_id",
}


@dataclass(frozen=True)
class ExportFilter:
    """What to export: the workbench's filters (and its focus: ``first`` / ``only_first`` / ``pending_only`` as
    :func:`db.queries.workbench.queue` takes them), the map's box when 只看地图范围内, and the report dates
    ``since`` … ``until`` (days in Asia/Shanghai, both included)."""

    filters: Filters = field(default_factory=Filters)
    bbox: BBox | None = None
    since: date | None = None
    until: date | None = None
    first: tuple[str, ...] = ()
    only_first: bool = False
    pending_only: bool = False


def _where_of(scope: RowScope, f: ExportFilter, now: datetime | None) -> tuple[str, dict[str, Any]]:
    at = _now(now)
    where, params = _where(scope, f.filters, at, f.bbox)
    if f.only_first and f.first:
        where += " AND (c.status = ANY(CAST(:first AS text[])))"
        params["first"] = list(f.first)
    if f.pending_only:
        where += f" AND ({PENDING_SQL})"
    if f.since is not None:
        where += " AND (c.created_at >= :from_day)"
        params["from_day"] = datetime.combine(f.since, datetime.min.time(), at.tzinfo)
    if f.until is not None:
        where += " AND (c.created_at < :to_day)"
        params["to_day"] = datetime.combine(f.until + timedelta(days=1), datetime.min.time(), at.tzinfo)
    return where, params


def count_cases(conn: Connection, scope: RowScope, f: ExportFilter, *, now: datetime | None = None) -> int:
    """How many cases the export of ``f`` within ``scope`` holds."""
    where, params = _where_of(scope, f, now)
    conn.execute(_CUSTOM_PLANS)
    sql = f'SELECT count(*) FROM "case" c WHERE {where}'  # nosec B608 # SQL from constant fragments; values are bound parameters
    return int(conn.execute(text(sql), params).scalar_one())


def columns(*, contact: bool) -> tuple[str, ...]:
    """The column keys of an export."""
    return CASE_COLUMNS + (CONTACT_COLUMNS if contact else ())


def stream_cases(
    conn: Connection,
    scope: RowScope,
    f: ExportFilter,
    *,
    contact: bool,
    lang: str = "zh",
    now: datetime | None = None,
    batch: int = BATCH,
) -> Iterator[list[tuple[Any, ...]]]:
    """The cases of ``f`` within ``scope`` in batches of at most ``batch`` rows (values in the order of
    :func:`columns`), newest report first, through a server-side cursor: memory holds one batch, whatever the
    number of rows. ``conn`` must stay open (and in its transaction) while the batches are read."""
    where, params = _where_of(scope, f, now)
    suffix = "_en" if lang == "en" else ""
    names = [
        f"{_SELECT.get(k + suffix, _SELECT[k])} AS {k}"
        for k in columns(contact=contact)  # names of places and categories in the export's language
    ]
    joins = (
        "JOIN category cat ON cat.code = c.category_code LEFT JOIN category maj ON maj.code = cat.parent_code "
        "LEFT JOIN district d ON d.code = c.district_code LEFT JOIN department dep ON dep.code = c.department_code"
    )
    if contact:
        joins += " LEFT JOIN person p ON p.id = c.reporter_id"
    sql = (
        f'SELECT {", ".join(names)} FROM "case" c {joins} WHERE {where} '  # nosec B608 # SQL from constant fragments; values are bound parameters
        "ORDER BY c.created_at DESC, c.id DESC"
    )
    conn.execute(_CUSTOM_PLANS)
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(text(sql), params)
    try:
        for part in result.partitions(batch):
            yield [tuple(r) for r in part]
    finally:
        result.close()


def staff_by_username(conn: Connection, username: str) -> StaffIdentity | None:
    """An active staff user by their sign-in name (the command line's ``--as``)."""
    row = conn.execute(
        text(
            "SELECT id, username, display_name, role, district_code, department_code FROM staff_user "
            "WHERE username = :u AND active"
        ),
        {"u": username.strip()},
    ).first()
    return StaffIdentity(*row) if row else None
