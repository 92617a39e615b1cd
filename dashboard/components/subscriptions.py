"""The parts of /subscriptions: the map (district outlines, the drawing tool, the circle's preview, the user's
areas), the form (drawn in the user's language) and the list. Layout and formatting only; the callbacks are in
``dashboard.callbacks.subscriptions``; channels arrive masked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import html
from dash_extensions.javascript import Namespace

from dashboard.components import basemap
from dashboard.i18n import t
from dashboard.ids import subscriptions as sid
from ops.subscriptions.store import Subscription

gy = Namespace("gy", "map")
CENTER = [26.585, 106.705]
ZOOM = 12
EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}
MINE_STYLE = {
    "color": "#1c64a8",
    "weight": 2,
    "fillColor": "#4a90d9",
    "fillOpacity": 0.15,
    "dashArray": "5 4",
}
PREVIEW_STYLE = {"color": "#c0392b", "weight": 2, "fillColor": "#e74c3c", "fillOpacity": 0.2}
DRAW = {
    "polygon": {"allowIntersection": False, "showArea": True, "shapeOptions": PREVIEW_STYLE},
    "rectangle": {"shapeOptions": PREVIEW_STYLE},
    "polyline": False,
    "circle": False,
    "marker": False,
    "circlemarker": False,
}
RADIUS_DEFAULT = 500


def _view(fit: Sequence[float] | None) -> dict[str, Any]:
    """The city, or fitted to ``fit`` (west, south, east, north): the area an officer or department may see."""
    if not fit:
        return {"center": CENTER, "zoom": ZOOM}
    west, south, east, north = fit
    return {
        "center": [(south + north) / 2, (west + east) / 2],
        "bounds": [[south, west], [north, east]],
        "boundsOptions": {"padding": [12, 12], "maxZoom": 15},
        "zoomSnap": 0.25,
    }


def the_map(fit: Sequence[float] | None = None) -> dl.Map:
    return dl.Map(
        id=sid.MAP,
        **_view(fit),
        minZoom=9,
        maxZoom=18,
        className="sub-map",
        children=[
            *basemap.base_layers("subscriptions"),
            dl.GeoJSON(
                id=sid.DISTRICTS,
                style=gy("districtStyle"),
                hideout={"lang": "zh", "fillOpacity": 0.3},
                interactive=False,
            ),
            dl.GeoJSON(id=sid.MINE, data=EMPTY, style=MINE_STYLE, interactive=False),
            dl.LayerGroup(id=sid.PREVIEW),
            dl.FeatureGroup([dl.EditControl(id=sid.EDIT, draw=DRAW, position="topright")]),
            dl.ScaleControl(position="bottomleft", imperial=False),
        ],
    )


def preview(center: Sequence[float] | None, radius: Any) -> list[Any]:
    """The circle being chosen, drawn as Leaflet draws circles (metres on the ground)."""
    if not center or not isinstance(radius, int | float) or radius <= 0:
        return []
    return [
        dl.Circle(center=list(center), radius=float(radius), **PREVIEW_STYLE),
        dl.CircleMarker(center=list(center), radius=4, color="#c0392b"),
    ]


def form(lang: str, categories: list[dict[str, Any]], mail_ready: bool) -> list[Any]:
    kinds = ["url", "email"] if mail_ready else ["url"]
    return [
        html.H3(t("sub.form", lang), id=sid.FORM_TITLE),
        dmc.TextInput(
            id=sid.NAME,
            label=t("sub.name", lang),
            placeholder=t("sub.name.ph", lang),
            inputProps={"maxLength": 80},
        ),
        dmc.Text(t("sub.mode", lang), fw=500, size="sm", mt=8),
        dmc.SegmentedControl(
            id=sid.MODE,
            value="drawn",
            data=[{"value": m, "label": t(f"sub.mode.{m}", lang)} for m in ("drawn", "circle")],
            **{"aria-label": t("sub.mode", lang)},
        ),
        dmc.NumberInput(
            id=sid.RADIUS,
            label=t("sub.radius", lang),
            value=RADIUS_DEFAULT,
            min=50,
            max=20000,
            step=50,
            style={"display": "none"},
        ),
        html.Div(id=sid.AREA_ERROR, className="sub-error", role="alert"),
        dmc.MultiSelect(
            id=sid.CATEGORIES,
            label=t("sub.categories", lang),
            placeholder=t("sub.categories.ph", lang),
            data=categories,
            searchable=True,
            clearable=True,
        ),
        dmc.CheckboxGroup(
            id=sid.EVENTS,
            label=t("sub.events", lang),
            value=["new", "closed"],
            children=dmc.Group(
                [dmc.Checkbox(label=t(f"sub.event.{e}", lang), value=e) for e in ("new", "closed")]
            ),
        ),
        dmc.SegmentedControl(
            id=sid.CHANNEL_KIND,
            value="url",
            data=[{"value": k, "label": t(f"sub.channel.{k}", lang)} for k in kinds],
            mt=8,
            style=None if mail_ready else {"display": "none"},  # one way only: nothing to choose
            **{"aria-label": t("sub.channel_kind", lang)},
        ),
        dmc.TextInput(
            id=sid.CHANNEL,
            label=t("sub.channel", lang),
            description=t("sub.channel.help.url", lang),
            placeholder="wecombot://…",
            required=True,
        ),
        dmc.Select(
            id=sid.MSG_LANG,
            label=t("sub.msg_lang", lang),
            value=lang,
            data=[{"value": "zh", "label": "中文"}, {"value": "en", "label": "English"}],
            allowDeselect=False,
        ),
        dmc.Button(t("sub.save", lang), id=sid.SAVE, n_clicks=0, mt=10),
        html.Div(id=sid.FORM_NOTICE, role="status", **{"aria-live": "polite"}),  # type: ignore[arg-type]
    ]


def _categories(s: Subscription, names: Mapping[str, str], lang: str) -> str:
    if not s.categories:
        return t("sub.all", lang)
    return (
        "、".join(names.get(c, c) for c in s.categories)
        if lang != "en"
        else ", ".join(names.get(c, c) for c in s.categories)
    )


def listing(subs: Sequence[Subscription], names: Mapping[str, str], lang: str) -> Any:
    if not subs:
        return dmc.Text(t("sub.list.empty", lang), className="sub-empty", c="dimmed")
    head = html.Tr(
        [
            html.Th(t(f"sub.col.{c}", lang))
            for c in ("name", "area", "categories", "events", "channel", "status", "actions")
        ]
    )
    rows = []
    for s in subs:
        area = t("sub.area.circle", lang, r=f"{s.radius_m:,}") if s.radius_m else t("sub.area.drawn", lang)
        events = " / ".join(t(f"sub.event.{e}", lang) for e in s.events)
        status = dmc.Badge(
            t("sub.active" if s.active else "sub.paused", lang),
            color="teal" if s.active else "gray",
            variant="light",
        )
        actions = dmc.Group(
            [
                dmc.Button(
                    t("sub.test", lang), id={"type": sid.TEST, "id": s.id}, size="xs", variant="light"
                ),
                dmc.Button(
                    t("sub.pause" if s.active else "sub.resume", lang),
                    id={"type": sid.TOGGLE, "id": s.id},
                    size="xs",
                    variant="default",
                ),
                dmc.Button(
                    t("sub.remove", lang),
                    id={"type": sid.REMOVE, "id": s.id},
                    size="xs",
                    color="red",
                    variant="light",
                ),
            ],
            gap=4,
        )
        rows.append(
            html.Tr(
                [
                    html.Td(f"#{s.id} {s.label or ''}".strip()),
                    html.Td(area),
                    html.Td(_categories(s, names, lang)),
                    html.Td(events),
                    html.Td(html.Code(s.channel)),
                    html.Td(status),
                    html.Td(actions),
                ],
                className="sub-row",
                **{"data-id": str(s.id)},  # type: ignore[arg-type]
            )
        )
    return html.Table([html.Thead(head), html.Tbody(rows)], className="sub-table")


def mine_geojson(subs: Sequence[Subscription]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": s.area, "properties": {"id": s.id, "active": s.active}}
            for s in subs
        ],
    }
