"""The daily rollup of /stats (``stats_daily``) against the raw query: the same table, trend and response times
from the rollup as from the cases, for several periods, scopes and instants "now", after a random walk of
workflow steps (returned, reworked, suspended, extended, merged, rejected, closed), across day boundaries and
the working calendar; the rollup the triggers keep equals a rebuild from raw rows; concurrent writers on one
rollup row lose nothing."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Connection, Engine, text

from db import rollups
from db.accounts import StaffIdentity, load_identity
from db.engine import make_engine
from db.models.stats_rollup import CLOSE_BINS, HANDLE_BINS
from db.period import Period
from db.quantiles import quantiles
from db.queries import rollup_stats
from db.queries.stats_trend import trend
from db.scope import RowScope
from geo.crs import TZ
from ops import workflow as wf
from ops.stats_table import StatsTable, stats_table
from ops.workflow import Actor

POINTS = {"520103": (106.7135, 26.5838), "520102": (106.7119, 26.5716)}
CATEGORY = "C0101"  # 井盖破损: 4 working hours
DEPARTMENTS = ("CGJ", None)  # None: the suggested one (520103-CGJ / 520102-CGJ)
START = datetime(2025, 5, 30, 8, 0, tzinfo=TZ)  # a Friday before the 端午 holidays of 2025 (May 31 – June 2)

PERIODS = (
    Period(date(2025, 5, 30), date(2025, 6, 12)),  # daily trend
    Period(date(2025, 6, 1), date(2025, 6, 1)),  # one day (a holiday)
    Period(date(2025, 5, 1), date(2025, 7, 31)),  # weekly trend
    Period(date(2025, 6, 3), date(2025, 6, 5)),
)
SCOPES = (
    RowScope.city(),
    RowScope(district="520103"),
    RowScope(department="520103-CGJ"),
    RowScope(department="CGJ"),
)


def _identity(conn: Connection, username: str) -> StaffIdentity:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).scalar_one()
    ident = load_identity(conn, uid)
    assert ident is not None
    return ident


def _walk(conn: Connection, rng: random.Random, actor: Actor, n: int) -> list[wf.CaseResult]:
    """``n`` cases, each reported at an instant of the fortnight from START (some a minute before or after
    midnight) and taken along a random path of the workflow; returns the open ones (for later steps)."""
    open_cases: list[wf.CaseResult] = []
    for i in range(n):
        t = START + timedelta(hours=rng.randrange(0, 14 * 24), minutes=rng.randrange(60))
        if i % 5 == 0:  # a day boundary in Asia/Shanghai
            t = t.replace(hour=23, minute=59) if i % 10 == 0 else t.replace(hour=0, minute=1)
        district = rng.choice(list(POINTS))
        r = wf.report(
            conn,
            Actor.system(),
            category_code=CATEGORY,
            lon=POINTS[district][0] + rng.uniform(-0.002, 0.002),
            lat=POINTS[district][1] + rng.uniform(-0.002, 0.002),
            description=f"case {i}",
            source="inspector",
            now=t,
        )

        def later(hours: float) -> datetime:
            nonlocal t
            t = t + timedelta(hours=rng.uniform(0.1, hours))
            return t

        roll = rng.random()
        if roll < 0.08:
            wf.reject(conn, actor, r.id, r.version, reason="不属于城市管理", now=later(1))
            continue
        if roll < 0.12:  # stays reported (not in the cohort)
            open_cases.append(r)
            continue
        r = wf.file_case(conn, actor, r.id, r.version, now=later(1))
        if roll < 0.18 and open_cases:
            target = next((c for c in reversed(open_cases) if c.status not in ("reported",)), None)
            if target is not None:
                wf.merge(conn, actor, r.id, r.version, into_case_id=target.id, now=later(1))
                continue
        if roll < 0.24:  # filed only
            open_cases.append(r)
            continue
        r = wf.dispatch(conn, actor, r.id, r.version, department_code=rng.choice(DEPARTMENTS), now=later(2))
        if rng.random() < 0.25:
            r = wf.return_case(conn, actor, r.id, r.version, reason="非本部门职责", now=later(3))
            r = wf.dispatch(conn, actor, r.id, r.version, now=later(2))
        if rng.random() < 0.5:
            r = wf.start(conn, actor, r.id, r.version, now=later(2))
        if rng.random() < 0.2:
            r = wf.suspend(conn, actor, r.id, r.version, reason="等待配件", now=later(8))
            if rng.random() < 0.6:
                r = wf.resume(conn, actor, r.id, r.version, now=later(30))
            else:
                open_cases.append(r)
                continue
        if rng.random() < 0.15:
            r = wf.extend(conn, actor, r.id, r.version, amount=4, reason="工程量大", now=later(2))
        if rng.random() < 0.2:  # left at the department: due or not, depending on now
            open_cases.append(r)
            continue
        r = wf.handle(conn, actor, r.id, r.version, note="已处置", now=later(10))
        if rng.random() < 0.25:  # reworked (the case reopens at the department)
            r = wf.verify(conn, actor, r.id, r.version, passed=False, note="未修好", now=later(2))
            r = wf.handle(conn, actor, r.id, r.version, note="已返工", now=later(6))
        if rng.random() < 0.15:  # handled, waiting for verification
            open_cases.append(r)
            continue
        wf.verify(conn, actor, r.id, r.version, passed=True, now=later(3))
    return open_cases


def _tables(
    conn: Connection, scope: RowScope, period: Period, now: datetime
) -> tuple[StatsTable, StatsTable]:
    raw = stats_table(conn, None, period, now=now, scope=scope, with_trend=True, source="raw")
    rolled = stats_table(conn, None, period, now=now, scope=scope, with_trend=True, source="rollup")
    return raw, rolled


def _assert_same(conn: Connection, now: datetime) -> None:
    for scope in SCOPES:
        for period in PERIODS:
            raw, rolled = _tables(conn, scope, period, now)
            assert rolled == raw, (scope, period, now)
            assert trend(conn, scope, period, now=now) == trend(conn, scope, period, now=now, source="raw")


def _rollup(conn: Connection) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    rows = conn.execute(text("SELECT * FROM stats_daily")).mappings()
    out = {}
    for r in rows:
        values = tuple(v for k, v in r.items() if k not in ("day", "department_code", "district_code"))
        for v, bins in ((r["handle_s"], HANDLE_BINS), (r["close_s"], CLOSE_BINS)):
            # kept sorted and counted by bin, cumulatively: the readers slice them by bin
            assert v == sorted(v)
            running = [r[b] for b in bins]
            assert running == sorted(running) and running[-1] == len(v)
        if any(any(v) if isinstance(v, list) else v for v in values):
            out[(r["day"], r["department_code"], r["district_code"])] = values
    return out


@pytest.fixture
def walked(conn: Connection) -> list[wf.CaseResult]:
    actor = Actor.from_identity(_identity(conn, "lead"))
    return _walk(conn, random.Random(16), actor, 70)


def test_rollup_tables_equal_the_raw_query(conn: Connection, walked: list[wf.CaseResult]) -> None:
    # several instants "now": during the fortnight (some deadlines still ahead), just after, long after
    nows = (
        datetime(2025, 6, 4, 12, 0, tzinfo=TZ),
        datetime(2025, 6, 13, 0, 0, tzinfo=TZ),
        datetime(2025, 7, 15, 10, 0, tzinfo=TZ),
    )
    due = []
    for now in nows:
        _assert_same(conn, now)
        due.append(_tables(conn, RowScope.city(), PERIODS[2], now)[1].total.counts.due_close)
    # the now-dependent part is really exercised: with no write in between, the due count grows with now
    assert due[0] < due[1] <= due[2]
    assert walked, "the walk left open cases"


def test_triggers_keep_the_rollup_equal_to_a_rebuild(conn: Connection, walked: list[wf.CaseResult]) -> None:
    actor = Actor.from_identity(_identity(conn, "lead"))
    kept = _rollup(conn)
    assert kept
    # more steps on the open cases: returned, handled, reworked, closed, resumed (new instants, after the walk)
    t = datetime(2025, 6, 20, 9, 0, tzinfo=TZ)
    for r in walked:
        t += timedelta(minutes=37)
        cur = wf.get_case(conn, r.id)
        status, version = cur.status, cur.version
        if status == "suspended":
            step = wf.resume(conn, actor, r.id, version, now=t)
            status, version = step.status, step.version
        if status in ("dispatched", "in_progress"):
            if r.id % 3 == 0:
                wf.return_case(conn, actor, r.id, version, reason="非本部门职责", now=t)
                continue
            step = wf.handle(conn, actor, r.id, version, note="已处置", now=t + timedelta(minutes=5))
            status, version = step.status, step.version
        if status == "handled":
            passed = r.id % 2 == 0
            note = None if passed else "仍有问题"
            wf.verify(conn, actor, r.id, version, passed=passed, note=note, now=t + timedelta(minutes=9))
    _assert_same(conn, datetime(2025, 7, 1, 8, 0, tzinfo=TZ))
    kept = _rollup(conn)
    rollups.rebuild(conn)
    assert _rollup(conn) == kept
    rollups.rebuild(conn, since=date(2025, 6, 5))
    assert _rollup(conn) == kept


def test_empty_rollup_after_a_rebuild_of_nothing(conn: Connection) -> None:
    conn.execute(text('DELETE FROM "case" WHERE false'))
    assert rollups.rebuild(conn, since=date(2030, 1, 1)) == 0


# ---- concurrent writers on one rollup row ---------------------------------------------------------------


@pytest.fixture
def committed(private_owner_db_url: str) -> Iterator[Engine]:
    eng = make_engine(private_owner_db_url, pool_size=3)
    yield eng
    eng.dispose()


def test_concurrent_writers_on_one_rollup_row_lose_nothing(committed: Engine) -> None:
    day = datetime(2025, 6, 10, 9, 0, tzinfo=TZ)
    with committed.begin() as c:
        actor = Actor.from_identity(_identity(c, "lead"))
        cases = []
        for i in range(2):
            r = wf.report(
                c,
                Actor.system(),
                category_code=CATEGORY,
                lon=POINTS["520103"][0] + i * 0.001,
                lat=POINTS["520103"][1],
                description=f"case {i}",
                source="inspector",
                now=day + timedelta(minutes=i),
            )
            r = wf.file_case(c, actor, r.id, r.version, now=day + timedelta(minutes=10))
            cases.append(wf.dispatch(c, actor, r.id, r.version, now=day + timedelta(minutes=20)))
    first, second = cases
    done = threading.Event()

    def other() -> None:  # the second writer: its upsert waits for the first's row lock, then adds to it
        with committed.begin() as c2:
            wf.handle(c2, actor, second.id, second.version, note="已处置", now=day + timedelta(hours=1))
        done.set()

    c1 = committed.connect()
    tx = c1.begin()
    wf.handle(c1, actor, first.id, first.version, note="已处置", now=day + timedelta(minutes=50))
    thread = threading.Thread(target=other)
    thread.start()
    time.sleep(1.0)
    assert not done.is_set(), "the second writer should wait for the first's lock on the rollup row"
    tx.commit()
    thread.join(timeout=30)
    c1.close()
    assert done.is_set()
    with committed.begin() as c:
        rows = c.execute(
            text(
                "SELECT department_code, cases, handled_ever, cardinality(handle_s) FROM stats_daily "
                "WHERE day = :d AND cases > 0"
            ),
            {"d": day.date()},
        ).all()
        assert [tuple(r)[1:] for r in rows] == [(2, 2, 2)], rows
        kept = _rollup(c)
        rollups.rebuild(c)
        assert _rollup(c) == kept


def _insert_durations(conn: Connection, rows: list[tuple[date, str, str, list[float], list[float]]]) -> None:
    bins = ", ".join(
        f"(SELECT count(*) FROM unnest(CAST(:{arr} AS float8[])) v WHERE width_bucket(v, gy_duration_edges()) <= {k})"
        for arr, names in (("h", HANDLE_BINS), ("c", CLOSE_BINS))
        for k, _ in enumerate(names)
    )
    sql = text(
        f"INSERT INTO stats_daily (day, department_code, district_code, cases, handle_s, close_s, "
        f"{', '.join((*HANDLE_BINS, *CLOSE_BINS))}) "
        f"SELECT :day, :dep, :dis, 1, ARRAY(SELECT v FROM unnest(CAST(:h AS float8[])) v ORDER BY v), "
        f"ARRAY(SELECT v FROM unnest(CAST(:c AS float8[])) v ORDER BY v), {bins}"
    )
    for day, dep, dis, h, c in rows:
        conn.execute(sql, {"day": day, "dep": dep, "dis": dis, "h": h, "c": c})


@pytest.mark.as_owner  # writes stats_daily directly, as only its functions may
def test_the_quantiles_read_from_a_few_bins_equal_those_over_every_value(conn: Connection) -> None:
    """Random durations over every bin (some exactly on a bin's edge, some alone in their group), in many rows:
    the median and p90 of each department, district and the total, read from the bins holding their ranks, are
    the same floats as over all the values; with a scope, of the rows in scope only."""
    conn.execute(text("DELETE FROM stats_daily"))
    edges = conn.execute(text("SELECT gy_duration_edges()")).scalar_one()
    rng = np.random.default_rng(16)
    rows = []
    for i in range(120):
        dep, dis = ("CGJ", "HB", "")[i % 3], ("520102", "520103")[i % 2 if i < 118 else 0]
        if i == 119:
            dep = "LONE"  # one department with a single row of durations
        h = list(np.exp(rng.normal(10.5, 1.6, rng.integers(0, 30))))
        c = list(np.exp(rng.normal(11.5, 1.2, rng.integers(0, 30)))) + list(rng.choice(edges, 3))
        rows.append((date(2025, 6, 1) + timedelta(days=i % 40), dep, dis, h, c))
    _insert_durations(conn, rows)
    period = Period(date(2025, 6, 1), date(2025, 7, 10))
    for scope in (RowScope.city(), RowScope(district="520103"), RowScope(department="CGJ")):
        got = rollup_stats.duration_quantiles(conn, scope, period)
        chosen = [r for r in rows if scope.district in (None, r[2]) and scope.department in (None, r[1])]
        groups: dict[tuple[str, str | None], list[tuple[list[float], list[float]]]] = {}
        for _, dep, dis, h, c in chosen:
            for g in (("department", dep or None), ("district", dis), ("total", None)):
                groups.setdefault(g, []).append((h, c))
        assert set(got) == set(groups)
        for g, parts in groups.items():
            for m in (0, 1):
                values = np.asarray([v for p in parts for v in p[m]], dtype=np.float64)
                assert got[g][m] == quantiles(values), (scope, g, m)
