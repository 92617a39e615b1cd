"""The catch-up after a push doorbell, computed once per (scope, cursor) and shared by every screen of the process.

Every open screen (wall, workbench) asks "what did my snapshot not see" at each doorbell. Screens
of one scope hold the same cursor (they got the same doorbells), so the question and its answer are the same:
:class:`DeltaCache` runs ONE query per key however many screens ask at once (single flight: the others await the
same future) and keeps the answer for the screens that ask a moment later.

An answer is stamped with the doorbell it was computed for (``version``: the count of doorbells the process had
heard when the query started). A screen asking with a doorbell no newer than the stamp gets the stored answer; a
newer doorbell runs the query again (the stored answer might miss the events that rang it). A doorbell heard by
another process of the app is checked on the answer itself (``fresh``: its snapshot holds the doorbell's
transaction); an answer that fails it is computed again. The answer's own snapshot becomes the screen's cursor,
so nothing is missed (the next doorbell asks from there) and nothing is applied twice (every answer holds only
events the key's snapshot did not see).

Bounded: at most ``max_entries`` answers (least recently used dropped first), each at most ``ttl`` seconds old.
Pure asyncio, no database: the query is the caller's coroutine.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

#: Answers kept per process (a key is one scope and one cursor: a few per event batch).
MAX_ENTRIES = 256
#: Seconds an answer is reused at most (the pins' lights move with time, not only with events).
TTL_SECONDS = 10.0


class DeltaCache(Generic[T]):
    """``(scope, cursor) → answer``, single flight, bounded; ``queries`` counts the computations run."""

    def __init__(
        self,
        max_entries: int = MAX_ENTRIES,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1 or ttl <= 0:
            raise ValueError("max_entries >= 1 and ttl > 0 are needed")
        self.max_entries = max_entries
        self.ttl = ttl
        self.clock = clock
        self.queries = 0
        # key → (version, stored at, answer), least recently used first
        self._entries: OrderedDict[Hashable, tuple[int, float, T]] = OrderedDict()
        # key → (version, the computation under way)
        self._inflight: dict[Hashable, tuple[int, asyncio.Future[T]]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def peek(self, key: Hashable) -> T | None:
        """The answer stored for ``key`` whatever its age, or None."""
        hit = self._entries.get(key)
        return None if hit is None else hit[2]

    async def get(
        self,
        key: Hashable,
        want: int,
        compute: Callable[[], Awaitable[T]],
        fresh: Callable[[T], bool] = lambda _: True,
        ttl: float | None = None,
    ) -> T:
        """The answer for ``key`` computed for a doorbell ``>= want``, younger than ``ttl`` (default: the
        cache's) and ``fresh``: stored, under way, or computed now."""
        hit = self._entries.get(key)
        limit = self.ttl if ttl is None else ttl
        if hit is not None and hit[0] >= want and self.clock() - hit[1] < limit and fresh(hit[2]):
            self._entries.move_to_end(key)
            return hit[2]
        flight = self._inflight.get(key)
        if flight is None or flight[0] < want:
            future: asyncio.Future[T] = asyncio.ensure_future(self._fill(key, want, compute))
            future.add_done_callback(_retrieve)
            flight = (want, future)
            self._inflight[key] = flight
        value = await asyncio.shield(flight[1])
        return value if fresh(value) else await self._fill(key, want, compute)

    async def _fill(self, key: Hashable, version: int, compute: Callable[[], Awaitable[T]]) -> T:
        me = asyncio.current_task()
        try:
            self.queries += 1
            value = await compute()
            old = self._entries.get(key)
            if old is None or old[0] <= version:
                self._entries[key] = (version, self.clock(), value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
            return value
        finally:
            flight = self._inflight.get(key)
            if flight is not None and flight[1] is me:
                del self._inflight[key]


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a failed computation's exception as seen (each waiting screen gets it raised; none is left unseen)."""
    if not future.cancelled():
        future.exception()
