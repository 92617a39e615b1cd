"""The wall's live layer (/wall): a screen's own catch-up. Most commits reach an open wall as the wall feed's delta
on its event stream (:mod:`dashboard.feeds`), merged with no request; the doorbell (written by
``assets/wall.js`` when a delta does not follow on from the screen's cursor, or the stream's first doorbell) or the
fallback timer → :func:`catch_up`, everything the screen's snapshot (its cursor) did not see → the ticker's events,
the delta of live pins, the cursor (which moves the KPI tiles, :mod:`dashboard.callbacks.wall`); one query per
snapshot shared by every screen of the process and the feed (:func:`dashboard.wall_delta.shared_catch_up`). The
answer carries only what is new: the browser merges the pins into the screen's live pins and draws the ticker in
the screen's language (``assets/wall.js``), so the request does not carry them and the answer neither carries all
of them back nor any component (at 300 open screens a catch-up's CPU was mostly encoding and decoding those).
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard import auth, runtime
from dashboard.callbacks.wall import ROLES
from dashboard.ids import wall as w
from dashboard.wall_delta import TICKER_SIZE, delta_of, shared_catch_up
from db import snapshots
from db.accounts import StaffIdentity
from db.queries.live import latest_events


@callback(
    Output(w.CURSOR, "data"),
    Output(w.DELTA, "data"),
    Output(w.BASE_RELOAD, "data"),
    Output(w.LANDED, "data"),
    Input(w.DOORBELL, "data"),
    Input(w.FALLBACK, "n_intervals"),
    State(w.CURSOR, "data"),
    State(w.BASE_RELOAD, "data"),
)
@auth.require_user(*ROLES)
async def catch_up(
    bell: dict[str, Any] | None,
    _n: Any,
    cursor: Any,
    reload: int | None,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    """Everything this screen's snapshot (the cursor) did not see: the push event is only a doorbell. The answer
    is what the snapshot missed and nothing of what the screen holds: the new and the gone pins and the new events
    (merged into the screen's live pins and ticker by ``mergeLive``; the ticker drawn by ``ticker`` in the screen's
    language, ``assets/wall.js``)."""
    seen = snapshots.valid(cursor)
    if seen is None:  # a fresh screen: the latest events for the ticker; the base layer has the pins
        return await _afresh(no_update)
    rung = bell if ctx.triggered_id == w.DOORBELL and isinstance(bell, dict) else None
    xid = snapshots.xid_of(rung.get("x")) if rung is not None else None
    # this screen has it already, or nothing is new
    got = None if xid is not None and snapshots.visible(xid, seen) else await shared_catch_up(seen, xid)
    if got is None or not got.events:
        if rung is None:
            raise PreventUpdate
        # a doorbell is answered all the same, so the browser may ring again at once (assets/wall.js)
        return (*(no_update,) * 3, {"n": rung.get("n")})
    if got.overflow:  # too much missed (a long disconnection): reload the base layer, restart the ticker
        return await _afresh((reload or 0) + 1)
    return got.cursor, delta_of(got), no_update, no_update


async def _afresh(reload: Any) -> tuple[Any, ...]:
    """The catch-up's outputs from scratch: the latest events (the ticker and the cursor), no live pins, the base
    layer's reload counter ``reload``."""
    got = await runtime.aview(lambda c: latest_events(c, TICKER_SIZE))
    return (
        got.cursor,
        {"reset": True, "events": got.events, "keep": TICKER_SIZE},
        reload,
        no_update,
    )
