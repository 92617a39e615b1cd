"""The OGC API's partner keys at the door: where a key is read from (``X-API-Key`` header or ``api_key``
parameter), the client's address for the audit log, and the per-key rate limit (token buckets in this process's
memory, one per key at the key's own rate, as :mod:`dashboard.ratelimit` does per client)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import Request

from dashboard.ratelimit import Decision, Network, TokenBuckets, client_key
from ops.partners import PartnerGrant

HEADER = "x-api-key"
PARAM = "api_key"
MAX_KEYS = 10_000


def key_of(request: Request) -> str | None:
    """The key a request carries (the header first), or None."""
    value = request.headers.get(HEADER) or request.query_params.get(PARAM)
    return value.strip()[:200] if value and value.strip() else None


def client_of(request: Request, trusted: tuple[Network, ...]) -> str:
    peer = request.client.host if request.client else None
    return client_key(peer, request.headers.getlist("x-forwarded-for"), trusted)


class KeyLimiter:
    """``per_minute`` requests a minute per key (a minute's worth at once), each key at its own rate; a key's
    rate changed (a new row) starts a new bucket. Thread-safe; at most ``MAX_KEYS`` keys are kept."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: OrderedDict[int, TokenBuckets] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, grant: PartnerGrant) -> Decision:
        with self._lock:
            bucket = self._buckets.pop(grant.key_id, None)
            if bucket is None or bucket.burst != float(grant.per_minute):
                bucket = TokenBuckets(grant.per_minute, grant.per_minute, max_keys=1, clock=self.clock)
            self._buckets[grant.key_id] = bucket
            while len(self._buckets) > MAX_KEYS:
                self._buckets.popitem(last=False)
        return bucket.hit("key")
