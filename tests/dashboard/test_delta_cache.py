"""The shared catch-up (:class:`dashboard.delta_cache.DeltaCache`): many screens asking at once run one
computation; a newer doorbell runs it again; memory is bounded; a failure reaches every waiting screen and is not
kept."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from dashboard.delta_cache import DeltaCache


def test_concurrent_screens_share_one_computation() -> None:
    async def main() -> None:
        cache: DeltaCache[str] = DeltaCache()
        calls = 0

        async def compute() -> str:
            nonlocal calls
            calls += 1
            await asyncio.sleep(0.05)  # the query takes a while: every other screen arrives meanwhile
            return "events after 10"

        got = await asyncio.gather(*(cache.get(("wall", 10), 12, compute) for _ in range(300)))
        assert got == ["events after 10"] * 300
        assert calls == 1 and cache.queries == 1
        # a screen asking a moment later with the same doorbell: the stored answer, no query
        assert await cache.get(("wall", 10), 12, compute) == "events after 10"
        assert calls == 1

    asyncio.run(main())


def test_a_newer_doorbell_or_another_key_queries_again() -> None:
    async def main() -> None:
        cache: DeltaCache[int] = DeltaCache()
        calls: list[tuple[str, int]] = []

        def compute(key: str, n: int) -> Callable[[], Awaitable[int]]:
            async def run() -> int:
                calls.append((key, n))
                return n

            return run

        assert await cache.get(("wall", 10), 12, compute("wall", 12)) == 12
        assert await cache.get(("wall", 10), 11, compute("wall", 11)) == 12  # an older doorbell: stored
        assert await cache.get(("wall", 10), 13, compute("wall", 13)) == 13  # newer: it may miss events
        assert await cache.get(("wb", 10), 13, compute("wb", 13)) == 13  # another scope: its own query
        assert calls == [("wall", 12), ("wall", 13), ("wb", 13)]

    asyncio.run(main())


def test_memory_is_bounded_and_answers_age_out() -> None:
    async def main() -> None:
        now = [0.0]
        cache: DeltaCache[int] = DeltaCache(max_entries=8, ttl=5, clock=lambda: now[0])

        async def one() -> int:
            return 1

        for cursor in range(100):
            await cache.get(("wall", cursor), cursor + 1, one)
        assert len(cache) == 8
        assert cache.queries == 100
        await cache.get(("wall", 99), 100, one)
        assert cache.queries == 100  # still there
        now[0] = 6.0
        await cache.get(("wall", 99), 100, one)
        assert cache.queries == 101  # too old: read again

    asyncio.run(main())


def test_a_failure_reaches_every_waiting_screen_and_is_not_kept() -> None:
    async def main() -> None:
        cache: DeltaCache[int] = DeltaCache()

        async def broken() -> int:
            await asyncio.sleep(0.01)
            raise RuntimeError("database away")

        got = await asyncio.gather(*(cache.get("k", 1, broken) for _ in range(5)), return_exceptions=True)
        assert all(isinstance(g, RuntimeError) for g in got)
        assert len(cache) == 0

        async def fine() -> int:
            return 7

        assert await cache.get("k", 1, fine) == 7

    asyncio.run(main())


def test_refuses_nonsense_bounds() -> None:
    with pytest.raises(ValueError):
        DeltaCache(max_entries=0)


def test_an_answer_missing_the_doorbell_is_computed_again() -> None:
    """A doorbell heard by another process: the stored answer (its snapshot) does not hold it, so it is read
    again, and the fresher answer is kept for the next screen."""

    async def main() -> None:
        cache: DeltaCache[int] = DeltaCache()
        reads = iter([1, 2])

        async def compute() -> int:
            return next(reads)

        assert await cache.get(("wall", "s"), 1, compute) == 1
        assert await cache.get(("wall", "s"), 1, compute, lambda v: v >= 2) == 2
        assert await cache.get(("wall", "s"), 1, compute, lambda v: v >= 2) == 2  # stored, no third read
        assert cache.queries == 2

    asyncio.run(main())


def test_a_caller_may_allow_another_age() -> None:
    """The wall's panels share the cache, each with the age it allows (the KPI tiles 20 s, the outlines 10 min)."""

    async def main() -> None:
        now = [0.0]
        cache: DeltaCache[str] = DeltaCache(ttl=600, clock=lambda: now[0])
        assert cache.peek("kpis") is None

        async def read() -> str:
            return f"at {now[0]:.0f}"

        assert await cache.get("kpis", 0, read, ttl=20) == "at 0"
        now[0] = 19.0
        assert await cache.get("kpis", 0, read, ttl=20) == "at 0"
        now[0] = 21.0
        assert await cache.get("kpis", 0, read) == "at 0"  # the cache's own 600 s
        assert await cache.get("kpis", 0, read, ttl=20) == "at 21"
        assert cache.peek("kpis") == "at 21" and cache.queries == 2

    asyncio.run(main())
