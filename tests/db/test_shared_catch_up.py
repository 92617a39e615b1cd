"""The wall's catch-up after a doorbell (:func:`db.queries.live.catch_up`), alone and shared by every screen of a
scope (:class:`dashboard.delta_cache.DeltaCache`, also over :func:`db.queries.wb_live.changes_in_reach`): the
events a screen's snapshot did not see, an event committed after a newer one still found, in a burst of commits
no screen missing an event or getting one twice, screens of one scope sharing the query, and scopes never
seeing each other's rows. Each step is committed (a snapshot sees other transactions only), so the module works
on a database of its own."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import Connection, Engine, text

from dashboard.delta_cache import DeltaCache
from dashboard.settings import Settings
from db.engine import make_engine
from db.queries import live
from db.queries.live import CatchUp, catch_up
from db.queries.wb_live import Changes, changes_in_reach, current
from db.scope import RowScope
from geo.crs import TZ
from ops import workflow as wf
from ops.workflow import Actor
from tests.support.cases import NANMING, YUNYAN, new_case, staff_actors
from tests.support.db import as_app

NOW = datetime(2026, 3, 11, 15, 20, 7, tzinfo=TZ)
T = TypeVar("T")


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=3)
    yield eng
    eng.dispose()


def _committed(engine: Engine, fn: Callable[[Connection], T]) -> T:
    with engine.begin() as c:
        return fn(c)


def _report(conn: Connection, k: int, at: datetime, category: str = "C0101") -> wf.CaseResult:
    return wf.report(
        conn,
        Actor.system(),
        category_code=category,
        lon=106.6905 + 0.0023 * (k % 11),
        lat=26.5702 + 0.0019 * (k // 11),
        description=f"live test {k}",
        source="app",
        now=at,
    )


def _read(engine: Engine, fn: Callable[[Connection], T]) -> T:
    with engine.connect() as c:
        return fn(c)


def test_catch_up_returns_what_the_snapshot_did_not_see(engine: Engine) -> None:
    start = _read(engine, lambda c: live.latest_events(c, 5)).cursor
    lead = _committed(engine, staff_actors)["lead"]
    a = _committed(engine, lambda c: _report(c, 5, NOW - timedelta(minutes=2)))
    b = _committed(engine, lambda c: _report(c, 6, NOW - timedelta(minutes=1)))
    gone = _committed(engine, lambda c: wf.reject(c, lead, b.id, b.version, reason="无效", now=NOW))
    got = _read(engine, lambda c: catch_up(c, start, now=NOW))
    assert [e["id"] for e in got.events] == sorted((a.event_id, b.event_id, gone.event_id), reverse=True)
    assert got.events[-1]["ticket"] == a.ticket and got.events[-1]["action"] == "report"
    assert [p.id for p in got.pins] == [a.id]
    assert got.pins[0].event_id == a.event_id and got.pins[0].ticket == a.ticket
    assert got.gone == [[b.id, gone.event_id]]
    assert _read(engine, lambda c: catch_up(c, got.cursor, now=NOW)).events == []
    partial = _read(engine, lambda c: catch_up(c, start, limit=2, now=NOW))
    assert partial.overflow and [e["id"] for e in partial.events] == [b.event_id, a.event_id]


def test_latest_events_are_newest_first(engine: Engine) -> None:
    a = _committed(engine, lambda c: _report(c, 7, NOW - timedelta(minutes=1)))
    latest = _read(engine, lambda c: live.latest_events(c, 3))
    assert a.event_id == latest.events[0]["id"]
    assert [e["id"] for e in latest.events] == sorted((e["id"] for e in latest.events), reverse=True)
    assert latest.events[0]["dist"][0].endswith("区")
    assert _read(engine, lambda c: catch_up(c, latest.cursor)).events == []


def test_an_event_committed_after_a_newer_one_is_not_missed(engine: Engine) -> None:
    """The wall lost the last report acknowledged after a crash this way: two reports at once, the one holding
    the lower event id committed last."""
    start = _read(engine, lambda c: live.latest_events(c, 1)).cursor
    with engine.connect() as slow:
        tx = slow.begin()
        early = _report(slow, 8, NOW)  # takes its event id first, commits last (another category and place)
        late = _committed(engine, lambda c: _report(c, 30, NOW, "C0201"))
        first = _read(engine, lambda c: catch_up(c, start, now=NOW))
        assert [e["id"] for e in first.events] == [late.event_id]
        tx.commit()
    assert early.event_id < late.event_id  # "after the newest event seen" would have passed it for good
    then = _read(engine, lambda c: catch_up(c, first.cursor, now=NOW))
    assert [e["id"] for e in then.events] == [early.event_id] and [p.id for p in then.pins] == [early.id]
    assert _read(engine, lambda c: catch_up(c, then.cursor, now=NOW)).events == []


def test_screens_miss_nothing_and_get_nothing_twice_in_a_burst(engine: Engine) -> None:
    rng = random.Random(16)
    staff = _committed(engine, staff_actors)
    start = _read(engine, current)
    first = int(
        _read(engine, lambda c: c.execute(text("SELECT coalesce(max(id), 0) FROM case_event")).scalar_one())
    )
    cache: DeltaCache[CatchUp] = DeltaCache()
    screens: list[dict] = [{"cursor": start, "seen": []} for _ in range(12)]
    asks = 0

    async def ring(screen: dict, doorbell: int) -> None:
        nonlocal asks
        cursor = screen["cursor"]
        asks += 1

        async def compute() -> CatchUp:
            await asyncio.sleep(0)  # let the other screens of this doorbell arrive
            return _read(engine, lambda c: catch_up(c, cursor, 50))

        got = await cache.get(("wall", cursor), doorbell, compute)
        assert not got.overflow
        screen["seen"].extend(e["id"] for e in reversed(got.events))  # events come newest first
        screen["cursor"] = got.cursor

    async def main() -> None:
        for doorbell in range(1, 16):  # batches of 1–7 commits, each rung once; a screen sometimes misses one
            for _ in range(rng.randint(1, 7)):
                _committed(engine, lambda c: new_case(c, staff, point=rng.choice([YUNYAN, NANMING])))
            await asyncio.gather(*(ring(s, doorbell) for s in screens if rng.random() < 0.8))
        await asyncio.gather(*(ring(s, 16) for s in screens))

    asyncio.run(main())
    expected = _read(
        engine,
        lambda c: [
            int(i)
            for i in c.execute(
                text("SELECT id FROM case_event WHERE id > :a ORDER BY id"), {"a": first}
            ).scalars()
        ],
    )
    assert len(expected) >= 15
    for screen in screens:
        assert screen["seen"] == expected  # every event once, in order (the commits came one by one)
    assert cache.queries < asks / 3  # screens at one cursor shared one query


def test_workbench_scopes_are_kept_apart(engine: Engine) -> None:
    staff = _committed(engine, staff_actors)
    seen = _read(engine, current)
    ours = _committed(
        engine, lambda c: new_case(c, staff, point=YUNYAN, reporter=staff["yunyan"]).id
    )  # 云岩区
    theirs = _committed(engine, lambda c: new_case(c, staff, point=NANMING).id)  # 南明区, by the system
    cache: DeltaCache[Changes] = DeltaCache()
    yunyan, nanming, city = RowScope(district="520103"), RowScope(district="520102"), RowScope.city()

    async def ask(scope: RowScope) -> Changes:
        async def compute() -> Changes:
            return _read(engine, lambda c: changes_in_reach(c, scope, seen))

        return await cache.get(("workbench", scope, seen), 1, compute)

    async def main() -> list[Changes]:
        return list(await asyncio.gather(*(ask(s) for s in (yunyan, nanming, city, yunyan, yunyan))))

    got = asyncio.run(main())
    assert cache.queries == 3  # one per scope, the officers' three pages share theirs
    officer = got[0].for_reader(staff["yunyan"].user_id)
    assert officer.cases == [ours] and officer.others == []  # the officer's own report: not "someone else"
    assert got[1].for_reader(None).cases == [theirs]
    assert sorted(got[2].for_reader(staff["lead"].user_id).cases) == sorted([ours, theirs])
    assert got[2].for_reader(staff["lead"].user_id).others == sorted([ours, theirs])
