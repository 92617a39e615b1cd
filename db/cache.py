"""One small in-process cache with one policy, for the app's hand-kept values (identities, reference data, the
wall's shared panels, photo icons, working calendars).

A :class:`Cache` keeps at most ``max_size`` entries (the oldest stored is dropped first) for at most ``ttl``
seconds each (``None``: until dropped); a lookup may ask for a shorter age. It is thread-safe (callbacks run in
worker threads and on the event loop); the value is computed by the caller outside the lock, so two callers that
miss at once both compute, and the later one's value is kept (every cached value here is cheap to compute twice
and the same either way). Time is ``time.monotonic`` unless a clock is given (tests).
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

    def pop(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
