"""The workbench's live updates: the catch-up after a push doorbell and the connection indicator.

Most commits reach an open workbench as its scope's feed's delta on its event stream (:mod:`dashboard.feeds`,
:mod:`dashboard.wb_delta`), merged by ``assets/gy_push.js`` with no request, as :func:`catch_up` would answer. For
the others (a delta that does not follow on from the page's cursor, the stream's first doorbell, a reconnection)
``assets/gy_push.js`` rings :data:`~dashboard.ids.wb_live.DOORBELL` with the committing transaction; unless the
page's cursor (the snapshot its last catch-up was read in, :mod:`db.snapshots`) holds it already,
:func:`catch_up` asks the database which cases within the user's reach changed since (one small indexed query,
:func:`db.queries.wb_live.changed_in_reach`) and, only when there are some, bumps
:data:`~dashboard.ids.wb_live.CHANGED`: the refresh hook the queue, the pins and the case card take as an Input.
Nothing in reach changed: the cursor moves and nothing else is read.

The case card (:func:`card_refresh`, through ``live_card`` in :mod:`dashboard.callbacks.workbench_card`) refreshes
only when someone else changed the case it shows (or after a reconnection), keeping the action forms and what the
user typed, with a notice that the case was updated.
"""

from __future__ import annotations

import time
from typing import Any

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback
from dash import no_update as nothing
from dash.exceptions import PreventUpdate

from dashboard import auth, ids, runtime
from dashboard.i18n import t
from dashboard.ids import wb_live as lid
from dashboard.ids import workbench as wid
from dashboard.wb_delta import shared_changes
from db import snapshots
from db.accounts import StaffIdentity
from ops.policy import Screen, roles_for, workbench_scope

ROLES = roles_for(Screen.WORKBENCH)
#: The report heatmap (city-wide counts) follows the events at most this often.
SLOW_SECONDS = 60.0


def _bump(store: Any, **extra: Any) -> dict[str, Any]:
    n = store.get("n", 0) if isinstance(store, dict) else 0
    return {"n": int(n) + 1 if isinstance(n, int) else 1, **extra}


def _full(changed: Any) -> dict[str, Any]:
    return _bump(changed, cases=[], others=[], full=True)


@callback(
    Output(lid.CURSOR, "data"),
    Output(lid.CHANGED, "data"),
    Output(lid.SLOW, "data"),
    Input(lid.DOORBELL, "data"),
    State(lid.CURSOR, "data"),
    State(lid.CHANGED, "data"),
    State(lid.SLOW, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def catch_up(
    bell: Any, cursor: Any, changed: Any, slow: Any, *, user: StaffIdentity
) -> tuple[Any, Any, Any]:
    """The cases within reach changed since the page's snapshot, as a bump of the refresh hook (or nothing)."""
    rung = bell.get("n") if isinstance(bell, dict) else None
    if isinstance(rung, bool) or not isinstance(rung, int):
        raise PreventUpdate
    resync = bool(bell.get("resync"))
    seen = snapshots.valid(cursor)
    xid = snapshots.xid_of(bell.get("x"))
    now = time.time()
    heat_due = now - float((slow or {}).get("at", 0) or 0) >= SLOW_SECONDS
    fresh = seen is None or not snapshots.visible(xid, seen)
    new_slow = _bump(slow, at=now) if resync or (heat_due and fresh) else nothing
    if seen is None:  # no cursor yet: the page's first reads are as new as this doorbell
        return await runtime.aread(snapshots.current), _full(changed) if resync else nothing, nothing
    if not fresh and not resync:
        raise PreventUpdate  # this page has it already
    changes = await shared_changes(workbench_scope(user), seen, xid)  # one query per snapshot and scope
    got = changes.for_reader(user.id)
    if resync or got.overflow:
        return got.cursor, _full(changed), new_slow
    if not got.cases:
        return got.cursor, nothing, new_slow
    return got.cursor, _bump(changed, cases=got.cases, others=got.others, full=False), new_slow


def card_refresh(changed: Any, case_id: int, lang: str) -> dict[str, Any] | None:
    """What a bump of the refresh hook means for the card showing ``case_id``: ``None`` (leave the card alone:
    only the user's own steps, or other cases, changed) or a refresh like the actions' (``{"case", "kind",
    "text"}``: read the card again, keep the forms and what is typed, say why when someone else changed it)."""
    if not isinstance(changed, dict):
        return None
    if changed.get("full"):
        return {"case": case_id, "kind": "stale", "text": None}
    if case_id in (changed.get("others") or []):
        return {"case": case_id, "kind": "stale", "text": t("wbp.card.changed", lang)}
    return None


# the landed catch-up lets the client ring again (assets/gy_push.js); the indicator follows the connection
clientside_callback(
    ClientsideFunction(namespace="wbp", function_name="settled"),
    Output(lid.SETTLED, "data"),
    Input(lid.CURSOR, "data"),
    Input(lid.CHANGED, "data"),
)
clientside_callback(  # the queue read again has landed: the next doorbell may ring
    ClientsideFunction(namespace="wbp", function_name="released"),
    Output(lid.SETTLED, "data", allow_duplicate=True),
    Input(wid.QUEUE_DATA, "data"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="wbp", function_name="indicator"),
    Output(lid.CONN, "children"),
    Output(lid.CONN, "className"),
    Output(lid.CONN, "title"),
    Input(lid.STATE, "data"),
    Input(ids.LANG, "data"),
    State(lid.I18N, "data"),
)
