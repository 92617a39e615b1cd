"""The per-client rate limit of ticket lookups (dashboard/ratelimit.py), on a clock the tests move by hand; and
the settings that configure it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dashboard.ratelimit import ClientLimiter, Decision, Network, TokenBuckets, client_key, parse_networks
from dashboard.settings import get_settings
from tests.support.clock import Clock


def test_burst_then_refused_with_the_seconds_to_wait() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=20, burst=3, clock=clock)  # a token every 3 s
    assert [buckets.hit("a").allowed for _ in range(3)] == [True, True, True]
    assert buckets.hit("a") == Decision(False, 3)
    clock.advance(1)
    assert buckets.hit("a") == Decision(False, 2)  # a refusal takes nothing: the wait shrinks
    clock.advance(1.5)
    assert buckets.hit("a") == Decision(False, 1)  # 0.5 s left, rounded up to a whole second
    clock.advance(0.5)
    assert buckets.hit("a").allowed
    assert not buckets.hit("a").allowed


@pytest.mark.parametrize("per_minute", [0.5, 7, 20, 45, 600])
def test_coming_back_after_the_seconds_said_gets_through_and_not_before(per_minute: float) -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=per_minute, burst=2, clock=clock)
    for _ in range(20):
        while buckets.hit("a").allowed:
            pass
        wait = buckets.hit("a").retry_after
        assert wait >= 1
        if wait > 1:
            clock.advance(wait - 1)
            assert not buckets.hit("a").allowed
            clock.advance(1)
        else:
            clock.advance(wait)
        assert buckets.hit("a").allowed
        clock.advance(0.37)


def test_refills_at_the_rate_and_never_beyond_the_burst() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=5, clock=clock)
    for _ in range(5):
        assert buckets.hit("a").allowed
    clock.advance(2)  # two tokens back
    assert [buckets.hit("a").allowed for _ in range(3)] == [True, True, False]
    clock.advance(3600)  # an hour idle: full again, but no more than the burst
    assert [buckets.hit("a").allowed for _ in range(6)] == [True] * 5 + [False]
    # sustained: one a second gets through, a second one in the same second does not
    for _ in range(10):
        clock.advance(1)
        assert buckets.hit("a").allowed
        assert not buckets.hit("a").allowed


def test_clients_have_buckets_of_their_own() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=1, burst=1, clock=clock)
    assert buckets.hit("a").allowed
    assert not buckets.hit("a").allowed
    assert buckets.hit("b").allowed
    assert not buckets.hit("b").allowed
    assert not buckets.hit("a").allowed


def test_full_buckets_are_forgotten_and_the_number_of_keys_is_bounded() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=10, max_keys=100, clock=clock)  # full again 10 s after use
    for i in range(50):
        buckets.hit(f"old-{i}")
    assert len(buckets) == 50
    clock.advance(10)
    buckets.hit("new")
    assert len(buckets) == 1  # the 50 were full again: the same as new buckets, dropped
    for i in range(10_000):  # a flood of addresses
        buckets.hit(f"flood-{i}")
        assert len(buckets) <= 100
    assert len(buckets) == 100


def test_the_least_recently_used_go_first_and_a_busy_client_keeps_its_count() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=1, burst=2, max_keys=3, clock=clock)
    assert buckets.hit("busy").allowed and buckets.hit("busy").allowed
    for name in ("x", "y"):
        buckets.hit(name)
    assert not buckets.hit("busy").allowed  # used last now: "x" is the oldest
    buckets.hit("z")  # four keys: "x" goes
    assert not buckets.hit("busy").allowed  # still empty, not forgotten
    assert len(buckets) == 3


def test_bad_parameters_are_refused() -> None:
    for kw in ({"per_minute": 0, "burst": 1}, {"per_minute": 10, "burst": 0}):
        with pytest.raises(ValueError):
            TokenBuckets(**kw)  # type: ignore[arg-type]


TRUSTED = parse_networks("127.0.0.1, 10.0.0.0/8, ::1")


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "key"),
    [
        ("203.0.113.7", [], (), "203.0.113.7"),
        ("203.0.113.7", ["198.51.100.1"], (), "203.0.113.7"),  # no proxies trusted: the header is ignored
        ("203.0.113.7", ["198.51.100.1"], TRUSTED, "203.0.113.7"),  # not from a trusted proxy: ignored
        ("127.0.0.1", [], TRUSTED, "127.0.0.1"),  # a trusted proxy without the header
        ("127.0.0.1", ["198.51.100.1"], TRUSTED, "198.51.100.1"),
        ("127.0.0.1", ["6.6.6.6, 198.51.100.1"], TRUSTED, "198.51.100.1"),  # forged hop on the left
        ("127.0.0.1", ["6.6.6.6, 198.51.100.1, 10.1.2.3"], TRUSTED, "198.51.100.1"),  # two proxies
        ("127.0.0.1", ["6.6.6.6, 198.51.100.1", "10.1.2.3"], TRUSTED, "198.51.100.1"),  # two headers
        ("127.0.0.1", ["10.9.9.9, 10.1.2.3"], TRUSTED, "10.9.9.9"),  # all trusted: the leftmost
        ("127.0.0.1", ["198.51.100.1:52311"], TRUSTED, "198.51.100.1"),  # with a port
        ("127.0.0.1", ["[2001:db8:1:2::99]:443"], TRUSTED, "2001:db8:1:2::/64"),
        ("127.0.0.1", ["6.6.6.6, unknown"], TRUSTED, "unknown"),  # not an address: taken as it is
        ("127.0.0.1", ["", " , "], TRUSTED, "127.0.0.1"),
        ("2001:db8:1:2:aaaa::1", [], (), "2001:db8:1:2::/64"),  # IPv6: one /64, one client
        ("2001:db8:1:2:bbbb::2", [], (), "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", [], (), "203.0.113.7"),
        (None, ["198.51.100.1"], TRUSTED, "198.51.100.1"),  # a Unix socket: local, trusted
        (None, ["198.51.100.1"], (), "unknown"),
        ("testclient", ["198.51.100.1"], TRUSTED, "testclient"),
    ],
)
def test_client_key(peer: str | None, forwarded: list[str], trusted: tuple[Network, ...], key: str) -> None:
    assert client_key(peer, forwarded, trusted) == key


def test_parse_networks() -> None:
    assert [str(n) for n in parse_networks(" 10.0.0.0/8 ,192.168.1.7, fd00::/8,")] == [
        "10.0.0.0/8",
        "192.168.1.7/32",
        "fd00::/8",
    ]
    assert parse_networks("") == ()
    with pytest.raises(ValueError):
        parse_networks("10.0.0.0/8, proxy.example")


def test_client_limiter_keys_by_client_behind_proxies_and_zero_means_no_limit() -> None:
    clock = Clock()
    limiter = ClientLimiter(per_minute=1, burst=2, trusted=TRUSTED, clock=clock)
    assert limiter.check("127.0.0.1", ["198.51.100.1"]).allowed
    assert limiter.check("127.0.0.1", ["6.6.6.6, 198.51.100.1"]).allowed  # forging the left changes nothing
    refused = limiter.check("127.0.0.1", ["7.7.7.7, 198.51.100.1"])
    assert refused == Decision(False, 60)
    assert limiter.check("127.0.0.1", ["198.51.100.2"]).allowed  # another client behind the same proxy
    assert not limiter.check("198.51.100.1").allowed  # the same client, directly
    assert limiter.check("203.0.113.50", ["198.51.100.2"]).allowed  # not a proxy: counted as itself
    assert limiter.check("203.0.113.50", ["198.51.100.3"]).allowed
    assert not limiter.check("203.0.113.50", ["198.51.100.4"]).allowed
    off = ClientLimiter(per_minute=0, burst=1, clock=clock)
    assert all(off.check("203.0.113.7").allowed for _ in range(1000))


def test_settings_defaults_and_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PUBLIC_TRACK_PER_MINUTE", "PUBLIC_TRACK_BURST", "TRUSTED_PROXIES"):
        monkeypatch.delenv(f"GUIYANG_{name}", raising=False)
    s = get_settings(_env_file=None)
    assert (s.public_track_per_minute, s.public_track_burst, s.trusted_proxies) == (20, 10, "")
    monkeypatch.setenv("GUIYANG_PUBLIC_TRACK_PER_MINUTE", "6")
    monkeypatch.setenv("GUIYANG_PUBLIC_TRACK_BURST", "2")
    monkeypatch.setenv("GUIYANG_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    s = get_settings()
    assert (s.public_track_per_minute, s.public_track_burst) == (6, 2)
    assert len(parse_networks(s.trusted_proxies)) == 2
    monkeypatch.setenv("GUIYANG_TRUSTED_PROXIES", "10.0.0.0/8, proxy.example")
    with pytest.raises(ValidationError, match="proxy.example"):
        get_settings()
    monkeypatch.setenv("GUIYANG_TRUSTED_PROXIES", "")
    monkeypatch.setenv("GUIYANG_PUBLIC_TRACK_BURST", "0")
    with pytest.raises(ValidationError):
        get_settings()
