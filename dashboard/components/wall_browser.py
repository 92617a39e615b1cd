"""The wall's clientside callbacks: functions of ``window.dash_clientside.wall`` in ``assets/wall.js`` (viewport,
rotation, pins and heatmap geometry to GeoJSON, the live layer, heat ``hideout``, clock, connection, language)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, clientside_callback

from dashboard import ids
from dashboard.ids import wall as w


def _cs(name: str) -> ClientsideFunction:
    return ClientsideFunction(namespace="wall", function_name=name)


clientside_callback(
    _cs("rotate"),
    Output(w.MAP, "viewport"),
    Output(w.PRESET_LABEL, "children"),
    Output(w.VIEW, "data", allow_duplicate=True),  # the first fit's view, foreseen (wall.js fittedView)
    Input(w.ROTATE, "n_intervals"),
    Input(w.PRESETS, "data"),
    Input(ids.LANG, "data"),
    State(w.CONFIG, "data"),
    State(w.MAP, "viewport"),
    prevent_initial_call="initial_duplicate",
)
clientside_callback(
    _cs("view"),
    Output(w.VIEW, "data"),
    Input(w.MAP, "bounds"),
    Input(w.MAP, "zoom"),
    State(w.MAP, "viewport"),
    State(w.VIEW, "data"),
)
clientside_callback(_cs("clusterOptions"), Output(w.PINS, "superClusterOptions"), Input(w.MAP, "id"))
clientside_callback(
    _cs("heatHideout"),
    Output(w.HEAT, "hideout"),
    Input(w.HEAT_COUNTS, "data"),
    State(w.CONFIG, "data"),
    State(w.HEAT_LEVEL, "data"),
)
clientside_callback(
    _cs("districtGeojson"), Output(w.DISTRICTS, "data"), Output(w.LAND, "data"), Input(w.DISTRICT_GEO, "data")
)
clientside_callback(
    _cs("basePins"),
    Output(w.PINS, "data"),
    Output(w.URGENT_PINS, "data"),
    Output(w.BUBBLES, "data"),
    Input(w.BASE, "data"),
)
clientside_callback(_cs("heatGeojson"), Output(w.HEAT, "data"), Input(w.HEAT_GEO, "data"))
clientside_callback(  # the catch-up's delta to the map and the ticker in one step (wall.js liveLayer)
    _cs("liveLayer"),
    Output(w.LIVE, "data"),
    Output(w.TICKER_STORE, "data"),
    Output(w.LIVE_PINS, "data"),
    Output(w.PINS, "hideout"),
    Output(w.URGENT_PINS, "hideout"),
    Output(w.TICKER, "children"),
    Input(w.DELTA, "data"),
    Input(w.BASE_AS_OF, "data"),
    Input(ids.LANG, "data"),
    State(w.LIVE, "data"),
    State(w.TICKER_STORE, "data"),
    State(w.PINS, "hideout"),
    State(w.I18N, "data"),
)
clientside_callback(
    _cs("texts"),
    Output(w.LABELS, "hideout"),
    Output(w.WINDOW, "options"),
    Output(w.TITLE, "children"),
    Output(w.SUBTITLE, "children"),
    Output(w.HEAT_TITLE, "children"),
    Output(w.TICKER_TITLE, "children"),
    Input(ids.LANG, "data"),
    State(w.I18N, "data"),
)
clientside_callback(
    _cs("settled"), Output(w.SETTLED, "data"), Input(w.CURSOR, "data"), Input(w.LANDED, "data")
)
clientside_callback(_cs("clock"), Output(w.CLOCK, "children"), Input(w.CLOCK_TICK, "n_intervals"))
clientside_callback(
    _cs("lang"),
    Output(ids.LANG, "data", allow_duplicate=True),
    Input(w.CONFIG, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call="initial_duplicate",
)
clientside_callback(
    _cs("conn"),
    Output(w.CONN, "children"),
    Output(w.CONN, "className"),
    Input(w.CONN_STATE, "data"),
    Input(ids.LANG, "data"),
    State(w.I18N, "data"),
)
