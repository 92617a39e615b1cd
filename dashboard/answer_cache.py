"""The public answers' cache (:class:`AnswerCache`): for the event loop, one computation per key however many
clients ask at once (single flight), the previous answer served while a fresh one is computed
(stale-while-revalidate), cleared by moderation. One per app object (:mod:`dashboard.runtime`).

An answer is kept for its kind's time to live, or for :data:`COST_FACTOR` times what computing it took when that is
longer (up to :data:`MAX_STRETCH` times the time to live): a refresh takes at most a tenth of one core as the city
grows. The reports snapshot of the 10M-case city takes ~2 s; refreshed every 10 s on a 2-core server, it took a
fifth of the machine in bursts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from db.unavailable import is_unavailable

log = logging.getLogger("guiyang_ops.public")
T = TypeVar("T")
#: an answer is kept at least this many times as long as computing it took
COST_FACTOR = 10.0
#: but never more than this many times its kind's time to live (a database slowed down for a while must not leave
#: the public map minutes behind)
MAX_STRETCH = 6.0


class AnswerCache:
    """A small in-process cache for the event loop: single flight per key, stale-while-revalidate, cleared by
    moderation (a computation started before :meth:`clear` is not stored)."""

    def __init__(self, max_entries: int = 1024, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, float, Any]] = OrderedDict()
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}
        self._generation = 0

    def clear(self) -> None:
        self._generation += 1
        self._entries.clear()
        self._inflight.clear()

    async def get(self, key: Hashable, ttl: float, grace: float, compute: Callable[[], Awaitable[T]]) -> T:
        now = self._clock()
        hit = self._entries.get(key)
        if hit is not None and now < hit[0]:
            return hit[2]
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._fill(key, ttl, grace, compute, self._generation))
            task.add_done_callback(_log_failure)
            self._inflight[key] = task
        if hit is not None and now < hit[1]:
            return hit[2]
        return await asyncio.shield(task)

    async def _fill(
        self, key: Hashable, ttl: float, grace: float, compute: Callable[[], Awaitable[Any]], generation: int
    ) -> Any:
        me = asyncio.current_task()
        try:
            started = self._clock()
            value = await compute()
            if generation == self._generation:
                now = self._clock()
                ttl = min(max(ttl, COST_FACTOR * (now - started)), MAX_STRETCH * ttl)
                self._entries[key] = (now + ttl, now + ttl + grace, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
            return value
        finally:
            if self._inflight.get(key) is me:
                del self._inflight[key]


def _log_failure(task: asyncio.Future[Any]) -> None:
    """A failed refresh: logged here unless the database is unavailable (each request that waited for it
    logs that once, :mod:`dashboard.unavailable`)."""
    exc = None if task.cancelled() else task.exception()
    if exc is not None and not is_unavailable(exc):
        log.warning("public query failed: %r", exc)
