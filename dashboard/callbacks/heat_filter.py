"""Callbacks of the heatmap's category filter (大类 → 小类): the selects' options in the UI language, the chosen
code (a 小类, else its 大类, else every category) in a store the heat callbacks read, and the workbench's heat
layer. The wall's own heat callbacks (:mod:`dashboard.callbacks.wall`) take the chosen code from
``WALL_CATEGORY``: the periodic and pushed refreshes keep it, since they read the store, not a default.

Counting is the wall's read model (:class:`db.queries.grid_index.HeatIndex`), whose memo is keyed by window and
category: a category change re-counts in memory (no SQL, no geometry sent: the browser restyles)."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, clientside_callback, html, no_update
from sqlalchemy import Connection

from dashboard import auth, ids, runtime
from dashboard.callbacks.workbench import reference
from dashboard.components.heat_filter import category_options
from dashboard.components.wall_panels import DEFAULT_PALETTE, PALETTES, class_breaks, heat_legend
from dashboard.i18n import t
from dashboard.ids import heat_filter as hf
from dashboard.ids import wb_live as live
from dashboard.ids import workbench as wid
from db.accounts import StaffIdentity
from db.queries import wb_options
from db.queries.grid_geometry import geometry
from db.queries.grid_levels import EMPTY, MAX_FEATURES, WINDOWS, coarser, level_for
from geo.bbox import bbox_of_view
from ops.policy import Screen, roles_for

WALL_ROLES = roles_for(Screen.WALL)
WB_ROLES = roles_for(Screen.WORKBENCH)
#: The workbench draws its heat layer from this zoom on (the whole city is the wall's job).
WB_MIN_ZOOM = 11


def chosen(major: str | None, minor: str | None) -> str | None:
    """The code the heat counts: the 小类 if one is chosen, else the 大类, else None (every category)."""
    return minor or major or None


async def category_name(code: str | None, lang: str) -> str | None:
    if not code:
        return None
    for c in await reference("categories", wb_options.categories):
        if c.code == code:
            return str(c.name_en if lang == "en" else c.name_zh)
    return None


async def with_category(legend: list[Any], code: str | None, lang: str) -> list[Any]:
    """The heat legend headed by the category it counts (unchanged for every category)."""
    name = await category_name(code, lang)
    if name is None:
        return legend
    return [html.Div(t("heat.showing", lang, name=name), className="heat-legend-cat"), *legend]


async def _options(lang: str, major: str | None) -> tuple[list[dict[str, str]], ...]:
    return category_options(await reference("categories", wb_options.categories), lang, major)


def _keep(value: str | None, options: list[dict[str, str]]) -> str | None:
    return value if any(o["value"] == value for o in options) else None


async def _selection(major: str | None, minor: str | None, lang: str) -> tuple[Any, ...]:
    """The two selects' options, placeholders, the 小类 select's state and value, and the chosen category (one
    rule for the wall and the workbench)."""
    majors, minors = await _options(lang, major)
    major = _keep(major, majors)
    keep = _keep(minor, minors)
    return (
        majors,
        t("heat.all", lang),
        minors,
        t("heat.all_minor", lang),
        not major,
        no_update if keep == minor else keep,
        {"code": chosen(major, keep)},
    )


# --- wall --------------------------------------------------------------------------------------------------------


@callback(
    Output(hf.WALL_MAJOR, "options"),
    Output(hf.WALL_MAJOR, "placeholder"),
    Output(hf.WALL_MINOR, "options"),
    Output(hf.WALL_MINOR, "placeholder"),
    Output(hf.WALL_MINOR, "disabled"),
    Output(hf.WALL_MINOR, "value"),
    Output(hf.WALL_CATEGORY, "data"),
    Input(hf.WALL_MAJOR, "value"),
    Input(hf.WALL_MINOR, "value"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*WALL_ROLES)
async def wall_category(
    major: str | None, minor: str | None, lang: str, *, user: StaffIdentity
) -> tuple[Any, ...]:
    return await _selection(major, minor, lang)


# --- workbench ---------------------------------------------------------------------------------------------------


@callback(
    Output(hf.WB_HEAT_MAJOR, "data"),
    Output(hf.WB_HEAT_MAJOR, "placeholder"),
    Output(hf.WB_HEAT_MINOR, "data"),
    Output(hf.WB_HEAT_MINOR, "placeholder"),
    Output(hf.WB_HEAT_MINOR, "disabled"),
    Output(hf.WB_HEAT_MINOR, "value"),
    Output(hf.WB_HEAT_CATEGORY, "data"),
    Output(hf.WB_HEAT_ON, "label"),
    Output(hf.WB_HEAT_WINDOW, "data"),
    Input(hf.WB_HEAT_MAJOR, "value"),
    Input(hf.WB_HEAT_MINOR, "value"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*WB_ROLES)
async def workbench_category(
    major: str | None, minor: str | None, lang: str, *, user: StaffIdentity
) -> tuple[Any, ...]:
    return (
        *await _selection(major, minor, lang),
        t("heat.wb.on", lang),
        [{"value": k, "label": t(f"wall.window.{k}", lang)} for k in WINDOWS],
    )


@callback(
    Output(hf.WB_HEAT_GEO, "data"),
    Output(hf.WB_HEAT, "hideout"),
    Output(hf.WB_HEAT_LEGEND, "children"),
    Input(wid.VIEW, "data"),
    Input(hf.WB_HEAT_ON, "checked"),
    Input(hf.WB_HEAT_WINDOW, "value"),
    Input(hf.WB_HEAT_CATEGORY, "data"),
    Input(live.SLOW, "data"),  # at most once a minute, when something changed (callbacks/wb_live.py)
    State(ids.LANG, "data"),
)
@auth.require_user(*WB_ROLES)
async def workbench_heat(
    view: dict[str, Any] | None,
    on: bool | None,
    window: str | None,
    cat: dict[str, Any] | None,
    _tick: Any,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    """The heat layer of the workbench's viewport: the city's reports (what every workbench role sees on the
    wall) per square, in the window, of the chosen category. Off, or zoomed out past the city: nothing drawn."""
    box = bbox_of_view(view)
    if not on or box is None or float((view or {}).get("zoom", 0)) < WB_MIN_ZOOM:
        return EMPTY, {}, []
    win = window if window in WINDOWS else "7d"
    code = (cat or {}).get("code")
    first = level_for(float((view or {}).get("zoom", 12)), (box[1] + box[3]) / 2)
    heat, features = runtime.services().heat, runtime.services().features

    def work(conn: Connection) -> tuple[str, dict[str, Any], dict[str, int]]:
        level, keys = first, heat.keys(conn, first, box)
        while len(keys) > MAX_FEATURES and level != "district":
            level = coarser(level)
            keys = heat.keys(conn, level, box, refresh=False)
        counts = heat.counts(conn, level, win, box, refresh=False, category=code)
        return level, geometry(conn, level, list(counts), features), counts

    level, geo, counts = await runtime.aview(work)
    breaks = class_breaks(list(counts.values()))
    colors = PALETTES[DEFAULT_PALETTE]
    legend = await with_category(heat_legend(counts, breaks, level, colors, lang), code, lang)
    hideout = {"counts": counts, "breaks": breaks, "colors": colors, "level": level, "category": code}
    return geo, hideout, legend


clientside_callback(
    "function (geo) { return window.dash_clientside.wall.heatGeojson(geo); }",
    Output(hf.WB_HEAT, "data"),
    Input(hf.WB_HEAT_GEO, "data"),
)
