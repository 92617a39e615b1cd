"""多发地点: places are PostGIS DBSCAN clusters per 小类, scoped and filtered; counts, open, recurred right."""

from __future__ import annotations

from datetime import timedelta

import pytest
from shapely.geometry import Point, shape
from sqlalchemy import Connection, text

from db.errors import ValidationError
from geo.crs import METRIC_SRID
from ops import workflow as wf
from ops.analysis.filters import Filters
from ops.analysis.places import place_area, place_cases, places
from ops.analysis.scope import AnalysisScope
from ops.workflow import Actor
from tests.support.cases import MON, NANMING
from tests.support.places import CATEGORY, YUNYAN, closed, offset, report

pytestmark = pytest.mark.db

NOW = MON + timedelta(days=10)
CITY = AnalysisScope.city()
OTHER = "C0103"  # 供水管道 (not the city management bureau's)
A = YUNYAN
B = offset(YUNYAN, 600, 0)  # a chain of reports 40 m apart
C = offset(YUNYAN, 0, 900)  # two reports only: noise


def _city(conn: Connection, staff: dict[str, Actor]) -> dict[str, list[int]]:
    """The synthetic city; known places by name → their case ids."""
    out: dict[str, list[int]] = {}
    # A: C0101, four reports within 20 m; the first closed on day 1, then three more on days 2–4 (recurred 3)
    first, _ = closed(conn, staff, A, MON)
    out["A"] = [first.id] + [
        report(conn, offset(A, 10 * k, 5), MON + timedelta(days=1 + k), address=f"中华北路{k}号").id
        for k in (1, 2, 3)
    ]
    # a rejected report at A does not count
    r = report(conn, offset(A, 5, 5), MON + timedelta(days=5))
    r = wf.reject(conn, staff["lead"], r.id, r.version, reason="无效", now=MON + timedelta(days=5, hours=1))
    # A': the same spot, another 小类: a place of its own
    out["A2"] = [report(conn, offset(A, 3 * k, 0), MON + timedelta(hours=k), OTHER).id for k in (1, 2, 3)]
    # B: C0101 in a chain 0/40/80 m: one place at 50 m, none at 30 m
    out["B"] = [report(conn, offset(B, 40 * k, 0), MON + timedelta(days=k)).id for k in (0, 1, 2)]
    # C: two reports only
    for k in (0, 1):
        report(conn, offset(C, 10 * k, 0), MON + timedelta(days=k))
    # N: 南明区, three reports
    out["N"] = [report(conn, offset(NANMING, 5 * k, 0), MON + timedelta(days=k)).id for k in (0, 1, 2)]
    # an old place, before the period
    for k in (0, 1, 2):
        report(conn, offset(YUNYAN, -800, 5 * k), MON - timedelta(days=40))
    return out


def _members(found: list) -> set[frozenset[int]]:
    return {frozenset(p.case_ids) for p in found}


def _direct(conn: Connection, since, eps: float, minpts: int) -> set[frozenset[int]]:
    """The clusters of a plain ST_ClusterDBSCAN query over the same reports."""
    rows = conn.execute(
        text(
            f"""
            SELECT array_agg(id) FROM (
              SELECT id, category_code,
                     ST_ClusterDBSCAN(ST_Transform(geom, {METRIC_SRID}), eps := :eps, minpoints := :m)
                         OVER (PARTITION BY category_code) AS cid
                FROM "case" WHERE created_at >= :since AND created_at <= :now
                 AND status NOT IN ('rejected', 'merged')) x
             WHERE cid IS NOT NULL GROUP BY category_code, cid
            """
        ),
        {"eps": eps, "m": minpts, "since": since, "now": NOW},
    ).scalars()
    return {frozenset(r) for r in rows}


def test_places_are_the_dbscan_clusters(conn: Connection, staff: dict[str, Actor]) -> None:
    known = _city(conn, staff)
    f = Filters(days=30)
    found = places(conn, CITY, f, NOW, radius_m=50, min_reports=3)
    assert _members(found) == {frozenset(v) for v in known.values()}
    assert _members(found) == _direct(conn, f.since(NOW), 50, 3)
    # a smaller radius breaks the chain B; the direct query agrees
    small = places(conn, CITY, f, NOW, radius_m=30, min_reports=3)
    assert frozenset(known["B"]) not in _members(small)
    assert _members(small) == _direct(conn, f.since(NOW), 30, 3)
    # four reports with min 4: only A
    assert _members(places(conn, CITY, f, NOW, radius_m=50, min_reports=4)) == {frozenset(known["A"])}


def test_a_place_says_what_it_is(conn: Connection, staff: dict[str, Actor]) -> None:
    known = _city(conn, staff)
    found = {p.key: p for p in places(conn, CITY, Filters(days=30), NOW)}
    a = found[f"{CATEGORY}:{known['A'][0]}"]
    assert list(found)[0] == a.key  # ranked by count
    assert (a.count, a.open, a.recurred) == (4, 3, 3)
    assert a.district_code == "520103" and a.category_code == CATEGORY
    assert a.first_seen == MON and a.last_seen == MON + timedelta(days=4)
    assert a.address == "中华北路1号"  # the nearest report with an address (5 m off the centre's line)
    assert abs(a.lat - YUNYAN[1]) < 0.0002 and abs(a.lon - YUNYAN[0]) < 0.0003
    n = found[f"{CATEGORY}:{known['N'][0]}"]
    assert n.district_code == "520102" and n.address is None and n.name("zh") == n.district_zh
    assert (n.open, n.recurred) == (3, 0)
    area = shape(place_area(conn, a, 50))
    assert area.geom_type == "Polygon" and area.contains(Point(a.lon, a.lat))
    assert area.contains(Point(*offset(A, 30 + 40, 5))) and not area.contains(Point(*offset(A, 0, 80)))
    got = place_cases(conn, CITY, Filters(days=30), NOW, a.key)
    assert got is not None
    assert [c.id for c in got[1]] == known["A"] and got[1][0].status == "closed"


def test_scope_and_filters(conn: Connection, staff: dict[str, Actor]) -> None:
    known = _city(conn, staff)
    officer = AnalysisScope(district="520103")
    f = Filters(days=30)
    mine = _members(places(conn, officer, f, NOW))
    assert frozenset(known["N"]) not in mine and frozenset(known["A"]) in mine
    assert place_cases(conn, officer, f, NOW, f"{CATEGORY}:{known['N'][0]}") is None
    dep = AnalysisScope(categories=frozenset({"C01", CATEGORY}))
    assert frozenset(known["A2"]) not in _members(places(conn, dep, f, NOW))
    assert _members(places(conn, CITY, Filters(days=30, category=OTHER), NOW)) == {frozenset(known["A2"])}
    by_major = _members(places(conn, CITY, Filters(days=30, category="C01"), NOW))
    assert frozenset(known["A2"]) in by_major and frozenset(known["A"]) in by_major
    assert _members(places(conn, CITY, Filters(days=30, district="520102"), NOW)) == {frozenset(known["N"])}
    # the period: 60 days reach the old place too; 3 days (days 7–10) nothing
    assert len(places(conn, CITY, Filters(days=60), NOW)) == len(known) + 1
    assert places(conn, CITY, Filters(days=3), NOW) == []
    assert places(conn, AnalysisScope(), f, NOW) == []
    assert (
        place_cases(conn, CITY, Filters(days=30, category=OTHER), NOW, f"{CATEGORY}:{known['A'][0]}") is None
    )
    with pytest.raises(ValidationError):
        place_cases(conn, CITY, f, NOW, "nonsense")
    with pytest.raises(ValidationError):
        places(conn, CITY, f, NOW, radius_m=0)
