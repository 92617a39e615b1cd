"""The simulator's rhythm (demo.rhythm): reports and steps per hour of the week as the history shows them, so the
live demo is as busy as the city it continues (not a hundred times busier, which raised alerts everywhere).

Real PostGIS, one rolled-back transaction per test; the history is written through the workflow commands in a
week far after any other data, so the window holds only the test's cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Connection

from demo.rhythm import SLOTS, Rhythm, next_gap, slot_of
from geo.crs import TZ
from ops.states import CaseStatus
from tests.support.cases import new_case, staff_actors

MONDAY_10 = datetime(2031, 3, 3, 10, 0, tzinfo=TZ)  # a Monday, after every other test's data


def test_slot_of_counts_hours_of_the_week_in_local_time() -> None:
    assert slot_of(MONDAY_10) == 10
    assert slot_of(MONDAY_10 + timedelta(days=6, hours=13)) == 6 * 24 + 23  # Sunday 23:00
    assert slot_of(datetime(2031, 3, 2, 18, 30, tzinfo=UTC)) == 2  # Monday 02:30 in Guiyang


def test_rhythm_is_the_history_mean_per_hour_of_the_week(conn: Connection) -> None:
    staff = staff_actors(conn)
    # two weeks of history: Monday 10:00 gets 3 reports in week 1 and 1 in week 2; each filed at 10:30 and
    # dispatched at 11:00
    for week, n in ((0, 3), (1, 1)):
        for _ in range(n):
            new_case(conn, staff, CaseStatus.DISPATCHED, start=MONDAY_10 + timedelta(weeks=week))
    now = MONDAY_10 + timedelta(weeks=1, hours=2)
    rhythm = Rhythm.load(conn, now)
    assert rhythm.reports.shape == rhythm.steps.shape == (SLOTS,)
    # the window runs from the first report (week 1, Monday 10:00) to the last: one week long
    assert rhythm.per_hour("reports", MONDAY_10) == 4.0
    # the steps' window: from the first filing (10:30) to the last dispatch (11:00 a week later)
    span = 1 + 0.5 / (7 * 24)
    assert rhythm.per_hour("steps", MONDAY_10) == pytest.approx(4 / span)  # the 10:30 filings
    assert rhythm.per_hour("steps", MONDAY_10 + timedelta(hours=1)) == pytest.approx(4 / span)  # dispatches
    assert rhythm.per_hour("reports", MONDAY_10 + timedelta(hours=1)) == 0.0
    # a "now" before the last week's cases: the window ends at now
    earlier = Rhythm.load(conn, MONDAY_10 + timedelta(days=2))
    assert earlier.per_hour("reports", MONDAY_10) == 3.0 * 7 / 2  # 3 reports in a window of 2 days


def test_next_gap_is_exponential_with_the_rate_and_waits_when_an_hour_is_empty() -> None:
    rng = np.random.default_rng(7)
    gaps = [next_gap(rng, 30.0, 2.0) for _ in range(4000)]
    assert all(arrives for _, arrives in gaps)
    assert abs(np.mean([g for g, _ in gaps]) - 60.0) < 3.0  # 60 an hour: a minute apart on average
    gap, arrives = next_gap(rng, 0.0, 5.0)
    assert not arrives and gap > 0
