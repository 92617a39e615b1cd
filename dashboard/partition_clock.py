"""The history tables' monthly partitions are made ahead of time by the server too: at start-up and every
:data:`INTERVAL_S` seconds it makes sure the months up to ``GUIYANG_HISTORY_AHEAD_MONTHS`` ahead exist
(``gy_ensure_partitions``, callable by the app role; a no-op when they do). A DEFAULT partition catches a row of a
month without one, so an insert never waits for this."""

from __future__ import annotations

import logging

import anyio

from dashboard.runtime import Services
from db import partitions

log = logging.getLogger("guiyang_ops.partitions")
INTERVAL_S = 3600.0


async def keep_ahead(services: Services, interval_s: float = INTERVAL_S) -> None:
    """Run until cancelled (the server's lifespan starts and cancels it)."""
    months = services.settings.history_ahead_months
    while True:
        try:
            n = await anyio.to_thread.run_sync(services.write, lambda c: partitions.ensure_ahead(c, months))
            if n:
                log.info("partitions: %d monthly partition(s) made", n)
        except Exception as exc:  # noqa: BLE001 - the database may be away: try again at the next turn
            log.warning("partitions: making partitions ahead failed: %r", exc)
        await anyio.sleep(interval_s)
