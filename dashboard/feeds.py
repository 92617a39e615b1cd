"""Feeds: ONE catch-up per doorbell for every open screen of a kind and scope, sent on their event streams.

Without them every open screen asks the server for the same catch-up at each doorbell: one callback request per
screen per event (at 300 screens a burst of 300 requests each second, the whole of the screens' cost). A feed
listens to the process's :class:`dashboard.push.PushHub` like a screen, keeps a cursor of its own and, at each
doorbell its cursor does not hold, reads what the cursor did not see (``step``: the wall's shared catch-up,
:mod:`dashboard.wall_delta`, or the workbench's changes in one scope, :mod:`dashboard.wb_delta`) and sends each of
its streams one ``delta`` message: ``{"from": cursor, "to": next cursor, "id", "x", "n", "delta": ...}``, encoded
once (or once per reader, ``personal``: the workbench tells each reader which cases someone else changed). A
screen whose cursor is ``from`` (or lies between ``from`` and ``to``: :func:`db.snapshots.covers`) merges the delta
and takes ``to`` as its cursor; any other screen treats it as a doorbell and catches up by itself
(``assets/wall.js``, ``assets/gy_push.js``). Cursors are canonical (:func:`db.snapshots.canonical`), so a screen
that caught up by itself holds the feed's cursor again as soon as both have seen the same events.

When a feed cannot say what is new it rings instead (``{"id", "x", "n"}``, sent as a plain ``doorbell``): before
its first cursor (taken when its first stream opens, and again at a doorbell after none was open or after an
overflow), after a failed read (the next doorbell is read from the same cursor), and when too much is new to send
(``Overflow``: the screens read afresh; the feed starts again from the database's snapshot). No stream open: no
read (the feed forgets its cursor and starts again with the next screen).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from dashboard.push import Bell, PushHub, Subscriber, cancel
from db import snapshots

log = logging.getLogger("guiyang_ops.push")

#: ``(cursor, doorbell's transaction) → (next cursor, delta, or None when there is nothing to send: the cursor
#: stays)``
Step = Callable[[str, int | None], Awaitable[tuple[str, dict[str, Any] | None]]]
#: ``(delta, reader's user id) → what that reader is sent``
Personal = Callable[[dict[str, Any], int | None], dict[str, Any]]


class Overflow(Exception):
    """Raised by a step when more is new than one message carries: the screens read afresh."""


def _encode(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


class Feed:
    """One feed on ``hub``: ``step`` reads a delta, ``start`` the database's snapshot now; ``personal`` (if any)
    makes each reader's delta; the feed's task runs in ``context`` (None: a copy of the caller's)."""

    def __init__(
        self,
        hub: PushHub,
        step: Step,
        start: Callable[[], Awaitable[str]],
        personal: Personal | None = None,
        context: contextvars.Context | None = None,
    ) -> None:
        #: what the feed's task runs in (the app it reads through), not the context of the request that opened the
        #: first stream: that request's session must not live on in the feed
        self.context = context
        self.hub = hub
        self._step = step
        self._start = start
        self._personal = personal
        #: what the screens that took every delta so far have seen (None: not known yet)
        self.cursor: str | None = None
        #: deltas sent, and doorbells rung instead
        self.deltas = 0
        self.rings = 0
        self._members: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def members(self) -> int:
        return len(self._members)

    def join(self, sub: Subscriber) -> None:
        """A stream's subscriber gets the feed's messages from now on."""
        self._members.add(sub)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="feed", context=self.context
            )

    def leave(self, sub: Subscriber) -> None:
        self._members.discard(sub)

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel(task)

    async def _run(self) -> None:
        sub = self.hub.subscribe()
        try:
            try:  # from the database's snapshot now: the screens that open with it take the first delta
                self.cursor = await self._start()
            except Exception as exc:  # noqa: BLE001 - the database away: the first doorbell tries again
                log.warning("feed: no cursor yet (%s)", " ".join(str(exc).split()))
            while True:
                bell, _ = await sub.wait()
                if bell is not None:
                    await self.on_bell(bell)
        finally:
            self.hub.unsubscribe(sub)

    async def on_bell(self, bell: Bell) -> None:
        """One doorbell: a delta to every stream, or the doorbell itself when the feed cannot tell."""
        if not self._members:
            self.cursor = None
            return
        seen = self.cursor
        try:
            if seen is None:
                self.cursor = await self._start()
                self._ring(bell)  # the screens read from their own cursors this once
                return
            if snapshots.visible(bell.x, seen):
                return  # sent already
            to, delta = await self._step(seen, bell.x)
        except Overflow:
            self.cursor = None
            self._ring(bell)
            return
        except Exception as exc:  # noqa: BLE001 - the database away or a bug: the screens ask for themselves
            log.warning(
                "feed: read failed (%s); the screens catch up by themselves", " ".join(str(exc).split())
            )
            self._ring(bell)
            return
        if delta is None:
            return
        self.cursor = to
        self.deltas += 1
        head = {"from": seen, "to": to, **bell.data()}
        if self._personal is None:
            self._send("delta", lambda _: _encode({**head, "delta": delta}))
        else:
            personal = self._personal
            self._send("delta", lambda reader: _encode({**head, "delta": personal(delta, reader)}))

    def _ring(self, bell: Bell) -> None:
        self.rings += 1
        data = _encode(bell.data())
        self._send("doorbell", lambda _: data)

    def _send(self, event: str, render: Callable[[int | None], str]) -> None:
        done: dict[int | None, str] = {}
        for member in self._members:
            key = member.reader if self._personal is not None else None
            if key not in done:
                done[key] = render(key)
            member.ring_feed((event, done[key]))
