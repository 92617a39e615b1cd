"""The alert engine on the real database with synthetic cities of known answers: the hourly read model stays
equal to a full recount, a planted burst raises exactly one alert with the right numbers and words, a homogeneous
Poisson city raises none, a planted rise raises a trend alert, the minimum count, no duplicates, idempotence."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Connection, text

from db.accounts import load_identity
from ops.analysis import hourly
from ops.analysis.alert_config import AlertConfig
from ops.analysis.alert_states import transition
from ops.analysis.alert_write import usual_words
from ops.analysis.anomaly_step import build_tests
from ops.analysis.cycle import run_cycle
from tests.support.analysis_city import NOW, burst, insert_reports, poisson_history, squares

CATS = ["C0101", "C0102", "E0101"]
WEEKS = 9


def alerts(conn: Connection, kind: str | None = None) -> list:
    return conn.execute(
        text(
            "SELECT id, kind, area_level, area_key, district_code, category_code, observed, expected, p_value,"
            " window_start, window_end, explanation_zh, explanation_en, state, ST_AsText(point) AS point"
            " FROM analysis_alert WHERE CAST(:k AS text) IS NULL OR kind = :k ORDER BY id"
        ),
        {"k": kind},
    ).all()


def city(conn: Connection, seed: int = 1, n_squares: int = 24, rate: float = 0.02) -> list:
    """A homogeneous Poisson city: ``n_squares`` squares × 3 小类 at ``rate`` reports an hour, over 9 weeks."""
    rng = np.random.default_rng(seed)
    sq = squares(conn, n_squares)
    insert_reports(
        conn, poisson_history(rng, [s.cell_id for s in sq], CATS, rate, NOW - timedelta(weeks=WEEKS), NOW)
    )
    return sq


def test_hourly_table_equals_a_full_recount_after_cycles(conn: Connection) -> None:
    rng = np.random.default_rng(2)
    sq = squares(conn, 6)
    cells = [s.cell_id for s in sq]
    for round_ in range(4):
        start = NOW - timedelta(days=10 - 2 * round_)
        insert_reports(conn, poisson_history(rng, cells, CATS, 0.05, start, start + timedelta(days=2)))
        report = run_cycle(conn, NOW + timedelta(minutes=round_))
        assert report.ok
    # a case outside the grid is counted under area ''
    conn.execute(
        text(
            'INSERT INTO "case" (ticket, source, category_code, geom, district_code, status, created_at)'
            " VALUES ('AN-outside', 'app', 'C0101', ST_SetSRID(ST_MakePoint(106.97, 27.06), 4326), '520121',"
            " 'reported', :at)"
        ),
        {"at": NOW - timedelta(hours=3)},
    )
    assert run_cycle(conn, NOW).count("hourly") == 1
    table, full = hourly.table(conn), hourly.full_recount(conn)
    assert len(full) > 100
    pd.testing.assert_frame_equal(table, full, check_dtype=False)
    assert run_cycle(conn, NOW).count("hourly") == 0  # nothing new, nothing read


def test_planted_burst_raises_exactly_one_alert_with_its_numbers_and_words(conn: Connection) -> None:
    sq = city(conn)
    target = next(s for s in sq if s.district_code == "520103")  # 云岩区
    insert_reports(conn, burst(target.cell_id, "C0101", 12, NOW), address="中华北路88号")
    report = run_cycle(conn, NOW, AlertConfig())
    assert report.ok, report.as_json()
    got = alerts(conn)
    assert len(got) == 1, [(a.area_key, a.category_code, a.observed) for a in got]
    a = got[0]
    observed = conn.execute(
        text(
            "SELECT count(*) FROM \"case\" WHERE cell_id = :c AND category_code = 'C0101' AND created_at >= :s AND created_at < :e"
        ),
        {"c": target.cell_id, "s": a.window_start, "e": a.window_end},
    ).scalar_one()
    assert (a.kind, a.area_level, a.area_key, a.category_code, a.district_code) == (
        "anomaly",
        "1km",
        target.area_key,
        "C0101",
        "520103",
    )
    assert a.window_end == NOW and a.window_end - a.window_start == timedelta(hours=2)
    assert a.observed == observed >= 12
    assert 0.01 < a.expected < 0.3  # 0.02 an hour × 2 h, with a little shrinkage
    assert a.p_value < 1e-10 and a.state == "new"
    uz, ue = usual_words(a.expected)
    assert uz in (f"往常约 {a.expected:.1f} 件", "往常不到 0.1 件")
    assert a.explanation_zh == f"近2小时云岩区中华北路88号附近井盖破损上报 {observed} 件，{uz}"
    assert a.explanation_en == (
        f"{observed} reports of 井盖破损 (Damaged or missing manhole cover) in Yunyan District near 中华北路88号 "
        f"in the last 2 hours; {ue}"
    )
    assert a.point.startswith("POINT(106.")
    events = (
        conn.execute(text("SELECT to_state FROM analysis_alert_event WHERE alert_id = :i"), {"i": a.id})
        .scalars()
        .all()
    )
    assert events == ["new"]


def test_homogeneous_poisson_city_raises_no_alert_over_many_cycles(conn: Connection) -> None:
    city(conn, seed=11, n_squares=30, rate=0.05)
    for h in range(0, 48, 2):
        report = run_cycle(conn, NOW - timedelta(hours=h), AlertConfig(trend_every_s=1))
        assert report.ok
    assert alerts(conn) == []


def test_planted_rising_trend_raises_a_trend_alert(conn: Connection) -> None:
    sq = city(conn, seed=4)
    target = sq[3]
    rng = np.random.default_rng(9)
    weekly = [3, 5, 8, 12, 17, 23, 30, 40]  # oldest first, the last one ends at NOW
    rows = []
    for k, n in enumerate(weekly):
        end = NOW - timedelta(weeks=len(weekly) - 1 - k)
        rows += [
            (target.cell_id, "E0101", end - timedelta(seconds=float(s))) for s in rng.uniform(0, 7 * 86400, n)
        ]
    insert_reports(conn, rows)
    run_cycle(conn, NOW)
    trends = alerts(conn, "trend")
    mine = [a for a in trends if a.area_key == target.area_key and a.category_code == "E0101"]
    assert len(mine) == 1
    last_week = conn.execute(
        text(
            "SELECT count(*) FROM \"case\" WHERE cell_id = :c AND category_code = 'E0101' AND created_at >= :s AND created_at < :e"
        ),
        {"c": target.cell_id, "s": mine[0].window_end - timedelta(weeks=1), "e": mine[0].window_end},
    ).scalar_one()
    assert mine[0].observed == last_week >= 35 and "逐周上升" in mine[0].explanation_zh
    assert mine[0].window_end - mine[0].window_start == timedelta(weeks=8)
    # a second pass an hour later finds it again but keeps one live trend alert per area × category
    run_cycle(conn, NOW + timedelta(hours=1, minutes=1))
    assert (
        len(
            [a for a in alerts(conn, "trend") if a.area_key == target.area_key and a.category_code == "E0101"]
        )
        == 1
    )


@pytest.mark.parametrize(("planted", "min_count", "raised"), [(4, 5, False), (4, 3, True), (5, 5, True)])
def test_the_minimum_count(conn: Connection, planted: int, min_count: int, raised: bool) -> None:
    city(conn, seed=5, n_squares=12)
    quiet = squares(conn, 1, districts=("520111",))[0]  # a square of another district, without history
    insert_reports(conn, burst(quiet.cell_id, "E0101", planted, NOW))
    run_cycle(conn, NOW, AlertConfig(min_count=min_count))
    got = alerts(conn, "anomaly")
    assert bool(got) is raised
    assert all(a.observed == planted and a.area_key == quiet.area_key for a in got)


def test_no_duplicate_while_live_and_a_growing_burst_updates_its_alert(conn: Connection) -> None:
    sq = city(conn, seed=6, n_squares=12)
    cell = sq[1].cell_id
    insert_reports(conn, burst(cell, "C0102", 10, NOW))
    run_cycle(conn, NOW)
    first = alerts(conn)
    assert len(first) == 1
    run_cycle(conn, NOW)  # idempotent: the same cycle again changes nothing
    assert alerts(conn) == first
    later = NOW + timedelta(minutes=10)
    insert_reports(conn, burst(cell, "C0102", 4, later, minutes=9))
    run_cycle(conn, later)
    grown = alerts(conn)
    assert len(grown) == 1 and grown[0].id == first[0].id
    assert grown[0].observed == first[0].observed + 4 and grown[0].window_end == later
    assert f"上报 {grown[0].observed} 件" in grown[0].explanation_zh
    version = conn.execute(
        text("SELECT version FROM analysis_alert WHERE id = :i"), {"i": first[0].id}
    ).scalar_one()
    assert version == 1  # the numbers grew; a staff member's compare-and-set still holds
    # dismissed: no longer live, so a burst that keeps growing is raised again
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
    lead = load_identity(conn, uid)
    assert lead is not None
    transition(conn, lead, first[0].id, "dismissed", version=1, now=later)
    again = later + timedelta(minutes=10)
    insert_reports(conn, burst(cell, "C0102", 3, again, minutes=9))
    run_cycle(conn, again)
    assert [a.state for a in alerts(conn)] == ["dismissed", "new"]


def test_the_cached_baselines_equal_fresh_ones_and_a_backfill_drops_them(conn: Connection) -> None:
    sq = city(conn, seed=8, n_squares=10)
    hourly.top_up(conn, NOW)

    def tests_at(at: datetime) -> pd.DataFrame:
        t = build_tests(conn, at, (2, 24), 8)
        return t.sort_values(["area_level", "area_key", "category_code", "window_hours"]).reset_index(
            drop=True
        )

    cache = hourly.LevelCache()
    token = hourly.LEVEL_CACHE.set(cache)
    try:
        for minutes in (0, 7, 25):  # the same clock hour: parts from the cache, edges from the minute
            at = NOW + timedelta(minutes=minutes)
            cached = tests_at(at)
            assert cache.entries
            hourly.LEVEL_CACHE.set(None)
            pd.testing.assert_frame_equal(cached, tests_at(at))
            hourly.LEVEL_CACHE.set(cache)
        # a report from ten days ago (a backfill) changes the history: the cache lets go of it
        insert_reports(conn, [(sq[0].cell_id, "C0101", NOW - timedelta(days=10))])
        hourly.top_up(conn, NOW)
        assert not cache.entries
        cached = tests_at(NOW)
        hourly.LEVEL_CACHE.set(None)
        pd.testing.assert_frame_equal(cached, tests_at(NOW))
    finally:
        hourly.LEVEL_CACHE.reset(token)


def test_each_step_its_own_transaction_a_failing_step_is_reported_and_the_rest_run(
    conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ops.analysis import cycle

    def broken(c: Connection, now: datetime) -> int:
        c.execute(text("INSERT INTO analysis_cursor (name, last_id) VALUES ('broken', 1)"))
        raise ValueError("a step that fails")

    def counted(c: Connection, now: datetime) -> int:
        return int(c.execute(text("SELECT count(*) FROM analysis_cursor WHERE name = 'broken'")).scalar_one())

    monkeypatch.setattr(cycle, "STEPS", [*cycle.STEPS, ("broken", broken), ("after", counted)])
    report = run_cycle(conn, NOW)
    assert not report.ok
    assert report.as_json()["steps"]["broken"]["error"].startswith("ValueError")
    assert report.count("after") == 0  # the failed step's writes were rolled back; the next step ran
    assert [s.name for s in report.steps] == [
        "hourly",
        "recurrence",
        "anomaly",
        "trend",
        "correlations",
        "broken",
        "after",
    ]


def test_the_trend_pass_runs_at_most_once_an_hour(conn: Connection) -> None:
    city(conn, seed=12, n_squares=4)
    last_at = "SELECT last_at FROM analysis_cursor WHERE name = 'trend'"
    run_cycle(conn, NOW)
    assert conn.execute(text(last_at)).scalar_one() == NOW
    run_cycle(conn, NOW + timedelta(minutes=30))
    assert conn.execute(text(last_at)).scalar_one() == NOW
    run_cycle(conn, NOW + timedelta(hours=1))
    assert conn.execute(text(last_at)).scalar_one() == NOW + timedelta(hours=1)


def test_a_burst_in_a_border_square_is_its_districts_alert_and_only_one(conn: Connection) -> None:
    """A 1 km square across a district border, busy on one side for weeks, bursting on the other: one alert, the
    square's, credited to the district of the burst (whose officer acts), not also the district's."""
    row = conn.execute(
        text(
            """
            SELECT div(i, 10) AS si, div(j, 10) AS sj,
                   min(id) FILTER (WHERE district_code = '520102') AS a, min(id) FILTER (WHERE district_code = '520103') AS b
              FROM grid_cell WHERE district_code IN ('520102', '520103')
             GROUP BY 1, 2 HAVING count(DISTINCT district_code) = 2 ORDER BY 1, 2 LIMIT 1
            """
        )
    ).one()
    rng = np.random.default_rng(21)
    city(conn, seed=22, n_squares=12)
    insert_reports(conn, poisson_history(rng, [row.a], ["C0101"], 0.05, NOW - timedelta(weeks=WEEKS), NOW))
    insert_reports(conn, burst(row.b, "E0101", 12, NOW))
    run_cycle(conn, NOW)
    got = alerts(conn)
    assert [(a.area_level, a.area_key, a.district_code, a.category_code) for a in got] == [
        ("1km", f"1km:{row.si}:{row.sj}", "520103", "E0101")
    ]
