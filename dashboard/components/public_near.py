"""The public map's "nearest to me" answer: the list of the nearest service points and their markers."""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
from dash import html

from dashboard.i18n import t
from dashboard.ids.public import NEAR_ITEM


def distance_text(metres: float, lang: str) -> str:
    if metres < 1000:
        return t("pub.distance.m", lang, n=int(round(metres, -1)))
    return t("pub.distance.km", lang, n=f"{metres / 1000:.1f}")


def near_list(points: list[Any], lang: str) -> Any:
    """The nearest points as a numbered list (a click flies the map there), or a sentence when there are none."""
    items = [
        html.Li(
            html.Button(
                className="pub-near-item",
                id={"type": NEAR_ITEM, "index": i},
                n_clicks=0,
                children=[
                    html.Img(src=f"/assets/icons/{p.kind}.svg", alt="", width=26, height=26),
                    html.Span(
                        className="pub-near-text",
                        children=[
                            html.Span(p.name_en if lang == "en" else p.name_zh, className="pub-near-name"),
                            html.Span(
                                f"{t(f'pub.kind.{p.kind}', lang)} · {p.hours or ''}", className="pub-near-sub"
                            ),
                        ],
                    ),
                    html.Span(distance_text(p.distance_m, lang), className="pub-near-dist"),
                ],
            )
        )
        for i, p in enumerate(points)
    ]
    return html.Ol(items, className="pub-near-list") if items else t("pub.nearest.none", lang)


def near_markers(lat: float, lon: float, points: list[Any], lang: str) -> list[Any]:
    """The visitor's position (a dot with a ring) and the listed points, numbered as in the list, larger and
    ringed, above everything else on the map (the rest of the service points fade: ``pub-nearing``)."""
    here = dl.DivMarker(
        position=[lat, lon],
        iconOptions={
            "className": "pub-here",
            "html": "<i></i>",
            "iconSize": [36, 36],
            "iconAnchor": [18, 18],
        },
        children=dl.Tooltip(t("pub.nearest.here", lang)),
    )
    listed = [
        dl.DivMarker(
            position=[p.lat, p.lon],
            iconOptions={
                "className": f"pub-near-m pub-near-k-{p.kind}",
                "html": f'<img src="/assets/icons/{p.kind}.svg" alt="" width="26" height="26"><b>{i + 1}</b>',
                "iconSize": [44, 44],
                "iconAnchor": [22, 22],
            },
            title=p.name_en if lang == "en" else p.name_zh,
        )
        for i, p in enumerate(points)
    ]
    return [here, *listed]
