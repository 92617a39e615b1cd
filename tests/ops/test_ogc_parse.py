"""The OGC API's request parsing (pure): bbox, datetime instants and intervals, limit/offset, property filters,
unknown parameters refused (OGC API – Features answers 400 for them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from db.errors import ValidationError
from db.queries.ogc import COLLECTIONS
from geo.crs import TZ
from ops.ogc import collection, collections_for, parse_bbox, parse_datetime, parse_query
from ops.partners import KeyRequired, PartnerGrant

GRANT = PartnerGrant(7, "交警", ("C0101",), ("520103",), 60)


def test_bbox() -> None:
    assert parse_bbox("106.6,26.5,106.8,26.7") == (106.6, 26.5, 106.8, 26.7)
    assert parse_bbox(None) is None
    for bad in ("1,2,3", "a,b,c,d", "106.8,26.5,106.6,26.7", "0,0,0,91", "nan,0,1,1", "1,2,3,4,5,6"):
        with pytest.raises(ValidationError):
            parse_bbox(bad)


def test_datetime() -> None:
    start, end = parse_datetime("2026-11-01T00:00:00Z/2026-11-30T23:59:59+08:00", TZ)
    assert start == datetime(2026, 11, 1, tzinfo=UTC) and end == datetime(2026, 11, 30, 23, 59, 59, tzinfo=TZ)
    assert parse_datetime("../2026-11-30", TZ)[0] is None
    assert parse_datetime("2026-11-01/", TZ)[1] is None
    day = parse_datetime("2026-11-05", TZ)  # a date: the whole day in Beijing time
    assert day[0] == datetime(2026, 11, 5, tzinfo=TZ) and day[1] == datetime(
        2026, 11, 6, tzinfo=TZ
    ) - timedelta(microseconds=1)
    naive = parse_datetime("2026-11-05T08:00:00", TZ)[0]
    assert naive == datetime(2026, 11, 5, 8, tzinfo=TZ)
    assert parse_datetime(None, TZ) == (None, None)
    for bad in ("../..", "yesterday", "2026-11-30/2026-11-01", "a/b/c", ".."):
        with pytest.raises(ValidationError):
            parse_datetime(bad, TZ)


def test_query() -> None:
    reports = COLLECTIONS["public_reports"]
    q = parse_query(
        reports, {"limit": "50", "offset": "100", "stage": "progress,resolved", "f": "json"}, tz=TZ
    )
    assert (q.limit, q.offset, q.filters) == (50, 100, {"stage": ("progress", "resolved")})
    assert parse_query(reports, {}, tz=TZ).limit == 10
    for bad in ({"limit": "0"}, {"limit": "1001"}, {"offset": "-1"}, {"stage": "closed"}, {"reporter": "x"},
                {"bbox-crs": "EPSG:4326"}, {"category_code": ""}):  # fmt: skip
        with pytest.raises(ValidationError):
            parse_query(reports, bad, tz=TZ)
    cases = parse_query(COLLECTIONS["cases"], {"status": "dispatched"}, tz=TZ, grant=GRANT)
    assert cases.categories == ("C0101",) and cases.districts == ("520103",)


def test_who_sees_what() -> None:
    assert [c.id for c in collections_for(None)] == ["service_points", "photo_spots", "public_reports"]
    assert "cases" in [c.id for c in collections_for(GRANT)]
    with pytest.raises(KeyRequired):
        collection("cases", None)
    assert collection("cases", GRANT).id == "cases"
