"""How an alert reads on a screen (pure formatting, no database): its place, its numbers ("近2小时 14 件 / 往常约
1.2 件"), its age; the wall's 预警 panel; the alerts as GeoJSON for a map (areas outlined, a marker at each point).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash_leaflet as dl
from dash import html
from dash_extensions.javascript import Namespace

from dashboard.i18n import t
from dashboard.ids import an_alertui as aa
from ops.analysis.alert_reads import AlertRow

ns = Namespace("anAlert", "map")
EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}
#: alerts listed on the wall's panel (what its column holds at any screen size: the panel is sized in vh); the rest
#: are counted ("另有 N 条预警") and still drawn on the map
WALL_ITEMS = 5


def fmt_expected(x: float) -> str:
    """The expectation as people say it: one decimal below 10 ("约 1.2 件"), whole numbers above.

    >>> fmt_expected(1.234), fmt_expected(0.04), fmt_expected(23.6)
    ('1.2', '0.0', '24')
    """
    return f"{x:.1f}" if x < 10 else f"{x:.0f}"


def window_label(a: AlertRow, lang: str) -> str:
    hours = a.hours
    if hours <= 48:
        return t("an.alertui.window.hours", lang, n=f"{round(hours, 1):g}" if hours < 10 else round(hours))
    return t("an.alertui.window.days", lang, n=round(hours / 24))


def numbers(a: AlertRow, lang: str) -> str:
    """ "近2小时 14 件 / 往常约 1.2 件"."""
    return t(
        "an.alertui.numbers",
        lang,
        window=window_label(a, lang),
        observed=a.observed,
        expected=fmt_expected(a.expected),
    )


def place(a: AlertRow, lang: str) -> str:
    """The district and the kind of area ("云岩区 · 1 公里方格")."""
    return f"{a.district(lang)} · {t(f'an.alertui.level.{a.area_level}', lang)}"


def age(a: AlertRow, now: datetime, lang: str) -> str:
    minutes = max(0, int((now - a.created_at).total_seconds() // 60))
    if minutes < 1:
        return t("an.alertui.age.now", lang)
    if minutes < 60:
        return t("an.alertui.age.min", lang, n=minutes)
    if minutes < 48 * 60:
        return t("an.alertui.age.hour", lang, n=minutes // 60)
    return t("an.alertui.age.day", lang, n=minutes // (24 * 60))


def data_attrs(**values: str) -> dict[str, Any]:
    return {f"data-{k.replace('_', '-')}": v for k, v in values.items()}


# --- maps ------------------------------------------------------------------------------------------------------


def areas(alerts: list[AlertRow], selected: int | None = None) -> dict[str, Any]:
    """The alerts' areas (1 km squares, districts) as a FeatureCollection, styled by ``anAlert.map.areaStyle``."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": a.id,
                "geometry": a.geometry,
                "properties": {"id": a.id, "level": a.area_level, "sel": a.id == selected},
            }
            for a in alerts
            if a.geometry
        ],
    }


def points(
    alerts: list[AlertRow], lang: str, selected: int | None = None, popup: bool = True
) -> dict[str, Any]:
    """A marker per alert at its point; with ``popup`` (the wall) its title, numbers and explanation open on click;
    without (the /analysis tab, where a click selects the alert and its detail says all that) only the id and state
    travel."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": a.id,
                "geometry": {"type": "Point", "coordinates": [a.lon, a.lat]},
                "properties": {
                    "id": a.id,
                    "state": a.state,
                    "sel": a.id == selected,
                    **(
                        {
                            "title": f"{a.category(lang)} · {place(a, lang)}",
                            "text": a.explanation(lang),
                            "nums": numbers(a, lang),
                        }
                        if popup
                        else {}
                    ),
                },
            }
            for a in alerts
        ],
    }


def map_layers(areas_id: str, points_id: str) -> list[Any]:
    """The two layers every alert map carries: areas in a pane under the markers, markers above case pins."""
    return [
        dl.Pane(
            dl.GeoJSON(id=areas_id, data=EMPTY, style=ns("areaStyle"), interactive=False),
            name=aa.AREAS_PANE,
            style={"zIndex": 410},
        ),
        dl.GeoJSON(id=points_id, data=EMPTY, pointToLayer=ns("marker"), onEachFeature=ns("popup")),
    ]


# --- the wall's panel --------------------------------------------------------------------------------------------


def wall_item(a: AlertRow, now: datetime, lang: str) -> html.Details:
    """One alert: category and place, the numbers and the age; its explanation on hover (title) and on click (the
    details open)."""
    return html.Details(
        className=f"ana-wall-item ana-wall-{a.state}",
        title=a.explanation(lang),
        **data_attrs(alert=str(a.id)),
        children=[
            html.Summary(
                [
                    html.Div(a.category(lang), className="ana-wall-cat"),
                    html.Div(
                        [
                            html.Span(place(a, lang), className="ana-wall-place"),
                            html.Span(age(a, now, lang), className="ana-wall-age"),
                        ],
                        className="ana-wall-head",
                    ),
                    html.Div(numbers(a, lang), className="ana-wall-nums"),
                ]
            ),
            html.Div(a.explanation(lang), className="ana-wall-text"),
        ],
    )


def wall_panel(alerts: list[AlertRow], now: datetime, lang: str) -> list[Any]:
    title = html.Div(
        t("an.alertui.wall.title", lang, n=len(alerts)) if alerts else t("an.alertui.title", lang),
        className="ana-wall-title",
    )
    if not alerts:
        return [title, html.Div(t("an.alertui.empty", lang), className="ana-wall-empty wall-empty")]
    shown = [wall_item(a, now, lang) for a in alerts[:WALL_ITEMS]]
    more = len(alerts) - WALL_ITEMS
    tail = [html.Div(t("an.alertui.more", lang, n=more), className="ana-wall-more")] if more > 0 else []
    return [title, *shown, *tail]


def wall_panel_box() -> html.Section:
    """The empty panel the wall's layout holds; :mod:`dashboard.callbacks.an_alertui_wall` fills it."""
    return html.Section(id=aa.WALL_PANEL, className="ana-wall-panel", children=[])
