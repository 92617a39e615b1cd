"""The app object (:class:`dashboard.runtime.Services`): ``create_server`` builds one from its settings and binds it
to each request; nothing is process-global, so two servers in one process share no state, and building a server
starts no database cluster."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from dashboard import runtime
from dashboard.app import create_server
from dashboard.settings import Settings
from db.calendar_repo import load_calendar


def _ops(server: FastAPI) -> runtime.Services:
    ops = server.state.ops
    assert isinstance(ops, runtime.Services)
    return ops


async def _get(server: FastAPI, *paths: str) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=server)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return [await client.get(p) for p in paths]


T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on a new event loop in a thread of its own (a test before may have left a loop running in
    this one, as Playwright's sync API does)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_two_servers_in_one_process_share_no_state(settings: Settings, db_url: str) -> None:
    a = create_server(
        settings.model_copy(
            update={
                "database_url": db_url,
                "public_track_per_minute": 1,
                "public_track_burst": 1,
                "working_periods": "08:30-12:00,14:00-17:30",
            }
        )
    )
    b = create_server(settings.model_copy(update={"database_url": db_url, "public_track_burst": 5}))
    ops_a, ops_b = _ops(a), _ops(b)
    try:
        assert ops_a is not ops_b and ops_a.engine is not ops_b.engine
        for name in ("identities", "reference", "district_bounds", "wall", "icons", "public"):
            assert getattr(ops_a.caches, name) is not getattr(ops_b.caches, name)
        assert ops_a.track_limit is not ops_b.track_limit and ops_a.heat is not ops_b.heat

        # each app's working periods reach the domain through its own engine (no process-wide setting)
        assert ops_a.read(load_calendar).day_length == timedelta(hours=7)
        assert ops_b.read(load_calendar).day_length == timedelta(hours=7.5)
        assert ops_a.calendars is not ops_b.calendars

        # the ticket-lookup limit (counted in the database for every worker of an app, under the limit's own
        # numbers): app A's allowance (a burst of 1) is used up, app B's (5) is untouched
        ops_a.write(lambda c: c.execute(text("DELETE FROM rate_bucket")))  # earlier sessions' lookups
        track = "/public/v1/track/GY000000000.json"
        first, second = _run(_get(a, track, track))
        assert first.status_code != 429 and second.status_code == 429
        assert [r.status_code != 429 for r in _run(_get(b, track, track, track))] == [True] * 3

        # the public answers cache: what app A cached is not in app B's
        (summary,) = _run(_get(a, "/public/v1/summary.json"))
        assert summary.status_code == 200
        assert ops_a.caches.public._entries and not ops_b.caches.public._entries

        # every request sees its own app's object
        seen: list[runtime.Services] = []
        for server in (a, b):

            @server.get("/_which")
            async def which() -> dict[str, bool]:
                seen.append(runtime.services())
                return {"ok": True}

            _run(_get(server, "/_which"))
        assert seen == [ops_a, ops_b]
    finally:
        ops_a.engine.dispose()
        ops_b.engine.dispose()


def test_outside_a_request_there_is_no_app(settings: Settings) -> None:
    with pytest.raises(RuntimeError):
        runtime.services()


def test_building_the_server_starts_no_cluster(settings: Settings, tmp_path: Path) -> None:
    var = tmp_path / "var"
    server = create_server(
        settings.model_copy(update={"database_url": None, "var_dir": var, "pg_port": 54399})
    )
    ops = _ops(server)
    assert ops.engine.url.database == settings.database_name
    assert not (var / "pg").exists()  # nothing made, nothing started: that is `db up`'s and `serve`'s job
    ops.engine.dispose()
