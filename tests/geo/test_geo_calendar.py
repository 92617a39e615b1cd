"""Tests for geo.calendar, with the real holidays file."""

from __future__ import annotations

import random
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml

from geo.calendar import Unit, WorkCalendar, light
from geo.crs import TZ

HOLIDAYS_YAML = Path(__file__).resolve().parents[2] / "db" / "seed" / "data" / "holidays_cn.yaml"
WH, WD, NH = Unit.WORKING_HOURS, Unit.WORKING_DAYS, Unit.NATURAL_HOURS


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.from_yaml(HOLIDAYS_YAML)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 3, 7), True),  # ordinary Friday
        (date(2025, 3, 8), False),  # ordinary Saturday
        (date(2025, 1, 26), True),  # Sunday, Spring Festival make-up workday
        (date(2025, 1, 28), False),  # 除夕 2025
        (date(2025, 2, 4), False),
        (date(2025, 2, 5), True),
        (date(2025, 2, 8), True),  # Saturday make-up workday
        (date(2025, 9, 28), True),  # Sunday make-up workday
        (date(2025, 10, 8), False),  # 8th day of National Day + Mid-Autumn
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday make-up workday
        (date(2026, 1, 2), False),
        (date(2026, 1, 4), True),  # Sunday make-up workday
        (date(2026, 2, 14), True),  # Saturday make-up workday
        (date(2026, 2, 16), False),  # Monday in Spring Festival
        (date(2026, 2, 23), False),
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday make-up workday
        (date(2026, 5, 9), True),
        (date(2026, 10, 10), True),
        (date(2027, 2, 5), False),  # provisional: 除夕 2027
        (date(2027, 2, 9), True),
        (date(2027, 10, 4), False),  # provisional National Day week
    ],
)
def test_is_workday(cal: WorkCalendar, day: date, expected: bool) -> None:
    assert cal.is_workday(day) is expected


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (at(2025, 3, 7, 17), 2, at(2025, 3, 10, 10)),  # Friday 17:00 + 2 h -> Monday 10:00
        (at(2025, 3, 10, 11), 2, at(2025, 3, 10, 14, 30)),  # lunch break skipped
        (at(2025, 3, 10, 12, 30), 1, at(2025, 3, 10, 14, 30)),  # start inside the lunch break
        (at(2025, 3, 10, 11), 1, at(2025, 3, 10, 12)),  # runs out exactly at the break: the earliest instant
        (at(2025, 3, 10, 18), 0.5, at(2025, 3, 11, 9, 30)),
        (at(2025, 3, 10, 7), 0.25, at(2025, 3, 10, 9, 15)),
        (at(2025, 3, 8, 10), 1, at(2025, 3, 10, 10)),  # Saturday
        (at(2025, 3, 9, 23, 59), 7.5, at(2025, 3, 10, 18)),  # Sunday night, one full day
        (at(2025, 3, 10, 9), 37.5, at(2025, 3, 14, 18)),  # a whole week
        (at(2025, 3, 10, 10), 0, at(2025, 3, 10, 10)),
        (at(2026, 2, 13, 17), 2, at(2026, 2, 14, 10)),  # Spring Festival 2026: make-up Saturday
        (at(2026, 2, 14, 17), 2, at(2026, 2, 24, 10)),  # ... then 9 days off
        (at(2026, 2, 27, 17), 2, at(2026, 2, 28, 10)),  # make-up Saturday after the holiday
        (at(2025, 9, 30, 17), 2, at(2025, 10, 9, 10)),  # National Day 2025: 8 days off
        (at(2025, 9, 26, 17), 2, at(2025, 9, 28, 10)),  # make-up Sunday before it
        (at(2025, 10, 10, 17), 2, at(2025, 10, 11, 10)),  # make-up Saturday after it
        (at(2025, 10, 11, 17), 2, at(2025, 10, 13, 10)),
        (at(2025, 1, 25, 10), 1, at(2025, 1, 26, 10)),  # Saturday -> make-up Sunday
        (at(2025, 1, 27, 17), 2, at(2025, 2, 5, 10)),  # Spring Festival 2025
        (at(2025, 12, 31, 17), 2, at(2026, 1, 4, 10)),  # New Year 2026 -> make-up Sunday
    ],
)
def test_add_working_hours(cal: WorkCalendar, start: datetime, hours: float, expected: datetime) -> None:
    got = cal.add(start, hours, WH)
    assert got == expected
    assert got.tzinfo is TZ
    assert cal.elapsed(start, got, WH) == pytest.approx(hours, abs=1e-9)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (at(2025, 3, 10, 10), 1, at(2025, 3, 11, 10)),
        (at(2025, 3, 7, 10), 1, at(2025, 3, 10, 10)),  # Friday -> Monday
        (at(2025, 3, 8, 15), 1, at(2025, 3, 11, 9)),  # Saturday: moves to Monday 09:00 first
        (at(2025, 3, 8, 15), 0, at(2025, 3, 10, 9)),
        (at(2025, 3, 10, 12, 30), 1, at(2025, 3, 11, 13, 30)),  # lunch break: moves to 13:30 first
        (at(2025, 3, 10, 18), 1, at(2025, 3, 12, 9)),  # 18:00 is outside working time
        (at(2025, 3, 10, 10), 5, at(2025, 3, 17, 10)),
        (at(2025, 9, 30, 10), 3, at(2025, 10, 11, 10)),  # Oct 9, Oct 10, Saturday Oct 11
        (at(2026, 2, 13, 10), 2, at(2026, 2, 24, 10)),  # Feb 14 (Saturday workday), Feb 24
        (at(2025, 3, 10, 10), 0.5, at(2025, 3, 10, 15, 15)),  # half of 7.5 h
        (at(2025, 3, 10, 10), 1.5, at(2025, 3, 11, 15, 15)),
    ],
)
def test_add_working_days(cal: WorkCalendar, start: datetime, days: float, expected: datetime) -> None:
    got = cal.add(start, days, WD)
    assert got == expected
    assert cal.elapsed(start, got, WD) == pytest.approx(days, abs=1e-9)


def test_add_natural_hours_and_timezones(cal: WorkCalendar) -> None:
    assert cal.add(at(2025, 9, 30, 17), 48, NH) == at(2025, 10, 2, 17)
    # a UTC start is converted to Asia/Shanghai: 09:00Z Friday is 17:00 in Guiyang
    got = cal.add(datetime(2025, 3, 7, 9, 0, tzinfo=UTC), 2, "working_hours")
    assert got == at(2025, 3, 10, 10) and got.tzinfo is TZ
    assert got.isoformat() == "2025-03-10T10:00:00+08:00"
    assert cal.add(datetime(2025, 3, 7, 9, 0, tzinfo=UTC), 1, NH).tzinfo is TZ


@pytest.mark.parametrize(
    ("start", "end", "unit", "expected"),
    [
        (at(2025, 3, 10, 9), at(2025, 3, 14, 18), WH, 37.5),
        (at(2025, 3, 10, 9), at(2025, 3, 14, 18), WD, 5.0),
        (at(2025, 3, 10, 9), at(2025, 3, 14, 18), NH, 105.0),
        (at(2025, 3, 7, 18), at(2025, 3, 10, 9), WH, 0.0),  # weekend boundary
        (at(2025, 3, 7, 17, 30), at(2025, 3, 10, 9, 30), WH, 1.0),
        (at(2025, 3, 10, 11), at(2025, 3, 10, 14), WH, 1.5),  # lunch break excluded
        (at(2025, 9, 30, 9), at(2025, 10, 9, 9), WH, 7.5),  # National Day 2025
        (at(2025, 9, 30, 9), at(2025, 10, 9, 9), WD, 1.0),
        (at(2025, 10, 1), at(2025, 11, 1), WD, 18.0),  # October 2025: 15 + Oct 9, 10, 11
        (at(2026, 2, 13, 9), at(2026, 2, 24, 9), WH, 15.0),  # Spring Festival 2026, incl. Saturday Feb 14
        (at(2026, 2, 13, 9), at(2026, 2, 24, 9), WD, 2.0),
        (at(2025, 3, 14, 18), at(2025, 3, 10, 9), WH, 0.0),  # end before start
    ],
)
def test_elapsed(cal: WorkCalendar, start: datetime, end: datetime, unit: Unit, expected: float) -> None:
    assert cal.elapsed(start, end, unit) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("paused", "unit", "expected"),
    [
        ([], WH, 15.0),
        ([(at(2025, 3, 10, 13, 30), at(2025, 3, 11, 12))], WH, 7.5),
        ([(at(2025, 3, 10, 13, 30), at(2025, 3, 11, 12))], WD, 1.0),
        (
            [(at(2025, 3, 10, 10), at(2025, 3, 10, 11)), (at(2025, 3, 10, 10, 30), at(2025, 3, 10, 11, 30))],
            WH,
            13.5,
        ),
        ([(at(2025, 3, 9), at(2025, 3, 10, 10)), (at(2025, 3, 11, 17), at(2025, 3, 12, 12))], WH, 13.0),
        ([(at(2025, 3, 10, 20), at(2025, 3, 11, 2))], WH, 15.0),  # a night-time pause costs no working time
        ([(at(2025, 3, 10, 20), at(2025, 3, 11, 2))], NH, 27.0),
        ([(at(2025, 4, 1), at(2025, 4, 2))], WH, 15.0),  # outside the interval
        ([(at(2025, 3, 10, 9), at(2025, 3, 11, 18))], WH, 0.0),
    ],
)
def test_elapsed_with_pauses(
    cal: WorkCalendar, paused: list[tuple[datetime, datetime]], unit: Unit, expected: float
) -> None:
    assert cal.elapsed(at(2025, 3, 10, 9), at(2025, 3, 11, 18), unit, paused) == pytest.approx(
        expected, abs=1e-9
    )


def test_reversed_pause_rejected(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.elapsed(at(2025, 3, 10, 9), at(2025, 3, 11, 18), WH, [(at(2025, 3, 10, 12), at(2025, 3, 10, 11))])


def test_naive_datetimes_rejected(cal: WorkCalendar) -> None:
    naive = datetime(2025, 3, 10, 9)
    for unit in Unit:
        with pytest.raises(ValueError):
            cal.add(naive, 1, unit)
        with pytest.raises(ValueError):
            cal.elapsed(naive, at(2025, 3, 11), unit)
        with pytest.raises(ValueError):
            cal.elapsed(at(2025, 3, 10), naive, unit)
    with pytest.raises(ValueError):
        cal.elapsed(at(2025, 3, 10), at(2025, 3, 11), WH, [(naive, at(2025, 3, 11))])
    with pytest.raises(ValueError):
        cal.is_working_time(naive)


@pytest.mark.parametrize("amount", [-1.0, float("nan"), float("inf")])
def test_bad_amounts_rejected(cal: WorkCalendar, amount: float) -> None:
    with pytest.raises(ValueError):
        cal.add(at(2025, 3, 10, 9), amount, WH)


def _random_instant(rng: random.Random) -> datetime:
    base = at(2025, 1, 1)
    return base + timedelta(
        seconds=rng.randrange(0, 3 * 365 * 86400 - 60 * 86400), microseconds=rng.randrange(10**6)
    )


def test_add_and_elapsed_are_inverse_for_working_hours(cal: WorkCalendar) -> None:
    rng = random.Random(20250917)
    for _ in range(400):
        start = _random_instant(rng)
        amount = rng.choice([rng.uniform(0, 200), float(rng.randrange(0, 60)), rng.uniform(0, 1)])
        end = cal.add(start, amount, WH)
        assert end >= start
        assert cal.elapsed(start, end, WH) == pytest.approx(amount, abs=1e-9)
        # the other way round: add(start, elapsed(start, t)) is t itself when t is in working time,
        # otherwise the last working instant before it
        t = start + timedelta(seconds=rng.uniform(0, 40 * 86400))
        back = cal.add(start, cal.elapsed(start, t, WH), WH)
        assert back <= t + timedelta(microseconds=1)
        if cal.is_working_time(t):
            assert abs(back - t) <= timedelta(microseconds=1)
        else:
            assert cal.elapsed(back, t, WH) == pytest.approx(0.0, abs=1e-9)


def test_add_and_elapsed_are_inverse_for_working_days(cal: WorkCalendar) -> None:
    rng = random.Random(7)
    for _ in range(200):
        start = _random_instant(rng)
        days = rng.choice([0, 1, 2, 3, 5, 10, 15, 0.5, 2.25, rng.uniform(0, 20)])
        end = cal.add(start, days, WD)
        assert cal.elapsed(start, end, WD) == pytest.approx(days, abs=1e-9)
        if days == int(days) and days > 0:
            assert cal.is_working_time(end)


def test_long_spans_are_fast(cal: WorkCalendar) -> None:
    started = clock.perf_counter()
    assert cal.elapsed(at(2025, 1, 1), at(2027, 12, 31), WD) > 700
    end = cal.add(at(2025, 1, 1), 2000, WH)
    assert cal.elapsed(at(2025, 1, 1), end, WH) == pytest.approx(2000)
    assert clock.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("fraction", "colour"),
    [(0.0, "green"), (0.79999, "green"), (0.8, "yellow"), (0.95, "yellow"), (1.0, "yellow"),
     (1.0000001, "red"), (2.0, "red"), (float("inf"), "red")],
)  # fmt: skip
def test_light(fraction: float, colour: str) -> None:
    assert light(fraction) == colour


def test_light_rejects_nan() -> None:
    with pytest.raises(ValueError):
        light(float("nan"))


def test_from_mapping_formats_and_periods() -> None:
    cal = WorkCalendar.from_mapping(
        {
            "periods": ["08:30-12:00", "14:00-17:30"],
            "years": {
                2030: {
                    "holidays": [{"from": "2030-05-01", "to": "2030-05-03"}, "2030-06-03"],
                    "workdays": [{"date": date(2030, 5, 4)}],
                }
            },
        }
    )
    assert cal.periods == ((time(8, 30), time(12)), (time(14), time(17, 30)))
    assert cal.day_length == timedelta(hours=7)
    assert cal.years == {2030}
    assert not cal.is_workday(date(2030, 5, 2)) and not cal.is_workday(date(2030, 6, 3))
    assert cal.is_workday(date(2030, 5, 4))  # a Saturday
    assert WorkCalendar(set(), set(), periods=(("09:00", "17:00"),)).day_length == timedelta(hours=8)


@pytest.mark.parametrize(
    "periods",
    [[], ["09:00-12:00", "11:00-13:00"], ["12:00-09:00"], ["09:00-09:00"]],
)
def test_bad_periods_rejected(periods: list[str]) -> None:
    with pytest.raises(ValueError):
        WorkCalendar(set(), set(), periods)


def test_conflicting_or_reversed_dates_rejected() -> None:
    with pytest.raises(ValueError):
        WorkCalendar({date(2025, 1, 1)}, {date(2025, 1, 1)})
    with pytest.raises(ValueError):
        WorkCalendar.from_mapping(
            {"years": {2025: {"holidays": [{"from": "2025-05-05", "to": "2025-05-01"}]}}}
        )


def test_provisional_years_can_be_left_out() -> None:
    cal = WorkCalendar.from_yaml(HOLIDAYS_YAML, include_provisional=False)
    assert cal.years == {2025, 2026}
    assert cal.is_workday(date(2027, 10, 4))  # a Monday, no holiday without the provisional year


def test_holidays_file_is_consistent() -> None:
    data = yaml.safe_load(HOLIDAYS_YAML.read_text(encoding="utf-8"))
    assert "国务院办公厅" in data["source"]
    assert set(data["years"]) == {2025, 2026, 2027}
    assert data["years"][2027]["provisional"] is True
    assert not data["years"][2025]["provisional"] and not data["years"][2026]["provisional"]
    for spec in data["years"].values():
        for entry in spec["holidays"] + spec["workdays"]:
            assert entry["name_zh"] and entry["name_en"]
    cal = WorkCalendar.from_mapping(data)
    for d in cal.workdays:
        assert d.weekday() >= 5  # make-up workdays are weekend days
    counts = {y: sum(1 for d in cal.holidays if d.year == y) for y in (2025, 2026)}
    assert counts == {2025: 28, 2026: 33}
