"""The public answers' cache: single flight, stale-while-revalidate, and an answer kept at least COST_FACTOR times
as long as it took to compute (a slow refresh is not repeated every few seconds)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from dashboard.answer_cache import COST_FACTOR, MAX_STRETCH, AnswerCache
from tests.support.clock import Clock


def test_an_answer_lives_its_ttl_or_ten_times_its_cost_whichever_is_longer() -> None:
    clock = Clock()
    cache = AnswerCache(clock=clock)
    calls: list[str] = []

    def computing(key: str, cost: float) -> Callable[[], Awaitable[str]]:
        async def compute() -> str:
            calls.append(key)
            clock.now += cost  # the computation takes `cost` seconds
            return f"{key}{len(calls)}"

        return compute

    async def scenario() -> None:
        assert await cache.get("cheap", 10, 60, computing("cheap", 0.01)) == "cheap1"
        assert await cache.get("slow", 10, 60, computing("slow", 2.0)) == "slow2"
        clock.now += (
            15  # past the ttl of 10 s: the cheap answer is refreshed, the slow one (kept 20 s) is not
        )
        # stale: served while its refresh starts
        assert await cache.get("cheap", 10, 60, computing("cheap", 0.01)) == "cheap1"
        await asyncio.sleep(0)
        assert await cache.get("slow", 10, 60, computing("slow", 2.0)) == "slow2"
        await asyncio.sleep(0)
        assert calls == ["cheap", "slow", "cheap"]
        # now the slow one is due too: its old answer is served while it refreshes
        clock.now += COST_FACTOR * 2.0
        assert await cache.get("slow", 10, 60, computing("slow", 2.0)) == "slow2"
        await asyncio.sleep(0)
        assert calls == ["cheap", "slow", "cheap", "slow"]
        assert await cache.get("slow", 10, 60, computing("slow", 2.0)) == "slow4"

    asyncio.run(scenario())


def test_a_very_slow_answer_is_kept_no_longer_than_six_times_its_ttl() -> None:
    clock = Clock()
    cache = AnswerCache(clock=clock)
    calls = 0

    async def crawling() -> int:
        nonlocal calls
        calls += 1
        clock.now += 30.0  # a database slowed down: 30 s for an answer of ttl 10 s
        return calls

    async def scenario() -> None:
        assert await cache.get("k", 10, 600, crawling) == 1
        clock.now += MAX_STRETCH * 10 - 1
        assert await cache.get("k", 10, 600, crawling) == 1 and calls == 1  # still fresh
        clock.now += 2  # past 6 × 10 s (not 10 × 30 s): refreshed, the old answer served meanwhile
        assert await cache.get("k", 10, 600, crawling) == 1
        await asyncio.sleep(0)
        assert calls == 2

    asyncio.run(scenario())


def test_one_computation_for_many_callers_at_once() -> None:
    cache = AnswerCache()
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return 42

    async def scenario() -> list[int]:
        return list(await asyncio.gather(*(cache.get("k", 5, 5, compute) for _ in range(20))))

    assert asyncio.run(scenario()) == [42] * 20 and calls == 1
