"""The grid map: district outlines and the unit grid from PostGIS, on a basemap drawn from our own data."""

from __future__ import annotations

from typing import Any

import dash
import dash_leaflet as dl
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html
from dash_extensions.javascript import Namespace

from dashboard import ids, runtime
from dashboard.auth import require_user
from dashboard.components import basemap
from dashboard.components.district_labels import label_layer, register
from dashboard.i18n import t
from dashboard.ids import grid_map as gid
from db.queries.geo_layers import EMPTY, cells_in_bbox, districts_geojson
from db.vocabulary import STAFF_ROLES
from geo.bbox import bbox_of_view

dash.register_page(
    __name__,
    path="/grid",
    title="网格地图 · Grid map",
    nav="nav.map",
    nav_order=50,
    roles=list(STAFF_ROLES),  # any staff role
    app_gate=True,  # the app's gate (dashboard.access) sends anonymous visitors to sign in
)

register(gid.GRID_LABELS)
ns = Namespace("gy", "map")
CENTER = [26.58, 106.70]
GRID_MIN_ZOOM = 14
CELL_LIMIT = 6000


def layout(**_: Any) -> html.Div:
    return html.Div(
        className="gy-map",
        children=[
            dcc.Store(id=gid.GRID_VIEW),
            dl.Map(
                id=gid.GRID_MAP,
                center=CENTER,
                zoom=11,
                minZoom=8,
                maxZoom=19,
                style={"height": "100%", "width": "100%"},
                children=[
                    *basemap.base_layers("grid"),
                    dl.GeoJSON(
                        id=gid.GRID_DISTRICTS,
                        style=ns("districtStyle"),
                        onEachFeature=ns("districtTooltip"),
                        hideout={"lang": "zh"},
                    ),
                    dl.GeoJSON(
                        id=gid.GRID_CELLS, style=ns("cellStyle"), onEachFeature=ns("cellTooltip"), data=EMPTY
                    ),
                    label_layer(gid.GRID_LABELS),
                    dl.ScaleControl(position="bottomright", imperial=False),
                ],
            ),
            html.Div(id=gid.GRID_STATUS, className="gy-overlay"),
        ],
    )


@callback(Output(gid.GRID_DISTRICTS, "data"), Input(gid.GRID_MAP, "id"))
@require_user(*STAFF_ROLES)
async def load_districts(_: str, **__: Any) -> dict[str, Any]:
    return await runtime.aread(districts_geojson)


@callback(Output(gid.GRID_DISTRICTS, "hideout"), Input(ids.LANG, "data"))
def district_lang(lang: str) -> dict[str, Any]:
    return {"lang": lang}


clientside_callback(
    ClientsideFunction(namespace="gy", function_name="viewport"),
    Output(gid.GRID_VIEW, "data"),
    Input(gid.GRID_MAP, "bounds"),
    Input(gid.GRID_MAP, "zoom"),
    State(gid.GRID_MAP, "center"),
    State(gid.GRID_MAP, "id"),
)


@callback(
    Output(gid.GRID_CELLS, "data"),
    Output(gid.GRID_STATUS, "children"),
    Input(gid.GRID_VIEW, "data"),
    Input(ids.LANG, "data"),
)
@require_user(*STAFF_ROLES)
async def load_cells(view: dict[str, Any] | None, lang: str, **_: Any) -> tuple[dict[str, Any], list[Any]]:
    note = html.Div(t("map.basemap_note", lang), style={"color": "#667", "fontSize": "12px"})
    box = bbox_of_view(view)
    if box is None or (view or {}).get("zoom", 0) < GRID_MIN_ZOOM:
        return EMPTY, [html.Div(t("map.zoom_for_grid", lang)), note]
    data = await runtime.aread(lambda c: cells_in_bbox(c, *box, CELL_LIMIT))
    n = len(data["features"])
    key = "map.cells_capped" if n >= CELL_LIMIT else "map.cells_shown"
    return data, [html.Div(t(key, lang, n=n)), note]
