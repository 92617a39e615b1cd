"""The long-running commands (``analyze run``, ``notify run``, ``simulate``, ``db partitions retain --every``) stop
at SIGTERM or Ctrl-C after the round in progress: :func:`until_signal` gives them the flag to poll."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def until_signal() -> Iterator[Callable[[], bool]]:
    """Within the block, SIGINT and SIGTERM set a flag (read by the callable yielded) instead of interrupting;
    the previous handlers are back after it."""
    stopped = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopped
        stopped = True

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield lambda: stopped
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
