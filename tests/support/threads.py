"""Run a call in a thread of its own.

Playwright's sync API keeps an asyncio loop running in the main thread for the rest of the pytest session once a
browser test has started it. ``asyncio.run``, ``anyio.run`` and another ``sync_playwright()`` then refuse to run
there, so a test that needs one runs it through :func:`off_the_loop`.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def off_the_loop(fn: Callable[..., T], *args: Any, timeout: float | None = None, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a fresh thread; its result, or its exception raised here."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="off-the-loop") as pool:
        return pool.submit(fn, *args, **kwargs).result(timeout=timeout)
