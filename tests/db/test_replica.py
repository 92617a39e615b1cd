"""The read replica against a real standby: ``db replica up|status|down`` (db.replica) on a private primary
loaded from the test template, and the views' routing (db.read_route, Services.view): on the replica while it
is close behind, on the primary when it is stopped or its replay is paused past the lag setting, back when it
recovers; a catch-up that has not reached the rung event id goes to the primary; /healthz shows the lag.

A cluster of its own (a temporary folder, its own sockets): pausing or stopping the shared test cluster's
standby would be no test of the primary. About 30 s."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from bench.trust.durability import dump, private_cluster, restore
from dashboard.app import create_server
from dashboard.database import local_cluster
from dashboard.runtime import Services
from dashboard.settings import Settings, get_settings
from db import snapshots
from db.cluster import LocalCluster
from db.engine import make_engine
from db.queries.live import catch_up
from db.read_route import ReadRoute
from db.replica import Replica, standby_of
from db.snapshots import visible
from tests.support.cases import new_case, staff_actors
from tests.support.db import template_fingerprint
from tests.support.threads import off_the_loop

pytestmark = pytest.mark.process

DB = "crash"  # restore()'s database name


@dataclass
class Pair:
    primary: LocalCluster
    replica: Replica
    owner: Engine  # the primary as the owner role (the test's writes)
    app: Engine  # the primary as the app role
    standby: Engine  # the standby as the app role


def wait_for(what: Callable[[], Any], timeout_s: float = 15.0, step_s: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        got = what()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(step_s)


@pytest.fixture(scope="module")
def pair(settings: Settings, db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    if settings.database_url:
        pytest.fail("the replica test needs the project's own local cluster (DATABASE_URL is set)")
    shared = local_cluster(settings)
    out = tmp_path_factory.mktemp("replica") / "template.dump"
    host = str(make_url(db_url).query["host"])
    template = f"guiyang_ops_tmpl_{template_fingerprint()}"
    dump(host, shared.port, shared.passfile(shared.superuser), shared.superuser, template, out)
    with private_cluster("guiyang-replica-") as primary:
        restore(primary, out)
        replica = Replica(primary, standby_of(primary))
        engines = [
            make_engine(primary.url(DB, primary.owner), pool_size=2),
            make_engine(primary.url(DB, primary.app), pool_size=4),
            make_engine(replica.url(DB), pool_size=4),
        ]
        try:
            assert replica.up() == "created"
            yield Pair(primary, replica, *engines)
        finally:
            for e in engines:
                e.dispose()
            replica.destroy()


def recovery(conn: Connection) -> bool:
    return bool(conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one())


def new_event(db: Engine) -> int:
    """A real report on the primary, through the workflow's own command: its event's id."""
    with db.begin() as conn:
        r = new_case(conn, staff_actors(conn))
        return int(
            conn.execute(text("SELECT max(id) FROM case_event WHERE case_id = :c"), {"c": r.id}).scalar_one()
        )


def test_db_replica_up_status_and_a_write_reaches_the_standby(pair: Pair) -> None:
    st = pair.replica.status()
    assert st["state"] == "standby" and st["streaming"] is True, st
    assert pair.replica.up() == "running"  # up on a running standby only says so
    event_id = new_event(pair.app)
    with pair.standby.connect() as conn:
        assert recovery(conn)

    def seen() -> bool:
        with pair.standby.connect() as conn:
            return conn.execute(text("SELECT coalesce(max(id), 0) FROM case_event")).scalar_one() >= event_id

    assert wait_for(seen, 10)
    # caught up (the restored database's own background writes may still be streaming)
    st = wait_for(lambda: (s := pair.replica.status())["lag_bytes"] == 0 and s, 10)
    assert st and st["lag_seconds"] < 5, pair.replica.status()


def test_views_read_the_replica_fall_back_when_paused_or_stopped_and_return(
    pair: Pair, settings: Settings
) -> None:
    route = ReadRoute(pair.app, pair.standby, max_lag_s=2.0)
    app = Services(settings=settings, engine=pair.app, reads=route)
    # a view is read on the standby (from the second check, if the first found it a few bytes behind)
    assert wait_for(lambda: app.view(recovery) is True, 5, 0.3)
    assert app.read(recovery) is False and app.write(recovery) is False  # reads of one's own writes: primary

    # replay paused: the replica falls behind while the primary is written to, and views leave it past 2 s
    pair.replica.standby._psql("SELECT pg_wal_replay_pause()", DB)
    try:
        with pair.app.connect() as conn:
            seen = snapshots.current(conn)
        rung = new_event(pair.app)
        with pair.app.connect() as conn:
            xid = int(
                conn.execute(text("SELECT tx::text FROM case_event WHERE id = :i"), {"i": rung}).scalar_one()
            )
        # a catch-up after a doorbell: the replica has not replayed the rung transaction, so it is read on the primary
        got = app.view_fresh(lambda c: catch_up(c, seen, 50), lambda g: g.overflow or visible(xid, g.cursor))
        assert rung in [e["id"] for e in got.events] and visible(xid, got.cursor), got
        with pair.standby.connect() as conn:
            assert (
                conn.execute(text("SELECT coalesce(max(id), 0) FROM case_event")).scalar_one() < rung
            )  # really behind

        def on_primary() -> bool:
            new_event(pair.app)  # keep writing, as a busy city does
            return app.view(recovery) is False

        assert wait_for(on_primary, 10, 0.3)
        state = app.read_state()
        assert state["state"] == "primary" and state["reason"] == "lag", state
        # past 2 s, shown to a tenth (2.04 s is shown as 2.0)
        assert isinstance(state["lag_seconds"], float) and state["lag_seconds"] >= 2.0, state
    finally:
        pair.replica.standby._psql("SELECT pg_wal_replay_resume()", DB)
    assert wait_for(lambda: app.view(recovery) is True, 10, 0.3)  # caught up: back on the replica

    # the standby stopped: views go to the primary at once (the failed read is retried there), then return
    assert pair.replica.down()
    assert app.view(recovery) is False
    assert app.read_state()["reason"] == "down"
    assert pair.replica.status()["state"] == "stopped"
    assert pair.replica.up() == "started"
    assert wait_for(lambda: app.view(recovery) is True, 15, 0.3)


def test_a_replica_already_behind_when_the_app_starts_is_not_read_until_it_has_caught_up(
    pair: Pair, settings: Settings
) -> None:
    """An app (re)started while its replica's replay is paused cannot tell how long it has been behind: it reads
    from the primary, even under a lag limit far above the test's time, until the replica has replayed what the
    primary had when the app first looked."""
    pair.replica.standby._psql("SELECT pg_wal_replay_pause()", DB)
    try:
        new_event(pair.app)
        app = Services(
            settings=settings, engine=pair.app, reads=ReadRoute(pair.app, pair.standby, max_lag_s=60)
        )
        assert app.view(recovery) is False
        state = app.read_state()
        assert state["state"] == "primary" and state["reason"] == "lag", state
        assert isinstance(state["lag_bytes"], int) and state["lag_bytes"] > 0, state
        time.sleep(1.2)  # a later check: still behind the first position noted
        new_event(pair.app)
        assert app.view(recovery) is False
    finally:
        pair.replica.standby._psql("SELECT pg_wal_replay_resume()", DB)
    assert wait_for(lambda: app.view(recovery) is True, 10, 0.3)


def test_healthz_shows_where_views_read_and_the_lag(pair: Pair, tmp_path: Path) -> None:
    settings = get_settings(
        database_url=pair.primary.url(DB, pair.primary.app),
        read_database_url=pair.replica.url(DB),
        read_max_lag_seconds=2,
        media_dir=tmp_path,
        secret_key="test-secret-" + "x" * 32,
    )
    server = create_server(settings)

    async def get() -> dict[str, Any]:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=server), base_url="http://t"
        ) as client:
            r = await client.get("/healthz")
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    body = off_the_loop(anyio.run, get)
    assert body["replica"]["state"] == "replica", body
    assert body["replica"]["lag_seconds"] == 0 and body["replica"]["lag_bytes"] >= 0, body
    pair.replica.standby._psql("SELECT pg_wal_replay_pause()", DB)
    try:

        def lagging() -> dict[str, Any] | None:
            new_event(pair.app)
            b = off_the_loop(anyio.run, get)["replica"]
            return b if b["state"] == "primary" else None

        lag = wait_for(lagging, 12, 0.5)
        assert lag and lag["reason"] == "lag" and lag["lag_seconds"] >= 2 and lag["lag_bytes"] > 0, lag
    finally:
        pair.replica.standby._psql("SELECT pg_wal_replay_resume()", DB)
