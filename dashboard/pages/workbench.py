"""/workbench: the dispatcher's and officer's desk. A map of the cases (clustered pins coloured by light) with
a queue beside it, both from the same filters; a case card over the map with the case's history and the
actions the user may take. Layout only: the callbacks live in ``dashboard.callbacks.workbench*``."""

from __future__ import annotations

from typing import Any

import dash
import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.callbacks import alarms as _alarms  # noqa: F401  - the alarm banner (报警)
from dashboard.callbacks import an_hot_card as _hot  # noqa: F401  - the card's hot-spot line
from dashboard.callbacks import desk_intake as _desk  # noqa: F401
from dashboard.callbacks import exports as _exports  # noqa: F401  - the 导出 Export menu
from dashboard.callbacks import heat_filter as _heat  # noqa: F401
from dashboard.callbacks import replay as _replay  # noqa: F401
from dashboard.callbacks import wb_links as _links  # noqa: F401  - deep links, paging, the address, keys
from dashboard.callbacks import wb_live as _live  # noqa: F401  - push: the refresh hook
from dashboard.callbacks import wb_search as _search  # noqa: F401  - the case search
from dashboard.callbacks import workbench as _callbacks  # registers the callbacks
from dashboard.callbacks import workbench_actions as _actions  # noqa: F401
from dashboard.callbacks import workbench_card as _card  # noqa: F401
from dashboard.components import alarms as alarm_ui
from dashboard.components import basemap, heat_filter, replay, wb_links, wb_live, wb_search
from dashboard.components import desk_intake as desk
from dashboard.components import exports as export_menu
from dashboard.components.district_labels import label_layer, register
from dashboard.i18n import t
from dashboard.ids import workbench as wid
from db.queries.geo_layers import EMPTY
from geo.bbox import BBox
from ops.policy import Screen, roles_for

dash.register_page(
    __name__,
    path="/workbench",
    title="案件工作台 · Workbench",
    nav="wb.nav",
    nav_order=20,
    roles=list(roles_for(Screen.WORKBENCH)),
)

register(wid.DISTRICT_LABELS)
gy = Namespace("gy", "map")
wb = Namespace("wb", "map")
CENTER = [26.585, 106.705]
CITY_ZOOM = 12
#: A fitted map zooms in no further than a neighbourhood (a department with one open case: not one street).
FIT_MAX_ZOOM = 14


def _filters() -> html.Div:
    xs: dict[str, Any] = {"size": "xs"}
    return html.Div(
        className="wb-filters",
        children=[
            html.Div(id=wid.SCOPE, className="wb-scope"),
            dmc.SimpleGrid(
                cols=2,
                spacing=6,
                verticalSpacing=4,
                children=[
                    dmc.Select(id=wid.F_DISTRICT, data=[], clearable=True, **xs),
                    dmc.Select(id=wid.F_MAJOR, data=[], clearable=True, searchable=True, **xs),
                    dmc.Select(id=wid.F_CATEGORY, data=[], clearable=True, searchable=True, **xs),
                    dmc.MultiSelect(id=wid.F_STATUS, data=[], value=[], clearable=True, **xs),
                    dmc.MultiSelect(id=wid.F_SOURCE, data=[], value=[], clearable=True, **xs),
                ],
            ),
            html.Div(
                className="wb-lights",
                children=[
                    html.Span(id=wid.F_LIGHT_LABEL, className="wb-flabel"),
                    dmc.ChipGroup(id=wid.F_LIGHT, multiple=True, value=[], children=[]),
                ],
            ),
            dmc.SegmentedControl(id=wid.F_WINDOW, value="open", data=[], fullWidth=True, size="xs", mt=6),
            dmc.Switch(id=wid.F_IN_VIEW, checked=False, size="xs", mt=6),
        ],
    )


def _opening_view(fit: BBox | None) -> dict[str, Any]:
    """The map's first view: the city, or fitted to ``fit`` (west, south, east, north), the area the user may
    see. Fitted maps get no zoom: Leaflet fits the bounds to the map's size and then reports zoom and bounds.
    Quarter zoom steps, so that a district fills the map on any screen instead of the zoom level below."""
    if fit is None:
        return {"center": CENTER, "zoom": CITY_ZOOM}
    west, south, east, north = fit
    return {
        "center": [(south + north) / 2, (west + east) / 2],
        "bounds": [[south, west], [north, east]],
        "boundsOptions": {"padding": [12, 12], "maxZoom": FIT_MAX_ZOOM},
        "zoomSnap": 0.25,
    }


def _map(fit: BBox | None) -> html.Div:
    return html.Div(
        className="wb-mapcol",
        children=[
            dl.Map(
                id=wid.MAP,
                **_opening_view(fit),
                minZoom=9,
                maxZoom=19,
                style={"height": "100%", "width": "100%"},
                children=[
                    *basemap.base_layers("workbench"),
                    # the basemap in a pane below the pins: a grid cell drawn after the pins must not
                    # swallow the clicks meant for them
                    dl.Pane(name=wid.BASE_PANE, style={"zIndex": 350}),
                    dl.GeoJSON(
                        id=wid.DISTRICTS,
                        style=gy("districtStyle"),
                        onEachFeature=gy("districtTooltip"),
                        hideout={"lang": "zh"},
                        pane=wid.BASE_PANE,
                    ),
                    dl.GeoJSON(id=wid.CELLS, style=gy("cellStyle"), data=EMPTY, pane=wid.BASE_PANE),
                    heat_filter.workbench_layer(),
                    replay.layer(),
                    label_layer(wid.DISTRICT_LABELS),
                    dl.GeoJSON(
                        id=wid.PINS,
                        data=EMPTY,
                        cluster=True,
                        zoomToBoundsOnClick=True,
                        superClusterOptions={"radius": 64, "maxZoom": 16},
                        pointToLayer=wb("pin"),
                        clusterToLayer=wb("cluster"),
                    ),
                    wb_search.layer(),
                    dl.LayerGroup(id=wid.HIGHLIGHT),
                    desk.marker_layer(),
                    dl.ScaleControl(position="bottomright", imperial=False),
                ],
            ),
            html.Div(id=wid.MAP_STATUS, className="wb-mapstatus", role="status"),
            heat_filter.workbench_panel(),
            replay.open_button(),
            replay.panel(),
            html.Aside(
                id=wid.CARD,
                className="wb-card",
                hidden=True,
                children=[
                    html.Button(
                        "×",
                        id=wid.CARD_CLOSE,
                        className="wb-card-close",
                        n_clicks=0,
                        title=t("wb.card.close"),
                    ),
                    html.Div(id=wid.CARD_INFO),
                    html.Div(id=wid.CARD_NOTICE),
                    html.Div(id=wid.CARD_ACTIONS, className="wb-actions"),
                    html.Div(id=wid.CARD_MORE),
                ],
            ),
        ],
    )


def layout(**query: Any) -> html.Div:
    """The desk; its map opens on what the signed-in user may see (read here: no round trip after load), with
    the filters, queue page and case its address names (``wb_links``)."""
    return wb_links.install(_page(_callbacks.opening_bounds()), query)


def _page(fit: BBox | None) -> html.Div:
    return html.Div(
        id=wid.ROOT,
        className="wb-root",
        children=[
            dcc.Location(id=wid.REDIRECT, refresh=True),
            dcc.Store(id=wid.VIEW),
            dcc.Store(id=wid.QUEUE_VIEW),
            dcc.Store(id=wid.BTN_CLICK),
            dcc.Store(id=wid.SELECTED),
            dcc.Store(id=wid.REFRESH, data={"n": 0}),
            dcc.Store(id=wid.CARD_LIVE),
            dcc.Store(id=wid.DRAFTS),
            dcc.Store(id=wid.CARD_STATE),
            dcc.Store(id=wid.QUEUE_DATA),
            dcc.Store(id=wid.PINS_META),
            dcc.Store(id=wid.QUEUE_DRAWN),
            dcc.Store(id=wid.QUEUE_MARKED),
            wb_live.components(),  # push: doorbell, catch-up, connection indicator
            html.Div(id=wid.GATE, className="wb-gate", hidden=True),
            _map(fit),
            html.Aside(
                className="wb-side",
                children=[
                    # 报警 (突发 / 督办 / 预警) until a lead acknowledges, at the top of the side column: it rings
                    # and stays in view without covering the map's controls, the replay or the case card
                    alarm_ui.page_banner("workbench"),
                    wb_search.box(),
                    desk.open_button(),
                    desk.panel(),
                    _filters(),
                    html.Div(
                        className="wb-qhead",
                        children=[
                            html.H2(t("wb.queue"), id=wid.QUEUE_TITLE),
                            html.Span(id=wid.QUEUE_COUNT, className="wb-qcount"),
                            export_menu.menu(),  # 导出 Export: the current filter as CSV / Excel / GeoJSON
                        ],
                    ),
                    # the reader's own work only (officers, departments) or the requests to decide (leads)
                    dmc.SegmentedControl(
                        id=wid.F_FOCUS, value="all", data=[], size="xs", fullWidth=True, className="wb-focus"
                    ),
                    html.Div(id=wid.QUEUE, className="wb-queue", role="listbox"),
                ],
            ),
        ],
    )
