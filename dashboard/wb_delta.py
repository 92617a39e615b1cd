"""The workbench's catch-up: which cases within a scope (an officer's district, a department's cases, the city)
the events a snapshot did not see touched, and who touched them. One query per (scope, snapshot) for every
workbench of the process (:class:`dashboard.delta_cache.DeltaCache`), whether a page's own catch-up callback
(:mod:`dashboard.callbacks.wb_live`) or the scope's feed (:mod:`dashboard.feeds`) asks. Read on the primary: the
workbench reads its own writes.
"""

from __future__ import annotations

from typing import Any

from dashboard import runtime
from dashboard.feeds import Overflow, Step
from db import snapshots
from db.queries.wb_live import Changes, changes_in_reach
from db.scope import RowScope


async def shared_changes(scope: RowScope, seen: str, xid: int | None) -> Changes:
    """The cases within ``scope`` the events ``seen`` did not see touched: one query for every page of the scope
    at that snapshot, holding the doorbell's transaction ``xid``."""
    app = runtime.services()
    return await app.caches.deltas.get(
        ("workbench", scope, seen),
        app.push_hub().rings,
        lambda: runtime.aread(lambda c: changes_in_reach(c, scope, seen)),
        lambda g: g.overflow or snapshots.holds(xid, g.cursor),
    )


def step_for(scope: RowScope) -> Step:
    """The feed's step of ``scope``: the next cursor and the touched cases with their actors (sent also when none
    is in reach: the pages' cursors move on with the feed's)."""

    async def step(seen: str, xid: int | None) -> tuple[str, dict[str, Any] | None]:
        got = await shared_changes(scope, seen, xid)
        if got.overflow:
            raise Overflow(seen)
        return got.cursor, {"actors": [[case, list(who)] for case, who in got.actors]}

    return step


def personal(delta: dict[str, Any], reader: int | None) -> dict[str, Any]:
    """What one reader is sent: the touched cases and those someone else touched (no one's user id)."""
    got = Changes(cursor="", actors=tuple((int(c), tuple(w)) for c, w in delta["actors"])).for_reader(reader)
    return {"cases": got.cases, "others": got.others}


async def current() -> str:
    """The database's snapshot now, as a cursor (where a scope's feed starts), on the primary."""
    return await runtime.aread(snapshots.current)
