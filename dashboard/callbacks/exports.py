"""Callbacks of the workbench's 导出 Export menu (``dashboard.components.exports``).

Opening the panel (or changing a filter while it is open) counts the cases the current filter will export,
within the reader's workbench scope, and writes the filter into the three download links; the filter is read by
:func:`ops.exports.parse_filter`, the same parser the download itself uses. The download and its progress bar are
``assets/exports.js``'s.
"""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx
from dash.exceptions import PreventUpdate

from dashboard import auth, ids, runtime
from dashboard.components import exports as comp
from dashboard.ids import exports as eid
from dashboard.ids import workbench as wid
from db.accounts import StaffIdentity
from db.errors import DomainError
from db.queries.case_export import count_cases
from geo.bbox import bbox_of_view
from ops.exports import FORMATS, parse_filter, plan
from ops.policy import Screen, roles_for

ROLES = roles_for(Screen.WORKBENCH)


def query_of(
    district: Any,
    major: Any,
    category: Any,
    statuses: Any,
    lights: Any,
    window: Any,
    sources: Any,
    in_view: Any,
    view: Any,
    focus: Any,
) -> dict[str, str]:
    """The workbench's filter as the export's query parameters (the names of the workbench's address)."""
    out: dict[str, str] = {}
    for name, value in (("district", district), ("major", major), ("category", category)):
        if isinstance(value, str) and value:
            out[name] = value
    for name, values in (("status", statuses), ("light", lights), ("source", sources)):
        if isinstance(values, list) and values:
            out[name] = ",".join(str(v) for v in values)
    if isinstance(window, str) and window:
        out["window"] = window
    if isinstance(focus, str) and focus and focus != "all":
        out["focus"] = focus
    box = bbox_of_view(view) if in_view else None
    if box is not None:
        out["inview"] = "1"
        out["bbox"] = ",".join(f"{x:.6f}" for x in box)
    return out


@callback(
    Output(eid.OPEN, "children"),
    Output(eid.TITLE, "children"),
    *[Output(i, "children") for i in (eid.CSV, eid.XLSX, eid.GEOJSON)],
    Output(eid.STRINGS, "data"),
    Input(ids.LANG, "data"),
)
def menu_texts(lang: str) -> tuple[Any, ...]:
    words = comp.texts(lang)
    return (words["button"], words["title"], *words["formats"], words["js"])


clientside_callback(
    ClientsideFunction(namespace="exp", function_name="strings"),
    Output(eid.SINK, "data"),
    Input(eid.STRINGS, "data"),
)


@callback(
    Output(eid.PANEL, "hidden"),
    Output(eid.OPEN, "aria-expanded"),
    Output(eid.COUNT, "children"),
    Output(eid.CONTACT, "children"),
    *[Output(i, "href") for i in (eid.CSV, eid.XLSX, eid.GEOJSON)],
    Output(eid.XLSX, "className"),
    Input(eid.OPEN, "n_clicks"),
    Input(wid.F_DISTRICT, "value"),
    Input(wid.F_MAJOR, "value"),
    Input(wid.F_CATEGORY, "value"),
    Input(wid.F_STATUS, "value"),
    Input(wid.F_LIGHT, "value"),
    Input(wid.F_WINDOW, "value"),
    Input(wid.F_SOURCE, "value"),
    Input(wid.F_IN_VIEW, "checked"),
    Input(wid.F_FOCUS, "value"),
    Input(ids.LANG, "data"),
    State(wid.VIEW, "data"),
    State(eid.PANEL, "hidden"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def open_menu(clicks: Any, *args: Any, user: StaffIdentity) -> tuple[Any, ...]:
    """Toggle the panel on the button; while it is open, count what the filter exports and link the files."""
    district, major, category, statuses, lights, window, sources, in_view, focus, lang, view, hidden = args
    toggled = ctx.triggered_id == eid.OPEN
    if not toggled and hidden is not False:
        raise PreventUpdate  # closed: a filter change costs nothing
    if toggled and hidden is False:
        return (True, "false", *([None] * 2), *(["#"] * 3), "exp-link")
    query = query_of(district, major, category, statuses, lights, window, sources, in_view, view, focus)
    links = [comp.link(f, query, lang) for f in FORMATS]
    try:
        f = parse_filter(query, user)
        who = plan(user)
        rows = await runtime.aread(lambda c: count_cases(c, who.scope, f))
    except DomainError as exc:
        return (False, "true", exc.message(lang), None, *(["#"] * 3), "exp-link")
    count, contact, fits = comp.count_words(rows, who.contact, lang)
    xlsx_class = "exp-link" if fits and rows else "exp-link exp-off"
    if not rows:
        return (False, "true", count, None, *(["#"] * 3), "exp-link exp-off")
    return (False, "true", count, contact, *links, xlsx_class)
