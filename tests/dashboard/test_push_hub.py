"""The push hub's case doorbell (:class:`dashboard.push.PushHub`): every commit rings, also one whose events hold
older ids than the last one heard (ids are not in commit order), and a burst coalesces into its last doorbell
(without a database); the first connection's doorbell, on a database of its own."""

from __future__ import annotations

import asyncio
from datetime import datetime

import psycopg
import pytest
from sqlalchemy import Engine, text

from dashboard.push import Bell, PushHub, conninfo_from_sqlalchemy, parse_payload
from geo.crs import TZ
from tests.support.cases import live_report
from tests.support.db import committed, read


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


def test_the_first_connection_rings_only_when_a_transaction_wrote_events(
    private_owner_db_url: str, private_engine: Engine
) -> None:
    """A seeded history (its events' transaction left NULL, as ``seed-demo`` loads them): pages that subscribe get
    no doorbell, so none catches up for nothing; once a transaction wrote events, the first connection rings with
    it, which the pages hold. On a database of its own (the reports are committed)."""
    conninfo = conninfo_from_sqlalchemy(private_owner_db_url)
    at = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)

    def default(sql: str) -> None:  # the default of case_event.tx, as the seed drops it and puts it back
        with psycopg.connect(conninfo, autocommit=True) as owner:
            owner.execute(f"ALTER TABLE case_event ALTER COLUMN tx {sql}")

    def report(k: int) -> tuple[int, int | None]:
        r = committed(private_engine, lambda c: live_report(c, k, at))
        tx = read(private_engine, lambda c: c.execute(_TX, {"i": r.event_id}).scalar())
        return r.event_id, None if tx is None else int(tx)

    def first_check() -> PushHub:
        async def check() -> PushHub:
            hub = PushHub(conninfo)
            hub.start = lambda: None  # type: ignore[method-assign]  # the test runs the check itself
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                await hub._check(conn)  # noqa: SLF001 - what the listener runs on its first connection
            return hub

        return asyncio.run(check())

    default("DROP DEFAULT")
    try:
        seeded_id, none = report(1)
    finally:
        default("SET DEFAULT pg_current_xact_id()")
    assert none is None
    seeded = first_check()
    assert seeded.bell is None and seeded.rings == 0 and seeded.latest == seeded_id
    assert seeded.subscribe().bell is None  # nothing rings as a page subscribes
    live_id, tx = report(2)
    assert first_check().bell == Bell(live_id, tx, 1)


_TX = text("SELECT tx::text FROM case_event WHERE id = :i")
