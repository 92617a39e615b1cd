"""The one cache utility (:class:`db.cache.Cache`): hits, expiry, the size bound, per-lookup ages, None values."""

from __future__ import annotations

import threading

import pytest

from db.cache import MISSING, Cache
from tests.support.clock import Clock


def test_a_value_is_a_hit_until_its_ttl_and_then_expires() -> None:
    clock = Clock(100.0)
    cache: Cache[str, int] = Cache(ttl=1.0, clock=clock)
    assert cache.get("a") is None
    assert cache.put("a", 1) == 1
    clock.now += 0.999
    assert cache.get("a") == 1
    clock.now += 0.001
    assert cache.get("a") is None  # an age of exactly the TTL is stale, as the hand-kept caches had it
    cache.put("a", 2)
    assert cache.get("a") == 2  # stored again: fresh again


def test_a_lookup_may_ask_for_a_shorter_or_longer_age() -> None:
    clock = Clock(100.0)
    cache: Cache[str, int] = Cache(clock=clock)  # no TTL: kept until dropped
    cache.put("k", 7)
    clock.now += 50
    assert cache.get("k") == 7
    assert cache.get("k", ttl=60) == 7
    assert cache.get("k", ttl=50) is None
    assert cache.get("k", ttl=10) is None


def test_over_its_size_the_oldest_stored_goes_first() -> None:
    cache: Cache[int, str] = Cache(max_size=3)
    for i in range(3):
        cache.put(i, str(i))
    assert cache.get(0) == "0"  # a lookup does not make an entry younger
    cache.put(3, "3")
    assert len(cache) == 3
    assert cache.get(0) is None and [cache.get(i) for i in (1, 2, 3)] == ["1", "2", "3"]
    cache.put(1, "one")  # storing again makes it the youngest
    cache.put(4, "4")
    assert cache.get(2) is None and cache.get(1) == "one"


def test_none_values_are_cached_behind_a_sentinel_and_pop_and_clear_drop() -> None:
    cache: Cache[int, str | None] = Cache(ttl=5)
    assert cache.get(1, MISSING) is MISSING
    cache.put(1, None)
    assert cache.get(1, MISSING) is None
    cache.put(2, "b")
    cache.pop(1)
    cache.pop(99)  # absent: nothing happens
    assert cache.get(1, MISSING) is MISSING and cache.get(2) == "b"
    cache.clear()
    assert len(cache) == 0


def test_bad_policies_are_refused() -> None:
    with pytest.raises(ValueError):
        Cache(ttl=0)
    with pytest.raises(ValueError):
        Cache(max_size=0)


def test_threads_share_it_safely_within_the_bound() -> None:
    cache: Cache[int, int] = Cache(max_size=50)

    def work(base: int) -> None:
        for i in range(2000):
            cache.put(base + i % 100, i)
            cache.get(base + (i * 7) % 100)

    threads = [threading.Thread(target=work, args=(n * 1000,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 50


def test_a_missing_value_is_computed_once_for_the_callers_that_miss_it_together() -> None:
    cache: Cache[int, int] = Cache(ttl=60)
    calls: list[int] = []
    started, release = threading.Event(), threading.Event()

    def slow() -> int:
        calls.append(1)
        started.set()
        release.wait(5)
        return 42

    got: list[int] = []
    first = threading.Thread(target=lambda: got.append(cache.get_or_compute(7, slow)))
    first.start()
    assert started.wait(5)
    others = [threading.Thread(target=lambda: got.append(cache.get_or_compute(7, slow))) for _ in range(8)]
    for t in others:
        t.start()
    release.set()
    for t in [first, *others]:
        t.join(5)
    assert got == [42] * 9 and len(calls) == 1
    assert not cache._flights  # nothing left behind


def test_a_failed_computation_is_not_kept_and_the_next_caller_computes() -> None:
    cache: Cache[str, int] = Cache(ttl=60)

    def boom() -> int:
        raise RuntimeError("database away")

    with pytest.raises(RuntimeError):
        cache.get_or_compute("k", boom)
    assert cache.get("k", MISSING) is MISSING and not cache._flights
    assert cache.get_or_compute("k", lambda: 3) == 3
    assert cache.get_or_compute("k", boom) == 3  # cached: not computed again
