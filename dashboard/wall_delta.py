"""The wall's catch-up: what a snapshot (a screen's cursor) did not see, as the browser merges it (``assets/wall.js``
``mergeLive``): the new and changed pins, the gone ones, the newest events for the ticker. One query per snapshot
for every wall screen of the process (:class:`dashboard.delta_cache.DeltaCache`), whether a screen's own catch-up
callback (:mod:`dashboard.callbacks.wall_live`) or the process's wall feed (:mod:`dashboard.feeds`) asks.
"""

from __future__ import annotations

from typing import Any

from dashboard import runtime
from dashboard.components.wall_wire import pin_feature
from dashboard.feeds import Overflow
from db import snapshots
from db.queries.live import CatchUp
from db.queries.live import catch_up as q_catch_up

#: events a wall's ticker shows
TICKER_SIZE = 10
#: events one catch-up reads at most; more and the screen reloads its base layer
CATCHUP_LIMIT = 400


async def shared_catch_up(seen: str, xid: int | None) -> CatchUp:
    """The events the snapshot ``seen`` did not see, one query for every wall screen of the process at that
    snapshot: the screens rung by the same doorbell share it. The answer includes every doorbell this process has
    heard, and the doorbell's transaction ``xid``: one heard by another process, or not replayed yet by a replica,
    is read again (on the primary)."""
    app = runtime.services()

    def holds(g: CatchUp) -> bool:
        return g.overflow or snapshots.holds(xid, g.cursor)

    return await app.caches.deltas.get(
        ("wall", seen),
        app.push_hub().rings,
        lambda: runtime.aview_fresh(lambda c: q_catch_up(c, seen, CATCHUP_LIMIT), holds),
        holds,
    )


def delta_of(got: CatchUp) -> dict[str, Any]:
    """A catch-up with events, as the browser merges it (``mergeLive``)."""
    return {
        "pins": [pin_feature(p) for p in got.pins],
        "gone": got.gone,
        "events": got.events[:TICKER_SIZE],
        "keep": TICKER_SIZE,
    }


async def step(seen: str, xid: int | None) -> tuple[str, dict[str, Any] | None]:
    """The wall feed's step from ``seen`` after a doorbell of ``xid``: the next cursor and the delta up to it
    (None: nothing new). Raises :class:`dashboard.feeds.Overflow` when too much is new to send (the screens read afresh)."""
    got = await shared_catch_up(seen, xid)
    if got.overflow:
        raise Overflow(seen)
    return (got.cursor, delta_of(got)) if got.events else (seen, None)


async def current() -> str:
    """The database's snapshot now, as a cursor (where the wall feed starts)."""
    return await runtime.aview(snapshots.current)
