"""Push: ONE PostgreSQL ``LISTEN case_event`` connection per process, fanned out to every open event stream.

The database's statement trigger on ``case_event`` sends ``pg_notify('case_event', max(id))`` at each commit.
The hub keeps the latest id and rings every subscriber's doorbell; subscribers hold only "the latest id" (a
burst of notifications coalesces into one ring), and the page then asks for everything after the last id it has
(the notification is only a doorbell, never the data).

The listener reconnects with backoff (0.5 s doubling to 15 s) and, after each (re)connect and every
:data:`HEALTH_SECONDS` of silence, reads ``max(case_event.id)``: a notification lost while the connection was
down still rings the doorbell.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg

log = logging.getLogger("guiyang_ops.push")
CHANNEL = "case_event"
HEALTH_SECONDS = 30.0
BACKOFF_START = 0.5
BACKOFF_MAX = 15.0


class Subscriber:
    """One event stream's doorbell: the latest event id and an event set when it changed."""

    def __init__(self, latest: int | None) -> None:
        self.latest = latest
        self._rung = asyncio.Event()
        if latest is not None:
            self._rung.set()

    def ring(self, latest: int) -> None:
        self.latest = latest
        self._rung.set()

    async def wait(self) -> int:
        await self._rung.wait()
        self._rung.clear()
        assert self.latest is not None  # nosec B101 # type narrowing for mypy, not a security check
        return self.latest


class PushHub:
    """The process's listener and its subscribers; started on the first subscription, stopped by :meth:`stop`."""

    def __init__(self, conninfo: str, channel: str = CHANNEL) -> None:
        self.conninfo = conninfo
        self.channel = channel
        self.latest: int | None = None
        self.connected = False
        self._subscribers: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def subscribe(self) -> Subscriber:
        self.start()
        sub = Subscriber(self.latest)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subscribers.discard(sub)

    def publish(self, event_id: int, *, reset: bool = False) -> None:
        """Ring every doorbell with a newer id (``reset``: also with an older one, e.g. after a re-seed)."""
        if self.latest is not None and (event_id == self.latest or (event_id < self.latest and not reset)):
            return
        self.latest = event_id
        for sub in self._subscribers:
            sub.ring(event_id)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="push-listener")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.connected = False

    async def _run(self) -> None:
        backoff = BACKOFF_START
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True, application_name="guiyang-ops push"
                ) as conn:
                    await conn.execute(f"LISTEN {self.channel}")
                    self.connected = True
                    backoff = BACKOFF_START
                    log.info("push: listening on %s", self.channel)
                    await self._check(conn)
                    while True:
                        async for note in conn.notifies(timeout=HEALTH_SECONDS):
                            with contextlib.suppress(ValueError):
                                self.publish(int(note.payload))
                        await self._check(conn)  # silence: is the connection alive, did we miss anything?
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: reconnect after a pause
                self.connected = False
                log.warning("push: listener lost (%s); reconnecting in %.1f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)

    async def _check(self, conn: psycopg.AsyncConnection) -> None:
        cur = await conn.execute("SELECT coalesce(max(id), 0) FROM case_event")
        row = await cur.fetchone()
        if row is not None:
            self.publish(int(row[0]), reset=True)


def conninfo_from_sqlalchemy(url: str) -> str:
    """A libpq URL from a SQLAlchemy one (``postgresql+psycopg://`` → ``postgresql://``)."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url
