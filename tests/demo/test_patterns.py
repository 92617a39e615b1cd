"""The demo city's planted patterns (demo.city.patterns, demo.city.plant) against real PostGIS: each declared
group is in the seeded city where, when and as large as declared, the city keeps its exact size, and the same
seed gives the same city.

One module-scoped transaction holds a seeded city of 3,000 cases over 60 days (rolled back at the end).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, text

from demo.city import SeedResult, seed_demo_city
from demo.city.patterns import (
    CONSTRUCTION,
    MARKET_EVENING,
    MIN_CASES,
    MIN_DAYS,
    RAIN_BURST,
    RECURRING,
    Planted,
    square_centre,
    truth,
    truth_of_city,
)
from demo.city.spots import SPOTS
from geo.crs import TZ

NOW = datetime(2026, 7, 14, 16, 20, 5, 123456, tzinfo=TZ)
N = 3000
DAYS = 60
LOCAL = "AT TIME ZONE 'Asia/Shanghai'"


@pytest.fixture(scope="module")
def city(owner_engine: Engine) -> Iterator[tuple[Connection, SeedResult]]:
    with owner_engine.connect() as c:
        trans = c.begin()
        try:
            yield c, seed_demo_city(c, cases=N, days=DAYS, seed=21, now=NOW, replace=True)
        finally:
            trans.rollback()


def _groups(result: SeedResult, pattern: str) -> list[Planted]:
    return [g for g in result.planted if g.pattern == pattern]


def _near(g: Planted, slack_m: float = 0.5) -> dict[str, object]:
    return {"lon": g.lon, "lat": g.lat, "r": g.radius_m + slack_m, "cat": g.category}


NEAR = "ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :r)"
# the planted reports of a group: its address, its 小类, not a duplicate merged into one of them
PLANTED = (
    'SELECT {cols} FROM "case" WHERE address = :address AND category_code = :cat AND merged_into_id IS NULL'
)


def _planted(c: Connection, g: Planted, cols: str) -> list[object]:
    return list(c.execute(text(PLANTED.format(cols=cols)), {"address": g.address, "cat": g.category}).all())


def test_every_declared_place_routes_to_its_district(conn: Connection) -> None:
    places = [
        *MARKET_EVENING.markets,
        CONSTRUCTION.place,
        RECURRING.place,
        *(a.place for a in RAIN_BURST.areas),
    ]
    spots = {s.name: (s.lon, s.lat) for s in SPOTS}
    for p in places:
        row = conn.execute(
            text("SELECT r.district_code, r.cell_id FROM gy_route(ST_SetSRID(ST_MakePoint(:x, :y), 4326)) r"),
            {"x": p.lon, "y": p.lat},
        ).one()
        assert row.district_code == p.district and row.cell_id is not None, p
    for m in MARKET_EVENING.markets:  # the markets are the generator's own market spots
        assert spots[m.name] == (m.lon, m.lat)
    # each rain area's 1 km square lies wholly in its district: the burst is one area at either level
    for a in RAIN_BURST.areas:
        key = square_centre(a.place.lon, a.place.lat)[2]
        _, si, sj = key.split(":")
        districts = conn.execute(
            text("SELECT DISTINCT district_code FROM grid_cell WHERE i / 10 = :i AND j / 10 = :j"),
            {"i": int(si), "j": int(sj)},
        ).scalars()
        assert set(districts) == {a.place.district}, key


def test_small_cities_get_no_patterns() -> None:
    assert truth(MIN_CASES - 1, 90, NOW) == [] and truth(50_000, MIN_DAYS - 1, NOW) == []
    assert truth(MIN_CASES, MIN_DAYS, NOW)


def test_the_city_keeps_its_size_and_says_what_it_planted(city: tuple[Connection, SeedResult]) -> None:
    c, result = city
    assert result.cases == N == c.execute(text('SELECT count(*) FROM "case"')).scalar_one()
    codes = set(c.execute(text("SELECT code FROM category WHERE level = 2 AND active")).scalars())
    assert result.planted == truth(N, DAYS, NOW, codes)
    assert Counter(g.pattern for g in result.planted) == {
        "market_evening": 4,
        "construction": 3,
        "recurring": 1,
        "rain_burst": 4,
    }
    # the truth read back from the database: the same groups (the market window ends at the last report)
    back = truth_of_city(c)
    assert [dataclasses.replace(g, end=NOW) for g in back] == [
        dataclasses.replace(g, end=NOW) for g in result.planted
    ]


def test_market_evenings(city: tuple[Connection, SeedResult]) -> None:
    c, result = city
    groups = _groups(result, "market_evening")
    assert {g.name for g in groups} == {m.name for m in MARKET_EVENING.markets}
    for g in groups:
        assert g.count == round(MARKET_EVENING.share * N / 4) and g.category == "E0501"
        hours = Counter(
            c.execute(
                text(
                    f'SELECT extract(hour FROM created_at {LOCAL})::int FROM "case" '
                    f"WHERE category_code = :cat AND {NEAR}"
                ),
                _near(g),
            ).scalars()
        )
        evening = sum(hours[h] for h in g.hours)
        assert evening >= g.count, (g.name, hours)
        # the evening is the peak: more there than in any four hours of the day before it
        assert evening > max(sum(hours[h + k] for k in range(4)) for h in range(0, 14)), (g.name, hours)
    # every planted report (by its market's address) near its market, in the evening, in the history
    first = NOW - timedelta(days=DAYS)
    for g in groups:
        rows = c.execute(
            text(
                f'SELECT created_at, extract(hour FROM created_at {LOCAL})::int AS h FROM "case" '
                f"WHERE address = :a AND category_code = :cat AND {NEAR}"
            ),
            {**_near(g), "a": g.address},
        ).all()
        assert sum(r.h in g.hours for r in rows) >= g.count
        assert all(first <= r.created_at < NOW for r in rows)


def test_construction_area(city: tuple[Connection, SeedResult]) -> None:
    c, result = city
    groups = _groups(result, "construction")
    assert [g.category for g in groups] == ["E0301", "E0302", "C0201"]
    key = square_centre(CONSTRUCTION.place.lon, CONSTRUCTION.place.lat)[2]
    _, si, sj = key.split(":")
    for g in groups:
        assert g.count == round(CONSTRUCTION.min_per_day * 28)  # 3,000 cases over 60 days: the floor, 4 weeks
        rows = _planted(c, g, f"created_at, extract(hour FROM created_at {LOCAL})::int AS h, district_code")
        assert len(rows) >= g.count
        assert all(g.start <= r.created_at < g.end and r.h in g.hours for r in rows)
        assert {r.district_code for r in rows} == {CONSTRUCTION.place.district}
    # the three go together: in the area's 1 km square they come in the works' four weeks, hardly before
    g0 = groups[0]
    span = g0.end - g0.start
    counts = c.execute(
        text(
            "SELECT x.category_code, count(*) FILTER (WHERE x.created_at >= :s AND x.created_at < :e) AS during, "
            "count(*) FILTER (WHERE x.created_at >= :s - :span AND x.created_at < :s) AS before "
            'FROM "case" x JOIN grid_cell g ON g.id = x.cell_id WHERE g.i / 10 = :i AND g.j / 10 = :j '
            "AND x.category_code = ANY(:cats) GROUP BY 1"
        ),
        {
            "s": g0.start,
            "e": g0.end,
            "span": span,
            "i": int(si),
            "j": int(sj),
            "cats": [g.category for g in groups],
        },
    ).all()
    by = {r.category_code: r for r in counts}
    for g in groups:
        assert by[g.category].during >= 0.9 * g.count and by[g.category].before <= 2, by


def test_recurring_manhole_cover(city: tuple[Connection, SeedResult]) -> None:
    c, result = city
    (g,) = _groups(result, "recurring")
    assert g.category == "C0101" and g.count == len(RECURRING.days_ago) == 6
    rows = c.execute(
        text(
            'SELECT id, status, created_at, closed_at, district_code FROM "case" WHERE address = :a '
            "AND category_code = :cat ORDER BY created_at"
        ),
        {"a": g.address, "cat": g.category},
    ).all()
    assert len(rows) == g.count  # never rejected, never a duplicate's target
    assert [r.created_at.astimezone(TZ).date() for r in rows] == list(g.dates)
    assert {r.district_code for r in rows} == {g.district}
    # reported, closed, reported again: each closed before the next report (five recurrences)
    for a, b in zip(rows, rows[1:], strict=False):
        assert a.status == "closed" and a.closed_at < b.created_at
    spread = c.execute(
        text(
            'SELECT max(ST_Distance(a.geom::geography, b.geom::geography)) FROM "case" a, "case" b '
            "WHERE a.id = ANY(:ids) AND b.id = ANY(:ids)"
        ),
        {"ids": [r.id for r in rows]},
    ).scalar_one()
    assert spread <= 2 * g.radius_m + 0.5
    # the history is the plain one: filed, dispatched, started, handled, verified and closed
    actions = c.execute(
        text("SELECT array_agg(action ORDER BY at) FROM case_event WHERE case_id = :i"), {"i": rows[0].id}
    ).scalar_one()
    assert actions == ["report", "file", "dispatch", "start", "handle", "verify_pass"]


def test_rain_burst(city: tuple[Connection, SeedResult]) -> None:
    c, result = city
    groups = _groups(result, "rain_burst")
    assert [g.count for g in groups] == [a.count for a in RAIN_BURST.areas]
    rain_day = (NOW - timedelta(days=RAIN_BURST.day_ago)).date()
    for g in groups:
        assert g.start.date() == rain_day and g.end - g.start == timedelta(minutes=RAIN_BURST.minutes)
        assert g.area_key is not None
        _, si, sj = g.area_key.split(":")
        square = {"i": int(si), "j": int(sj), "cat": g.category}
        per_day = Counter(
            d
            for d in c.execute(
                text(
                    f'SELECT (x.created_at {LOCAL})::date FROM "case" x JOIN grid_cell c ON c.id = x.cell_id '
                    "WHERE c.i / 10 = :i AND c.j / 10 = :j AND x.category_code = :cat AND x.merged_into_id IS NULL"
                ),
                square,
            ).scalars()
        )
        during = c.execute(
            text(
                'SELECT count(*) FROM "case" x JOIN grid_cell c ON c.id = x.cell_id WHERE c.i / 10 = :i '
                "AND c.j / 10 = :j AND x.category_code = :cat AND x.created_at >= :s AND x.created_at < :e"
            ),
            {**square, "s": g.start, "e": g.end},
        ).scalar_one()
        # tens within two hours in one 1 km square, where another day has at most two (not counting the
        # duplicates merged into the burst's reports, which may come the next day)
        assert during >= g.count
        assert max((n for d, n in per_day.items() if d != rain_day), default=0) <= 2, (g.name, per_day)
        rows = _planted(c, g, "district_code, created_at")
        assert len(rows) >= g.count
        assert {r.district_code for r in rows} == {g.district}


def _digest(c: Connection) -> str:
    h = hashlib.sha256()
    for table in ('"case"', "case_event"):
        for row in c.execute(text(f"SELECT t::text FROM {table} t ORDER BY id")).scalars():
            h.update(row.encode())
    return h.hexdigest()


def test_same_seed_same_planted_city(city: tuple[Connection, SeedResult]) -> None:
    c, _ = city
    digests = []
    for seed in (5, 5, 6):
        sp = c.begin_nested()
        r = seed_demo_city(
            c, cases=MIN_CASES, days=MIN_DAYS, seed=seed, now=NOW - timedelta(days=2), replace=True
        )
        assert r.planted and r.cases == MIN_CASES
        digests.append(_digest(c))
        sp.rollback()
    assert digests[0] == digests[1] != digests[2]
