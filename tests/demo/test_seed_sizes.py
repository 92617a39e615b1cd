"""Seeding any size: the duplicate pass in chunks gives what one pass gives, and sizes this machine cannot take
are refused up front by arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from demo.city import sizing
from demo.city.dupes import MAX_ROWS_ONE_PASS, WINDOW_US, find_duplicates
from demo.city.workclock import US

GB = 1024**3


def _city(n: int, seed: int = 7) -> tuple[np.ndarray, ...]:
    """``n`` reports crowded into a few hundred metres of central Guiyang over five weeks (many duplicates)."""
    rng = np.random.default_rng(seed)
    lon = np.round(106.71 + rng.uniform(0, 0.004, n), 6)
    lat = np.round(26.58 + rng.uniform(0, 0.004, n), 6)
    category = rng.integers(0, 4, n).astype(np.int64)
    created = np.sort(rng.integers(0, 35 * 86_400 * US, n)) + np.arange(n)  # strictly increasing
    life = rng.integers(3_600, 20 * 86_400, n) * US
    closed = np.where(rng.random(n) < 0.6, created + life, -1)
    radius = np.array([50.0, 80.0, 120.0, 200.0])[category]
    return lon, lat, category, created.astype(np.int64), closed.astype(np.int64), radius


@pytest.mark.parametrize("chunk", [97, 1_000, 2_999])
def test_the_duplicate_pass_in_chunks_equals_one_pass(chunk: int) -> None:
    lon, lat, category, created, closed, radius = _city(3_000)
    whole, whole_n = find_duplicates(lon, lat, category, created, closed, radius, chunk=10**9)
    assert whole_n.sum() > 1_000 and (whole_n == 5).any()  # a city where the pass has work to do
    # the smaller chunks are shorter than the week: their passes reach back over earlier chunks' rows
    assert created[min(97, chunk)] - created[0] < WINDOW_US
    parts, parts_n = find_duplicates(lon, lat, category, created, closed, radius, chunk=chunk)
    np.testing.assert_array_equal(parts, whole)
    np.testing.assert_array_equal(parts_n, whole_n)


def test_ten_million_cases_over_three_years_fit_the_arithmetic() -> None:
    assert sizing.refusal(10_000_000, 1_095, memory=64 * GB, disk=100 * GB) is None
    # 30M: known before any work, from memory and disk alone
    need = sizing.MEMORY_BASE + 30_000_000 * sizing.MEMORY_PER_CASE
    msg = sizing.refusal(30_000_000, 1_095, memory=need - 1, disk=500 * GB)
    assert msg is not None and "memory" in msg and "内存" in msg
    assert sizing.refusal(30_000_000, 1_095, memory=need, disk=500 * GB) is None
    msg = sizing.refusal(30_000_000, 1_095, memory=need, disk=30_000_000 * sizing.DISK_PER_CASE - 1)
    assert msg is not None and "disk" in msg and "\n" not in msg


def test_a_city_too_dense_for_a_weeks_duplicate_pass_is_refused() -> None:
    msg = sizing.refusal(MAX_ROWS_ONE_PASS, 7, memory=None, disk=None)
    assert msg is not None and "--days" in msg
    assert sizing.refusal(MAX_ROWS_ONE_PASS // 4, 7, memory=None, disk=None) is None
