"""The drill-down panel of /stats: the cases behind one number, as points on a small map and as a list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash_leaflet as dl
from dash import html

from dashboard.components.case_link import case_anchor
from dashboard.i18n import t
from geo.crs import TZ
from ops.states import LABELS, CaseStatus

OPEN_COLOR, DONE_COLOR = "#d9480f", "#1c7ed6"


def _when(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else "—"


def _status(value: str, lang: str) -> str:
    try:
        zh, en = LABELS[CaseStatus(value)]
    except ValueError:
        return value
    return en if lang == "en" else zh


def markers(cases: list[dict[str, Any]], lang: str) -> list[Any]:
    """One circle per case, labelled with its ticket; open cases orange, closed ones blue."""
    out = []
    for c in cases:
        color = DONE_COLOR if c["status"] == "closed" else OPEN_COLOR
        category = c["category_en"] if lang == "en" else c["category_zh"]
        out.append(
            dl.CircleMarker(
                center=[c["lat"], c["lon"]],
                radius=6,
                color="#fff",
                weight=1,
                fillColor=color,
                fillOpacity=0.9,
                children=[dl.Tooltip(f"{c['ticket']} · {category} · {_status(c['status'], lang)}")],
            )
        )
    return out


def bounds(cases: list[dict[str, Any]]) -> list[list[float]] | None:
    if not cases:
        return None
    lats = [c["lat"] for c in cases]
    lons = [c["lon"] for c in cases]
    # at least ~2 km around the cases: the basemap is district outlines, a closer view would show nothing else
    pad = max(0.01, 0.1 * max(max(lats) - min(lats), max(lons) - min(lons)))
    return [[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]]


def case_list(cases: list[dict[str, Any]], lang: str) -> html.Table:
    head = html.Tr(
        [
            html.Th(t(f"stats.drill.{k}", lang))
            for k in ("ticket", "category", "status", "reported", "deadline")
        ]
    )
    rows = [
        html.Tr(
            [
                html.Td(case_anchor(c["ticket"], lang), className="stats-ticket"),
                html.Td(c["category_en"] if lang == "en" else c["category_zh"]),
                html.Td(_status(c["status"], lang)),
                html.Td(_when(c["created_at"])),
                html.Td(_when(c["deadline"])),
            ]
        )
        for c in cases
    ]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="stats-drill-table")
