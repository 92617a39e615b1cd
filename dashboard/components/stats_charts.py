"""Trend charts of /stats, built on the server as plotly figures (plotly.js itself is served by the app)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import plotly.graph_objects as go

from dashboard.components.graphs import date_axis
from dashboard.i18n import t

FONT = "Noto Sans SC, Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"  # the app's own font first
FILED, CLOSED, RATE = "#4c78a8", "#72b7b2", "#e45756"
TOP = 8


def _layout(fig: go.Figure, lang: str, unit: str, height: int = 300) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 50, "r": 50, "t": 36, "b": 40},
        font={"family": FONT, "size": 12},
        legend={"orientation": "h", "y": 1.12, "x": 0},
        hovermode="x unified",
        xaxis_title=t(f"stats.trend.{unit}", lang),
        xaxis=date_axis(lang),
    )
    return fig


def empty_figure(lang: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=t("stats.empty", lang), showarrow=False, font={"size": 14, "color": "#667"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, lang, "day", 220)


def _series(trend: dict[str, Any], kind: str, key: str) -> list[dict[str, Any]]:
    return [p for p in trend.get("points", []) if p["kind"] == kind and (kind == "total" or p["key"] == key)]


def _rate(p: dict[str, Any]) -> float | None:
    return round(100 * p["handled_on_time"] / p["due_handle"], 1) if p["due_handle"] else None


def volume_figure(trend: dict[str, Any], row_id: str | None, lang: str) -> go.Figure:
    """Filed and closed per day/week (bars) with the on-time handling rate (line, right axis) of one row."""
    kind, _, key = (row_id or "total:").partition(":")
    pts = _series(trend, kind, key)
    if not pts:
        return empty_figure(lang)
    x = [p["bucket"] for p in pts]
    fig = go.Figure()
    fig.add_bar(x=x, y=[p["cases"] for p in pts], name=t("stats.trend.filed", lang), marker_color=FILED)
    fig.add_bar(x=x, y=[p["closed"] for p in pts], name=t("stats.trend.closed", lang), marker_color=CLOSED)
    fig.add_scatter(
        x=x,
        y=[_rate(p) for p in pts],
        name=t("stats.trend.on_time", lang),
        yaxis="y2",
        mode="lines+markers",
        line={"color": RATE, "width": 2},
        hovertemplate="%{y:.1f}%",
    )
    fig.update_layout(
        barmode="group",
        yaxis={"title": t("stats.trend.count", lang), "rangemode": "tozero"},
        yaxis2={
            "title": t("stats.trend.rate", lang),
            "overlaying": "y",
            "side": "right",
            "range": [0, 105],
            "tickvals": [0, 20, 40, 60, 80, 100],
            "ticksuffix": "%",
            "showgrid": False,
        },
    )
    return _layout(fig, lang, trend.get("unit", "day"))


def rates_figure(trend: dict[str, Any], dim: str, names: dict[str, str], lang: str) -> go.Figure:
    """On-time handling rate per department (the top 8 by volume) or per district, one line each."""
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in trend.get("points", []):
        if p["kind"] == dim:
            by_key[p["key"]].append(p)
    if not by_key:
        return empty_figure(lang)
    top = sorted(by_key, key=lambda k: -sum(p["cases"] for p in by_key[k]))[:TOP]
    fig = go.Figure()
    for key in top:
        pts = by_key[key]
        fig.add_scatter(
            x=[p["bucket"] for p in pts],
            y=[_rate(p) for p in pts],
            name=names.get(key, key),
            mode="lines+markers",
            connectgaps=False,
            hovertemplate="%{y:.1f}%",
        )
    fig.update_layout(
        title={"text": t(f"stats.trend.by_{dim}", lang), "font": {"size": 13}, "x": 0, "y": 0.99},
        yaxis={"title": t("stats.trend.rate", lang), "range": [0, 105], "ticksuffix": "%"},
        legend={"orientation": "v", "y": 1, "x": 1.02},
        margin={"l": 50, "r": 10, "t": 36, "b": 40},
    )
    fig = _layout(fig, lang, trend.get("unit", "day"))
    fig.update_layout(
        legend={"orientation": "v", "y": 1, "x": 1.02}, margin={"l": 50, "r": 10, "t": 36, "b": 40}
    )
    return fig
