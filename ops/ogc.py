"""The OGC API – Features service (数据共享): who may read which collection, the parsing of ``bbox``,
``datetime``, ``limit``/``offset`` and property filters, and the audit of every partner's read.

Framework-free: the HTTP views (``dashboard.api.ogc``) parse the request into plain values, call
:func:`read_items` / :func:`read_item` in one transaction, and format. Anonymous readers get the public
collections; ``cases`` needs a partner key (:mod:`ops.partners`) and is cut to its 小类 and districts. Every
read of data with a key is recorded (``partner_access``) in the same transaction as the read."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection

from db.errors import NotFound, ValidationError
from db.queries import ogc as q
from ops.partners import PartnerGrant, key_required, record_access

#: Query parameters every items request may carry besides the collection's queryables.
COMMON_PARAMS = frozenset({"f", "lang", "api_key", "limit", "offset", "bbox", "bbox-crs", "datetime"})
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
MAX_FILTER_VALUES = 100


def collections_for(grant: PartnerGrant | None) -> list[q.Collection]:
    """The collections a reader may see: the public ones, and ``cases`` for a partner key."""
    return [c for c in q.COLLECTIONS.values() if c.public or grant is not None]


def collection(cid: str, grant: PartnerGrant | None) -> q.Collection:
    """The collection ``cid``; NotFound if there is none, KeyRequired when it needs a partner key."""
    coll = q.COLLECTIONS.get(cid)
    if coll is None:
        raise NotFound(f"没有名为 {cid} 的数据集。", f"There is no collection {cid}.", field="collectionId")
    if not coll.public and grant is None:
        raise key_required()
    return coll


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """``minLon,minLat,maxLon,maxLat`` (WGS 84, CRS84 axis order); ValidationError when it is not."""
    if value is None or value == "":
        return None
    try:
        nums = [float(v) for v in value.split(",")]
    except ValueError:
        nums = []
    if len(nums) != 4 or not all(math.isfinite(n) for n in nums):
        raise ValidationError(
            "bbox 须为 4 个数：最小经度,最小纬度,最大经度,最大纬度。",
            "bbox must be 4 numbers: minLon,minLat,maxLon,maxLat.",
            field="bbox",
        )
    w, s, e, n = nums
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise ValidationError(
            "bbox 超出范围或最小值大于最大值。",
            "bbox is out of range, or a minimum is above its maximum.",
            field="bbox",
        )
    return w, s, e, n


def _instant(text: str, *, end: bool, tz: Any) -> datetime:
    """An RFC 3339 date-time (naive: Beijing time) or a date (the start or the end of that day)."""
    t = text.strip()
    try:
        if "T" not in t.upper() and len(t) == 10:
            d = date.fromisoformat(t)
            at = datetime.combine(d + timedelta(days=1) if end else d, time(0), tzinfo=tz)
            return at - timedelta(microseconds=1) if end else at
        at = datetime.fromisoformat(t.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationError(
            f"无法识别的时间：{t[:40]}（应为 RFC 3339，如 2026-11-01T00:00:00+08:00）。",
            f"Cannot read the time {t[:40]} (RFC 3339 expected, e.g. 2026-11-01T00:00:00+08:00).",
            field="datetime",
        ) from exc
    return at if at.tzinfo is not None else at.replace(tzinfo=tz)


def parse_datetime(value: str | None, tz: Any) -> tuple[datetime | None, datetime | None]:
    """``datetime``: an instant, or an interval ``start/end`` with ``..`` (or nothing) for an open end."""
    if value is None or value.strip() == "":
        return None, None
    if "/" not in value:
        if value.strip() == "..":
            raise ValidationError("datetime 不能只是 ..。", "datetime cannot be .. alone.", field="datetime")
        t = value.strip()
        return _instant(t, end=False, tz=tz), _instant(t, end=True, tz=tz)
    parts = value.split("/")
    if len(parts) != 2:
        raise ValidationError(
            "datetime 区间须为 开始/结束。", "A datetime interval is start/end.", field="datetime"
        )
    a, b = (p.strip() for p in parts)
    start = None if a in ("", "..") else _instant(a, end=False, tz=tz)
    end = None if b in ("", "..") else _instant(b, end=True, tz=tz)
    if start is None and end is None:
        raise ValidationError(
            "datetime 区间两端不能都开放。", "Both ends of the interval are open.", field="datetime"
        )
    if start is not None and end is not None and start > end:
        raise ValidationError(
            "datetime 的开始晚于结束。", "The interval starts after it ends.", field="datetime"
        )
    return start, end


def _int(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise ValidationError(
            f"{name} 须为 {low} 到 {high} 之间的整数。", f"{name} must be a whole number from {low} to {high}.",
            field=name,
        )  # fmt: skip
    return int(value)


def parse_query(
    coll: q.Collection,
    params: Mapping[str, str],
    *,
    tz: Any,
    public_exact: tuple[str, ...] = (),
    grant: PartnerGrant | None = None,
) -> q.ItemQuery:
    """The items query of a request's parameters (one value each); ValidationError for anything not understood:
    an unknown parameter (OGC API – Features requires 400), a bad bbox, time, limit, offset or filter value."""
    names = {qb.name: qb for qb in coll.queryables}
    unknown = sorted(k for k in params if k not in COMMON_PARAMS and k not in names)
    if unknown:
        allowed = ", ".join(sorted(COMMON_PARAMS | set(names)))
        raise ValidationError(
            f"未知的参数：{', '.join(unknown)}（可用：{allowed}）。",
            f"Unknown parameter: {', '.join(unknown)} (known: {allowed}).",
            field=unknown[0],
        )
    crs = params.get("bbox-crs")
    if crs not in (None, "", CRS84):
        raise ValidationError(
            f"仅支持 bbox-crs={CRS84}。", f"Only bbox-crs={CRS84} is supported.", field="bbox-crs"
        )
    filters: dict[str, tuple[str, ...]] = {}
    for name, qb in names.items():
        if name not in params:
            continue
        values = tuple(dict.fromkeys(v.strip() for v in params[name].split(",") if v.strip()))
        if not values or len(values) > MAX_FILTER_VALUES or any(len(v) > 40 for v in values):
            raise ValidationError(
                f"{name} 须为 1 到 {MAX_FILTER_VALUES} 个以逗号分隔的值。",
                f"{name} takes 1 to {MAX_FILTER_VALUES} comma-separated values.",
                field=name,
            )
        bad = [v for v in values if qb.values and v not in qb.values]
        if bad:
            raise ValidationError(
                f"{name} 不能取 {bad[0]}（可取：{', '.join(qb.values)}）。",
                f"{name} cannot be {bad[0]} (one of: {', '.join(qb.values)}).",
                field=name,
            )
        filters[name] = values
    start, end = parse_datetime(params.get("datetime"), tz)
    return q.ItemQuery(
        bbox=parse_bbox(params.get("bbox")),
        start=start,
        end=end,
        filters=filters,
        limit=_int(params.get("limit"), "limit", q.DEFAULT_LIMIT, 1, q.MAX_LIMIT),
        offset=_int(params.get("offset"), "offset", 0, 0, q.MAX_OFFSET),
        public_exact=public_exact,
        categories=grant.categories if grant else (),
        districts=grant.districts if grant else (),
    )


def read_items(
    conn: Connection, coll: q.Collection, query: q.ItemQuery, grant: PartnerGrant | None, client: str | None
) -> q.Page:
    """One page of items; a partner's read is recorded in the same transaction (collection, rows, key id)."""
    if not coll.public and grant is None:
        raise key_required()
    page = q.items(conn, coll, query)
    if grant is not None:
        record_access(conn, grant, coll.id, len(page.features), client=client)
    return page


def read_item(
    conn: Connection,
    coll: q.Collection,
    fid: str,
    query: q.ItemQuery,
    grant: PartnerGrant | None,
    client: str | None,
) -> dict[str, Any]:
    """One feature; NotFound when there is none (or it is outside the key's grant: the same answer)."""
    if not coll.public and grant is None:
        raise key_required()
    found = q.item(conn, coll, fid, query)
    if grant is not None:
        record_access(conn, grant, coll.id, 1 if found else 0, client=client, item=fid[:40])
    if found is None:
        raise NotFound(
            f"数据集 {coll.id} 中没有编号为 {fid[:40]} 的要素。",
            f"There is no feature {fid[:40]} in collection {coll.id}.",
            field="featureId",
        )
    return found
