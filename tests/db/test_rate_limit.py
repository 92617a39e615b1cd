"""Rate limits kept in PostgreSQL (:mod:`db.rate_limit`), shared by every worker process: the burst, then the
rate, per limit and client; refused requests take nothing; full buckets are purged; and two connections at once
(two workers) never both take the last request."""

from __future__ import annotations

import threading

from sqlalchemy import Connection, Engine, text

from db import rate_limit


def test_burst_then_refused_with_retry_after(conn: Connection) -> None:
    got = [rate_limit.hit(conn, "track", "10.0.0.1", 6, 3) for _ in range(5)]
    assert [g.allowed for g in got] == [True, True, True, False, False]
    assert got[3].retry_after == 10  # 6 a minute: one every 10 s
    assert rate_limit.hit(conn, "track", "10.0.0.2", 6, 3).allowed  # another client
    assert rate_limit.hit(conn, "partner", "10.0.0.1", 6, 3).allowed  # another limit


def test_a_hit_leaves_the_callers_transaction_durable_unless_its_owner_says(conn: Connection) -> None:
    """A limit checked inside a transaction that also writes a report must not make that commit asynchronous."""
    rate_limit.hit(conn, "track", "10.0.0.3", 6, 3)
    assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
    rate_limit.commit_without_waiting(conn)  # what a transaction writing rate_bucket only does
    assert conn.execute(text("SHOW synchronous_commit")).scalar() == "off"


def test_full_buckets_are_purged(conn: Connection) -> None:
    conn.execute(text("DELETE FROM rate_bucket"))
    rate_limit.hit(conn, "track", "a", 60_000, 1)  # full again after a millisecond
    rate_limit.hit(conn, "track", "b", 1, 5)  # a minute away
    conn.execute(text("SELECT pg_sleep(0.01)"))
    assert rate_limit.purge(conn) == 1
    assert conn.execute(text("SELECT client FROM rate_bucket")).scalars().all() == ["b"]


def test_two_workers_at_once_share_one_allowance(engine: Engine) -> None:
    key = f"race-{threading.get_ident()}"
    allowed: list[bool] = []
    gate = threading.Barrier(8)

    def worker() -> None:
        gate.wait()
        for _ in range(5):
            with engine.begin() as c:
                allowed.append(rate_limit.hit(c, "race", key, 1, 10).allowed)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sum(allowed) == 10 and len(allowed) == 40
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM rate_bucket WHERE limit_name = 'race'"))
