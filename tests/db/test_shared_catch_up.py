"""The catch-up after a doorbell shared by every screen of a scope (:class:`dashboard.delta_cache.DeltaCache` over
:func:`db.queries.live.catch_up` and :func:`db.queries.wb_live.changes_in_reach`): in a burst of events across
batch boundaries no screen misses an event or gets one twice, screens of one scope share the query, and scopes
never see each other's rows."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import Connection, text

from dashboard.delta_cache import DeltaCache
from db.queries.live import CatchUp, catch_up
from db.queries.wb_live import Changes, changes_in_reach
from db.scope import RowScope
from ops.workflow import Actor
from tests.support.cases import NANMING, YUNYAN, new_case


def _latest(conn: Connection) -> int:
    return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM case_event")).scalar_one())


def test_screens_miss_nothing_and_get_nothing_twice_in_a_burst(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    rng = random.Random(16)
    start = _latest(conn)
    cache: DeltaCache[CatchUp] = DeltaCache()
    screens = [{"cursor": start, "seen": []} for _ in range(12)]
    asks = 0

    async def ring(screen: dict, doorbell: int) -> None:
        nonlocal asks
        cursor = screen["cursor"]
        if doorbell <= cursor:
            return
        asks += 1

        async def compute() -> CatchUp:
            await asyncio.sleep(0)  # let the other screens of this doorbell arrive
            return catch_up(conn, cursor, 50)

        got = await cache.get(("wall", cursor), doorbell, compute)
        assert not got.overflow
        screen["seen"].extend(e["id"] for e in reversed(got.events))  # events come newest first
        screen["cursor"] = got.last_id

    async def main() -> None:
        for _ in range(15):  # batches of 1–7 events, each rung once; a screen sometimes misses a doorbell
            for _ in range(rng.randint(1, 7)):
                new_case(conn, staff, point=rng.choice([YUNYAN, NANMING]))
            doorbell = _latest(conn)
            await asyncio.gather(*(ring(s, doorbell) for s in screens if rng.random() < 0.8))
        last = _latest(conn)
        await asyncio.gather(*(ring(s, last) for s in screens))

    asyncio.run(main())
    expected = [
        int(i)
        for i in conn.execute(
            text("SELECT id FROM case_event WHERE id > :a ORDER BY id"), {"a": start}
        ).scalars()
    ]
    assert len(expected) >= 15
    for screen in screens:
        assert screen["seen"] == expected  # every event once, in order
        assert screen["cursor"] == expected[-1]
    assert cache.queries < asks / 3  # screens at one cursor shared one query


def test_workbench_scopes_are_kept_apart(conn: Connection, staff: dict[str, Actor]) -> None:
    ours = new_case(conn, staff, point=YUNYAN, reporter=staff["yunyan"]).id  # 云岩区, by the officer
    theirs = new_case(conn, staff, point=NANMING).id  # 南明区, by the system
    # just before our first event (not max(id) before it: an earlier test's rolled-back seed may have moved the
    # id sequence far beyond the highest id kept, which the live list would take for a gap too wide to read)
    first = "SELECT min(id) FROM case_event WHERE case_id = :c"
    after = int(conn.execute(text(first), {"c": ours}).scalar_one()) - 1
    upto = _latest(conn)
    cache: DeltaCache[Changes] = DeltaCache()
    yunyan, nanming, city = RowScope(district="520103"), RowScope(district="520102"), RowScope.city()

    async def ask(scope: RowScope) -> Changes:
        async def compute() -> Changes:
            return changes_in_reach(conn, scope, after, upto)

        return await cache.get(("workbench", scope, after, upto), upto, compute)

    async def main() -> list[Changes]:
        return list(await asyncio.gather(*(ask(s) for s in (yunyan, nanming, city, yunyan, yunyan))))

    got = asyncio.run(main())
    assert cache.queries == 3  # one per scope, the officers' three pages share theirs
    officer = got[0].for_reader(staff["yunyan"].user_id)
    assert officer.cases == [ours] and officer.others == []  # the officer's own report: not "someone else"
    assert got[1].for_reader(None).cases == [theirs]
    assert sorted(got[2].for_reader(staff["lead"].user_id).cases) == sorted([ours, theirs])
    assert got[2].for_reader(staff["lead"].user_id).others == sorted([ours, theirs])
