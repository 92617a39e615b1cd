"""The feeds (:class:`dashboard.feeds.Feed`) on the wall's real catch-up (:mod:`dashboard.wall_delta`) and the
workbench's (:mod:`dashboard.wb_delta`), on a database of its own (the reports are committed): each doorbell becomes one delta that starts where the last
one ended; a doorbell already sent sends nothing; a failed read rings the doorbell instead and the next one reads
from the same cursor; too much new rings and starts again; with no wall open nothing is read; a workbench's readers
share one read and are each told what someone else changed. The hub's listener
is not started: the test rings it with each commit's real transaction, as the listener would."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, text

from dashboard import runtime, wall_delta, wb_delta
from dashboard.feeds import Feed, Step
from dashboard.push import PushHub, Subscriber
from dashboard.settings import Settings
from db import snapshots
from db.scope import RowScope
from geo.crs import TZ
from ops import workflow as wf
from ops.workflow import CaseResult
from tests.support.cases import live_report, staff_actors
from tests.support.db import committed, read

NOW = datetime(2026, 3, 12, 9, 0, tzinfo=TZ)
T = TypeVar("T")


@pytest.fixture
def app(settings: Settings, private_engine: Engine) -> Iterator[runtime.Services]:
    with runtime.using(runtime.Services(settings=settings, engine=private_engine)) as services:
        yield services


def run(main: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(main())


def quiet_hub(app: runtime.Services) -> PushHub:
    hub = app.push_hub()
    hub.start = lambda: None  # type: ignore[method-assign]  # no listener: the test rings with each commit
    return hub


_TX = text("SELECT tx::text FROM case_event WHERE id = :i")


def report(engine: Engine, k: int) -> tuple[CaseResult, int]:
    r = committed(engine, lambda c: live_report(c, k, NOW - timedelta(minutes=k)))
    return r, int(read(engine, lambda c: c.execute(_TX, {"i": r.event_id})).scalar_one())


async def messages(sub: Subscriber, want: int = 1, timeout: float = 10.0) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    async with asyncio.timeout(timeout):
        while len(out) < want:
            await sub.wait()
            out += [(name, json.loads(data)) for name, data in sub.take_feed()]
    return out


async def settle() -> None:
    await asyncio.sleep(0.3)  # the feed reads in a worker thread


async def opened(app: runtime.Services, step: Step = wall_delta.step) -> tuple[PushHub, Feed, Subscriber]:
    """A wall feed (or one of ``step``) on the app's hub with one stream joined, its first cursor taken."""
    hub = quiet_hub(app)
    feed = Feed(hub, step, wall_delta.current)
    wall = hub.subscribe()
    feed.join(wall)
    await settle()
    return hub, feed, wall


def test_each_doorbell_is_one_delta_on_from_the_last(app: runtime.Services, private_engine: Engine) -> None:
    async def main() -> None:
        hub, feed, wall = await opened(app)
        start = feed.cursor
        assert snapshots.valid(start)
        a, xa = report(private_engine, 1)
        hub.publish(a.event_id, xa)
        [(name, first)] = await messages(wall)
        assert name == "delta" and first["from"] == start and first["x"] == xa
        assert [e["ticket"] for e in first["delta"]["events"]] == [a.ticket]
        assert [p["properties"]["id"] for p in first["delta"]["pins"]] == [a.id]
        b, xb = report(private_engine, 2)
        hub.publish(b.event_id, xb)
        [(_, second)] = await messages(wall)
        assert second["from"] == first["to"] and snapshots.visible(xb, second["to"])
        assert [e["ticket"] for e in second["delta"]["events"]] == [b.ticket]
        hub.publish(b.event_id, xb)  # a doorbell the feed's cursor holds: nothing is sent
        await settle()
        assert wall.take_feed() == [] and feed.deltas == 2 and feed.rings == 0
        await feed.stop()

    run(main)


def test_a_failed_read_rings_and_the_next_one_reads_on(app: runtime.Services, private_engine: Engine) -> None:
    failures = [ConnectionError("the database went away")]

    async def flaky(seen: str, xid: int | None) -> tuple[str, dict[str, Any] | None]:
        if failures:
            raise failures.pop()
        return await wall_delta.step(seen, xid)

    async def main() -> None:
        hub, feed, wall = await opened(app, flaky)
        start = feed.cursor
        a, xa = report(private_engine, 3)
        hub.publish(a.event_id, xa)
        [(name, bell)] = await messages(wall)
        assert name == "doorbell" and bell["x"] == xa and feed.cursor == start  # the screens ask themselves
        b, xb = report(private_engine, 4)
        hub.publish(b.event_id, xb)
        [(name, delta)] = await messages(wall)
        assert name == "delta" and delta["from"] == start  # both reports, from where the feed was
        assert {e["ticket"] for e in delta["delta"]["events"]} == {a.ticket, b.ticket}
        await feed.stop()

    run(main)


def test_too_much_new_rings_and_starts_again(
    app: runtime.Services, private_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wall_delta, "CATCHUP_LIMIT", 2)

    async def main() -> None:
        hub, feed, wall = await opened(app)
        for k in range(5, 8):
            r, x = report(private_engine, k)
        hub.publish(r.event_id, x)
        [(name, _)] = await messages(wall)
        assert name == "doorbell" and feed.cursor is None  # the screens read afresh; the feed starts again
        s, y = report(private_engine, 8)
        hub.publish(s.event_id, y)
        [(name, _)] = await messages(wall)
        assert name == "doorbell" and snapshots.visible(y, feed.cursor)  # its new cursor, from now on
        t, z = report(private_engine, 9)
        hub.publish(t.event_id, z)
        [(name, delta)] = await messages(wall)
        assert name == "delta" and [e["ticket"] for e in delta["delta"]["events"]] == [t.ticket]
        await feed.stop()

    run(main)


def test_with_no_wall_open_nothing_is_read(app: runtime.Services, private_engine: Engine) -> None:
    async def main() -> None:
        hub, feed, wall = await opened(app)
        feed.leave(wall)
        queries = app.caches.deltas.queries
        r, x = report(private_engine, 10)
        hub.publish(r.event_id, x)
        await settle()
        assert app.caches.deltas.queries == queries and feed.cursor is None and wall.take_feed() == []
        await feed.stop()

    run(main)


def test_a_workbench_feed_tells_each_reader_what_others_changed(
    app: runtime.Services, private_engine: Engine
) -> None:
    """One read for the scope; each reader is told which cases someone else changed, and no one's user id."""
    staff = committed(private_engine, staff_actors)
    dispatcher, lead = staff["dispatcher"], staff["lead"]

    async def main() -> None:
        hub = quiet_hub(app)
        scope = RowScope.city()
        feed = Feed(hub, wb_delta.step_for(scope), wb_delta.current, wb_delta.personal)
        own, other = hub.subscribe(), hub.subscribe()
        own.reader, other.reader = dispatcher.user_id, lead.user_id
        feed.join(own)
        feed.join(other)
        await settle()
        r = committed(
            private_engine,
            lambda c: wf.report(c, dispatcher, category_code="C0101", lon=106.7119, lat=26.5716,
                                description="调度员代报", source="hotline"),
        )  # fmt: skip
        x = int(read(private_engine, lambda c: c.execute(_TX, {"i": r.event_id})).scalar_one())
        queries = app.caches.deltas.queries
        hub.publish(r.event_id, x)
        [(_, mine)] = await messages(own)
        [(_, theirs)] = await messages(other)
        assert mine["delta"] == {"cases": [r.id], "others": []}  # the dispatcher's own report
        assert theirs["delta"] == {"cases": [r.id], "others": [r.id]}
        assert mine["to"] == theirs["to"] and app.caches.deltas.queries == queries + 1
        await feed.stop()

    run(main)
