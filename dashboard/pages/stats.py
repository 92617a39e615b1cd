"""/stats — 考核考评: department and district response times and evaluation for a chosen period.

Layout only; the callbacks live in :mod:`dashboard.callbacks.stats`, the figures in :mod:`db.queries.stats_sql`.
``/stats?start=YYYY-MM-DD&end=YYYY-MM-DD&dim=district`` opens a given period and table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash
import dash_ag_grid as dag
import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import dcc, html
from dash_extensions.javascript import Namespace

import dashboard.callbacks.stats  # noqa: F401  - registers the page's callbacks
from dashboard.components import basemap, report_block
from dashboard.components.district_labels import label_layer, register
from dashboard.components.graphs import follow_language, graph
from dashboard.components.stats_columns import DATE_FORMATS, GRID_LOCALE, ROW_PX, grid_style, table_columns
from dashboard.i18n import t
from dashboard.ids import stats as ids
from db.errors import ValidationError
from db.period import default_period, parse_period
from geo.crs import TZ
from ops.policy import Screen, roles_for

dash.register_page(
    __name__,
    path="/stats",
    title="考核统计 · Evaluation",
    nav="stats.nav",
    nav_order=30,
    roles=roles_for(Screen.STATS),
)

register(ids.DRILL_LABELS)
ns = Namespace("gy", "map")
CENTER = [26.58, 106.68]
FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif'


def _controls(start: str, end: str, dim: str) -> html.Div:
    return html.Div(
        className="stats-controls",
        children=[
            dmc.DatePickerInput(
                id=ids.RANGE,
                type="range",
                value=[start, end],
                label=t("stats.period"),
                valueFormat="YYYY-MM-DD",
                **DATE_FORMATS["zh"],
                firstDayOfWeek=1,
                hideWeekdays=True,
                allowSingleDateInRange=True,
                w=260,
            ),
            dmc.Group(
                [
                    dmc.Button(t(f"stats.quick.{q}"), id=ids.quick(q), variant="light", size="xs", n_clicks=0)
                    for q in ids.QUICK_PICKS
                ],
                gap=6,
                className="stats-quick",
            ),
            dmc.SegmentedControl(
                id=ids.DIM,
                data=[{"value": d, "label": t(f"stats.dim.{d}")} for d in ("department", "district")],
                value=dim,
            ),
            html.Span(className="stats-spacer"),
            html.A(t("stats.export.csv"), id=ids.EXPORT_CSV, className="stats-export", download="", href="#"),
            html.A(
                t("stats.export.xlsx"), id=ids.EXPORT_XLSX, className="stats-export", download="", href="#"
            ),
            report_block.block(),
        ],
    )


def _table() -> dag.AgGrid:
    """The evaluation table: sortable columns (click a header), the numbers' cells open the drill-down when
    clicked or on Enter (the grid moves between cells with the arrow keys). AG Grid's scripts and styles come
    from the dash-ag-grid package, served by this app."""
    return dag.AgGrid(
        id=ids.TABLE,
        columnDefs=table_columns("zh"),
        rowData=[],
        getRowId="params.data.id",
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "minWidth": 72,
            "flex": 1,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
            "suppressMovable": True,
        },
        dashGridOptions={
            "localeText": GRID_LOCALE["zh"],
            "suppressNoRowsOverlay": True,
            "animateRows": False,
            "rowHeight": ROW_PX,
            "suppressDragLeaveHidesColumns": True,
        },
        eventListeners={"cellKeyDown": ["statsCellKey(params, setEventData)"]},
        className="stats-grid",
        style=grid_style(0),
    )


def _drill() -> html.Aside:
    return html.Aside(
        id=ids.DRILL,
        className="stats-drill",
        children=[
            html.Div(
                className="stats-drill-head",
                children=[
                    html.Span(id=ids.DRILL_TITLE),
                    html.Button("×", id=ids.DRILL_CLOSE, n_clicks=0, className="stats-drill-close"),
                ],
            ),
            dl.Map(
                id=ids.DRILL_MAP,
                center=CENTER,
                zoom=10,
                minZoom=8,
                maxZoom=18,
                className="stats-drill-map",
                children=[
                    *basemap.base_layers("stats"),
                    dl.GeoJSON(
                        id=ids.DRILL_DISTRICTS, style=ns("districtStyle"), hideout={"fillOpacity": 0.3}
                    ),
                    dl.LayerGroup(id=ids.DRILL_POINTS),
                    label_layer(ids.DRILL_LABELS),
                    dl.ScaleControl(position="bottomright", imperial=False),
                ],
            ),
            html.Div(id=ids.DRILL_LIST, className="stats-drill-list"),
        ],
    )


def layout(start: str | None = None, end: str | None = None, dim: str | None = None, **_: Any) -> html.Div:
    today = datetime.now(TZ).date()
    try:
        period = parse_period(start, end, today)
    except ValidationError:
        period = default_period(today)
    return html.Div(
        id=ids.PAGE,
        className="stats-page",
        children=[
            dcc.Location(id=ids.REDIRECT, refresh=True),
            html.Div(
                className="stats-head",
                children=[
                    html.H2(t("stats.title"), id=ids.TITLE),
                    html.Span(id=ids.SCOPE, className="stats-scope"),
                ],
            ),
            _controls(
                period.start.isoformat(), period.end.isoformat(), dim if dim == "district" else "department"
            ),
            html.Div(id=ids.STATUS, className="stats-status"),
            dcc.Loading(
                type="dot",
                children=[
                    dcc.Store(id=ids.DATA),
                    html.Div(id=ids.SUMMARY, className="stats-summary"),
                    html.Div(
                        id=ids.TABLE_WRAP,
                        children=[html.Div(t("stats.hint"), id=ids.HINT, className="stats-hint"), _table()],
                    ),
                ],
            ),
            html.Section(
                className="stats-trend",
                children=[
                    html.Div(
                        className="stats-trend-head",
                        children=[
                            html.H3(t("stats.trend.title"), id=ids.TREND_TITLE),
                            dmc.Select(id=ids.TREND_OF, data=[], value="total:", w=300, allowDeselect=False),
                        ],
                    ),
                    dcc.Loading(
                        type="dot",
                        children=html.Div(
                            className="stats-charts",
                            children=[
                                graph(ids.TREND_VOLUME),
                                graph(ids.TREND_RATES),
                            ],
                        ),
                    ),
                ],
            ),
            html.P(id=ids.FORMULAS, className="stats-formulas"),
            _drill(),
        ],
    )


follow_language(ids.TREND_VOLUME, ids.TREND_RATES)
