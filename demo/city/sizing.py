"""Whether this machine can take a demo city of N cases over D days, by arithmetic, before any work.

``seed-demo`` asks :func:`refusal` first, so a size it cannot finish is refused at once with one line (in
Chinese and English) instead of failing after minutes. The figures per case are measured on the seed itself
(peak resident memory of the ``seed-demo`` process, size of the database afterwards) with a margin.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from demo.city.dupes import MAX_ROWS_ONE_PASS

#: Peak resident memory of the seed per case (the generated columns and histories are held whole; the
#: duplicate pass works in bounded chunks). Measured: 1.50 GB peak at 1M cases (this + the base: 1.8 GB).
MEMORY_PER_CASE = 1_400
#: Memory of the seed whatever its size (Python, numpy, the reference data, one COPY chunk in flight).
MEMORY_BASE = 400 * 1024**2
#: Database size per case with its history and indexes (measured: about 2.2 KB at 1M and 10M), with a margin.
DISK_PER_CASE = 2_600
#: How much busier than average the busiest week of the draw may be (weekday peaks, planted bursts).
WEEK_PEAK = 2.0


def refusal(cases: int, days: int, *, memory: int | None, disk: int | None) -> str | None:
    """Why ``cases`` over ``days`` cannot be seeded with ``memory`` bytes of available memory and ``disk`` bytes
    free where the database lives (``None``: unknown, not checked), or ``None`` when it can."""
    week = cases / days * min(days, 7) * WEEK_PEAK
    if week > MAX_ROWS_ONE_PASS:
        return (
            f"{cases:,} 件分布在 {days:,} 天内过密（每周约 {week / WEEK_PEAK:,.0f} 件），请增加 --days / "
            f"{cases:,} cases over {days:,} days are too dense (about {week / WEEK_PEAK:,.0f} a week; the "
            f"duplicate pass takes at most {MAX_ROWS_ONE_PASS // int(WEEK_PEAK):,}): give more --days"
        )
    need = MEMORY_BASE + cases * MEMORY_PER_CASE
    if memory is not None and need > memory:
        return (
            f"{cases:,} 件约需内存 {_gb(need)}，本机可用 {_gb(memory)} / {cases:,} cases need about "
            f"{_gb(need)} of memory, {_gb(memory)} available: seed fewer cases"
        )
    need = cases * DISK_PER_CASE
    if disk is not None and need > disk:
        return (
            f"{cases:,} 件约需磁盘 {_gb(need)}，数据库所在磁盘剩余 {_gb(disk)} / {cases:,} cases need about "
            f"{_gb(need)} of disk, {_gb(disk)} free where the database lives: seed fewer cases"
        )
    return None


def available_memory() -> int | None:
    """``MemAvailable`` of ``/proc/meminfo`` in bytes (``None`` where there is none)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def free_disk(path: Path) -> int | None:
    """Free bytes on the file system holding ``path`` (its nearest existing parent), ``None`` when unknown."""
    for p in (path, *path.parents):
        if p.exists() and os.access(p, os.R_OK):
            return shutil.disk_usage(p).free
    return None


def _gb(n: float) -> str:
    return f"{n / 1024**3:,.1f} GB"
