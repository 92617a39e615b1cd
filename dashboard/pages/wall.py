"""/wall: the command center's wall screen (4K, dark room, nobody touching it). Layout only.

The city map fills most of the screen: district outlines, the unit-grid heatmap (styled in the browser through
``hideout``), open-case pins clustered by light with urgent ones pulsing, and a small separate layer of pins
changed since the last base snapshot. Around it: KPI tiles, the 预警 panel of live alerts (their areas and markers on the map), the department response-time ranking
and a ticker.
Push: ``assets/wall.js`` listens to ``/push/events?feed=wall`` and merges the wall feed's deltas
(:mod:`dashboard.feeds`); when one does not follow on from the screen's snapshot it rings the doorbell store and
callbacks in :mod:`dashboard.callbacks.wall_live` catch up from there.

URL parameters: ``?rotate=30`` rotates through preset views (whole city, each central district) every 30 s;
``?fallback=45`` sets the polling fallback in seconds (10–86400); ``?window=today|7d|30d``;
``?scale=heat|viridis``; ``?lang=zh|en`` (otherwise the language the browser last chose).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import dash
import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard import auth
from dashboard.callbacks import alarms as _alarms  # noqa: F401  (the alarm banner, 报警)
from dashboard.callbacks import an_alertui_wall as _alerts  # noqa: F401  (registers the 预警 callbacks)
from dashboard.callbacks import replica_wall as _replica  # noqa: F401  (副本延迟 / 读主库)
from dashboard.callbacks import wall as _callbacks  # noqa: F401  (registers the callbacks)
from dashboard.callbacks import wall_live as _live  # noqa: F401  (registers the live layer's callbacks)
from dashboard.components import alarms as alarm_ui
from dashboard.components import an_alertui as alert_ui
from dashboard.components import basemap, heat_filter
from dashboard.components.wall_panels import DEFAULT_PALETTE, PALETTES
from dashboard.i18n import t
from dashboard.ids import an_alertui as aa
from dashboard.ids import replica as rep
from dashboard.ids import wall as w
from db.queries.grid_levels import EMPTY, WINDOWS
from ops.policy import Screen, roles_for
from ops.states import ACTION_LABELS

dash.register_page(
    __name__,
    path="/wall",
    title="指挥大屏 · Wall",
    nav="wall.nav",
    nav_order=10,
    roles=list(roles_for(Screen.WALL)),
)

ns = Namespace("wall", "map")
CENTER = [26.58, 106.72]
DEFAULT_FALLBACK = 45
DEFAULT_WINDOW = "7d"
JS_STRINGS = (
    "wall.conn.open",
    "wall.conn.connecting",
    "wall.conn.offline",
    "wall.title",
    "wall.subtitle",
    "wall.heat.title",
    "wall.ticker.title",
    "wall.ticker.empty",
    *(f"wall.window.{k}" for k in WINDOWS),
)


def _int(value: object, default: int, lo: int, hi: int) -> int:
    try:
        n = int(str(value))
    except (TypeError, ValueError):
        return default
    return max(lo, min(hi, n))


def config_from_query(
    rotate: object = None,
    fallback: object = None,
    window: object = None,
    scale: object = None,
    lang: object = None,
) -> dict[str, Any]:
    return {
        "lang": lang if lang in ("zh", "en") else None,
        "rotate": 0 if rotate in (None, "", "0") else _int(rotate, 0, 5, 3600),
        "fallback": _int(fallback, DEFAULT_FALLBACK, 10, 86400),
        "window": window if window in WINDOWS else DEFAULT_WINDOW,
        "scale": scale if isinstance(scale, str) and scale in PALETTES else DEFAULT_PALETTE,
    } | {"colors": PALETTES[scale if isinstance(scale, str) and scale in PALETTES else DEFAULT_PALETTE]}


def _signin(query: dict[str, Any]) -> html.Div:
    target = "/wall" + ("?" + urlencode({k: v for k, v in query.items() if v is not None}) if query else "")
    return html.Div(
        id=w.SIGNIN,
        className="wall-root wall-signin",
        children=[
            dcc.Location(id=w.REDIRECT, refresh=True),
            html.Div(t("wall.title"), className="wall-signin-title"),
            html.P([t("wall.signin"), " / ", t("wall.signin", "en")]),
            html.A(
                f"{t('wall.signin_link')} · {t('wall.signin_link', 'en')}",
                href="/login?next=" + quote(target),
            ),
        ],
    )


def _stores(config: dict[str, Any]) -> list[Any]:
    strings = {lang: {k: t(k, lang) for k in JS_STRINGS} for lang in ("zh", "en")}
    for k, lang in enumerate(("zh", "en")):  # the ticker's actions (rendered in the browser, assets/wall.js)
        strings[lang].update({f"action.{a.value}": names[k] for a, names in ACTION_LABELS.items()})
    return [
        dcc.Store(id=w.CONFIG, data=config),
        dcc.Store(id=w.I18N, data=strings),
        dcc.Store(id=w.PRESETS, data=_callbacks.cached_presets()),
        dcc.Store(id=w.DISTRICT_GEO),
        dcc.Store(id=w.VIEW),
        dcc.Store(id=w.HEAT_GEO),
        dcc.Store(id=w.HEAT_LEVEL),
        dcc.Store(id=w.HEAT_COUNTS),
        dcc.Store(id=w.BASE),
        dcc.Store(id=w.BASE_AS_OF, data=0),
        dcc.Store(id=w.BASE_RELOAD, data=0),
        dcc.Store(id=w.DOORBELL),
        dcc.Store(id=w.KPI_BELL),
        dcc.Store(id=aa.WALL_BELL),  # the alerts doorbell (wall.js), read by callbacks/an_alertui_wall.py
        dcc.Store(id=w.CONN_STATE, data="connecting"),
        dcc.Store(id=w.CURSOR, data=None),
        dcc.Store(id=w.SETTLED),
        dcc.Store(id=w.LANDED),
        dcc.Store(id=w.LIVE, data={}),
        dcc.Store(id=w.DELTA),
        dcc.Store(id=w.TICKER_STORE, data=[]),
        dcc.Interval(id=w.FALLBACK, interval=config["fallback"] * 1000),
        dcc.Interval(id=w.ROTATE, interval=max(config["rotate"], 5) * 1000, disabled=not config["rotate"]),
        dcc.Interval(id=w.CLOCK_TICK, interval=1000),
        dcc.Interval(id=rep.TICK, interval=5000),  # where the reads go (a cached check on the server)
    ]


def _map(config: dict[str, Any]) -> html.Div:
    land = {"tiles": basemap.has_outside_tiles()}
    mapbox = html.Div(
        className="wall-mapbox",
        children=[
            dl.Map(
                id=w.MAP,
                center=CENTER,
                zoom=11,
                minZoom=8,
                maxZoom=18,
                zoomSnap=0.25,
                zoomControl=False,
                attributionControl=False,
                preferCanvas=True,
                style={"height": "100%", "width": "100%"},
                children=[
                    *basemap.base_layers("wall", dark=True, tile_class="wall-tiles"),
                    dl.Pane(
                        dl.GeoJSON(
                            id=w.LAND, data=EMPTY, style=ns("landStyle"), hideout=land, interactive=False
                        ),
                        name="wall-land",
                    ),
                    dl.Pane(
                        dl.GeoJSON(
                            id=w.HEAT, data=EMPTY, style=ns("heatStyle"), hideout={}, interactive=False
                        ),
                        name="wall-heat",
                    ),
                    dl.Pane(
                        dl.GeoJSON(
                            id=w.DISTRICTS,
                            data=EMPTY,
                            style=ns("districtStyle"),
                            interactive=False,
                        ),
                        name="wall-lines",
                    ),
                    dl.GeoJSON(
                        id=w.PINS,
                        data=EMPTY,
                        cluster=True,
                        pointToLayer=ns("pin"),
                        clusterToLayer=ns("cluster"),
                        filter=ns("notHidden"),
                        hideout={"hidden": []},
                        superClusterOptions={"radius": 80, "maxZoom": 15},
                        zoomToBoundsOnClick=True,
                    ),
                    dl.GeoJSON(id=w.BUBBLES, data=EMPTY, pointToLayer=ns("bubble")),
                    dl.GeoJSON(
                        id=w.URGENT_PINS,
                        data=EMPTY,
                        pointToLayer=ns("pin"),
                        filter=ns("notHidden"),
                        hideout={"hidden": []},
                    ),
                    # district names in a pane above pins and clusters (wall.css: .leaflet-wall-labels-pane)
                    dl.Pane(
                        dl.GeoJSON(id=w.LABELS, data=EMPTY, pointToLayer=ns("label"), hideout={"lang": "zh"}),
                        name="wall-labels",
                    ),
                    dl.GeoJSON(id=w.LIVE_PINS, data=EMPTY, pointToLayer=ns("livePin")),
                    # 预警: the alerts' areas outlined, a marker at each point (explanation on click)
                    *alert_ui.map_layers(aa.WALL_AREAS, aa.WALL_POINTS),
                ],
            ),
            html.Div(id=w.PRESET_LABEL, className="wall-preset"),
        ],
    )
    # the legend under the map, never over its data
    legend = html.Div(
        className="wall-legend",
        children=[
            html.Div(
                [
                    html.Div(t("wall.heat.title"), className="wall-legend-title", id=w.HEAT_TITLE),
                    dcc.RadioItems(
                        id=w.WINDOW,
                        options=[{"label": t(f"wall.window.{k}"), "value": k} for k in WINDOWS],
                        value=config["window"],
                        inline=True,
                        className="wall-window",
                    ),
                    heat_filter.wall_selects(),
                ],
                className="wall-legend-group",
            ),
            html.Div(id=w.LEGEND, className="wall-legend-group wall-heat-legend"),
            html.Div(id=w.PIN_LEGEND, className="wall-legend-group wall-pin-legend"),
            html.Div(id=w.PIN_CAPPED, className="wall-legend-group wall-pin-count"),
        ],
    )
    return html.Div(className="wall-mapcol", children=[mapbox, legend])


def layout(
    rotate: object = None,
    fallback: object = None,
    window: object = None,
    scale: object = None,
    lang: object = None,
    **_: Any,
) -> html.Div:
    if not auth.session().get("uid"):
        return _signin(
            {"rotate": rotate, "fallback": fallback, "window": window, "scale": scale, "lang": lang}
        )
    config = config_from_query(rotate, fallback, window, scale, lang)
    _callbacks.warm_up()
    return _wall(config)


def validation_layout() -> html.Div:
    """The full wall, whoever asks: Dash validates callbacks against it (the signed-out page has no wall)."""
    return _wall(config_from_query(None, None, None, None, None))


def _wall(config: dict[str, Any]) -> html.Div:
    return html.Div(
        id=w.ROOT,
        className="wall-root",
        children=[
            *_stores(config),
            # 报警: 突发 / 督办 / 预警 until a lead acknowledges; pushed, re-read at the wall's fallback period
            alarm_ui.page_banner("wall", refresh_s=config["fallback"]),
            html.Header(
                className="wall-top",
                children=[
                    html.Div(t("wall.title"), className="wall-title", id=w.TITLE),
                    html.Div(t("wall.subtitle"), className="wall-subtitle", id=w.SUBTITLE),
                    html.Div(className="wall-spacer"),
                    html.Div(id=rep.LAG, className="wall-replica"),  # 副本延迟 N s / 读主库, else empty
                    html.Div(id=w.CONN, className="wall-conn wall-conn-connecting"),
                    html.Div(id=w.CLOCK, className="wall-clock"),
                ],
            ),
            html.Section(id=w.KPIS, className="wall-kpis"),
            html.Div(
                className="wall-main",
                children=[
                    _map(config),
                    alert_ui.wall_panel_box(),  # 预警: live alerts, newest first (callbacks/an_alertui_wall.py)
                    html.Aside(id=w.PANEL, className="wall-panel"),
                ],
            ),
            html.Footer(
                className="wall-ticker-row",
                children=[
                    html.Div(t("wall.ticker.title"), className="wall-ticker-title", id=w.TICKER_TITLE),
                    html.Div(id=w.TICKER, className="wall-ticker"),
                ],
            ),
        ],
    )
