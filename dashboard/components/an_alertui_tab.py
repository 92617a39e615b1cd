"""The /analysis tab 预警 (value ``alerts``): layout, the list's rows, the selected alert's detail and the CSV.
Pure formatting; the callbacks are :mod:`dashboard.callbacks.an_alertui`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash_ag_grid as dag
import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.components import basemap
from dashboard.components.an_alertui import age, data_attrs, fmt_expected, map_layers, numbers, place
from dashboard.components.case_link import cases_href
from dashboard.components.csv_text import csv_text as write_csv
from dashboard.components.district_labels import label_layer
from dashboard.components.stats_columns import GRID_LOCALE
from dashboard.i18n import t
from dashboard.ids import an_alertui as aa
from geo.crs import TZ
from ops.analysis.alert_reads import STATE_CHOICES, AlertDetail, AlertRow
from ops.analysis.alert_states import FINAL, STATE_NAMES

CENTER = [26.58, 106.72]
gy = Namespace("gy", "map")


def state_name(state: str, lang: str) -> str:
    zh, en = STATE_NAMES[state]
    return en if lang == "en" else zh


def _label(text_: str) -> str:
    """A control's label starts with a capital (the state names are lower case, for use inside sentences)."""
    return text_[:1].upper() + text_[1:]


def state_options(lang: str) -> list[dict[str, str]]:
    """live first (the default), then each state, then all."""
    order = ["live", *(s for s in STATE_CHOICES if s not in ("live", "all")), "all"]
    return [
        {
            "value": s,
            "label": t(f"an.alertui.state.{s}", lang) if s in ("live", "all") else state_name(s, lang),
        }
        for s in order
    ]


def when(value: datetime) -> str:
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def panel() -> html.Div:
    """The tab's layout: state filter and export; map beside the list and the selected alert's detail."""
    return html.Div(
        id=aa.TAB,
        className="ana-tab",
        children=[
            dcc.Store(id=aa.SELECTED),
            dcc.Store(id=aa.SHOWN),
            dcc.Store(id=aa.REFRESH, data=0),
            dcc.Download(id=aa.DOWNLOAD),
            html.Div(
                className="ana-bar",
                children=[
                    dmc.SegmentedControl(id=aa.STATE, value="live", data=state_options("zh")),
                    html.Span(id=aa.COUNT, className="ana-count"),
                    dmc.Button(t("an.alertui.export"), id=aa.EXPORT, variant="light", size="xs"),
                ],
            ),
            html.Div(
                className="ana-body",
                children=[
                    dl.Map(
                        id=aa.MAP,
                        center=CENTER,
                        zoom=10,
                        minZoom=8,
                        maxZoom=18,
                        className="ana-map",
                        children=[
                            *basemap.base_layers("an-alerts"),
                            dl.GeoJSON(
                                id=aa.DISTRICTS,
                                url="/public/v1/basemap.json",
                                style=gy("districtStyle"),
                                hideout={"fillOpacity": 0.3},
                                interactive=False,
                            ),
                            *map_layers(aa.AREAS, aa.POINTS),
                            label_layer(aa.LABELS),
                            dl.ScaleControl(position="bottomright", imperial=False),
                        ],
                    ),
                    html.Div(
                        className="ana-side",
                        children=[
                            grid(),
                            html.Div(id=aa.NOTICE),
                            html.Div(
                                className="ana-detail",
                                children=[
                                    html.Div(id=aa.DETAIL, children=html.P(t("an.alertui.pick"))),
                                    html.Div(
                                        id=aa.ACTIONS,
                                        className="ana-actions",
                                        hidden=True,
                                        children=[
                                            dmc.Textarea(
                                                id=aa.NOTE,
                                                label=t("an.alertui.note"),
                                                autosize=True,
                                                minRows=2,
                                            ),
                                            html.Div(
                                                className="ana-buttons",
                                                children=[
                                                    dmc.Button(t("an.alertui.ack"), id=aa.ACK, size="xs"),
                                                    dmc.Button(
                                                        t("an.alertui.dismiss"),
                                                        id=aa.DISMISS,
                                                        size="xs",
                                                        color="gray",
                                                    ),
                                                    dmc.Button(
                                                        t("an.alertui.escalate"),
                                                        id=aa.ESCALATE,
                                                        size="xs",
                                                        color="red",
                                                    ),
                                                    dmc.Button(
                                                        t("an.alertui.campaign"),
                                                        id=aa.CAMPAIGN,
                                                        size="xs",
                                                        color="teal",
                                                    ),
                                                ],
                                            ),
                                        ],
                                    ),
                                ],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    )


#: the list's columns (the header names follow the language: :func:`columns`)
COLUMNS = ("title", "state", "nums", "age")


def columns(lang: str) -> list[dict[str, Any]]:
    flex = {"title": 3, "state": 1, "nums": 3, "age": 1}
    return [
        {
            "field": k,
            "headerName": t(f"an.alertui.col.{k}", lang),
            "flex": flex[k],
            "tooltipField": "text",
            **({"sortable": False} if k in ("nums", "age") else {}),
        }
        for k in COLUMNS
    ]


def grid() -> dag.AgGrid:
    """The list: one row per alert (plain data, cheap to send), newest first; a click selects it."""
    return dag.AgGrid(
        id=aa.LIST,
        columnDefs=columns("zh"),
        rowData=[],
        getRowId="params.data.id",
        defaultColDef={"resizable": True, "suppressMovable": True, "sortable": True},
        dashGridOptions={
            "localeText": {**GRID_LOCALE["zh"], "noRowsToShow": t("an.alertui.empty")},
            "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
            "animateRows": False,
            "rowHeight": 34,
            "tooltipShowDelay": 300,
        },
        rowClassRules={"ana-grid-ack": "params.data.state_code === 'acknowledged'"},
        className="ana-grid",
        style={"height": "300px", "width": "100%"},
    )


def rows(alerts: list[AlertRow], now: datetime, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "id": str(a.id),
            "title": f"{a.category(lang)} · {place(a, lang)}",
            "state": state_name(a.state, lang),
            "state_code": a.state,
            "nums": numbers(a, lang),
            "age": age(a, now, lang),
            "text": a.explanation(lang),
        }
        for a in alerts
    ]


def detail(d: AlertDetail, lang: str) -> list[Any]:
    a = d.alert
    figures = [
        ("observed", f"{a.observed:,}"),
        ("expected", fmt_expected(a.expected)),
        ("score", f"{a.score:.1f}"),
        ("p_value", "—" if a.p_value is None else f"{a.p_value:.2g}"),
        ("window", f"{when(a.window_start)} – {when(a.window_end)}"),
        ("place", place(a, lang)),
        ("kind", t(f"an.alertui.kind.{a.kind}", lang)),
        ("raised", when(a.created_at)),
        ("state_now", state_name(a.state, lang)),
    ]
    history = [
        html.Li(
            f"{when(e.at)} · {e.actor or t('an.alertui.system', lang)} · "
            + (f"{state_name(e.from_state, lang)} → " if e.from_state else "")
            + state_name(e.to_state, lang)
            + (f" · {e.note}" if e.note else ""),
            **data_attrs(to=e.to_state),
        )
        for e in d.history
    ]
    return [
        html.H4(f"#{a.id} {a.category(lang)} · {place(a, lang)}", **data_attrs(alert=str(a.id))),
        html.P(a.explanation(lang), className="ana-explanation"),
        html.Table(
            html.Tbody([html.Tr([html.Th(t(f"an.alertui.{k}", lang)), html.Td(v)]) for k, v in figures]),
            className="ana-figures",
        ),
        html.P(t("an.alertui.help", lang), className="ana-help"),
        html.P(
            html.A(
                t("wbl.alert_cases", lang),
                href=cases_href(
                    category=a.category_code,
                    district=a.district_code,
                    since=a.window_start,
                    now=datetime.now(TZ),
                ),
                className="gy-case-link",
            )
        ),
        html.Strong(t("an.alertui.history", lang)),
        html.Ol(history, className="ana-history"),
    ]


def actions_note(d: AlertDetail, may: bool, lang: str) -> Any:
    """What to say instead of the buttons: final alerts and readers who may not act."""
    if d.alert.state in FINAL:
        return html.P(t("an.alertui.final", lang), className="ana-help")
    if not may:
        return html.P(t("an.alertui.no_action", lang), className="ana-help")
    return None


CSV_COLUMNS = (
    "id",
    "kind",
    "state",
    "category_code",
    "category",
    "district_code",
    "district",
    "area_level",
    "area_key",
    "lat",
    "lon",
    "window_start",
    "window_end",
    "observed",
    "expected",
    "score",
    "p_value",
    "explanation",
    "created_at",
)


def to_csv(alerts: list[AlertRow], lang: str) -> str:
    """The list as CSV (UTF-8 with a BOM, so Excel reads the Chinese), names in the UI language."""
    return write_csv(
        CSV_COLUMNS,
        (
            [
                a.id,
                a.kind,
                state_name(a.state, lang),
                a.category_code,
                a.category(lang),
                a.district_code or "",
                a.district(lang),
                a.area_level,
                a.area_key,
                f"{a.lat:.6f}",
                f"{a.lon:.6f}",
                a.window_start.isoformat(),
                a.window_end.isoformat(),
                a.observed,
                f"{a.expected:.3f}",
                f"{a.score:.3f}",
                "" if a.p_value is None else f"{a.p_value:.3g}",
                a.explanation(lang),
                a.created_at.isoformat(),
            ]
            for a in alerts
        ),
    )
