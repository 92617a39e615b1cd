"""The heatmap's category filter (大类, then optional 小类) as components: beside the wall's time window, and
the workbench's heat panel (switch, window, category, legend). Layout only; callbacks in
:mod:`dashboard.callbacks.heat_filter`."""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.i18n import t
from dashboard.ids import heat_filter as hf
from db.queries.grid_levels import EMPTY, WINDOWS

wall_ns = Namespace("wall", "map")


def category_options(
    categories: list[Any], lang: str, major: str | None = None
) -> tuple[list[dict[str, str]], ...]:
    """(大类 options, 小类 options of ``major``) from the category rows (code, parent_code, level, name_zh/en)."""

    def name(c: Any) -> str:
        return str(c.name_en if lang == "en" else c.name_zh)

    majors = [
        {"value": c.code, "label": f"{t(f'wb.kind.{c.kind}', lang)} · {name(c)}"}
        for c in categories
        if c.level == 1
    ]
    minors = [
        {"value": c.code, "label": name(c)}
        for c in categories
        if c.level == 2 and major and c.parent_code == major
    ]
    return majors, minors


def wall_selects() -> html.Div:
    """Two selects beside the wall's time window; the choice persists in the browser (a reload keeps it)."""
    common: dict[str, Any] = {
        "options": [],
        "clearable": True,
        "persistence": True,
        "className": "heat-cat-select",
    }
    return html.Div(
        className="heat-cat heat-cat-wall",
        children=[
            dcc.Dropdown(id=hf.WALL_MAJOR, placeholder=t("heat.all"), **common),
            dcc.Dropdown(id=hf.WALL_MINOR, placeholder=t("heat.all_minor"), disabled=True, **common),
            dcc.Store(id=hf.WALL_CATEGORY),
        ],
    )


def workbench_layer() -> dl.GeoJSON:
    """The workbench's heat layer: the wall's squares and style (``wall.map.heatStyle`` in ``assets/wall.js``)."""
    return dl.GeoJSON(id=hf.WB_HEAT, data=EMPTY, style=wall_ns("heatStyle"), hideout={}, interactive=False)


def workbench_panel() -> html.Div:
    """Switch, window, 大类 / 小类 and legend of the workbench's heat layer (over the map, top left)."""
    xs: dict[str, Any] = {"size": "xs"}
    return html.Div(
        id=hf.WB_HEAT_PANEL,
        className="heat-panel",
        children=[
            dmc.Switch(id=hf.WB_HEAT_ON, checked=False, label=t("heat.wb.on"), persistence=True, **xs),
            html.Div(
                className="heat-panel-body",
                children=[
                    dmc.SegmentedControl(
                        id=hf.WB_HEAT_WINDOW,
                        value="7d",
                        data=[{"value": k, "label": t(f"wall.window.{k}")} for k in WINDOWS],
                        fullWidth=True,
                        **xs,
                    ),
                    dmc.Select(
                        id=hf.WB_HEAT_MAJOR,
                        data=[],
                        clearable=True,
                        placeholder=t("heat.all"),
                        comboboxProps={"zIndex": 2000},
                        **xs,
                    ),
                    dmc.Select(
                        id=hf.WB_HEAT_MINOR,
                        data=[],
                        clearable=True,
                        placeholder=t("heat.all_minor"),
                        comboboxProps={"zIndex": 2000},
                        **xs,
                    ),
                    dcc.Store(id=hf.WB_HEAT_CATEGORY),
                    dcc.Store(id=hf.WB_HEAT_GEO),
                    html.Div(id=hf.WB_HEAT_LEGEND, className="heat-legend"),
                ],
            ),
        ],
    )
