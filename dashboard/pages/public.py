"""The public map, the site's front page (``/``, also ``/public``): 最美贵阳 photos, service points, the progress
of reports and the city's recent performance, for anyone, on a phone first. Layout only: the callbacks are in
``dashboard/callbacks/public.py``, the component IDs in ``dashboard/ids/public.py``; styling in ``assets/public.css``, map functions in
``assets/public.js``. Every request goes to this app only: the basemap is drawn from our own district data."""

from __future__ import annotations

from typing import Any

import dash
import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.callbacks import public as cb
from dashboard.components import basemap
from dashboard.components.district_labels import label_layer, register
from dashboard.i18n import t
from dashboard.ids import public as pid
from db.queries import public as q

TITLE = "贵阳城市服务地图 · Guiyang city map"
DESCRIPTION = "最美贵阳、便民服务点和市民举报办理进度 · Beautiful Guiyang, city services and report progress"

register(pid.DISTRICT_LABELS)
ns = Namespace("gyPub", "map")
CENTER = [26.58, 106.71]
ZOOM = 12
API = "/public/v1"
#: Service points cluster up to this zoom (a cluster per kind), and show one by one beyond it.
SERVICE_CLUSTER_MAX_ZOOM = 14
#: Panes: markers and clusters 600, 最美贵阳 above them, district names (components/district_labels.py) 640,
#: the "nearest" highlights 645; tooltips 650 and popups 700 stay on top.
BEAUTY_Z = 620
NEAR_Z = 645


def _attrs(**attrs: str) -> dict[str, Any]:
    """HTML attributes with dashes (``aria_live`` → ``aria-live``)."""
    return {k.replace("_", "-"): v for k, v in attrs.items()}


def _text(key: str, tag: Any = html.Span, **kw: Any) -> Any:
    return tag(t(key), id=pid.tid(key), **kw)


def _header() -> html.Header:
    return html.Header(
        className="pub-header",
        children=[
            html.Img(
                src=dash.get_asset_url("icons/logo.svg"), alt="", className="pub-logo", width=28, height=28
            ),
            html.H1(t("pub.title"), id=pid.TITLE),
            html.Span(className="pub-spacer"),
            html.A(t("pub.staff"), id=pid.STAFF, href="/login", className="pub-staff"),
            html.Button(t("lang.switch"), id=pid.LANG_SWITCH, n_clicks=0, className="pub-lang", lang="en"),
        ],
    )


def _layer_chips() -> html.Div:
    return html.Div(
        className="pub-layers",
        role="group",
        **_attrs(aria_label=t("pub.layers_label")),
        children=dmc.ChipGroup(
            id=pid.LAYERS,
            multiple=True,
            value=list(cb.LAYER_KEYS),
            children=[
                dmc.Chip(_text(f"pub.layer.{k}"), value=k, size="sm", radius="xl", className=f"pub-chip-{k}")
                for k in cb.LAYER_KEYS
            ],
        ),
    )


def initial_view(lat: object = None, lon: object = None, z: object = None) -> tuple[list[float], int]:
    """Centre and zoom from a shared link (``/?lat=26.58&lon=106.71&z=15``), kept inside Guiyang."""
    try:
        la, lo = float(str(lat)), float(str(lon))
        if not (26.0 <= la <= 27.5 and 106.0 <= lo <= 107.5):
            raise ValueError
        center = [la, lo]
    except ValueError:
        center = CENTER
    try:
        zoom = min(18, max(9, int(str(z))))
    except ValueError:
        zoom = ZOOM
    return center, zoom


def _service_layers() -> list[dl.GeoJSON]:
    """One clustered layer per kind of service point: at city zoom a cluster shows the kind's icon and how many
    points it holds; from ``SERVICE_CLUSTER_MAX_ZOOM`` on every point shows."""
    return [
        dl.GeoJSON(
            id=f"{pid.SERVICES}-{kind}",
            url=f"{API}/service-points.json?kind={kind}",
            cluster=True,
            zoomToBoundsOnClick=True,
            superClusterOptions={"radius": 56, "maxZoom": SERVICE_CLUSTER_MAX_ZOOM},
            pointToLayer=ns("serviceMarker"),
            clusterToLayer=ns("serviceCluster"),
            hideout={"kind": kind},
        )
        for kind in q.SERVICE_KINDS
    ]


def _map(center: list[float], zoom: int) -> html.Div:
    return html.Div(
        id=pid.MAPWRAP,
        className="pub-mapwrap",
        children=[
            dl.Map(
                id=pid.MAP,
                center=center,
                zoom=zoom,
                minZoom=9,
                maxZoom=18,
                zoomControl=False,
                attributionControl=False,
                className="pub-map",
                style={"height": "100%", "width": "100%"},
                children=[
                    *basemap.base_layers("public", public=True, attribution=True),
                    dl.GeoJSON(
                        id=pid.BASEMAP,
                        url=f"{API}/basemap.json",
                        style=ns("districtStyle"),
                        interactive=False,
                    ),
                    dl.GeoJSON(id=pid.GRID, style=ns("gridStyle"), interactive=False),
                    dl.GeoJSON(id=pid.REPORTS, pointToLayer=ns("reportMarker")),
                    *_service_layers(),
                    # 最美贵阳 photos in a pane above every service point and cluster; the district names above
                    # both; "nearest" highlights above all
                    dl.Pane(
                        dl.GeoJSON(
                            id=pid.BEAUTY,
                            url=f"{API}/beauty.json",
                            pointToLayer=ns("beautyMarker"),
                            hideout={"pane": pid.BEAUTY_PANE},
                        ),
                        name=pid.BEAUTY_PANE,
                        style={"zIndex": BEAUTY_Z},
                    ),
                    label_layer(pid.DISTRICT_LABELS),
                    dl.Pane(dl.LayerGroup(id=pid.HERE_LAYER), name=pid.NEAR_PANE, style={"zIndex": NEAR_Z}),
                    dl.ZoomControl(position="bottomright"),
                    dl.ScaleControl(position="bottomleft", imperial=False),
                ],
            ),
            _layer_chips(),
            html.Div(
                id=pid.PHOTO,
                className="pub-photo",
                role="dialog",
                **_attrs(aria_modal="true", aria_labelledby=pid.PHOTO_TITLE),
                children=html.Div(
                    className="pub-photo-card",
                    children=[
                        html.Button(
                            "×",
                            id=pid.PHOTO_CLOSE,
                            n_clicks=0,
                            className="pub-photo-close",
                            title=t("pub.photo.close"),
                            **_attrs(aria_label="关闭 / Close"),
                        ),
                        html.Img(id=pid.PHOTO_IMG, alt=""),
                        html.H2(id=pid.PHOTO_TITLE),
                        html.P(id=pid.PHOTO_BODY),
                    ],
                ),
            ),
        ],
    )


def _nearby() -> html.Div:
    return html.Div(
        [
            _text("pub.kinds_label", html.Div, className="pub-label"),
            dmc.ChipGroup(
                id=pid.KINDS,
                multiple=True,
                value=list(q.SERVICE_KINDS),
                children=html.Div(
                    className="pub-kinds",
                    children=[
                        dmc.Chip(
                            [
                                html.Img(
                                    src=dash.get_asset_url(f"icons/{k}.svg"), alt="", width=16, height=16
                                ),
                                _text(f"pub.kind.{k}"),
                            ],
                            value=k,
                            size="xs",
                            radius="xl",
                        )
                        for k in q.SERVICE_KINDS
                    ],
                ),
            ),
            html.Button(t("pub.nearest"), id=pid.NEAR_BTN, n_clicks=0, className="pub-button"),
            html.P(
                t("pub.nearest.hint"), id=pid.NEAR_STATUS, className="pub-muted", **_attrs(aria_live="polite")
            ),
            html.Div(id=pid.NEAR_LIST),
            # in the layout from the start (hidden until there is a result), so its callback is always wired
            html.Button(
                t("pub.nearest.clear"),
                id=pid.NEAR_CLEAR,
                n_clicks=0,
                className="pub-button-quiet",
                hidden=True,
            ),
        ]
    )


def _city() -> html.Div:
    legend = [
        html.Span(
            [
                html.I(className=f"pub-dot pub-dot-{s}"),
                html.Span(cb.stage_label(s, "zh"), id=pid.tid(f"pub.stage.{s}")),
            ],
            className="pub-legend-item",
        )
        for s in q.STAGES
    ]
    return html.Div(
        [
            html.Div(id=pid.SUMMARY, className="pub-summary", **_attrs(aria_live="polite")),
            _text("pub.legend", html.Div, className="pub-label"),
            html.Div(legend, className="pub-legend"),
            _text("pub.privacy", html.P, className="pub-muted"),
            _text("pub.basemap", html.P, className="pub-muted"),
        ]
    )


def _track() -> html.Div:
    return html.Div(
        [
            _text("pub.track.hint", html.P, className="pub-muted"),
            html.Div(
                className="pub-track-form",
                children=[
                    dmc.TextInput(
                        id=pid.TRACK_INPUT,
                        label=t("pub.track.label"),
                        placeholder=t("pub.track.placeholder"),
                        autoComplete="off",
                        debounce=False,
                        className="pub-track-input",
                    ),
                    html.Button(t("pub.track.button"), id=pid.TRACK_BTN, n_clicks=0, className="pub-button"),
                ],
            ),
            html.Div(id=pid.TRACK_RESULT, **_attrs(aria_live="polite")),
        ]
    )


def _panel() -> html.Aside:
    tabs = (("city", _city()), ("nearby", _nearby()), ("track", _track()))
    return html.Aside(
        id=pid.PANEL,
        className="pub-panel",
        children=dmc.Tabs(
            id=pid.TABS,
            value="city",
            allowTabDeactivation=True,
            keepMounted=True,
            color="teal",
            children=[
                dmc.TabsList([dmc.TabsTab(_text(f"pub.tab.{k}"), value=k) for k, _ in tabs], grow=True),
                *[dmc.TabsPanel(body, value=k, className="pub-tab-body") for k, body in tabs],
            ],
        ),
    )


def layout(lat: object = None, lon: object = None, z: object = None, **_: Any) -> html.Div:
    center, zoom = initial_view(lat, lon, z)
    return html.Div(
        id=pid.ROOT,
        className="pub-root",
        children=[
            dcc.Store(id=pid.LABELS, data=cb.labels()),
            dcc.Store(id=pid.CATS),
            dcc.Store(id=pid.VIEW),
            dcc.Store(id=pid.HERE),
            dcc.Store(id=pid.NEAR_DATA),
            dcc.Interval(id=pid.TICK, interval=120_000),
            _header(),
            html.Div(className="pub-body", children=[_map(center, zoom), _panel()]),
        ],
    )


dash.register_page(__name__, path="/", title=TITLE, description=DESCRIPTION, layout=layout)
dash.register_page(f"{__name__}.alias", path="/public", title=TITLE, description=DESCRIPTION, layout=layout)
