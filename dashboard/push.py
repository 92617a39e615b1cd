"""Push: ONE PostgreSQL connection per process, ``LISTEN case_event`` and ``LISTEN analysis_alert``, fanned out to
every open event stream.

The database's statement trigger on ``case_event`` sends ``pg_notify('case_event', '<max id>:<xid>')`` at each
commit (migration 0039). The hub rings every subscriber's doorbell at each notification with the committing
transaction's id (``x``), the newest event id heard of (``id``) and its own count of doorbells (``n``, what the
shared catch-ups are versioned by); subscribers hold only the last ring (a burst coalesces into one: commits are
notified in commit order, so a snapshot that sees the last one sees them all), and the page then asks for
everything its snapshot did not see (:mod:`db.snapshots`; the notification is only a doorbell, never the data).
Event ids are not in commit order, so a notification with an older id still rings.

The listener reconnects with backoff (0.5 s doubling to 5 s, so a wall is back within seconds of the database) and,
after each reconnect, rings with ``x`` unknown (``None``: every page catches up, so a notification lost while
the connection was down is not missed; at the first connection ``x`` is the newest transaction that wrote events,
so the pages opened since ask nothing, and it does not ring when no transaction wrote any: a seeded history);
every :data:`HEALTH_SECONDS` of silence it reads ``max(case_event.id)`` and rings the same way if it moved.

Alerts (研判预警) ring a second doorbell on the same streams: the row trigger on ``analysis_alert`` (migration 0015)
notifies ``analysis_alert`` at each raised or changed alert; the hub counts those notifications (``alerts``) and
rings every subscriber, whose page then re-reads its alerts. After each (re)connect and each silence the hub also
reads a stamp of the table (``count:sum(version)``) and rings when it changed meanwhile.

Alarms (突发 / 督办 / 预警 that ring until a shift lead acknowledges them) ring a third doorbell the same way: the
row trigger on ``alarm`` (migration 0020) notifies ``desk_alarm`` at each raised or acknowledged alarm; the hub
counts them (``alarms``) and every stream sends an ``alarm`` event; the page re-reads its open alarms. The check
after a (re)connect compares a stamp of the table (``count:count of acknowledged``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from db.cache_bust import CHANNEL as BUST_CHANNEL

log = logging.getLogger("guiyang_ops.push")
CHANNEL = "case_event"
ALERT_CHANNEL = "analysis_alert"
ALARM_CHANNEL = "desk_alarm"
HEALTH_SECONDS = 30.0
BACKOFF_START = 0.5
BACKOFF_MAX = 5.0


@dataclass(frozen=True)
class Bell:
    """A case-event doorbell: the newest event id heard of, the transaction that rang it (None: unknown, every
    page reads) and the hub's count of doorbells."""

    id: int
    x: int | None
    n: int

    def data(self) -> dict[str, int | None]:
        return {"id": self.id, "x": self.x, "n": self.n}


#: Feed messages a stream holds at most while it is slow to send them (the oldest dropped: a screen that misses
#: one catches up by itself, :mod:`dashboard.feeds`)
FEED_BACKLOG = 8


class Subscriber:
    """One event stream's doorbells: the last case-event bell, the alerts counter, its feed's messages not sent
    yet, and an event set when any changed."""

    def __init__(self, bell: Bell | None, alerts: int = 0) -> None:
        self.bell = bell
        #: the bell the stream starts with (a stream in a feed sends only this one; the feed rings it afterwards)
        self.first = bell
        #: the signed-in user the stream is for (a feed's personal delta, :mod:`dashboard.feeds`)
        self.reader: int | None = None
        self._feed: deque[tuple[str, str]] = deque(maxlen=FEED_BACKLOG)
        self.alerts = alerts
        self._rung = asyncio.Event()
        self._case = bell is not None
        self._alert = False
        self.alarms = 0
        self._alarm = False
        if bell is not None:
            self._rung.set()

    def ring(self, bell: Bell) -> None:
        self.bell = bell
        self._case = True
        self._rung.set()

    def ring_alerts(self, alerts: int) -> None:
        self.alerts = alerts
        self._alert = True
        self._rung.set()

    def ring_alarms(self, alarms: int) -> None:
        self.alarms = alarms
        self._alarm = True
        self._rung.set()

    def ring_feed(self, message: tuple[str, str]) -> None:
        """A feed's message: (event name, JSON data)."""
        self._feed.append(message)
        self._rung.set()

    def take_feed(self) -> list[tuple[str, str]]:
        """After :meth:`wait`: the feed's messages since the last call, oldest first."""
        out = list(self._feed)
        self._feed.clear()
        return out

    def take_alarms(self) -> int | None:
        """After :meth:`wait`: the alarms counter if that doorbell rang since the last call, else None."""
        if not self._alarm:
            return None
        self._alarm = False
        return self.alarms

    async def wait(self) -> tuple[Bell | None, int | None]:
        """Wait for a ring; then ``(case-event bell or None, alerts counter or None)``: None for a doorbell that
        did not ring."""
        await self._rung.wait()
        self._rung.clear()
        case = self.bell if self._case else None
        alerts = self.alerts if self._alert else None
        self._case = self._alert = False
        return case, alerts


class PushHub:
    """The process's listener and its subscribers; started on the first subscription, stopped by :meth:`stop`."""

    def __init__(
        self,
        conninfo: str,
        channel: str = CHANNEL,
        alert_channel: str = ALERT_CHANNEL,
        on_bust: Callable[[str], None] | None = None,
    ) -> None:
        self.conninfo = conninfo
        #: called with a cache's name at each ``cache_bust`` notification (``*`` after each (re)connect: what
        #: was announced while the listener was away is not known)
        self.on_bust = on_bust
        self.channel = channel
        self.alert_channel = alert_channel
        #: the newest event id heard of, and the last doorbell
        self.latest: int | None = None
        self.bell: Bell | None = None
        self.rings = 0
        #: alert notifications seen (and stamp changes found by a check): the alerts doorbell's counter
        self.alerts = 0
        self._alert_stamp: str | None = None
        #: alarm notifications seen (and stamp changes): the alarm doorbell's counter
        self.alarms = 0
        self._alarm_stamp: str | None = None
        self.connected = False
        self._subscribers: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def subscribe(self) -> Subscriber:
        self.start()
        sub = Subscriber(self.bell, self.alerts)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subscribers.discard(sub)

    def publish(self, event_id: int, xid: int | None = None, *, reset: bool = False) -> None:
        """Ring every doorbell: a commit of transaction ``xid`` wrote events up to ``event_id`` (``xid`` None: not
        known, every page reads; ``reset``: the newest id may go down, e.g. after a re-seed)."""
        self.latest = event_id if reset or self.latest is None else max(self.latest, event_id)
        self.rings += 1
        self.bell = Bell(self.latest, xid, self.rings)
        for sub in self._subscribers:
            sub.ring(self.bell)

    def publish_alerts(self) -> None:
        """An alert was raised or changed: ring every alerts doorbell."""
        self.alerts += 1
        for sub in self._subscribers:
            sub.ring_alerts(self.alerts)

    def publish_alarms(self) -> None:
        """An alarm was raised or acknowledged: ring every alarm doorbell."""
        self.alarms += 1
        for sub in self._subscribers:
            sub.ring_alarms(self.alarms)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="push-listener")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel(task)
        self.connected = False

    async def _run(self) -> None:
        backoff = BACKOFF_START
        connected_before = False
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True, application_name="guiyang-ops push"
                ) as conn:
                    await conn.execute(f"LISTEN {self.channel}")
                    await conn.execute(f"LISTEN {self.alert_channel}")
                    await conn.execute(f"LISTEN {ALARM_CHANNEL}")
                    await conn.execute(f"LISTEN {BUST_CHANNEL}")
                    self.connected = True
                    self._bust("*")
                    backoff = BACKOFF_START
                    log.info("push: listening on %s and %s", self.channel, self.alert_channel)
                    await self._check(conn, reconnected=connected_before)
                    connected_before = True
                    while True:
                        async for note in conn.notifies(timeout=HEALTH_SECONDS):
                            if note.channel == self.alert_channel:
                                self.publish_alerts()
                                continue
                            if note.channel == ALARM_CHANNEL:
                                self.publish_alarms()
                                continue
                            if note.channel == BUST_CHANNEL:
                                self._bust(note.payload)
                                continue
                            with contextlib.suppress(ValueError):
                                self.publish(*parse_payload(note.payload))
                        await self._check(conn)  # silence: is the connection alive, did we miss anything?
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: reconnect after a pause
                self.connected = False
                reason = " ".join(str(exc).split())  # one log line: psycopg's messages hold line breaks
                log.warning("push: listener lost (%s); reconnecting in %.1f s", reason, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)

    def _bust(self, name: str) -> None:
        if self.on_bust is not None:
            try:
                self.on_bust(name)
            except Exception:  # noqa: BLE001 - a cache that fails to clear must not stop the listener
                log.exception("push: clearing cache %r failed", name)

    async def _check(self, conn: psycopg.AsyncConnection, reconnected: bool = False) -> None:
        cur = await conn.execute(
            "SELECT coalesce(max(id), 0), (SELECT max(tx)::text FROM case_event) FROM case_event"
        )
        row = await cur.fetchone()
        if row is not None and not reconnected and self.latest is None and row[1] is None:
            # the first connection, and no transaction wrote the events there are (a seeded history): no page can
            # have missed one, so no page is rung (each would catch up for nothing as it subscribes)
            self.latest = int(row[0])
        elif row is not None and (reconnected or int(row[0]) != self.latest):
            # after a reconnection which transactions were missed is not known: every page reads; at the first
            # connection the newest one that wrote events, which the pages read since hold (they ask nothing)
            newest = None if reconnected or row[1] is None else int(row[1])
            self.publish(int(row[0]), newest, reset=True)
        cur = await conn.execute("SELECT count(*), coalesce(sum(version), 0) FROM analysis_alert")
        got = await cur.fetchone()
        stamp = None if got is None else f"{got[0]}:{got[1]}"
        if stamp != self._alert_stamp:
            if self._alert_stamp is not None:  # changed while we were not listening
                self.publish_alerts()
            self._alert_stamp = stamp
        cur = await conn.execute("SELECT count(*), count(acknowledged_at) FROM alarm")
        got = await cur.fetchone()
        stamp = None if got is None else f"{got[0]}:{got[1]}"
        if stamp != self._alarm_stamp:
            if self._alarm_stamp is not None:
                self.publish_alarms()
            self._alarm_stamp = stamp


async def cancel(task: asyncio.Task[None] | None) -> None:
    """Cancel a background task (a listener, a feed) and wait for it to end, whatever it raised."""
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def parse_payload(payload: str) -> tuple[int, int | None]:
    """``"<max id>:<xid>"`` (migration 0039), or ``"<max id>"`` from a database not migrated yet (then every page
    reads). Raises ValueError for anything else."""
    head, _, xid = payload.partition(":")
    return int(head), int(xid) if xid else None


def conninfo_from_sqlalchemy(url: str) -> str:
    """A libpq URL from a SQLAlchemy one (``postgresql+psycopg://`` → ``postgresql://``)."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url
