"""Callbacks of the workbench's case search: the search runs on the server (``ops.search``: the reader's scope,
the phone only for the roles that may see contact data), the results list, the keyboard and the opening of a
case's card live in the browser (``wb_search.js``). A result opens its card through the workbench's selection
store (``wb-selected``), as a queue row does."""

from __future__ import annotations

import logging
from typing import Any

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, ids, runtime
from dashboard.components import wb_search as view
from dashboard.i18n import t
from dashboard.ids import wb_search as sid
from dashboard.ids import workbench as wid
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.queries.geo_layers import EMPTY
from ops.policy import Screen, roles_for, sees_contact
from ops.search import search

ROLES = roles_for(Screen.WORKBENCH)
log = logging.getLogger("guiyang_ops.workbench.search")


@callback(
    Output(sid.RESULTS, "data"),
    Output(sid.PINS, "data"),
    Input(sid.QUERY, "data"),
    Input(ids.LANG, "data"),
    Input(wid.REFRESH, "data"),  # a case changed on this page: its status in the results too
)
@auth.require_user(*ROLES)
async def results(value: str | None, lang: str, _refresh: Any, *, user: StaffIdentity) -> tuple[Any, Any]:
    try:
        found = await runtime.aread(lambda c: search(c, user, value))
    except SQLAlchemyError as exc:
        log_failure(log, "the case search failed", exc)
        return {"q": value or "", "rows": [], "status": t("wbs.failed", lang), "empty": False}, EMPTY
    return view.payload(found, lang), view.geojson(found)


@callback(Output(sid.INPUT, "placeholder"), Input(ids.LANG, "data"))
@auth.require_user(*ROLES)
async def placeholder(lang: str, *, user: StaffIdentity) -> str:
    """Says what the box searches; the phone only for the roles that may search by it."""
    return t("wbs.placeholder_phone" if sees_contact(user.role) else "wbs.placeholder", lang)


# the words once typing pauses for a quarter of a second: dcc.Input's own numeric debounce puts the caret back
# where it was a render ago, and fast typing then lands in the middle of the words
clientside_callback(
    ClientsideFunction(namespace="wbs", function_name="debounce"),
    Output(sid.QUERY, "data"),
    Input(sid.INPUT, "value"),
)
clientside_callback(
    ClientsideFunction(namespace="wbs", function_name="draw"),
    Output(sid.DRAWN, "data"),
    Input(sid.RESULTS, "data"),
    State(wid.VIEW, "data"),  # the map moves to the results only when some are out of view
)
# a result's pin opens its card, as a queue row does
clientside_callback(
    ClientsideFunction(namespace="wbs", function_name="pinClick"),
    Output(wid.SELECTED, "data", allow_duplicate=True),
    Input(sid.PINS, "clickData"),
    prevent_initial_call=True,
)
# the selected case, marked in the results too
clientside_callback(
    ClientsideFunction(namespace="wbs", function_name="mark"),
    Output(sid.PICKED, "data"),
    Input(wid.SELECTED, "data"),
    prevent_initial_call=True,
)
