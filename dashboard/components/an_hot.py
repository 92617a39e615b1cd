"""The 热点区域 (hot spots) tab of /analysis: its panel (map, legend, summary, table, export, campaign button) and
the formatting of a :class:`~ops.analysis.hotspots.HotSpots` result for it (legend, table rows, CSV) and of the
case card's hot-spot line. Layout and formatting only; callbacks in :mod:`dashboard.callbacks.an_hot`, map styling
in ``assets/an_hot.js``."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.components import basemap
from dashboard.components.csv_text import csv_text as write_csv
from dashboard.components.district_labels import label_layer
from dashboard.i18n import t
from dashboard.ids import an_hot as hid
from db.queries.grid_levels import EMPTY
from ops.analysis.hotspots import HotSpots, HotUnit, Membership

ns = Namespace("anHot", "map")
gy = Namespace("gy", "map")
CENTER = [26.585, 106.705]
LEVELS = ("cell", "500m", "1km")
DEFAULT_LEVEL = "500m"
#: Class → fill colour (ArcGIS's hot/cold ramp); the browser reads them from the layer's ``hideout``.
COLORS = {
    "3": "#d62f27",
    "2": "#ed7551",
    "1": "#fab984",
    "-1": "#b5c9db",
    "-2": "#7599c7",
    "-3": "#4575b5",
}
CONFIDENCE = {3: 99, 2: 95, 1: 90}
TOP = 50
#: Mean reports per unit under which the tab says the counts are sparse (see ``ops.analysis.gistar``).
SPARSE_MEAN = 1.0


def panel() -> html.Div:
    return html.Div(
        className="anh-panel",
        children=[
            html.Div(
                className="anh-bar",
                children=[
                    dmc.SegmentedControl(
                        id=hid.LEVEL,
                        value=DEFAULT_LEVEL,
                        data=level_options("zh"),
                        **{"aria-label": t("an.hot.level")},
                    ),
                    html.Span(id=hid.SUMMARY, className="anh-summary", role="status"),
                ],
            ),
            html.Div(
                className="anh-body",
                children=[
                    html.Div(
                        className="anh-mapcol",
                        children=[
                            dl.Map(
                                id=hid.MAP,
                                center=CENTER,
                                zoom=11,
                                minZoom=8,
                                maxZoom=18,
                                className="anh-map",
                                children=[
                                    *basemap.base_layers("an-hot"),
                                    dl.GeoJSON(
                                        id=hid.DISTRICTS,
                                        style=gy("districtStyle"),
                                        hideout={"fillOpacity": 0.25},
                                        interactive=False,
                                    ),
                                    dl.GeoJSON(
                                        id=hid.UNITS,
                                        data=EMPTY,
                                        style=ns("style"),
                                        onEachFeature=ns("tooltip"),
                                        hideout={"colors": COLORS, "selected": []},
                                    ),
                                    label_layer(hid.DISTRICT_LABELS),
                                    dl.ScaleControl(position="bottomright", imperial=False),
                                ],
                            ),
                            html.Div(id=hid.LEGEND, className="anh-legend"),
                            dcc.Store(id=hid.BOUNDS),
                        ],
                    ),
                    html.Div(
                        className="anh-side",
                        children=[
                            html.Div(id=hid.EMPTY, className="an-empty anh-empty", hidden=True),
                            html.H4(id=hid.TABLE_TITLE, className="anh-table-title"),
                            dag.AgGrid(
                                id=hid.TABLE,
                                columnDefs=columns("zh"),
                                rowData=[],
                                getRowId="params.data.key",
                                defaultColDef={
                                    "sortable": True,
                                    "resizable": True,
                                    "flex": 1,
                                    "minWidth": 70,
                                },
                                dashGridOptions={
                                    "rowSelection": {
                                        "mode": "multiRow",
                                        "checkboxes": True,
                                        "headerCheckbox": True,
                                    },
                                    "animateRows": False,
                                    "rowHeight": 32,
                                },
                                className="anh-grid",
                                style={"height": "360px", "width": "100%"},
                            ),
                            html.Div(
                                className="anh-actions",
                                children=[
                                    dmc.Button(
                                        t("an.hot.export"), id=hid.EXPORT, variant="light", n_clicks=0
                                    ),
                                    dmc.Button(t("an.hot.campaign"), id=hid.CAMPAIGN, n_clicks=0),
                                ],
                            ),
                            html.Div(id=hid.CAMPAIGN_MSG, className="anh-msg", role="status"),
                            html.P(id=hid.METHOD, className="anh-method"),
                            html.P(id=hid.NOTE, className="anh-note"),
                            dcc.Download(id=hid.DOWNLOAD),
                        ],
                    ),
                ],
            ),
        ],
    )


def level_options(lang: str) -> list[dict[str, str]]:
    return [{"value": lv, "label": t(f"an.hot.level.{lv}", lang)} for lv in LEVELS]


def columns(lang: str) -> list[dict[str, Any]]:
    return [
        {"field": "key", "headerName": t("an.hot.col.key", lang), "minWidth": 175, "flex": 2},
        {"field": "district", "headerName": t("an.hot.col.district", lang)},
        {"field": "count", "headerName": t("an.hot.col.count", lang), "type": "numericColumn"},
        {"field": "z", "headerName": t("an.hot.col.z", lang), "type": "numericColumn", "sort": "desc"},
        {"field": "conf", "headerName": t("an.hot.col.conf", lang)},
    ]


def area_name(district_name: str | None, lang: str) -> str:
    return district_name or t("an.hot.area.city", lang)


def legend(area: str, lang: str) -> list[Any]:
    items = [html.Div(t("an.hot.legend", lang), className="anh-legend-title")]
    for cls in (3, 2, 1, -1, -2, -3):
        key = "an.hot.legend.hot" if cls > 0 else "an.hot.legend.cold"
        items.append(
            html.Div(
                className="anh-legend-row",
                children=[
                    html.Span(className="anh-swatch", style={"background": COLORS[str(cls)]}),
                    html.Span(t(key, lang, conf=CONFIDENCE[abs(cls)], area=area)),
                ],
            )
        )
    items.append(
        html.Div(
            className="anh-legend-row",
            children=[
                html.Span(className="anh-swatch anh-swatch-none"),
                html.Span(t("an.hot.legend.none", lang)),
            ],
        )
    )
    return items


def summary(res: HotSpots, lang: str) -> str:
    return t(
        "an.hot.summary",
        lang,
        days=res.filters.days,
        total=res.total,
        units=res.n_units,
        unit=t(f"an.hot.level.{res.level}", lang),
        hot=res.n_hot,
        cold=res.n_cold,
        at=res.until.strftime("%H:%M"),
    )


def sparse_note(res: HotSpots, lang: str) -> str:
    mean = res.total / res.n_units if res.n_units else 0.0
    sparse = res.total and mean < SPARSE_MEAN and res.level != "1km"
    return t("an.hot.sparse", lang, mean=f"{mean:.2f}") if sparse else ""


def rows(units: list[HotUnit], districts: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "key": u.key,
            "district": districts.get(u.district_code, u.district_code),
            "count": u.count,
            "z": round(u.z, 2),
            "conf": f"{CONFIDENCE[abs(u.cls)]}%",
        }
        for u in units
    ]


def csv_text(units: list[HotUnit], districts: dict[str, str], lang: str) -> str:
    """Every significant unit (hot and cold) with the numbers behind its class, for a spreadsheet."""
    heads = ("key", "class", "district", "count", "z", "conf", "q", "lat", "lon")
    return write_csv(
        [t(f"an.hot.col.{h}", lang) for h in heads],
        (
            [
                u.key,
                t("an.hot.hot" if u.cls > 0 else "an.hot.cold", lang),
                districts.get(u.district_code, u.district_code),
                u.count,
                f"{u.z:.3f}",
                f"{CONFIDENCE[abs(u.cls)]}%",
                f"{u.q:.3g}",
                u.lat,
                u.lon,
            ]
            for u in units
        ),
    )


def tooltip_texts(lang: str) -> dict[str, str]:
    return {"hot": t("an.hot.hot", lang), "cold": t("an.hot.cold", lang), "fmt": t("an.hot.tooltip", lang)}


def card_line(what: str, m: Membership | None, lang: str) -> str:
    if m is None:
        return ""
    if m.cls > 0:
        kind = t("an.hot.hot", lang)
        return t("an.hot.card.in", lang, what=what, kind=kind, conf=CONFIDENCE[m.cls], n=m.count)
    if m.cls < 0:
        kind = t("an.hot.cold", lang)
        return t("an.hot.card.in", lang, what=what, kind=kind, conf=CONFIDENCE[-m.cls], n=m.count)
    return t("an.hot.card.out", lang, what=what, n=m.count)


def card_hot(
    minor: Membership | None, everything: Membership | None, department: bool, lang: str
) -> list[Any]:
    """The case card's hot-spot fact: its cell in the hot spots of its 小类 and of all categories."""
    lines = [
        card_line(t("an.hot.card.minor", lang), minor, lang),
        card_line(t("an.hot.card.all_dep" if department else "an.hot.card.all", lang), everything, lang),
    ]
    hot = any(m is not None and m.cls > 0 for m in (minor, everything))
    return [
        html.Span(t("an.hot.card", lang), className="wb-fact-k"),
        html.Div(
            [html.Div(line, className="anh-card-hot" if hot else "") for line in lines if line]
            + [html.Div(t("an.hot.card.help", lang), className="wb-muted")]
        ),
    ]
