"""Open311 reads: public service requests (cases), found by ticket, 小类, date window and open/closed.

Only public cases of public 小类 are ever returned, and nothing about who reported them: the free text
(description, address) comes out masked (:func:`db.masking.mask_public_text`), the position coarsened to the
grid cell as on the public map unless the 小类 is public-exact (:mod:`db.queries.public_position`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError
from db.masking import mask_public_text
from db.queries.public_position import public_position_sql
from geo.crs import TZ
from ops.states import FINAL_STATUSES, OPEN_STATUSES

MAX_WINDOW = timedelta(days=90)
MAX_PAGE_SIZE = 1000
OPEN311_STATUSES = {
    "open": tuple(sorted(s.value for s in OPEN_STATUSES)),
    "closed": tuple(sorted(s.value for s in FINAL_STATUSES)),
}


@dataclass(frozen=True, slots=True)
class RequestRow:
    ticket: str
    status: str
    service_code: str
    service_name_zh: str
    service_name_en: str
    description: str
    agency_zh: str | None
    agency_en: str | None
    requested_at: datetime
    updated_at: datetime
    expected_at: datetime | None
    address: str | None
    lon: float
    lat: float
    photo_id: int | None


@dataclass(frozen=True)
class RequestQuery:
    tickets: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    open311_statuses: tuple[str, ...] = ()
    page: int = 1
    page_size: int = MAX_PAGE_SIZE
    #: 小类 shown at their true point (``GUIYANG_PUBLIC_EXACT_CATEGORIES``); every other one at its cell's point
    public_exact: tuple[str, ...] = ()


def window(
    start: datetime | None, end: datetime | None, now: datetime | None = None, limit: timedelta = MAX_WINDOW
) -> tuple[datetime, datetime]:
    """The requested-date window: default the last 90 days; at most 90 days; naive times are Beijing time."""
    start, end = (_aware(start), _aware(end))
    if end is None:
        end = start + limit if start is not None else (now or datetime.now(TZ))
    if start is None:
        start = end - limit
    if start > end:
        raise ValidationError(
            "start_date 晚于 end_date。", "start_date is after end_date.", field="start_date"
        )
    if end - start > limit:
        raise ValidationError(
            f"日期范围超过 {limit.days} 天的上限。",
            f"Date range exceeds the limit of {limit.days} days.",
            field="end_date",
        )
    return start, end


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=TZ)


_LATERAL, _LON_LAT = public_position_sql("c")
_SELECT = f"""
    SELECT c.ticket, c.status, c.category_code AS service_code, cat.name_zh AS service_name_zh,
           cat.name_en AS service_name_en, c.description, dep.name_zh AS agency_zh, dep.name_en AS agency_en,
           c.created_at AS requested_at, c.updated_at, c.deadline AS expected_at, c.address,
           {_LON_LAT},
           (SELECT p.id FROM photo p WHERE p.case_id = c.id AND p.kind = 'report' AND p.approved
             ORDER BY p.id LIMIT 1) AS photo_id
      FROM "case" c {_LATERAL}
      JOIN category cat ON cat.code = c.category_code
      LEFT JOIN department dep ON dep.code = c.department_code
     WHERE c.public AND cat.public
"""  # nosec B608 # SQL from constant fragments; values are bound parameters


def _row(r: Any) -> RequestRow:
    row = RequestRow(*r)  # the SELECT lists the columns in the dataclass's order
    return replace(
        row, description=mask_public_text(row.description) or "", address=mask_public_text(row.address)
    )


def find_requests(conn: Connection, q: RequestQuery) -> list[RequestRow]:
    """Requests matching ``q``, newest first. Tickets given override every other filter (as Open311 says)."""
    where: list[str] = []
    params: dict[str, Any] = {
        "limit": q.page_size,
        "offset": (q.page - 1) * q.page_size,
        "public_exact": list(q.public_exact),
    }
    if q.tickets:
        where.append("c.ticket = ANY(:tickets)")
        params["tickets"] = list(q.tickets)
    else:
        if q.service_codes:
            where.append("c.category_code = ANY(:codes)")
            params["codes"] = list(q.service_codes)
        if q.start is not None:
            where.append("c.created_at >= :start")
            params["start"] = q.start
        if q.end is not None:
            where.append("c.created_at <= :end")
            params["end"] = q.end
        if q.open311_statuses:
            params["statuses"] = sorted({s for o in q.open311_statuses for s in OPEN311_STATUSES[o]})
            where.append("c.status = ANY(:statuses)")
    sql = _SELECT + "".join(f" AND {w}" for w in where)
    sql += " ORDER BY c.created_at DESC, c.id DESC LIMIT :limit OFFSET :offset"
    return [_row(r) for r in conn.execute(text(sql), params)]


def get_request(conn: Connection, ticket: str, public_exact: tuple[str, ...] = ()) -> RequestRow:
    """One public request by ticket; :class:`NotFound` for an unknown or non-public one (no difference)."""
    params = {"t": ticket, "public_exact": list(public_exact)}
    row = conn.execute(text(_SELECT + " AND c.ticket = :t"), params).first()
    if row is None:
        raise NotFound(
            f"没有编号为 {ticket} 的公开诉求。",
            f"service_request_id {ticket} was not found.",
            field="service_request_id",
        )
    return _row(row)
