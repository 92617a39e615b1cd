"""One small in-process cache with one policy, for the app's hand-kept values (identities, reference data, the
wall's shared panels, photo icons, working calendars).

A :class:`Cache` keeps at most ``max_size`` entries (the oldest stored is dropped first) for at most ``ttl``
seconds each (``None``: until dropped); a lookup may ask for a shorter age. It is thread-safe (callbacks run in
worker threads and on the event loop); with ``get`` and ``put`` the value is computed by the caller outside the
lock, so two callers that miss at once both compute, and the later one's value is kept (fine for values that are
cheap to compute twice and the same either way). :meth:`Cache.get_or_compute` computes a missing value once:
callers that miss the same key meanwhile wait for it (a value read on every request, such as a user's identity,
would otherwise be read by every request in flight when it expires, each holding a database connection). Time is
``time.monotonic`` unless a clock is given (tests).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar, overload

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
D = TypeVar("D")

__all__ = ["MISSING", "Cache"]

#: A default for :meth:`Cache.get` that no stored value is (for caches that keep ``None`` values).
MISSING: Any = object()


class Cache(Generic[K, V]):
    """A TTL + max-size + lock cache: ``get`` → the value or a default; ``put``; ``pop``; ``clear``."""

    def __init__(
        self,
        *,
        ttl: float | None = None,
        max_size: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl is not None and ttl <= 0:
            raise ValueError("ttl must be positive (or None: no expiry)")
        if max_size is not None and max_size < 1:
            raise ValueError("max_size must be at least 1 (or None: no bound)")
        self.ttl = ttl
        self.max_size = max_size
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        #: the keys being computed by :meth:`get_or_compute`: their lock and how many callers hold or wait for it
        self._flights: dict[K, tuple[threading.Lock, int]] = {}

    @overload
    def get(self, key: K, *, ttl: float | None = None) -> V | None: ...
    @overload
    def get(self, key: K, default: D, *, ttl: float | None = None) -> V | D: ...

    def get(self, key: K, default: Any = None, *, ttl: float | None = None) -> Any:
        """The value stored under ``key`` if younger than ``ttl`` (default: the cache's), else ``default`` (pass
        a sentinel to cache ``None`` values too)."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return default
            limit = self.ttl if ttl is None else ttl
            if limit is not None and self._clock() - hit[0] >= limit:
                return default
            return hit[1]

    def put(self, key: K, value: V) -> V:
        """Store ``value`` (as of now) and return it; over ``max_size``, the oldest entries go."""
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = (self._clock(), value)
            if self.max_size is not None:
                while len(self._entries) > self.max_size:
                    self._entries.popitem(last=False)
            return value

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The value under ``key``, computed by ``compute()`` and stored when missing; callers that miss the same
        key while it is computed wait for that value instead of computing it again (if the computation fails,
        the next caller computes)."""
        found = self.get(key, MISSING)
        if found is not MISSING:
            return found
        with self._lock:
            lock, waiting = self._flights.get(key, (threading.Lock(), 0))
            self._flights[key] = (lock, waiting + 1)
        try:
            with lock:
                found = self.get(key, MISSING)
                return found if found is not MISSING else self.put(key, compute())
        finally:
            with self._lock:
                lock, waiting = self._flights[key]
                if waiting <= 1:
                    del self._flights[key]
                else:
                    self._flights[key] = (lock, waiting - 1)

    def pop(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
