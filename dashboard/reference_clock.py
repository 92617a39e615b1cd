"""Scheduled reference-data changes (/admin/reference) come into force by themselves: the server brings the
current view up to today's rules at start-up and every :data:`INTERVAL_S` seconds (``gy_reference_apply``; a
no-op when nothing is due). The rules a case is judged by never wait for this: they are read from the history by
the case's report date (:mod:`db.reference_rules`); only what is shown (names, public flag, points) follows it."""

from __future__ import annotations

import logging

import anyio

from dashboard.runtime import Services
from ops import reference as ref

log = logging.getLogger("guiyang_ops.reference")
INTERVAL_S = 600.0


async def keep_current(services: Services, interval_s: float = INTERVAL_S) -> None:
    """Run until cancelled (the server's lifespan starts and cancels it)."""
    while True:
        try:
            n = await anyio.to_thread.run_sync(services.write, ref.apply_due)
            if n:
                log.info("reference: %d scheduled change(s) came into force", n)
                await services.bust("reference")
        except Exception as exc:  # noqa: BLE001 - the database may be away: try again at the next turn
            log.warning("reference: applying scheduled changes failed: %r", exc)
        await anyio.sleep(interval_s)
