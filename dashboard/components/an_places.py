"""The 多发地点 tab of /analysis: a map of the places (circles sized by their number of reports) beside the ranked
table, the chosen place's cases below it, CSV export and "start a campaign here". Layout and wire formats only;
the callbacks are in ``dashboard.callbacks.an_places``."""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.components import basemap
from dashboard.components.case_link import case_anchor
from dashboard.components.csv_text import csv_text as write_csv
from dashboard.components.district_labels import label_layer
from dashboard.components.workbench_queue import status_label, when
from dashboard.i18n import t
from dashboard.ids import an_places as pid
from db.queries.geo_layers import EMPTY
from ops.analysis.places import Place, PlaceCase

anp = Namespace("anp", "map")
gy = Namespace("gy", "map")
CENTER = [26.585, 106.705]
BASEMAP = "/public/v1/basemap.json"
EMPTY_FC = EMPTY
OPEN = ("reported", "filed", "dispatched", "in_progress", "handled", "suspended")


def panel() -> html.Div:
    return html.Div(
        id=pid.PANEL,
        className="anp-panel",
        children=[
            dcc.Store(id=pid.SELECTED),
            dcc.Store(id=pid.ROW_CLICK),
            dcc.Download(id=pid.DOWNLOAD),
            html.Div(id=pid.SUMMARY, className="anp-summary", role="status"),
            html.Div(
                className="anp-wrap",
                children=[
                    html.Div(
                        className="anp-mapcol",
                        children=dl.Map(
                            id=pid.MAP,
                            center=CENTER,
                            zoom=12,
                            minZoom=9,
                            maxZoom=19,
                            style={"height": "100%", "width": "100%"},
                            children=[
                                *basemap.base_layers("an-places"),
                                dl.GeoJSON(url=BASEMAP, style=gy("districtStyle"), interactive=False),
                                label_layer(pid.LABELS),
                                dl.GeoJSON(id=pid.PLACES, data=EMPTY, pointToLayer=anp("place"), hideout={}),
                                dl.GeoJSON(id=pid.CASES, data=EMPTY, pointToLayer=anp("case")),
                                dl.ScaleControl(position="bottomleft", imperial=False),
                            ],
                        ),
                    ),
                    html.Div(
                        className="anp-side",
                        children=[
                            html.Div(
                                className="anp-tools",
                                children=[
                                    dmc.Button(
                                        t("an.places.export"),
                                        id=pid.EXPORT,
                                        size="xs",
                                        variant="light",
                                        n_clicks=0,
                                    ),
                                ],
                            ),
                            html.Div(id=pid.TABLE, className="anp-table"),
                            html.Div(id=pid.DETAIL, className="anp-detail"),
                            html.Div(
                                className="anp-tools",
                                children=[
                                    dmc.Button(
                                        t("an.places.campaign"),
                                        id=pid.CAMPAIGN,
                                        size="xs",
                                        disabled=True,
                                        n_clicks=0,
                                    ),
                                    html.Span(id=pid.CAMPAIGN_NOTE, className="anp-note", role="status"),
                                ],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    )


def note(text: str) -> html.P:
    return html.P(text, className="anp-muted")


def _category(p: Place, lang: str) -> str:
    return p.category_en if lang == "en" else p.category_zh


def summary(found: list[Place], days: int, radius_m: float, min_reports: int, limit: int, lang: str) -> str:
    if not found:
        return t("an.places.empty", lang, days=days, r=f"{radius_m:g}", m=min_reports)
    text = t("an.places.summary", lang, days=days, n=len(found), r=f"{radius_m:g}", m=min_reports)
    if len(found) >= limit:
        text += t("an.places.more", lang, n=limit)
    return text


def places_geojson(found: list[Place], lang: str) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},
                "properties": {
                    "key": p.key,
                    "n": p.count,
                    "r": p.recurred,
                    "o": p.open,
                    "tip": t(
                        "an.places.tip", lang, name=p.name(lang), category=_category(p, lang), n=p.count
                    ),
                },
            }
            for p in found
        ],
    }


_COLUMNS = ("rank", "place", "category", "count", "open", "recurred", "last")


def table(found: list[Place], selected: str | None, lang: str) -> Any:
    if not found:
        return []
    head = html.Thead(html.Tr([html.Th(t(f"an.places.col.{c}", lang)) for c in _COLUMNS]))
    rows = [
        html.Tr(
            id={"type": pid.ROW, "key": p.key},
            n_clicks=0,
            className="anp-row anp-selected" if p.key == selected else "anp-row",
            children=[
                html.Td(str(i)),
                html.Td(
                    [
                        html.Div(p.name(lang)),
                        html.Div(p.district_zh if lang != "en" else p.district_en, className="anp-muted"),
                    ]
                ),
                html.Td(_category(p, lang)),
                html.Td(str(p.count), className="anp-num"),
                html.Td(str(p.open), className="anp-num"),
                html.Td(str(p.recurred), className="anp-num anp-recurred" if p.recurred else "anp-num"),
                html.Td(when(p.last_seen)),
            ],
        )
        for i, p in enumerate(found, 1)
    ]
    return [
        html.Table([head, html.Tbody(rows)], className="anp-grid"),
        html.P(t("an.places.pick", lang), className="anp-muted"),
    ]


def detail(place: Place, cases: list[PlaceCase], lang: str) -> list[Any]:
    head = t(
        "an.places.detail",
        lang,
        name=place.name(lang),
        category=_category(place, lang),
        n=place.count,
        open=place.open,
        recurred=place.recurred,
    )
    cols = ("ticket", "status", "reported", "closed")
    rows = [
        html.Tr(
            [
                html.Td(case_anchor(c.ticket, lang)),
                html.Td(status_label(c.status, lang)),
                html.Td(when(c.created_at, year=True)),
                html.Td(when(c.closed_at, year=True)),
            ]
        )
        for c in cases
    ]
    return [
        html.H4(head),
        html.Table(
            [html.Thead(html.Tr([html.Th(t(f"an.places.case.{c}", lang)) for c in cols])), html.Tbody(rows)],
            className="anp-grid anp-cases-table",
        ),
    ]


def cases_geojson(cases: list[PlaceCase], lang: str) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(c.lon, 6), round(c.lat, 6)]},
                "properties": {
                    "open": c.status in OPEN,
                    "tip": f"{c.ticket} · {status_label(c.status, lang)} · {when(c.created_at, year=True)}",
                },
            }
            for c in cases
        ],
    }


def csv_text(found: list[Place], lang: str) -> str:
    """The table as CSV (with a BOM, so spreadsheet programs read the Chinese right)."""
    cols = (
        "rank",
        "key",
        "place",
        "district",
        "category",
        "count",
        "first",
        "last",
        "open",
        "recurred",
        "lat",
        "lon",
    )
    return write_csv(
        [t(f"an.places.col.{c}", lang) for c in cols],
        (
            [
                i,
                p.key,
                p.name(lang),
                (p.district_en if lang == "en" else p.district_zh) or p.district_code or "",
                f"{_category(p, lang)} ({p.category_code})",
                p.count,
                when(p.first_seen, year=True),
                when(p.last_seen, year=True),
                p.open,
                p.recurred,
                f"{p.lat:.6f}",
                f"{p.lon:.6f}",
            ]
            for i, p in enumerate(found, 1)
        ),
    )
