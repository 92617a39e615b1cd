"""Per-client rate limits in the memory of one process: token buckets keyed by client address, bounded in size.

Pure (no settings, no web framework): the clock is injected, so the tests drive time by hand.

- :class:`TokenBuckets`: each key has a bucket of ``burst`` tokens that refills at ``per_minute`` tokens a
  minute; a hit takes one token or is refused with the whole seconds until the next one. A bucket left alone
  long enough to be full again is forgotten (it is the same as a new one), and at most ``max_keys`` are kept
  (the least recently used go first), so memory cannot grow without bound whatever addresses come.
- :func:`client_key`: the client's address as the server saw it, or, when that is a trusted proxy, the first
  untrusted address of ``X-Forwarded-For`` read from the right (the hops a client can forge are on the left).
  IPv6 clients are keyed by their /64 (one subscriber's share), IPv4-mapped IPv6 addresses as IPv4.
- :class:`ClientLimiter`: both together, what a route or a callback asks.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_KEYS = 10_000
IPV6_PREFIX = 64
UNKNOWN = "unknown"
EPSILON = 1e-6  # of a token or a second: sums of floats are not exact


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # whole seconds until a token is back (0 when allowed)


ALLOWED = Decision(True)


class TokenBuckets:
    """Token buckets per key: ``burst`` at once, then ``per_minute`` a minute. Thread-safe."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        *,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute <= 0 or burst < 1 or max_keys < 1:
            raise ValueError("per_minute > 0, burst >= 1 and max_keys >= 1 are needed")
        self.rate = per_minute / 60.0  # tokens a second
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._full_after = self.burst / self.rate  # seconds for an empty bucket to fill up
        # key → (tokens, as of), the least recently used first
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def hit(self, key: str) -> Decision:
        """Take a token for ``key``, or say how long to wait for one (nothing is taken then)."""
        with self._lock:
            now = self.clock()
            self._forget_full(now)
            tokens, at = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate)
            if tokens >= 1.0 - EPSILON:  # who comes back after exactly the seconds said gets through
                decision, tokens = ALLOWED, max(0.0, tokens - 1.0)
            else:
                decision = Decision(False, max(1, math.ceil((1.0 - tokens) / self.rate - EPSILON)))
            self._buckets[key] = (tokens, now)  # most recently used last
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return decision

    def _forget_full(self, now: float) -> None:
        """Drop buckets, oldest first, that have been left alone long enough to be full again."""
        while self._buckets:
            key, (_, at) = next(iter(self._buckets.items()))
            if now - at < self._full_after:
                return
            del self._buckets[key]


def parse_networks(text: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1, ::1"`` → networks (a bare address is a network of one); ValueError if not."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def _address(value: str | None) -> Address | None:
    """An IP address from a peer or a forwarded hop (``[v6]:port`` and ``v4:port`` allowed), or None."""
    value = (value or "").strip()
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else value
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _key(addr: Address) -> str:
    if isinstance(addr, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((addr, IPV6_PREFIX), strict=False))
    return str(addr)


def client_key(peer: str | None, forwarded: Iterable[str], trusted: tuple[Network, ...]) -> str:
    """The key of the client behind a request.

    ``peer``: the address the connection came from (None over a Unix socket: local, trusted when any proxy
    is); ``forwarded``: the values of the ``X-Forwarded-For`` headers, used only when the peer is a trusted
    proxy. Hops are read from the right: the first one not trusted is the client (a hop that is not an
    address at all is taken as it is, shortened); all trusted: the leftmost."""
    addr = _address(peer)

    def is_trusted(a: Address | None) -> bool:
        return (a is None and not peer) or (a is not None and any(a in net for net in trusted))

    if not trusted or not is_trusted(addr):
        return _key(addr) if addr is not None else (peer or UNKNOWN)[:64]
    hops = [hop.strip() for value in forwarded for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        hop_addr = _address(hop)
        if hop_addr is None:
            return hop[:64]
        addr = hop_addr
        if not is_trusted(addr):
            break
    return _key(addr) if addr is not None else UNKNOWN


class ClientLimiter:
    """A rate limit per client: ``per_minute`` (0: no limit) with ``burst`` at once, behind ``trusted``
    proxies."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        trusted: tuple[Network, ...] = (),
        *,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.trusted = trusted
        self.per_minute = per_minute
        self.burst = burst
        self.buckets = (
            TokenBuckets(per_minute, burst, max_keys=max_keys, clock=clock) if per_minute > 0 else None
        )

    def check(self, peer: str | None, forwarded: Iterable[str] = ()) -> Decision:
        """In this process's memory (one worker; :meth:`dashboard.runtime.Services.limit` is shared by all)."""
        if self.buckets is None:
            return ALLOWED
        return self.buckets.hit(client_key(peer, forwarded, self.trusted))
