"""The feeds (:mod:`dashboard.feeds`) against the real app under uvicorn: a wall's event stream
(``/push/events?feed=wall``) gets each commit as a ``delta`` that follows on from the previous one (the screens that
took every delta merge the next with no request), with the new case's pin and ticker entry and none of what the
citizen typed; a stream without a feed gets doorbells and no delta; ``/push/status`` counts the feeds' members. A
workbench's stream (``?feed=workbench``) gets the cases in its user's reach that changed and those someone else
changed, and its cursor moves on with changes outside the reach."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import Engine

from db import snapshots
from ops import workflow as wf
from tests.support.app import AppServer, sign_in_client, sse_events
from tests.support.cases import CATEGORY, NANMING, YUNYAN

pytestmark = pytest.mark.server

SECRET = "我家楼下的秘密 请联系13800000000"


class Stream:
    """An event stream held in a thread: its ``(event, data)`` in order of arrival."""

    def __init__(self) -> None:
        self.got: list[tuple[str, str]] = []
        self.ready = threading.Event()

    def of(self, name: str) -> list[dict[str, object]]:
        return [json.loads(d) for e, d in list(self.got) if e == name]

    def wait_for(self, name: str, test: object, timeout: float = 15.0) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for item in self.of(name):
                if callable(test) and test(item):
                    return item
            time.sleep(0.05)
        raise AssertionError(f"no {name} in time; got {[e for e, _ in self.got]}")


@contextmanager
def streaming(base: str, user: str, password: str, path: str) -> Iterator[Stream]:
    stream, stop = Stream(), threading.Event()
    client = httpx.Client(base_url=base, timeout=10)
    sign_in_client(client, user, password, "/wall")

    def listen() -> None:
        for item in sse_events(client, path, stop):
            stream.got.append(item)
            stream.ready.set()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    try:
        assert stream.ready.wait(15), "the stream said nothing"
        time.sleep(0.5)  # the feed takes its first cursor as the first wall stream opens
        yield stream
    finally:
        stop.set()
        client.close()


def report(engine: Engine, at: tuple[float, float] = YUNYAN) -> wf.CaseResult:
    with engine.begin() as conn:
        return wf.report(conn, wf.Actor.system(), category_code=CATEGORY, lon=at[0], lat=at[1],
                         description=SECRET, source="inspector", address=SECRET)  # fmt: skip


def has_ticket(ticket: str) -> object:
    return lambda d: any(e.get("ticket") == ticket for e in d["delta"]["events"])  # type: ignore[index,union-attr]


def test_a_wall_stream_gets_each_commit_as_a_delta_that_follows_on(
    api_server: AppServer, api_engine: Engine
) -> None:
    with (
        streaming(api_server.base, "lead", "demo-lead-2026", "/push/events?feed=wall") as wall,
        streaming(api_server.base, "dispatcher", "demo-dispatch-2026", "/push/events") as plain,
    ):
        bells_before = len(wall.of("doorbell"))
        first, second = report(api_engine), report(api_engine)
        a = wall.wait_for("delta", has_ticket(first.ticket))
        b = wall.wait_for("delta", has_ticket(second.ticket))
        third = report(api_engine)
        c = wall.wait_for("delta", has_ticket(third.ticket))
        # a chain: each delta starts where the one before it ended (or both reports came in one)
        assert a["to"] == b["from"] or a == b
        assert b["to"] == c["from"] and b["from"] != c["from"]
        assert snapshots.covers(c["to"], c["from"]) and snapshots.visible(c["x"], c["to"])
        pins = {p["properties"]["id"]: p for p in c["delta"]["pins"]}  # type: ignore[index]
        assert third.id in pins and pins[third.id]["properties"]["t"] == third.ticket
        assert len(wall.of("doorbell")) == bells_before  # the feed answered every commit: no doorbell
        raw = " ".join(d for _, d in wall.got)
        assert "秘密" not in raw and "13800000000" not in raw  # what the citizen typed stays out
        # a stream that asks for no feed: doorbells, no delta
        plain.wait_for("doorbell", lambda d: d.get("x") == c["x"])
        assert plain.of("delta") == []
        with httpx.Client(base_url=api_server.base, timeout=10) as staff:
            sign_in_client(staff, "lead", "demo-lead-2026", "/wall")
            feeds = staff.get("/push/status").json()["feeds"]
        wall_feed = next(f for f in feeds if f["kind"] == "wall")
        assert wall_feed["members"] >= 1 and wall_feed["deltas"] >= 2


def test_a_workbench_stream_gets_the_changes_in_its_users_reach(
    api_server: AppServer, api_engine: Engine
) -> None:
    with (
        streaming(api_server.base, "yunyan", "demo-yunyan-2026", "/push/events?feed=workbench") as officer,
        streaming(
            api_server.base, "dispatcher", "demo-dispatch-2026", "/push/events?feed=workbench"
        ) as center,
    ):
        inside = report(api_engine)
        mine = officer.wait_for("delta", lambda d: inside.id in d["delta"]["cases"])  # type: ignore[index,operator]
        outside = report(api_engine, NANMING)  # after: one delta each
        assert inside.id in mine["delta"]["others"]  # type: ignore[index,operator]  # the system filed it
        # the officer's cursor moves on with a report in another district, which is not in their reach
        last = officer.wait_for("delta", lambda d: snapshots.visible(d["x"], d["to"]) and d["x"] != mine["x"])
        assert last["delta"] == {"cases": [], "others": []} and last["from"] == mine["to"]
        center.wait_for("delta", lambda d: inside.id in d["delta"]["cases"])  # type: ignore[index,operator]
        center.wait_for("delta", lambda d: outside.id in d["delta"]["cases"])  # type: ignore[index,operator]
        raw = " ".join(d for _, d in officer.got + center.got)
        assert "actors" not in raw and "秘密" not in raw  # no one's user id, nothing the citizen typed
