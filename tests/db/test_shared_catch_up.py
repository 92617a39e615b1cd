"""The wall's catch-up after a doorbell (:func:`db.queries.live.catch_up`), alone and shared by every screen of a
scope (:class:`dashboard.delta_cache.DeltaCache`, also over :func:`db.queries.wb_live.changes_in_reach`): the
events a screen's snapshot did not see, an event committed after a newer one still found, in a burst of commits
no screen missing an event or getting one twice, screens of one scope sharing the query, and scopes never
seeing each other's rows. Each step is committed (a snapshot sees other transactions only), so the module works
on a database of its own."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Engine, text

from dashboard.delta_cache import DeltaCache
from db import snapshots
from db.queries import live
from db.queries.live import CatchUp, catch_up
from db.queries.wb_live import Changes, changes_in_reach
from db.scope import RowScope
from geo.crs import TZ
from ops import workflow as wf
from tests.support.cases import NANMING, YUNYAN, live_report, new_case, staff_actors
from tests.support.db import committed, read

NOW = datetime(2026, 3, 11, 15, 20, 7, tzinfo=TZ)
T = TypeVar("T")


def test_catch_up_returns_what_the_snapshot_did_not_see(private_engine: Engine) -> None:
    start = read(private_engine, lambda c: live.latest_events(c, 5)).cursor
    lead = committed(private_engine, staff_actors)["lead"]
    a = committed(private_engine, lambda c: live_report(c, 5, NOW - timedelta(minutes=2)))
    b = committed(private_engine, lambda c: live_report(c, 6, NOW - timedelta(minutes=1)))
    gone = committed(private_engine, lambda c: wf.reject(c, lead, b.id, b.version, reason="无效", now=NOW))
    got = read(private_engine, lambda c: catch_up(c, start, now=NOW))
    assert [e["id"] for e in got.events] == sorted((a.event_id, b.event_id, gone.event_id), reverse=True)
    assert got.events[-1]["ticket"] == a.ticket and got.events[-1]["action"] == "report"
    assert [p.id for p in got.pins] == [a.id]
    assert got.pins[0].event_id == a.event_id and got.pins[0].ticket == a.ticket
    assert got.gone == [[b.id, gone.event_id]]
    assert read(private_engine, lambda c: catch_up(c, got.cursor, now=NOW)).events == []
    partial = read(private_engine, lambda c: catch_up(c, start, limit=2, now=NOW))
    assert partial.overflow and [e["id"] for e in partial.events] == [b.event_id, a.event_id]


def test_latest_events_are_newest_first(private_engine: Engine) -> None:
    a = committed(private_engine, lambda c: live_report(c, 7, NOW - timedelta(minutes=1)))
    latest = read(private_engine, lambda c: live.latest_events(c, 3))
    assert a.event_id == latest.events[0]["id"]
    assert [e["id"] for e in latest.events] == sorted((e["id"] for e in latest.events), reverse=True)
    assert latest.events[0]["dist"][0].endswith("区")
    assert read(private_engine, lambda c: catch_up(c, latest.cursor)).events == []


def test_an_event_committed_after_a_newer_one_is_not_missed(private_engine: Engine) -> None:
    """The wall lost the last report acknowledged after a crash this way: two reports at once, the one holding
    the lower event id committed last."""
    start = read(private_engine, lambda c: live.latest_events(c, 1)).cursor
    with private_engine.connect() as slow:
        tx = slow.begin()
        early = live_report(
            slow, 8, NOW
        )  # takes its event id first, commits last (another category and place)
        late = committed(private_engine, lambda c: live_report(c, 30, NOW, "C0201"))
        first = read(private_engine, lambda c: catch_up(c, start, now=NOW))
        assert [e["id"] for e in first.events] == [late.event_id]
        tx.commit()
    assert early.event_id < late.event_id  # "after the newest event seen" would have passed it for good
    then = read(private_engine, lambda c: catch_up(c, first.cursor, now=NOW))
    assert [e["id"] for e in then.events] == [early.event_id] and [p.id for p in then.pins] == [early.id]
    assert read(private_engine, lambda c: catch_up(c, then.cursor, now=NOW)).events == []


def test_screens_miss_nothing_and_get_nothing_twice_in_a_burst(private_engine: Engine) -> None:
    rng = random.Random(16)
    staff = committed(private_engine, staff_actors)
    start = read(private_engine, snapshots.current)
    first = int(
        read(
            private_engine,
            lambda c: c.execute(text("SELECT coalesce(max(id), 0) FROM case_event")).scalar_one(),
        )
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
            return read(private_engine, lambda c: catch_up(c, cursor, 50))

        got = await cache.get(("wall", cursor), doorbell, compute)
        assert not got.overflow
        screen["seen"].extend(e["id"] for e in reversed(got.events))  # events come newest first
        screen["cursor"] = got.cursor

    async def main() -> None:
        for doorbell in range(1, 16):  # batches of 1–7 commits, each rung once; a screen sometimes misses one
            for _ in range(rng.randint(1, 7)):
                committed(private_engine, lambda c: new_case(c, staff, point=rng.choice([YUNYAN, NANMING])))
            await asyncio.gather(*(ring(s, doorbell) for s in screens if rng.random() < 0.8))
        await asyncio.gather(*(ring(s, 16) for s in screens))

    asyncio.run(main())
    expected = read(
        private_engine,
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


def test_workbench_scopes_are_kept_apart(private_engine: Engine) -> None:
    staff = committed(private_engine, staff_actors)
    seen = read(private_engine, snapshots.current)
    ours = committed(
        private_engine, lambda c: new_case(c, staff, point=YUNYAN, reporter=staff["yunyan"]).id
    )  # 云岩区
    theirs = committed(
        private_engine, lambda c: new_case(c, staff, point=NANMING).id
    )  # 南明区, by the system
    cache: DeltaCache[Changes] = DeltaCache()
    yunyan, nanming, city = RowScope(district="520103"), RowScope(district="520102"), RowScope.city()

    async def ask(scope: RowScope) -> Changes:
        async def compute() -> Changes:
            return read(private_engine, lambda c: changes_in_reach(c, scope, seen))

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
