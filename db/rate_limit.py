"""Rate limits shared by every worker process, kept in PostgreSQL (table ``rate_bucket``, UNLOGGED).

GCRA, the token bucket written as one timestamp: each (limit, client) row holds its "theoretical arrival time"
``tat``; a request is allowed when ``tat - now <= (burst - 1) × interval`` (``interval`` = 60 s / per minute) and
then moves ``tat`` to ``max(tat, now) + interval``: ``burst`` requests at once, then ``per_minute`` a minute, as
:class:`dashboard.ratelimit.TokenBuckets`. One atomic upsert per request (the row is locked for the statement, so
two workers never both take the last token); a refused request changes nothing and costs a second small read for
its ``Retry-After``. A row whose ``tat`` has passed is a full bucket, the same as no row: :func:`purge` deletes
them, so the table holds only the clients limited in the last minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Connection, text

EPSILON_S = 0.001  # who comes back after exactly the seconds said gets through

_HIT = text(
    """
    INSERT INTO rate_bucket AS b (limit_name, client, tat)
    VALUES (:name, :client, clock_timestamp() + make_interval(secs => :interval))
    ON CONFLICT (limit_name, client) DO UPDATE
       SET tat = greatest(b.tat, clock_timestamp()) + make_interval(secs => :interval)
     WHERE b.tat - clock_timestamp() <= make_interval(secs => :tolerance)
    RETURNING tat
    """
)
_WAIT = text(
    "SELECT extract(epoch FROM tat - clock_timestamp()) - :tolerance FROM rate_bucket "
    "WHERE limit_name = :name AND client = :client"
)
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit = off")
_PURGE = text("DELETE FROM rate_bucket WHERE tat < clock_timestamp()")


@dataclass(frozen=True)
class Hit:
    allowed: bool
    retry_after: int = 0  # whole seconds until the next request is allowed (0 when allowed)


def hit(conn: Connection, name: str, client: str, per_minute: float, burst: int) -> Hit:
    """Take one request of ``client`` under the limit ``name`` (``per_minute`` > 0, ``burst`` >= 1)."""
    if per_minute <= 0 or burst < 1:
        raise ValueError("per_minute > 0 and burst >= 1 are needed")
    interval = 60.0 / per_minute
    params = {"name": name[:32], "client": client[:80], "interval": interval,
              "tolerance": (burst - 1) * interval + EPSILON_S}  # fmt: skip
    if conn.execute(_HIT, params).first() is not None:
        return Hit(True)
    wait = conn.execute(_WAIT, params).scalar()
    return Hit(False, max(1, math.ceil(float(wait or 0) - EPSILON_S)))


def commit_without_waiting(conn: Connection) -> None:
    """Let the caller's transaction commit without waiting for its WAL flush. Only for a transaction that writes
    nothing but ``rate_bucket``, UNLOGGED (a count lost in a crash is harmless): the flush of the commit record was
    60 ms of the 60 ms a hit took on a busy machine. The transaction's owner decides, never :func:`hit`, which may
    run inside a transaction that must be durable."""
    conn.execute(_ASYNC_COMMIT)


def purge(conn: Connection) -> int:
    """Delete the rows that are full buckets again; how many."""
    return int(conn.execute(_PURGE).rowcount or 0)
