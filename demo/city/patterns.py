"""The demo city's planted patterns: true structure for each analysis of ``/analysis`` to find, declared as data.

``seed-demo`` draws most reports from smooth weights (:mod:`.spots`, :mod:`.draws`); on top of that it plants
four patterns a city-management center really sees, so that hot spots, multi-occurrence places, time peaks,
anomaly alerts and correlations have something true to find, and tests and benchmarks can check them against
the truth declared here:

* **market evenings** (:data:`MARKET_EVENING`): 占道经营 (street vending) near four real markets of the old town,
  every evening 17:00–21:00 (more on Friday to Sunday): a time peak and hot spots;
* **a construction area** (:data:`CONSTRUCTION`): four weeks of night work on a road in 观山湖区, where 施工扰民
  (夜间施工, at night), 渣土撒漏 (muck trucks, night and early morning) and 道路破损 (the damaged road, by day) are
  reported together in a few hundred metres: a correlation of three 小类 in space and time;
* **a manhole cover that keeps coming back** (:data:`RECURRING`): 井盖破损 reported at one corner six times in
  five weeks, each report after the previous case was closed (so five recurrences), all within 16 m;
* **a rainy afternoon** (:data:`RAIN_BURST`): nine days before the end of the history, 道路积水 is reported by the
  dozen within two hours in four 1 km squares (one per district): the bursts an anomaly alert must catch.

How they ride on the generator (:mod:`.plant`): the planted reports are ordinary primary reports of the draw
whose instant, point, 小类 and address are replaced (so ``--cases`` stays exact and every history goes through
the same timeline, replay and COPY as the rest); they come from their own random stream (same seed, same city).
Patterns need a city of at least :data:`MIN_CASES` cases over :data:`MIN_DAYS` days; a smaller one gets none.
Sizes scale with the city where a real pattern would (the market and construction reports with the city's
reports per day) and are fixed where it would not (one manhole, one storm).

:func:`truth` gives every planted group for a city's size and ``now`` (what tests and benchmarks compare with);
:func:`truth_of_city` derives the same from a seeded database.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, text

from geo.crs import METRIC_SRID, STORAGE_SRID, TZ, get_transformer

#: Smallest city that gets planted patterns (the patterns would be most of a smaller one).
MIN_CASES = 1_000
#: Shortest history that gets them (the construction and the manhole need five weeks, the storm a baseline).
MIN_DAYS = 45


@dataclass(frozen=True)
class Place:
    """A named place: its name is also the planted reports' address (``name + "附近"``, as the generator writes
    addresses); ``district`` is where its point routes (a test checks it)."""

    name: str
    lon: float
    lat: float
    district: str


@dataclass(frozen=True)
class MarketEvening:
    category: str
    markets: tuple[Place, ...]  # the market spots of spots.SPOTS (same names, same points)
    hours: tuple[int, ...]  # local hours of day the planted reports fall in
    weekday_weight: tuple[float, ...]  # Monday..Sunday
    radius_m: float  # reports within this distance, denser towards the market
    share: float  # planted reports, as a share of all the city's cases (split evenly over the markets)


@dataclass(frozen=True)
class Construction:
    place: Place
    radius_m: float  # reports uniformly within this distance of the place
    days_ago: tuple[int, int]  # first and last day of the works, in days before the history's last day
    hours: tuple[tuple[str, tuple[int, ...]], ...]  # per 小类: the local hours its reports fall in
    per_day_share: float  # planted reports of each 小类 per day, as a share of the city's reports per day
    min_per_day: float  # at least this many per 小类 and day


@dataclass(frozen=True)
class Recurring:
    place: Place
    category: str
    radius_m: float  # every report within this distance of the place (so any two within twice that)
    days_ago: tuple[int, ...]  # the day of each report (each closed before the next is reported)
    hours: tuple[int, ...]


@dataclass(frozen=True)
class RainArea:
    place: Place  # the burst fills the 1 km square holding this point, around the square's centre
    start_minute: int  # local minutes after midnight of the rainy day
    count: int


@dataclass(frozen=True)
class RainBurst:
    category: str
    day_ago: int
    minutes: int  # each area's reports fall within this many minutes of its start
    radius_m: float  # around the square's centre; < 500 m keeps every report inside the square
    areas: tuple[RainArea, ...]


MARKET_EVENING = MarketEvening(
    category="E0501",  # 占道经营
    markets=(
        Place("合群路夜市", 106.7170, 26.5790, "520103"),
        Place("二七路", 106.7035, 26.5530, "520102"),
        Place("油榨街", 106.7255, 26.5640, "520102"),
        Place("太慈桥", 106.6955, 26.5410, "520102"),
    ),
    hours=(17, 18, 19, 20),
    weekday_weight=(1.0, 1.0, 1.0, 1.0, 1.3, 1.4, 1.2),
    radius_m=250.0,
    share=0.012,
)
CONSTRUCTION = Construction(
    place=Place("长岭南路施工路段", 106.6420, 26.6024, "520115"),
    radius_m=250.0,
    days_ago=(40, 13),
    hours=(
        ("E0301", (22, 23, 0, 1)),  # 施工扰民: the night works
        ("E0302", (21, 22, 23, 5, 6, 7)),  # 渣土撒漏: muck trucks at night and early in the morning
        ("C0201", tuple(range(8, 19))),  # 道路破损: the broken road, seen by day
    ),
    per_day_share=0.0025,
    min_per_day=0.5,
)
RECURRING = Recurring(
    place=Place("遵义路与兴关路口", 106.7095, 26.5620, "520102"),
    category="C0101",  # 井盖破损
    radius_m=8.0,
    days_ago=(38, 32, 27, 20, 14, 8),
    hours=(8, 9, 10, 11, 14, 15),
)
RAIN_BURST = RainBurst(
    category="E0404",  # 道路积水
    day_ago=9,
    minutes=120,
    radius_m=350.0,
    areas=(
        RainArea(Place("花果园大道低洼路段", 106.6930, 26.5610, "520102"), 14 * 60 + 30, 28),
        RainArea(Place("北京路下穿通道", 106.7110, 26.5965, "520103"), 15 * 60, 22),
        RainArea(Place("小河珠江路", 106.7110, 26.5210, "520111"), 15 * 60 + 30, 18),
        RainArea(Place("金阳南路", 106.6450, 26.6250, "520115"), 16 * 60, 15),
    ),
)


@dataclass(frozen=True)
class Planted:
    """One planted group: ``count`` reports of ``category`` within ``radius_m`` of ``(lon, lat)`` between
    ``start`` and ``end`` (local hours in ``hours``). ``area_key`` is the 1 km square (``'1km:I:J'``) holding
    ``(lon, lat)`` (a rain burst's reports all lie in it; a market's or the construction's mostly);
    ``dates`` the day of each report of the recurring place."""

    pattern: str  # market_evening | construction | recurring | rain_burst
    name: str
    category: str
    lon: float
    lat: float
    radius_m: float
    district: str
    start: datetime
    end: datetime
    count: int
    hours: tuple[int, ...]
    area_key: str | None = None
    dates: tuple[date, ...] = field(default=())

    @property
    def address(self) -> str:
        return self.name + "附近"


def square_centre(lon: float, lat: float) -> tuple[float, float, str]:
    """The centre (lon, lat) and key ``'1km:I:J'`` of the 1 km square holding a point (the unit grid's 100 m
    cells ``(i, j)`` grouped by ``(i // 10, j // 10)``)."""
    x, y = get_transformer(STORAGE_SRID, METRIC_SRID).transform(lon, lat)
    si, sj = math.floor(x / 1000), math.floor(y / 1000)
    clon, clat = get_transformer(METRIC_SRID, STORAGE_SRID).transform(si * 1000 + 500, sj * 1000 + 500)
    return round(float(clon), 6), round(float(clat), 6), f"1km:{si}:{sj}"


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=TZ)


def truth(cases: int, days: int, now: datetime, codes: Collection[str] | None = None) -> list[Planted]:
    """Every group planted in a city of ``cases`` cases over the ``days`` days ending at ``now`` (the
    arguments of ``seed_demo_city``); groups whose 小类 is not in ``codes`` (the active catalog) are left out."""
    if cases < MIN_CASES or days < MIN_DAYS:
        return []
    local_now = now.astimezone(TZ)
    today = local_now.date()
    first = today - timedelta(days=days - 1)
    per_day = cases / days
    out: list[Planted] = []
    m = MARKET_EVENING
    each = round(m.share * cases / len(m.markets))
    for p in m.markets:
        out.append(
            Planted(
                "market_evening", p.name, m.category, p.lon, p.lat, m.radius_m, p.district,
                _midnight(first), local_now, each, m.hours,
            )
        )  # fmt: skip
    c = CONSTRUCTION
    c_first, c_last = today - timedelta(days=c.days_ago[0]), today - timedelta(days=c.days_ago[1])
    n_days = (c_last - c_first).days + 1
    c_count = round(max(c.min_per_day, c.per_day_share * per_day) * n_days)
    for code, hours in c.hours:
        out.append(
            Planted(
                "construction", c.place.name, code, c.place.lon, c.place.lat, c.radius_m, c.place.district,
                _midnight(c_first), _midnight(c_last + timedelta(days=1)), c_count, hours,
            )
        )  # fmt: skip
    r = RECURRING
    dates = tuple(today - timedelta(days=k) for k in r.days_ago)
    out.append(
        Planted(
            "recurring", r.place.name, r.category, r.place.lon, r.place.lat, r.radius_m, r.place.district,
            _midnight(dates[0]), _midnight(dates[-1] + timedelta(days=1)), len(dates), r.hours, dates=dates,
        )
    )  # fmt: skip
    b = RAIN_BURST
    rain_day = _midnight(today - timedelta(days=b.day_ago))
    for a in b.areas:
        lon, lat, key = square_centre(a.place.lon, a.place.lat)
        start = rain_day + timedelta(minutes=a.start_minute)
        end = start + timedelta(minutes=b.minutes)
        hours = tuple(range(start.hour, end.hour + (end.minute > 0)))
        out.append(
            Planted(
                "rain_burst", a.place.name, b.category, lon, lat, b.radius_m, a.place.district, start, end,
                a.count, hours, area_key=key,
            )
        )  # fmt: skip
    out = [g if g.area_key else replace(g, area_key=square_centre(g.lon, g.lat)[2]) for g in out]
    return [g for g in out if codes is None or g.category in codes]


def truth_of_city(conn: Connection) -> list[Planted]:
    """:func:`truth` for the city in a database seeded by ``seed-demo``: its size from its cases, the last day
    of its history from the planted storm (the first rain area's reports, found by their address), the first
    day from its earliest report. ``[]`` when the city has no planted storm (too small, or not seeded)."""
    b = RAIN_BURST
    row = conn.execute(
        text(
            """SELECT (SELECT count(*) FROM "case") AS cases,
                      (SELECT min(created_at) FROM "case") AS first,
                      (SELECT max(created_at) FROM "case") AS last,
                      (SELECT min(created_at) FROM "case"
                        WHERE category_code = :cat AND address = :address) AS rain"""
        ),
        {"cat": b.category, "address": b.areas[0].place.name + "附近"},
    ).one()
    if row.rain is None:
        return []
    today = row.rain.astimezone(TZ).date() + timedelta(days=b.day_ago)
    days = (today - row.first.astimezone(TZ).date()).days + 1
    now = max(row.last, _midnight(today)) + timedelta(microseconds=1)
    codes = conn.execute(text("SELECT code FROM category WHERE level = 2 AND active")).scalars().all()
    return truth(int(row.cases), days, now, set(codes))
