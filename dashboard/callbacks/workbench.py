"""Callbacks of /workbench that read: the sign-in gate, filter options, map layers, pins and the queue. Every
one that touches case data is guarded by ``require_user`` and passes the user to the queries, which add the
user's scope themselves. The case card lives in ``workbench_card``, the actions in ``workbench_actions``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import dash_mantine_components as dmc
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, html
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, ids, runtime
from dashboard.components import wb_links
from dashboard.components.workbench_queue import legend, queue_payload, status_label
from dashboard.i18n import t
from dashboard.ids import wb_links as lid
from dashboard.ids import workbench as wid
from dashboard.ids.wb_live import CHANGED as LIVE  # the push's refresh hook (callbacks/wb_live.py)
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.cache import MISSING
from db.queries import wb_options
from db.queries import workbench as q
from db.queries.geo_layers import EMPTY, cells_in_bbox, districts_geojson
from db.queries.workbench_scope import scope_bounds
from db.vocabulary import SOURCES
from geo.bbox import BBox, bbox_of_view
from ops.policy import Reach, Screen, actionable_statuses, reach, roles_for, workbench_scope
from ops.states import CaseStatus

ROLES = roles_for(Screen.WORKBENCH)
CELL_MIN_ZOOM = 15
CELL_LIMIT = 4000
LOGIN_URL = "/login?next="
log = logging.getLogger("guiyang_ops.workbench")


async def reference(name: str, fn: Callable[[Connection], Any]) -> Any:
    """Reference data (districts, categories, departments) read at most every five minutes (the app's cache)."""
    cache = runtime.services().caches.reference
    hit = cache.get(name, MISSING)
    if hit is not MISSING:
        return hit
    return cache.put(name, await runtime.aread(fn))


def opening_bounds() -> BBox | None:
    """The area the signed-in user's map opens on (their district, their department's open cases), for the page's
    layout; ``None`` (the city) for the command center, anyone signed out, or when the database fails: a map on
    the city is better than no page.

    Dash draws page layouts synchronously on the event loop, so this reads as little as it can there: the user
    from the session (identities are cached by ``auth``), an officer's district from a cache, and only for
    department staff one indexed query (a few milliseconds on the 1M-case city), as their open cases move."""
    try:
        user = auth.current_user()
        how = None if user is None else reach(user.role, Screen.WORKBENCH)
        if user is None or how is None or how is Reach.CITY:
            return None
        scope = workbench_scope(user)
        if how is not Reach.DISTRICT:
            return runtime.read(lambda c: scope_bounds(c, scope))
        cache = runtime.services().caches.district_bounds  # the districts officers' maps open on
        hit = cache.get(user.district_code or "", MISSING)
        if hit is not MISSING:
            return hit
        box = runtime.read(lambda c: scope_bounds(c, scope))
    except SQLAlchemyError as exc:
        log_failure(log, "the workbench's opening view could not be read", exc)
        return None
    return cache.put(user.district_code or "", box)


def _name(row: Any, lang: str) -> str:
    return str(row.name_en if lang == "en" else row.name_zh)


# --- gate and filter options ---------------------------------------------------------------------------------


@callback(
    Output(wid.REDIRECT, "href"),
    Output(wid.GATE, "children"),
    Output(wid.GATE, "hidden"),
    Input(wid.ROOT, "id"),
    State(ids.LANG, "data"),
    State(ids.URL, "search"),
)
async def gate(_: str, lang: str, search: str | None) -> tuple[Any, Any, bool]:
    """Not signed in: to the sign-in page (and back here afterwards, to the same view or case). A role without
    the workbench: say so."""
    user = await auth.acurrent_user()
    if user is None:
        return (
            LOGIN_URL + quote("/workbench" + (search or "")[:1000], safe="/"),
            t("wb.need_login", lang),
            False,
        )
    if user.role not in ROLES:
        return nothing, t("wb.no_access", lang), False
    return nothing, None, True


@callback(
    Output(wid.F_DISTRICT, "data"),
    Output(wid.F_DISTRICT, "label"),
    Output(wid.F_DISTRICT, "value"),
    Output(wid.F_DISTRICT, "disabled"),
    Output(wid.F_MAJOR, "data"),
    Output(wid.F_MAJOR, "label"),
    Output(wid.F_CATEGORY, "label"),
    Output(wid.F_STATUS, "data"),
    Output(wid.F_STATUS, "label"),
    Output(wid.F_SOURCE, "data"),
    Output(wid.F_SOURCE, "label"),
    Output(wid.F_LIGHT_LABEL, "children"),
    Output(wid.F_LIGHT, "children"),
    Output(wid.F_WINDOW, "data"),
    Output(wid.F_IN_VIEW, "label"),
    Output(wid.QUEUE_TITLE, "children"),
    Output(wid.SCOPE, "children"),
    Output(wid.CARD_CLOSE, "title"),
    *[
        Output(i, "placeholder")
        for i in (wid.F_DISTRICT, wid.F_MAJOR, wid.F_CATEGORY, wid.F_STATUS, wid.F_SOURCE)
    ],
    Input(ids.LANG, "data"),
    State(wid.F_DISTRICT, "value"),
)
@auth.require_user(*ROLES)
async def filter_options(lang: str, current: str | None, *, user: StaffIdentity) -> tuple[Any, ...]:
    districts = await reference("districts", wb_options.districts)
    categories = await reference("categories", wb_options.categories)
    departments = await reference("departments", wb_options.departments)
    district_data = [{"value": d.code, "label": _name(d, lang)} for d in districts]
    fixed = user.role == "officer"
    district = user.district_code if fixed else current
    if fixed:
        names = {d.code: _name(d, lang) for d in districts}
        scope = t("wb.scope.district", lang, name=names.get(user.district_code or "", "—"))
    elif user.role == "department":
        names = {d.code: _name(d, lang) for d in departments}
        scope = t("wb.scope.department", lang, name=names.get(user.department_code or "", "—"))
    else:
        scope = t("wb.scope.city", lang)
    majors = [
        {"value": c.code, "label": f"{t(f'wb.kind.{c.kind}', lang)} · {_name(c, lang)}"}
        for c in categories
        if c.level == 1
    ]
    statuses = [{"value": s.value, "label": status_label(s.value, lang)} for s in CaseStatus]
    sources = [{"value": s, "label": t(f"wb.src.{s}", lang)} for s in SOURCES]
    lights = dmc.Group(
        gap=4,
        wrap="nowrap",
        children=[
            dmc.Chip(t(f"wb.light.{k}", lang), value=k, size="xs", color=k, variant="light")
            for k in ("green", "yellow", "red")
        ],
    )
    windows = [{"value": w, "label": t(f"wb.w.{w}", lang)} for w in q.WINDOWS]
    return (
        district_data,
        t("wb.f.district", lang),
        nothing if district == current else district,
        fixed,
        majors,
        t("wb.f.major", lang),
        t("wb.f.category", lang),
        statuses,
        t("wb.f.status", lang),
        sources,
        t("wb.f.source", lang),
        t("wb.f.light", lang),
        lights,
        windows,
        t("wb.f.in_view", lang),
        t("wb.queue", lang),
        scope,
        t("wb.card.close", lang),
        *[t("wb.f.all", lang)] * 5,
    )


@callback(
    Output(wid.F_CATEGORY, "data"),
    Output(wid.F_CATEGORY, "value"),
    Input(wid.F_MAJOR, "value"),
    Input(ids.LANG, "data"),
    State(wid.F_CATEGORY, "value"),
)
@auth.require_user(*ROLES)
async def category_options(
    major: str | None, lang: str, current: str | None, *, user: StaffIdentity
) -> tuple[Any, Any]:
    categories = await reference("categories", wb_options.categories)
    minors = [c for c in categories if c.level == 2 and (not major or c.parent_code == major)]
    data = [{"value": c.code, "label": f"{_name(c, lang)} ({c.code})"} for c in minors]
    keep = current if any(c.code == current for c in minors) else None
    return data, nothing if keep == current else keep  # an unchanged value would refresh pins and queue


# --- map layers ----------------------------------------------------------------------------------------------


@callback(Output(wid.DISTRICTS, "data"), Input(wid.ROOT, "id"))
@auth.require_user(*ROLES)
async def districts_layer(_: str, *, user: StaffIdentity) -> dict[str, Any]:
    return await reference("districts_geojson", districts_geojson)


@callback(Output(wid.DISTRICTS, "hideout"), Input(ids.LANG, "data"))
@auth.require_user(*ROLES)
async def districts_lang(lang: str, *, user: StaffIdentity) -> dict[str, Any]:
    """Names in the language; for a user scoped to a district (an officer, a district bureau), that district
    drawn out and the rest of the city greyed."""
    own = None if workbench_scope(user).city_wide else user.district_code
    return {"lang": lang, "fillOpacity": 0.35, "own": own}


# A map opening fitted to the user's area has no zoom until Leaflet has fitted it and reported the view: no
# view (and no pins asked for a guessed one) until then.
clientside_callback(
    """function (bounds, zoom, center, mapId) {
        if (zoom === undefined || zoom === null) { return window.dash_clientside.no_update; }
        return window.dash_clientside.gy.viewport(bounds, zoom, center, mapId);
    }""",
    Output(wid.VIEW, "data"),
    Input(wid.MAP, "bounds"),
    Input(wid.MAP, "zoom"),
    State(wid.MAP, "center"),
    State(wid.MAP, "id"),
)


@callback(Output(wid.CELLS, "data"), Input(wid.VIEW, "data"))
@auth.require_user(*ROLES)
async def cells_layer(view: dict[str, Any] | None, *, user: StaffIdentity) -> dict[str, Any]:
    box = bbox_of_view(view)
    if box is None or (view or {}).get("zoom", 0) < CELL_MIN_ZOOM:
        return EMPTY
    return await runtime.aread(lambda c: cells_in_bbox(c, *box, limit=CELL_LIMIT))


FILTERS = [
    Input(wid.F_DISTRICT, "value"),
    Input(wid.F_MAJOR, "value"),
    Input(wid.F_CATEGORY, "value"),
    Input(wid.F_STATUS, "value"),
    Input(wid.F_LIGHT, "value"),
    Input(wid.F_WINDOW, "value"),
    Input(wid.F_SOURCE, "value"),
]


@callback(
    Output(wid.PINS, "data"),
    Output(wid.PINS_META, "data"),
    Input(wid.VIEW, "data"),
    *FILTERS,
    Input(wid.REFRESH, "data"),
    Input(LIVE, "data"),
)
@auth.require_user(*ROLES)
async def pins_layer(view: dict[str, Any] | None, *args: Any, user: StaffIdentity) -> tuple[Any, Any]:
    box = bbox_of_view(view)
    if box is None:
        raise PreventUpdate
    filters = q.Filters.from_inputs(*args[:7])
    pins = await runtime.aread(lambda c: q.pins(c, workbench_scope(user), filters, box))
    return pins.geojson, {"shown": pins.shown, "capped": pins.capped}


@callback(Output(wid.MAP_STATUS, "children"), Input(wid.PINS_META, "data"), Input(ids.LANG, "data"))
def map_status(meta: dict[str, Any] | None, lang: str) -> list[Any]:
    if not meta:
        return [legend(lang)]
    capped = bool(meta.get("capped"))
    text = t("wb.pins_capped" if capped else "wb.pins_shown", lang, n=meta.get("shown", 0))
    return [html.Div(text, className="wb-capped" if capped else ""), legend(lang)]


# The queue follows the map only with 只看地图范围内 on (or to be drawn at all). Decided here, in the browser: a
# server call that only said "nothing to do" would drop the answer of one still on its way (the language switched
# just before the map moved left the queue in the old language).
clientside_callback(
    """function (view, inView, shown) {
        return inView || !shown ? view : window.dash_clientside.no_update;
    }""",
    Output(wid.QUEUE_VIEW, "data"),
    Input(wid.VIEW, "data"),
    State(wid.F_IN_VIEW, "checked"),
    State(wid.QUEUE_DATA, "data"),
)


@callback(
    Output(wid.QUEUE_DATA, "data"),
    Output(wid.QUEUE_COUNT, "children"),
    *FILTERS,
    Input(wid.F_IN_VIEW, "checked"),
    Input(wid.QUEUE_VIEW, "data"),
    Input(wid.REFRESH, "data"),
    Input(LIVE, "data"),
    Input(ids.LANG, "data"),
    Input(wid.F_FOCUS, "value"),
    Input(lid.PAGE, "data"),
    State(wid.QUEUE_DATA, "data"),
    State(wid.VIEW, "data"),
)
@auth.require_user(*ROLES)
async def queue_list(*args: Any, user: StaffIdentity) -> tuple[Any, Any]:
    in_view, _followed, _refresh, _live, lang, focus, page, shown, view = args[7:]
    filters = q.Filters.from_inputs(*args[:7])
    box = bbox_of_view(view) if in_view else None
    mine = actionable_statuses(user.role) or ()  # a field role's own work comes first
    pending = focus == "pending" and not mine
    offset = wb_links.queue_offset(set(ctx.triggered_prop_ids.values()), page, shown, in_view=bool(in_view))
    result = await runtime.aread(
        lambda c: q.queue(
            c,
            workbench_scope(user),
            filters,
            bbox=box,
            offset=offset,
            first=mine,
            only_first=focus == "mine",
            pending_only=pending,
        )
    )
    n = len(result.rows)
    payload = queue_payload(result.rows, lang) | {
        "page": wb_links.page_info(result.total, result.offset, n, lang)
    }
    count = wb_links.count_text(result.total, result.offset, n, lang)
    return payload, count


@callback(Output(wid.F_FOCUS, "data"), Input(ids.LANG, "data"))
@auth.require_user(*ROLES)
async def focus_options(lang: str, *, user: StaffIdentity) -> list[dict[str, str]]:
    """显示全部 / 仅我可处理 for a field role (whose own work comes first anyway), 显示全部 / 仅待审批 for the
    command center (the 挂账 / 延期 requests waiting for a decision)."""
    other = "mine" if actionable_statuses(user.role) else "pending"
    return [{"value": v, "label": t(f"wbf.focus.{v}", lang)} for v in ("all", other)]


# --- selection (in the browser) ------------------------------------------------------------------------------

clientside_callback(
    ClientsideFunction(namespace="wb", function_name="queue"),
    Output(wid.QUEUE_DRAWN, "data"),
    Input(wid.QUEUE_DATA, "data"),
)
# a queue row sets SELECTED from workbench.js (dash_clientside.set_props); pins, duplicates and close here
clientside_callback(
    ClientsideFunction(namespace="wb", function_name="select"),
    Output(wid.SELECTED, "data"),
    Input(wid.PINS, "clickData"),
    Input({"type": wid.DUP, "id": ALL}, "n_clicks"),
    Input(wid.CARD_CLOSE, "n_clicks"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="wb", function_name="flyTo"),
    Output(wid.MAP, "viewport"),
    Input(wid.SELECTED, "data"),
    State(wid.MAP, "zoom"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="wb", function_name="markRow"),
    Output(wid.QUEUE_MARKED, "data"),
    Input(wid.SELECTED, "data"),
    prevent_initial_call=True,
)
