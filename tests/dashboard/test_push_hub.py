"""The push hub's case doorbell (:class:`dashboard.push.PushHub`) without a database: every commit rings, also one
whose events hold older ids than the last one heard (ids are not in commit order), and a burst coalesces into
its last doorbell."""

from __future__ import annotations

import asyncio

import pytest

from dashboard.push import Bell, PushHub, parse_payload


def test_a_commit_with_older_ids_still_rings() -> None:
    async def main() -> None:
        hub = PushHub("postgresql://nowhere.invalid/none")
        hub.start = lambda: None  # type: ignore[method-assign]  # no listener: the test publishes
        sub = hub.subscribe()
        hub.publish(101, 7001)
        assert (await sub.wait())[0] == Bell(101, 7001, 1)
        hub.publish(100, 7000)  # took its id first, committed last
        assert (await sub.wait())[0] == Bell(101, 7000, 2)
        hub.publish(102, 7002)
        hub.publish(103, 7003)
        assert (await sub.wait())[0] == Bell(103, 7003, 4)  # a burst: the last doorbell stands for all
        hub.publish(50, None, reset=True)  # a re-seeded database: the newest id goes down
        assert (await sub.wait())[0] == Bell(50, None, 5)

    asyncio.run(main())


def test_the_payload_is_the_newest_id_and_the_transaction() -> None:
    assert parse_payload("123:4567") == (123, 4567)
    assert parse_payload("123") == (123, None)  # a database not migrated yet: every page reads
    with pytest.raises(ValueError):
        parse_payload("abc")
