"""Callbacks of the 多发地点 tab of /analysis: the places of the filters (map + table), the chosen place's cases,
the CSV export and "start a campaign here". Each parses, asks :mod:`ops.analysis.places` within the user's
:class:`~ops.analysis.scope.AnalysisScope`, and formats (``dashboard.components.an_places``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import ALL, Input, Output, State, callback, clientside_callback, ctx
from dash import no_update as nothing
from dash.exceptions import PreventUpdate

from dashboard import auth, clicks, ids, runtime
from dashboard.callbacks.analysis import ROLES, user_scope
from dashboard.components import an_places as view
from dashboard.components.district_labels import register
from dashboard.i18n import t
from dashboard.ids import an_places as pid
from dashboard.ids import analysis as aid
from db.accounts import StaffIdentity
from db.errors import DomainError
from geo.crs import TZ
from ops.analysis.filters import Filters, parse_filters
from ops.analysis.places import LIMIT, Place, PlaceCase, cases_of, place_area, place_cases, places
from ops.policy import Screen, reach

register(pid.LABELS)

clientside_callback(  # the map was laid out while the page's body was hidden: let Leaflet measure it again
    "function (hidden) { return hidden ? window.dash_clientside.no_update : Date.now(); }",
    Output(pid.MAP, "invalidateSize"),
    Input(aid.BODY, "hidden"),
)
clientside_callback(  # the chosen place's row stands out
    "function (key, rows) { return rows.map(function (r) { return r.key === key ? 'anp-row anp-selected' : "
    "'anp-row'; }); }",
    Output({"type": pid.ROW, "key": ALL}, "className"),
    Input(pid.SELECTED, "data"),
    State({"type": pid.ROW, "key": ALL}, "id"),
)


def _params() -> dict[str, Any]:
    s = runtime.services().settings
    return {"radius_m": s.places_radius_m, "min_reports": s.places_min_reports}


def _cache_key(scope: Any, filters: Filters, params: dict[str, Any]) -> tuple[Any, ...]:
    """The places cache's key: the same scope, filters and parameters give the same places for a minute."""
    return ("places", scope, filters, params["radius_m"], params["min_reports"])


async def _places(user: StaffIdentity, filters: Filters) -> list[Place]:
    """The places of the user's scope and the filters (the same question within a minute: the same answer)."""
    scope = await user_scope(user)
    params = _params()
    cache = runtime.services().caches.analysis
    key = _cache_key(scope, filters, params)
    found: list[Place] | None = cache.get(key)
    if found is None:
        now = datetime.now(TZ)
        found = cache.put(key, await runtime.aview(lambda c: places(c, scope, filters, now, **params)))
    return found


async def _place(user: StaffIdentity, filters: Filters, key: str) -> tuple[Place, list[PlaceCase]] | None:
    """The place ``key`` and its cases: from the places the user was just shown when they are still cached (a
    click), else found again."""
    scope = await user_scope(user)
    params = _params()
    kept = runtime.services().caches.analysis.get(_cache_key(scope, filters, params))
    place = next((p for p in kept or () if p.key == key), None)
    if place is not None:
        return place, await runtime.aview(lambda c: cases_of(c, scope, place))
    now = datetime.now(TZ)
    return await runtime.aview(lambda c: place_cases(c, scope, filters, now, key, **params))


@callback(
    Output(pid.PLACES, "data"),
    Output(pid.TABLE, "children"),
    Output(pid.SUMMARY, "children"),
    Output(pid.EXPORT, "children"),
    Input(aid.FILTERS, "data"),
    Input(ids.LANG, "data"),
    Input(aid.TABS, "value"),
    State(pid.SELECTED, "data"),
)
@auth.require_user(*ROLES)
async def load(data: Any, lang: str, tab: Any, selected: Any, *, user: StaffIdentity) -> tuple[Any, ...]:
    if tab != "places":  # drawn when shown (again): a tab's panel is mounted only while it is shown
        raise PreventUpdate
    try:
        filters = parse_filters(data)
        found = await _places(user, filters)
    except DomainError as exc:
        return view.EMPTY_FC, [], exc.message(lang), t("an.places.export", lang)
    p = _params()
    text = view.summary(found, filters.days, p["radius_m"], p["min_reports"], LIMIT, lang)
    key = selected if isinstance(selected, str) else None
    return view.places_geojson(found, lang), view.table(found, key, lang), text, t("an.places.export", lang)


clicks.relay(pid.ROW_CLICK, {"type": pid.ROW, "key": ALL})


@callback(
    Output(pid.SELECTED, "data"),
    Input(pid.PLACES, "clickData"),
    Input(pid.ROW_CLICK, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def select(click: Any, row_click: Any, *, user: StaffIdentity) -> Any:
    """A circle or a row chosen: its key (checked again on the server when its cases are read)."""
    trigger = ctx.triggered_id
    row = clicks.clicked(row_click, pid.ROW)
    if trigger == pid.PLACES:
        key = ((click or {}).get("properties") or {}).get("key")
    elif trigger == pid.ROW_CLICK and row is not None:
        key = row.get("key")
    else:
        raise PreventUpdate
    return key if isinstance(key, str) else nothing


@callback(
    Output(pid.DETAIL, "children"),
    Output(pid.CASES, "data"),
    Output(pid.MAP, "viewport"),
    Output(pid.PLACES, "hideout"),
    Output(pid.CAMPAIGN, "disabled"),
    Output(pid.CAMPAIGN, "children"),
    Input(pid.SELECTED, "data"),
    Input(aid.FILTERS, "data"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def chosen(key: Any, data: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    label = t("an.places.campaign", lang)
    if not isinstance(key, str):
        return [], view.EMPTY_FC, nothing, {}, True, label
    try:
        got = await _place(user, parse_filters(data), key)
    except DomainError as exc:
        return [view.note(exc.message(lang))], view.EMPTY_FC, nothing, {}, True, label
    if got is None:
        return [view.note(t("an.places.gone", lang))], view.EMPTY_FC, nothing, {}, True, label
    place, cases = got
    move = (
        {"center": [place.lat, place.lon], "zoom": 17, "transition": "flyTo"}
        if ctx.triggered_id == pid.SELECTED
        else nothing
    )
    may = reach(user.role, Screen.CAMPAIGN) is not None
    return (
        view.detail(place, cases, lang),
        view.cases_geojson(cases, lang),
        move,
        {"selected": place.key},
        not may,
        label,
    )


@callback(
    Output(pid.DOWNLOAD, "data"),
    Input(pid.EXPORT, "n_clicks"),
    State(aid.FILTERS, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def export(n: Any, data: Any, lang: str, *, user: StaffIdentity) -> Any:
    if not n:
        raise PreventUpdate
    try:
        filters = parse_filters(data)
        found = await _places(user, filters)
    except DomainError:
        raise PreventUpdate from None
    stamp = datetime.now(TZ).strftime("%Y%m%d-%H%M")
    return {
        "content": view.csv_text(found, lang),
        "filename": f"{t('an.places.file', lang)}-{filters.days}d-{stamp}.csv",
        "type": "text/csv",
    }


@callback(
    Output(aid.CAMPAIGN_SEED, "data", allow_duplicate=True),
    Output(pid.CAMPAIGN_NOTE, "children"),
    Input(pid.CAMPAIGN, "n_clicks"),
    State(pid.SELECTED, "data"),
    State(aid.FILTERS, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def campaign(n: Any, key: Any, data: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, Any]:
    """The chosen place as the seed of a 专项整治 campaign: its reports buffered by the places' radius."""
    if not n or not isinstance(key, str):
        raise PreventUpdate
    if reach(user.role, Screen.CAMPAIGN) is None:
        return nothing, t("an.places.campaign.denied", lang)
    radius = _params()["radius_m"]
    try:
        got = await _place(user, parse_filters(data), key)
        if got is None:
            return nothing, t("an.places.gone", lang)
        place = got[0]
        geometry = await runtime.aview(lambda c: place_area(c, place, radius))
    except DomainError as exc:
        return nothing, exc.message(lang)
    seed = {
        "source": "place",
        "geometry": geometry,
        "category": place.category_code,
        "district": place.district_code,
        "alert_id": None,
        "label": f"{place.name(lang)} · {place.category_en if lang == 'en' else place.category_zh}",
    }
    return seed, t("an.places.campaign.set", lang, r=f"{radius:g}")
