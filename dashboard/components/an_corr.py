"""The 时间峰值 (peaks) and 关联分析 (correlations) tabs of /analysis: their panels, the weekday × hour heatmap,
the sentences that name the findings, the table of related pairs with its map of example places, and the CSV.
Formatting only: the figures come from :mod:`ops.analysis.peaks` and :mod:`ops.analysis.correlation`."""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
import dash_mantine_components as dmc
import numpy as np
import plotly.graph_objects as go
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.components import basemap
from dashboard.components.csv_text import csv_text as write_csv
from dashboard.components.district_labels import label_layer
from dashboard.components.graphs import graph
from dashboard.components.stats_charts import FONT
from dashboard.i18n import t
from dashboard.ids import an_corr as k
from ops.analysis import correlation as co
from ops.analysis import peaks as pk

#: fewer reports than this in the selection: 样本不足 instead of a matrix
MIN_REPORTS = 50
WINDOWS = (1, 3, 7)
CENTER = (26.58, 106.71)
TOP_SENTENCES = 3
_gy = Namespace("gy", "map")


def _fmt(x: float) -> str:
    return f"{x:.1f}" if x < 100 else f"{x:,.0f}"


# ---------------------------------------------------------------- panels


def peaks_panel() -> html.Div:
    return html.Div(
        className="ank-panel",
        children=[
            dcc.Store(id=k.PEAKS_ROWS),
            dcc.Download(id=k.PEAKS_CSV),
            html.Div(
                className="ank-bar",
                children=[
                    html.P(id=k.PEAKS_TEXT, className="ank-text", role="status"),
                    dmc.Button(t("an.corr.csv"), id=k.PEAKS_CSV_BUTTON, variant="light", size="xs"),
                ],
            ),
            html.P(id=k.PEAKS_STATUS, className="ank-empty"),
            dcc.Loading(graph(k.PEAKS_GRAPH, style={"height": "420px"})),
            html.P(id=k.PEAKS_EXPLAIN, className="ank-explain"),
        ],
    )


def correlations_panel() -> html.Div:
    return html.Div(
        className="ank-panel",
        children=[
            dcc.Store(id=k.CORR_ROWS),
            dcc.Download(id=k.CORR_CSV),
            html.Div(
                className="ank-bar",
                children=[
                    dmc.SegmentedControl(
                        id=k.CORR_WINDOW,
                        value="3",
                        data=[{"value": str(n), "label": t("an.corr.window.n", n=n)} for n in WINDOWS],
                        size="xs",
                    ),
                    dmc.Button(t("an.corr.csv"), id=k.CORR_CSV_BUTTON, variant="light", size="xs"),
                ],
            ),
            html.P(id=k.CORR_TEXT, className="ank-text", role="status"),
            html.Div(
                className="ank-side",
                style={"display": "flex", "gap": "12px", "alignItems": "flex-start"},
                children=[
                    dcc.Loading(html.Div(id=k.CORR_TABLE, className="ank-table"), parent_style={"flex": "3"}),
                    html.Div(
                        style={"flex": "2", "height": "420px", "minWidth": "280px"},
                        children=dl.Map(
                            id=k.CORR_MAP,
                            center=list(CENTER),
                            zoom=11,
                            minZoom=8,
                            maxZoom=17,
                            style={"height": "100%", "width": "100%"},
                            children=[
                                *basemap.base_layers("an-corr"),
                                dl.GeoJSON(
                                    url="/public/v1/basemap.json",
                                    style=_gy("districtStyle"),
                                    hideout={"lang": "zh"},
                                    interactive=False,
                                ),
                                label_layer(k.CORR_LABELS),
                                dl.LayerGroup(id=k.CORR_PLACES),
                                dl.ScaleControl(position="bottomright", imperial=False),
                            ],
                        ),
                    ),
                ],
            ),
            html.P(id=k.CORR_EXPLAIN, className="ank-explain"),
        ],
    )


# ---------------------------------------------------------------- peaks


def peaks_figure(result: pk.PeakResult, lang: str) -> go.Figure:
    days = [pk.WEEKDAYS[d][1 if lang == "en" else 0] for d in range(7)]
    hours = [str(h) for h in range(24)]
    hover = np.empty(pk.SHAPE, dtype=object)
    for d in range(7):
        for h in range(24):
            q = result.q[d, h]
            hover[d, h] = t(
                "an.corr.hover",
                lang,
                day=days[d],
                hour=h,
                n=int(result.counts[d, h]),
                e=_fmt(float(result.expected[d, h])),
                q="—" if np.isnan(q) else f"{q:.2g}",
            )
    fig = go.Figure(
        go.Heatmap(
            z=result.counts,
            x=hours,
            y=days,
            colorscale="YlOrRd",
            colorbar={"title": {"text": t("an.corr.reports", lang)}},
            text=hover,
            hoverinfo="text",
        )
    )
    cells = [(p.weekday, p.hour) for p in result.peaks]
    if cells:
        fig.add_trace(
            go.Scatter(
                x=[hours[h] for _, h in cells],
                y=[days[d] for d, _ in cells],
                mode="markers",
                marker={
                    "symbol": "star",
                    "size": 14,
                    "color": "white",
                    "line": {"color": "#1c3d5a", "width": 1.5},
                },
                name=t("an.corr.peak_mark", lang),
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        template="plotly_white",
        height=400,
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        font={"family": FONT, "size": 12},
        legend={"orientation": "h", "y": 1.08, "x": 0},
        xaxis={"title": t("an.corr.hour", lang), "type": "category"},
        yaxis={"title": t("an.corr.weekday", lang), "autorange": "reversed", "type": "category"},
    )
    return fig


def _weekdays(days: tuple[int, ...], lang: str) -> str:
    en = lang == "en"
    if len(days) == 7:
        return t("an.corr.every_day", lang)
    if days == (0, 1, 2, 3, 4):
        return t("an.corr.workdays", lang)
    if days == (5, 6):
        return t("an.corr.weekend", lang)
    return (", " if en else "、").join(pk.WEEKDAYS[d][1 if en else 0] for d in days)


def peaks_sentence(result: pk.PeakResult, names: dict[str, str], lang: str, chosen: str | None) -> str:
    """The top peaks in words: "周五 18–20 时占道经营上报显著偏高（48 件，往常约 12.3 件）"; the same hours on
    several weekdays are said once ("每天 18–20 时…")."""
    groups = pk.peak_groups(pk.peak_ranges(result.category_peaks) or pk.peak_ranges(result.peaks))
    parts = []
    for g in groups[:TOP_SENTENCES]:
        code = g.category_code or chosen
        what = names.get(code, code) if code else t("an.corr.peaks.all", lang)
        parts.append(
            t(
                "an.corr.peaks.top",
                lang,
                day=_weekdays(g.weekdays, lang),
                start=g.start,
                end=g.end,
                what=what,
                n=g.observed,
                e=_fmt(g.expected),
            )
        )
    return ("；" if lang != "en" else "; ").join(parts) + ("。" if lang != "en" else ".")


# ---------------------------------------------------------------- correlations


def pairs_table(pairs: list[co.Pair], names: dict[str, str], districts: dict[str, str], lang: str) -> Any:
    head = ["a", "b", "observed", "expected", "lift", "q", "places"]
    rows = []
    for p in pairs:
        places = [
            html.Div(
                t(
                    "an.corr.place",
                    lang,
                    district=districts.get(pl.district_code or "", "—"),
                    area=pl.area_key,
                    n=pl.pairs,
                    e=_fmt(pl.expected),
                )
            )
            for pl in p.places
        ]
        rows.append(
            html.Tr(
                [
                    html.Td(names.get(p.category_a, p.category_a)),
                    html.Td(names.get(p.category_b, p.category_b)),
                    html.Td(f"{p.observed:,}", className="num"),
                    html.Td(_fmt(p.expected), className="num"),
                    html.Td(f"{p.lift:.2f}", className="num"),
                    html.Td(f"{p.q_value:.2g}", className="num"),
                    html.Td(places),
                ]
            )
        )
    return dmc.Table(
        [html.Thead(html.Tr([html.Th(t(f"an.corr.col.{h}", lang)) for h in head])), html.Tbody(rows)],
        striped=True,
        highlightOnHover=True,
        fz="sm",
    )


def pairs_sentence(p: co.Pair, names: dict[str, str], window: int, lang: str) -> str:
    return t(
        "an.corr.top",
        lang,
        a=names.get(p.category_a, p.category_a),
        b=names.get(p.category_b, p.category_b),
        w=window,
        n=p.observed,
        e=_fmt(p.expected),
        lift=f"{p.lift:.1f}",
    )


def place_markers(
    pairs: list[co.Pair], names: dict[str, str], districts: dict[str, str], lang: str
) -> list[Any]:
    out = []
    for p in pairs:
        label = f"{names.get(p.category_a, p.category_a)} + {names.get(p.category_b, p.category_b)}"
        for pl in p.places:
            where = t(
                "an.corr.place",
                lang,
                district=districts.get(pl.district_code or "", "—"),
                area=pl.area_key,
                n=pl.pairs,
                e=_fmt(pl.expected),
            )
            out.append(
                dl.CircleMarker(
                    center=[pl.lat, pl.lon],
                    radius=7 + min(pl.pairs, 200) ** 0.5,
                    color="#b2182b",
                    fillOpacity=0.5,
                    weight=2,
                    children=dl.Tooltip(f"{label}: {where}"),
                )
            )
    return out


def csv_text(rows: list[dict[str, Any]]) -> str:
    """Rows of plain values as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese)."""
    if not rows:
        return "\ufeff"
    return write_csv(list(rows[0]), (list(r.values()) for r in rows))
