"""The workbench's case search: the search box with its status line and results list (drawn in the browser by
``wb_search.js`` from a Store, like the queue), and the layer of highlighted pins of the results on the map.
Pure layout and wire format; the callbacks live in :mod:`dashboard.callbacks.wb_search`."""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.components.workbench_queue import status_label
from dashboard.i18n import t
from dashboard.ids import wb_search as sid
from db.queries.case_search import LIMIT, SearchResult
from db.queries.geo_layers import EMPTY
from geo.crs import TZ
from ops.states import CaseStatus

wbs = Namespace("wbs", "map")


def _attrs(attrs: dict[str, str]) -> dict[str, Any]:
    """``aria-*`` attributes for an html component (typed as Any: Dash accepts them as keyword arguments)."""
    return attrs


def box() -> html.Div:
    """The search box (``/`` focuses it), a spinner while a search runs, the status line and the results."""
    return html.Div(
        id=sid.BOX,
        className="wbs-box",
        role="search",
        children=[
            html.Label(t("wbs.label"), htmlFor=sid.INPUT, className="wbs-label"),
            html.Div(
                className="wbs-field",
                children=[
                    dcc.Input(
                        id=sid.INPUT,
                        type="search",
                        autoComplete="off",
                        spellCheck=False,
                        maxLength=64,
                        className="wbs-input",
                        placeholder=t("wbs.placeholder"),
                    ),
                    html.Span(id=sid.SPINNER, className="wbs-spinner", hidden=True, role="progressbar"),
                ],
            ),
            html.Div(id=sid.STATUS, className="wbs-status", role="status", **_attrs({"aria-live": "polite"})),
            html.Div(
                id=sid.LIST, className="wbs-list", role="listbox", **_attrs({"aria-label": t("wbs.label")})
            ),
            dcc.Store(id=sid.QUERY),
            dcc.Store(id=sid.RESULTS),
            dcc.Store(id=sid.DRAWN),
            dcc.Store(id=sid.PICKED),
        ],
    )


def layer() -> dl.Pane:
    """The results on the map: rings in a pane above the case pins and their clusters (a click opens the case's
    card)."""
    return dl.Pane(
        name=sid.PANE,
        style={"zIndex": 640},
        children=[dl.GeoJSON(id=sid.PINS, data=EMPTY, pointToLayer=wbs("pin"), pane=sid.PANE)],
    )


def _when(value: Any) -> str:
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def payload(result: SearchResult, lang: str) -> dict[str, Any]:
    """The results as plain data for ``wb_search.js`` (names in ``lang``; the phone already masked or not by
    the query), with the strings it needs."""
    en = lang == "en"
    q = result.query
    rows = [
        {
            "id": h.id,
            "t": h.ticket,
            "s": h.status,
            "l": h.light or "none",
            "u": h.urgent,
            "c": h.category_en if en else h.category_zh,
            "d": (h.district_en if en else h.district_zh) or "",
            "a": h.address or "",
            "x": h.description[:80],
            "p": h.phone or "",
            "m": h.matched,
            "w": _when(h.created_at),
            "ll": [h.lat, h.lon],
        }
        for h in result.hits
    ]
    if q.kind == "short":
        status = t("wbs.too_short", lang) if q.text else ""
    elif not rows:
        status = t("wbs.none", lang, q=q.text)
    elif result.more:
        status = t("wbs.more", lang, n=LIMIT)
    else:
        status = t("wbs.count", lang, n=len(rows))
    return {
        "q": q.text,
        "rows": rows,
        "status": status,
        "empty": not rows and q.kind != "short",
        "strings": {
            "status": {s.value: status_label(s.value, lang) for s in CaseStatus},
            "matched": {k: t(f"wbs.m.{k}", lang) for k in ("ticket", "address", "description", "phone")},
            "urgent": t("wb.urgent", lang),
            "hint": t("wbs.hint", lang),
            "noAddress": t("wbs.no_address", lang),
        },
    }


def geojson(result: SearchResult) -> dict[str, Any]:
    """The results as points for :func:`layer`."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(h.lon, 6), round(h.lat, 6)]},
                "properties": {"id": h.id, "t": h.ticket, "l": h.light or "none"},
            }
            for h in result.hits
        ],
    }
