"""The 热点区域 (hot spots) tab of /analysis: parse the filters and the level → :mod:`dashboard.hotspot_cache`
(Gi* in ``ops.analysis``, scoped by the user's ``AnalysisScope``) → map data, legend, summary, table; CSV export;
"start a campaign here" writes the ticked hot units to ``dashboard.ids.analysis.CAMPAIGN_SEED``."""

from __future__ import annotations

import logging
from typing import Any

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, ids
from dashboard.callbacks.analysis import ROLES, user_scope
from dashboard.callbacks.workbench import reference
from dashboard.components import an_hot as view
from dashboard.hotspot_cache import hot_result
from dashboard.i18n import t
from dashboard.ids import an_hot as hid
from dashboard.ids import analysis as aid
from db.accounts import StaffIdentity
from db.errors import ValidationError
from db.queries import wb_options
from db.queries.geo_layers import districts_geojson
from db.queries.grid_levels import EMPTY
from ops.analysis.filters import Filters, parse_filters
from ops.analysis.hotspots import HotSpots
from ops.analysis.scope import AnalysisScope
from ops.policy import Screen, reach

log = logging.getLogger(__name__)


def _level(value: Any) -> str:
    return value if value in view.LEVELS else view.DEFAULT_LEVEL


async def _names(lang: str) -> dict[str, str]:
    return {
        d.code: str(d.name_en if lang == "en" else d.name_zh)
        for d in await reference("districts", wb_options.districts)
    }


async def _result(user: StaffIdentity, data: Any, level: Any) -> tuple[HotSpots, Filters, AnalysisScope]:
    filters = parse_filters(data)
    scope = await user_scope(user)
    return await hot_result(scope, filters, _level(level)), filters, scope


@callback(Output(hid.DISTRICTS, "data"), Input(hid.MAP, "id"))
@auth.require_user(*ROLES)
async def districts_layer(_: str, *, user: StaffIdentity) -> dict[str, Any]:
    return await reference("districts_geojson", districts_geojson)


@callback(
    Output(hid.UNITS, "data"),
    Output(hid.UNITS, "hideout"),
    Output(hid.SUMMARY, "children"),
    Output(hid.LEGEND, "children"),
    Output(hid.TABLE_TITLE, "children"),
    Output(hid.TABLE, "rowData"),
    Output(hid.TABLE, "columnDefs"),
    Output(hid.TABLE, "selectedRows"),
    Output(hid.EMPTY, "children"),
    Output(hid.EMPTY, "hidden"),
    Output(hid.METHOD, "children"),
    Output(hid.NOTE, "children"),
    Output(hid.LEVEL, "data"),
    Output(hid.EXPORT, "children"),
    Output(hid.CAMPAIGN, "children"),
    Output(hid.CAMPAIGN, "disabled"),
    Output(hid.CAMPAIGN_MSG, "children"),
    Output(hid.BOUNDS, "data"),
    Input(aid.FILTERS, "data"),
    Input(hid.LEVEL, "value"),
    Input(ids.LANG, "data"),
    Input(aid.TABS, "value"),
)
@auth.require_user(*ROLES)
async def render(data: Any, level: Any, lang: str, tab: Any, *, user: StaffIdentity) -> tuple[Any, ...]:
    if tab != "hotspots":  # drawn when shown (again): a tab's panel is mounted only while it is shown
        raise PreventUpdate
    names = await _names(lang)
    area_district = (data or {}).get("district") if isinstance(data, dict) else None
    area = view.area_name(names.get(user.district_code or "") if user.role == "officer" else None, lang)
    if area_district:
        area = names.get(area_district, area)
    texts = (
        view.level_options(lang),
        t("an.hot.export", lang),
        t("an.hot.campaign", lang),
    )
    may_campaign = reach(user.role, Screen.CAMPAIGN) is not None
    try:
        res, _, _ = await _result(user, data, level)
    except ValidationError as e:
        return (
            EMPTY,
            nothing,
            "",
            view.legend(area, lang),
            "",
            [],
            view.columns(lang),
            [],
            e.message(lang),
            False,
            "",
            "",
            *texts,
            True,
            "",
        )
    except SQLAlchemyError:
        log.exception("hot spots failed")
        return (
            EMPTY,
            nothing,
            "",
            view.legend(area, lang),
            "",
            [],
            view.columns(lang),
            [],
            t("an.hot.failed", lang),
            False,
            "",
            "",
            *texts,
            True,
            "",
        )
    hot = res.significant("hot")
    empty = ""
    if res.total == 0:
        empty = t("an.hot.no_reports", lang)
    elif res.n_hot + res.n_cold == 0:
        empty = t("an.hot.empty", lang)
    hideout = {"colors": view.COLORS, "selected": [], **view.tooltip_texts(lang)}
    return (
        res.geojson(),
        hideout,
        view.summary(res, lang),
        view.legend(area, lang),
        t("an.hot.table", lang, n=view.TOP) if hot else "",
        view.rows(hot[: view.TOP], names),
        view.columns(lang),
        [],
        empty,
        not empty,
        t("an.hot.method", lang, area=area),
        view.sparse_note(res, lang),
        *texts,
        not (hot and may_campaign),
        "",
        res.bounds() if ctx.triggered_id != ids.LANG else nothing,
    )


@callback(
    Output(hid.DOWNLOAD, "data"),
    Input(hid.EXPORT, "n_clicks"),
    State(aid.FILTERS, "data"),
    State(hid.LEVEL, "value"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def export(n: int, data: Any, level: Any, lang: str, *, user: StaffIdentity) -> Any:
    if not n:
        return nothing
    try:
        res, filters, _ = await _result(user, data, level)
    except ValidationError:
        return nothing
    text = view.csv_text(res.significant(), await _names(lang), lang)
    name = f"hotspots-{res.level}-{filters.days}d-{res.until:%Y%m%d-%H%M}.csv"
    return dcc.send_string(text, name, type="text/csv")


# The ticked rows outlined on the map (in the browser: a hideout change restyles, no data sent).
clientside_callback(
    ClientsideFunction("anHot", "select"),
    Output(hid.UNITS, "hideout", allow_duplicate=True),
    Input(hid.TABLE, "selectedRows"),
    State(hid.UNITS, "hideout"),
    prevent_initial_call=True,
)


@callback(
    Output(aid.CAMPAIGN_SEED, "data"),
    Output(hid.CAMPAIGN_MSG, "children", allow_duplicate=True),
    Input(hid.CAMPAIGN, "n_clicks"),
    State(hid.TABLE, "selectedRows"),
    State(aid.FILTERS, "data"),
    State(hid.LEVEL, "value"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def campaign_seed(
    n: int, selected: Any, data: Any, level: Any, lang: str, *, user: StaffIdentity
) -> tuple[Any, Any]:
    """The ticked hot units (checked again against the current result in the user's scope) as the campaign
    form's seed: their squares as one MultiPolygon, the filters' category and district."""
    if not n:
        return nothing, nothing
    if reach(user.role, Screen.CAMPAIGN) is None:
        return nothing, t("an.hot.campaign.role", lang)
    keys = [str(r.get("key")) for r in selected or [] if isinstance(r, dict) and r.get("key")][:500]
    if not keys:
        return nothing, t("an.hot.campaign.pick", lang)
    try:
        res, filters, _ = await _result(user, data, level)
    except ValidationError as e:
        return nothing, e.message(lang)
    geometry, found = res.hot_area(keys)
    if geometry is None:
        return nothing, t("an.hot.campaign.stale", lang)
    districts = {u.district_code for u in res.significant("hot") if u.key in set(found)}
    seed = {
        "source": "hotspot",
        "geometry": geometry,
        "category": filters.category,
        "district": filters.district or (next(iter(districts)) if len(districts) == 1 else None),
        "alert_id": None,
        "label": t("an.hot.campaign.label", lang, unit=found[0], n=len(found), days=filters.days),
    }
    return seed, t("an.hot.campaign.done", lang, n=len(found))


# The map was drawn in a hidden panel: tell Leaflet its size, then fit the study region (in the browser).
clientside_callback(
    ClientsideFunction("anHot", "fit"),
    Output(hid.MAP, "invalidateSize"),
    Output(hid.MAP, "viewport"),
    Input(hid.BOUNDS, "data"),
    prevent_initial_call=True,
)
