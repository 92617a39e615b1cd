"""Callbacks of the public map. No login, public queries only (:mod:`db.queries.public`, through the shared
cache of :mod:`dashboard.api.public`). Whatever needs no database runs in the browser (``assets/public.js``):
language, layer and kind switches, the photo viewer, the viewport → reports URL, geolocation.

The component IDs of the page are named here; ``dashboard/pages/public.py`` imports them.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import dash_mantine_components as dmc
from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    html,
    no_update,
)

from dashboard import ids, runtime
from dashboard.api.public import cached, check_track
from dashboard.components.public_near import near_list, near_markers
from dashboard.i18n import LANGS, t
from dashboard.ids.public import (
    BEAUTY,
    CATS,
    GRID,
    HERE,
    HERE_LAYER,
    KINDS,
    LABELS,
    LANG_SWITCH,
    LAYERS,
    MAP,
    MAPWRAP,
    NEAR_BTN,
    NEAR_CLEAR,
    NEAR_DATA,
    NEAR_ITEM,
    NEAR_LIST,
    NEAR_STATUS,
    PANEL,
    PHOTO,
    PHOTO_BODY,
    PHOTO_CLOSE,
    PHOTO_IMG,
    PHOTO_TITLE,
    REPORTS,
    ROOT,
    STAFF,
    SUMMARY,
    TABS,
    TICK,
    TITLE,
    TRACK_BTN,
    TRACK_INPUT,
    TRACK_RESULT,
    VIEW,
    tid,
)
from dashboard.unavailable import log_failure
from db.queries import public as q
from ops.states import PUBLIC_STAGE

log = logging.getLogger("guiyang_ops.public")

LAYER_KEYS = ("beauty", "services", "reports")


#: Static texts: (element id, property, string key). The browser swaps them when the language changes.
TEXTS: list[tuple[str, str, str]] = [
    (TITLE, "children", "pub.title"),
    (STAFF, "children", "pub.staff"),
    (LANG_SWITCH, "children", "lang.switch"),
    *[(tid(f"pub.layer.{k}"), "children", f"pub.layer.{k}") for k in LAYER_KEYS],
    *[(tid(f"pub.kind.{k}"), "children", f"pub.kind.{k}") for k in q.SERVICE_KINDS],
    *[(tid(f"pub.tab.{k}"), "children", f"pub.tab.{k}") for k in ("nearby", "city", "track")],
    (tid("pub.kinds_label"), "children", "pub.kinds_label"),
    (NEAR_BTN, "children", "pub.nearest"),
    (tid("pub.legend"), "children", "pub.legend"),
    (tid("pub.privacy"), "children", "pub.privacy"),
    (tid("pub.basemap"), "children", "pub.basemap"),
    (TRACK_INPUT, "label", "pub.track.label"),
    (TRACK_INPUT, "placeholder", "pub.track.placeholder"),
    (TRACK_BTN, "children", "pub.track.button"),
    (tid("pub.track.hint"), "children", "pub.track.hint"),
    (PHOTO_CLOSE, "title", "pub.photo.close"),
    *[(tid(f"pub.stage.{s}"), "children", "") for s in q.STAGES],
]


def stage_label(stage: str, lang: str) -> str:
    if stage == "merged":
        return t("pub.stage.merged", lang)
    zh, en = PUBLIC_STAGE[q.STAGE_STATUS[stage]]
    return en if lang == "en" else zh


def text_value(element: str, key: str, lang: str) -> str:
    if not key:  # the legend's stage names
        return stage_label(element.rsplit("-", 1)[-1], lang)
    return t(key, lang)


def labels() -> dict[str, Any]:
    """Everything the browser needs to speak both languages (built once from dashboard.i18n)."""
    return {
        lang: {
            "texts": [text_value(e, k, lang) for e, _, k in TEXTS],
            "kinds": {k: t(f"pub.kind.{k}", lang) for k in q.SERVICE_KINDS},
            "stages": [stage_label(s, lang) for s in q.STAGES],
            "repCount": t("pub.rep.count", lang, n="{n}"),
            "latest": t("pub.rep.latest", lang),
            "photo": t("pub.rep.photo", lang),
            "hours": t("pub.hours", lang),
            "address": t("pub.address", lang),
            "locating": t("pub.nearest.locating", lang),
        }
        for lang in LANGS
    }


# --- browser-side callbacks -------------------------------------------------------------------------------------
clientside_callback(
    ClientsideFunction("pub", "texts"),
    [Output(e, p) for e, p, _ in TEXTS],
    Input(ids.LANG, "data"),
    Input(CATS, "data"),
    State(LABELS, "data"),
)
clientside_callback(
    ClientsideFunction("pub", "toggleLang"),
    Output(ids.LANG, "data", allow_duplicate=True),
    Input(LANG_SWITCH, "n_clicks"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="gy", function_name="viewport"),
    Output(VIEW, "data"),
    Input(MAP, "bounds"),
    Input(MAP, "zoom"),
    State(MAP, "center"),
    State(MAP, "id"),
)
clientside_callback(ClientsideFunction("pub", "reportsUrl"), Output(REPORTS, "url"), Input(VIEW, "data"))
clientside_callback(ClientsideFunction("pub", "gridUrl"), Output(GRID, "url"), Input(VIEW, "data"))
clientside_callback(
    ClientsideFunction("pub", "mapClass"),
    Output(MAPWRAP, "className"),
    Input(LAYERS, "value"),
    Input(KINDS, "value"),
    Input(VIEW, "data"),
    Input(NEAR_DATA, "data"),
)
clientside_callback(
    ClientsideFunction("pub", "panel"),
    Output(PANEL, "className"),
    Output(MAP, "invalidateSize"),
    Input(TABS, "value"),
)
clientside_callback(
    ClientsideFunction("pub", "photo"),
    Output(PHOTO, "className"),
    Output(PHOTO_IMG, "src"),
    Output(PHOTO_IMG, "alt"),
    Output(PHOTO_TITLE, "children"),
    Output(PHOTO_BODY, "children"),
    Input(BEAUTY, "n_clicks"),
    Input(PHOTO_CLOSE, "n_clicks"),
    State(BEAUTY, "clickData"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction("pub", "locate"),
    Output(HERE, "data"),
    Output(NEAR_STATUS, "children", allow_duplicate=True),
    Input(NEAR_BTN, "n_clicks"),
    State(VIEW, "data"),
    State(ids.LANG, "data"),
    State(LABELS, "data"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction("pub", "clearNear"),
    Output(HERE, "data", allow_duplicate=True),
    Input(NEAR_CLEAR, "n_clicks"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction("pub", "flyTo"),
    Output(MAP, "viewport"),
    Input({"type": NEAR_ITEM, "index": ALL}, "n_clicks"),
    State(NEAR_DATA, "data"),
    prevent_initial_call=True,
)


# --- server callbacks (public queries only, no login) ----------------------------------------------------------


@callback(Output(CATS, "data"), Input(ROOT, "id"))
async def categories(_: str) -> Any:
    """The public 小类 names, once per page: the report popups name the 小类 by code."""
    try:
        return json.loads(await cached("cats", None, q.category_names))
    except Exception as exc:  # noqa: BLE001
        log_failure(log, "category names failed", exc)
        return {}


@callback(
    Output(NEAR_LIST, "children"),
    Output(NEAR_STATUS, "children"),
    Output(HERE_LAYER, "children"),
    Output(NEAR_DATA, "data"),
    Output(MAP, "viewport", allow_duplicate=True),
    Output(NEAR_CLEAR, "hidden"),
    Output(NEAR_CLEAR, "children"),
    Input(HERE, "data"),
    Input(KINDS, "value"),
    Input(ids.LANG, "data"),
    prevent_initial_call=True,
)
async def nearest(here: dict[str, Any] | None, kinds: list[str] | None, lang: str) -> tuple[Any, ...]:
    if (
        not here
        or not isinstance(here.get("lon"), int | float)
        or not isinstance(here.get("lat"), int | float)
    ):
        return [], t("pub.nearest.hint", lang), [], [], no_update, True, t("pub.nearest.clear", lang)
    lon, lat = round(float(here["lon"]), 4), round(float(here["lat"]), 4)
    use = q.clean_kinds(kinds or [])
    try:
        # not cached: a visitor's (rounded) position is used for this answer only, never kept
        points = await runtime.aview(lambda c: q.nearest_service_points(c, lon, lat, use))
    except Exception as exc:  # noqa: BLE001 - the page stays usable; the log says why
        log_failure(log, "nearest service points failed", exc)
        return [], t("pub.error", lang), [], [], no_update, True, t("pub.nearest.clear", lang)
    status = t("pub.nearest.gps" if here.get("src") == "gps" else "pub.nearest.centre", lang)
    data = [[p.lat, p.lon] for p in points]
    view = (
        {"center": [lat, lon], "zoom": 15, "transition": "flyTo"} if ctx.triggered_id == HERE else no_update
    )
    listing = near_list(points, lang)
    markers = near_markers(lat, lon, points, lang)
    return listing, status, markers, data, view, False, t("pub.nearest.clear", lang)


@callback(Output(SUMMARY, "children"), Input(ids.LANG, "data"), Input(TICK, "n_intervals"))
async def summary(lang: str, _: int | None) -> Any:
    try:
        s = await cached("summary", None, q.summary)
    except Exception as exc:  # noqa: BLE001
        log_failure(log, "public summary failed", exc)
        return t("pub.error", lang)
    rate = s["on_time_rate"]
    tiles = [
        ("pub.sum.reports_month", f"{s['reports_month']:,}"),
        ("pub.sum.closed_month", f"{s['closed_month']:,}"),
        ("pub.sum.on_time", f"{rate * 100:.0f}%" if rate is not None else t("pub.sum.none", lang)),
        ("pub.sum.open_now", f"{s['open_now']:,}"),
    ]
    as_of = datetime.fromisoformat(s["as_of"]).strftime("%Y-%m-%d %H:%M")
    median = s["median_hours_to_close"]
    return html.Div(
        [
            html.Div(
                [html.Div([html.B(v), html.Span(t(k, lang))], className="pub-kpi") for k, v in tiles],
                className="pub-kpis",
            ),
            html.P(t("pub.sum.median", lang, n=median), className="pub-muted")
            if median is not None
            else None,
            html.P(t("pub.sum.as_of", lang, t=as_of), className="pub-muted"),
        ]
    )


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


def _timeline(stages: list[dict[str, str]], lang: str) -> dmc.Timeline:
    return dmc.Timeline(
        active=len(stages) - 1,
        bulletSize=16,
        lineWidth=2,
        color="teal",
        children=[
            dmc.TimelineItem(
                title=stage_label(s["stage"], lang), children=html.Span(_when(s["at"]), className="pub-muted")
            )
            for s in stages
        ],
    )


@callback(
    Output(TRACK_RESULT, "children"),
    Input(TRACK_BTN, "n_clicks"),
    Input(TRACK_INPUT, "n_submit"),
    Input(ids.LANG, "data"),
    State(TRACK_INPUT, "value"),
)
async def track(_: int | None, __: int | None, lang: str, value: str | None) -> Any:
    if not value or not value.strip():
        return None
    forwarded = [v for k, v in (ctx.headers or {}).items() if k.lower() == "x-forwarded-for"]
    limit = await check_track(ctx.remote or None, forwarded)
    if not limit.allowed:  # ticket numbers run in sequence: no enumerating them through the page either
        return html.P(t("pub.track.too_many", lang, n=limit.retry_after), className="pub-warn")
    ticket = q.normalize_ticket(value)
    if ticket is None:
        return html.P(t("pub.track.invalid", lang), className="pub-warn")
    try:
        found = await cached("track", ticket, lambda c: q.track(c, ticket))
    except Exception as exc:  # noqa: BLE001
        log_failure(log, "ticket lookup failed", exc)
        return t("pub.error", lang)
    if found is None:
        return html.P(t("pub.track.not_found", lang), className="pub-warn")
    cat = found["category"]
    category = cat["en" if lang == "en" else "zh"] if cat else t("pub.track.category_hidden", lang)
    parts: list[Any] = [
        html.H3(found["ticket"], className="pub-ticket"),
        html.P([html.B(t("pub.track.category", lang) + "："), category]),
        html.P(
            [
                html.B(t("pub.track.current", lang) + "："),
                html.Span(
                    stage_label(found["stage"], lang), className=f"pub-stage pub-stage-{found['stage']}"
                ),
            ]
        ),
        _timeline(found["stages"], lang),
    ]
    if found["merged_progress"]:
        parts += [
            html.P(t("pub.track.merged_note", lang), className="pub-muted"),
            _timeline(found["merged_progress"], lang),
        ]
    return html.Div(parts, className="pub-track-card")
