"""Time peaks: a planted evening peak is found (as a matrix cell and as a 小类's peak, named in words), a uniform
week finds none, exposure counts the hours the period really holds, and the database path respects scope."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Connection, text

from db.accounts import load_identity
from geo.crs import TZ
from ops.analysis.filters import Filters
from ops.analysis.peaks import analyse, exposure_hours, peak_groups, peak_ranges, peaks, share_test
from ops.analysis.scope import AnalysisScope, analysis_scope
from tests.support.an_corr import EAST, NORTH, SOUTH, WEST, insert_reports

NOW = datetime(2026, 3, 30, 0, 0, tzinfo=TZ)  # a Monday, midnight
DIURNAL = np.array([1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 9, 9, 9, 9, 9, 9, 8, 7, 6, 5, 4, 2, 1], dtype=float)


def _week(rng: np.random.Generator, total: float, profile: np.ndarray) -> np.ndarray:
    lam = total * np.tile(profile / profile.sum(), (7, 1)) / 7
    return rng.poisson(lam)


def test_exposure_counts_the_hours_of_the_period() -> None:
    ex = exposure_hours(NOW - timedelta(days=30), NOW)
    assert ex.sum() == pytest.approx(720)
    # 30 days before Monday 00:00: Saturday 28 Feb .. Sunday 29 Mar: five Saturdays and Sundays, four of the rest
    assert ex[5].sum() == 5 * 24 and ex[6].sum() == 5 * 24 and ex[0].sum() == 4 * 24
    half = exposure_hours(NOW - timedelta(minutes=30), NOW)
    assert half.sum() == pytest.approx(0.5) and half[6, 23] == pytest.approx(0.5)


def test_planted_evening_peak_is_found() -> None:
    rng = np.random.default_rng(7)
    others = _week(rng, 6000, DIURNAL)
    vending = _week(rng, 400, DIURNAL)
    vending[4, 18:20] += 30  # Friday 18–20
    ref = others + vending
    res = analyse(vending, ref, {"E0501": vending, "C0101": others}, np.ones((7, 24)), chosen=True)
    assert res.baseline == "others"
    assert {(p.weekday, p.hour) for p in res.peaks} == {(4, 18), (4, 19)}
    cat = [p for p in res.category_peaks if p.category_code == "E0501"]
    assert {(p.weekday, p.hour) for p in cat} == {(4, 18), (4, 19)}
    assert all(p.q_value <= 0.05 and p.ratio > 2 for p in cat)
    top = peak_ranges(res.category_peaks)[0]
    assert (top.category_code, top.weekday, top.start, top.end) == ("E0501", 4, 18, 20)
    # the diurnal rhythm shared by every category is not a peak
    assert not [p for p in res.category_peaks if p.category_code == "C0101" and p.hour in range(8, 17)]


def test_uniform_week_finds_no_peak() -> None:
    rng = np.random.default_rng(11)
    a, b = _week(rng, 3000, np.ones(24)), _week(rng, 3000, np.ones(24))
    res = analyse(a + b, a + b, {"A": a, "B": b}, np.ones((7, 24)), chosen=False)
    assert res.baseline == "weekly_mean" and not res.peaks and not res.category_peaks
    # over many uniform cities, a false peak in at most about alpha of them (BH under the complete null)
    matrix = category = 0
    for _ in range(100):
        a, b = _week(rng, 3000, np.ones(24)), _week(rng, 3000, np.ones(24))
        res = analyse(a + b, a + b, {"A": a, "B": b}, np.ones((7, 24)), chosen=False)
        matrix += bool(res.peaks)
        category += bool(res.category_peaks)
    assert matrix <= 10 and category <= 10


def test_busiest_hours_against_the_weekly_mean() -> None:
    rng = np.random.default_rng(3)
    week = _week(rng, 5000, np.ones(24))
    week[0, 9] += 60
    res = analyse(week, week, {}, np.ones((7, 24)), chosen=False)
    assert [(p.weekday, p.hour) for p in res.peaks] == [(0, 9)]


def test_share_test_expectation_is_independence() -> None:
    ref = np.full((7, 24), 10.0)
    part = np.full((7, 24), 2.0)
    e, p = share_test(part, ref)
    assert np.allclose(e, 2.0) and np.all(p > 0.3)


@pytest.mark.db
def test_database_peaks_respect_filters_and_scope(conn: Connection) -> None:
    rng = np.random.default_rng(5)
    rows = []
    start = NOW - timedelta(days=28)
    for n in range(3000):  # background: three categories at the city's rhythm, all over the centre
        t = start + timedelta(
            days=int(rng.integers(0, 28)), hours=int(rng.choice(24, p=DIURNAL / DIURNAL.sum()))
        )
        code = ("C0101", "C0201", "E0102")[n % 3]
        rows.append((code, rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH), t + timedelta(minutes=7)))
    for _ in range(300):  # 占道经营 at the city's rhythm, plus a Friday-evening surplus
        t = start + timedelta(
            days=int(rng.integers(0, 28)), hours=int(rng.choice(24, p=DIURNAL / DIURNAL.sum()))
        )
        rows.append(("E0501", rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH), t + timedelta(minutes=7)))
    for week in range(4):
        friday = start + timedelta(days=4 + 7 * week)  # start is a Monday 00:00
        for n in range(12):
            rows.append(("E0501", 106.70, 26.58, friday + timedelta(hours=18 + n % 2, minutes=n)))
    insert_reports(conn, rows)
    assert start.weekday() == 0 and start.hour == 0
    res = peaks(conn, AnalysisScope.city(), Filters(days=30, category="E05"), NOW)
    assert res.baseline == "others" and res.total >= 348
    assert {(p.weekday, p.hour) for p in res.peaks} >= {(4, 18), (4, 19)}
    top = peak_ranges(res.category_peaks)[0]
    assert (top.category_code, top.weekday, top.start, top.end) == ("E0501", 4, 18, 20)
    # an officer of a district outside the box reads none of it
    other = peaks(conn, AnalysisScope(district="520113"), Filters(days=30, category="E05"), NOW)
    assert other.total == 0 and not other.peaks and not other.category_peaks
    # the 云岩区 officer, through the scope the page asks for: only 云岩区, even when the filter names another
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'yunyan'")).scalar_one()
    ident = load_identity(conn, uid)
    assert ident is not None
    officer = analysis_scope(conn, ident)
    own = peaks(conn, officer, Filters(days=30), NOW)
    city = peaks(conn, AnalysisScope.city(), Filters(days=30), NOW)
    assert 0 < own.total < city.total
    assert peaks(conn, officer, Filters(days=30, district="520102"), NOW).total == 0


def test_an_every_evening_peak_is_one_finding() -> None:
    rng = np.random.default_rng(17)
    others = _week(rng, 8000, DIURNAL)
    vending = _week(rng, 500, DIURNAL)
    vending[:, 19] += 25  # every evening 19–20
    res = analyse(vending, others + vending, {"E0501": vending}, np.ones((7, 24)), chosen=True)
    groups = peak_groups(peak_ranges(res.category_peaks))
    assert (groups[0].category_code, groups[0].weekdays, groups[0].start, groups[0].end) == (
        "E0501",
        (0, 1, 2, 3, 4, 5, 6),
        19,
        20,
    )
