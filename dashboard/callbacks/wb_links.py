"""Callbacks of the workbench's deep links, address and keyboard (``dashboard.components.wb_links``).

- ``?case=GY…`` → the case's card (the same selection a click makes, so the map flies to it), or a message
  saying why not: not a ticket, no such case, or outside the reader's district / department. The lookup takes
  the reader's scope (:func:`ops.policy.workbench_scope`); a case outside it tells nothing but that.
- The address follows the view (``wb_links.js``, clientside): filters and page replace the entry, opening or
  closing a case adds one to the history.
- The queue's page controls are drawn in the browser from the queue's data.
"""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx
from dash import no_update as nothing

from dashboard import auth, ids, runtime
from dashboard.callbacks.workbench import ROLES, reference
from dashboard.components import wb_links as comp
from dashboard.i18n import t
from dashboard.ids import wb_links as lid
from dashboard.ids import workbench as wid
from db.accounts import StaffIdentity
from db.queries import wb_options
from db.queries.case_locate import locate
from ops.policy import workbench_scope


async def _reach_name(user: StaffIdentity, lang: str) -> tuple[str, str] | None:
    """("district" | "department", its name in ``lang``) for a reader limited to one, else ``None``."""
    if user.role == "officer" and user.district_code:
        rows = await reference("districts", wb_options.districts)
        names = {r.code: (r.name_en if lang == "en" else r.name_zh) for r in rows}
        return "district", names.get(user.district_code, user.district_code)
    if user.role == "department" and user.department_code:
        rows = await reference("departments", wb_options.departments)
        names = {r.code: (r.name_en if lang == "en" else r.name_zh) for r in rows}
        return "department", names.get(user.department_code, user.department_code)
    return None


@callback(
    Output(wid.SELECTED, "data", allow_duplicate=True),
    Output(lid.MESSAGE, "children"),
    Output(lid.MESSAGE, "hide"),
    Input(lid.LINK, "data"),
    Input(ids.LANG, "data"),
    prevent_initial_call="initial_duplicate",
)
@auth.require_user(*ROLES)
async def open_link(link: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, Any, bool]:
    """The case of the address's ``?case=``: selected when the reader may see it, else the reason shown."""
    typed = link.get("ticket") if isinstance(link, dict) else None
    if not isinstance(typed, str) or not typed:
        return nothing, None, True
    relabel = ctx.triggered_id == ids.LANG
    ticket = comp.link_target(typed)
    if ticket is None:
        return nothing, t("wbl.bad_ticket", lang, ticket=typed[:40]), False
    found = await runtime.aread(lambda c: locate(c, workbench_scope(user), ticket))
    if found is None:
        return nothing, t("wbl.not_found", lang, ticket=ticket), False
    if not found.visible:
        reach = await _reach_name(user, lang)
        text = (
            t(f"wbl.outside.{reach[0]}", lang, ticket=ticket, name=reach[1])
            if reach
            else t("wbl.outside", lang, ticket=ticket)
        )
        return nothing, text, False
    if relabel:
        return nothing, nothing, nothing  # type: ignore[return-value]
    return {"id": found.id, "ll": [found.lat, found.lon], "src": "link"}, None, True


@callback(
    Output(lid.KEYS_BODY, "children"),
    Output(lid.KEYS_OPEN, "title"),
    Output(lid.KEYS_OPEN, "aria-label"),
    Output(lid.KEYS_CLOSE, "title"),
    Input(ids.LANG, "data"),
)
def keys_texts(lang: str) -> tuple[Any, ...]:
    """The shortcuts' overlay in the chosen language (static texts, no data)."""
    return comp.keys_body(lang), t("wbl.keys.open", lang), t("wbl.keys.open", lang), t("wbl.keys.close", lang)


clientside_callback(
    ClientsideFunction(namespace="wbl", function_name="pager"),
    Output(lid.PAGER_DRAWN, "data"),
    Input(wid.QUEUE_DATA, "data"),
)
clientside_callback(
    ClientsideFunction(namespace="wbl", function_name="address"),
    Output(lid.URL_SYNC, "data"),
    *[Input(cid, prop) for _name, cid, prop, _many in comp.URL_FILTERS],
    Input(wid.QUEUE_DATA, "data"),
    Input(wid.CARD_STATE, "data"),
    Input(wid.SELECTED, "data"),
    State(lid.URL_SYNC, "data"),
)
