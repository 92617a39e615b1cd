"""The seconds of a seed's stages, lap by lap."""

from __future__ import annotations

import resource
import time


class Clock:
    """Seconds of each stage since the one before; with ``memory``, ``peak MB`` too: the process's peak resident
    memory so far (``ru_maxrss``)."""

    def __init__(self, *, memory: bool = True) -> None:
        self.start = self.last = time.perf_counter()
        self.memory = memory
        self.timings: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self.last, 2)
        if self.memory:
            self.timings["peak MB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        self.last = now
