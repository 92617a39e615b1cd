"""新建案件 on /workbench: the button that opens it, the panel with its form (source, place, category, description,
caller, photos) and the draggable marker's layer on the workbench map. Layout only; the callbacks live in
``dashboard.callbacks.desk_intake``. Every label is set again in the chosen language by a callback."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import quote

import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.i18n import t
from dashboard.ids import desk_intake as did
from db.media import DEFAULT_LIMITS
from demo.public import Landmark, landmarks
from ops.commands import DESK_SOURCES

di = Namespace("di", "map")

#: the chosen place's marker: a pin drawn here, so that no icon file is fetched
_PIN_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="42" viewBox="0 0 30 42">'
    '<path d="M15 1C7.3 1 1 7.2 1 14.9 1 25.5 15 41 15 41s14-15.5 14-26.1C29 7.2 22.7 1 15 1z" '
    'fill="#1971c2" stroke="#fff" stroke-width="2"/><circle cx="15" cy="15" r="5.5" fill="#fff"/></svg>'
)
PIN_ICON = {
    "iconUrl": "data:image/svg+xml;charset=utf-8," + quote(_PIN_SVG),
    "iconSize": [30, 42],
    "iconAnchor": [15, 41],
    "className": "di-pin",
}


@cache
def bundled_landmarks() -> tuple[Landmark, ...]:
    """The bundled landmarks list (``demo/data/guiyang_landmarks.csv``): the desk's offline place finder; no
    remote geocoder is ever asked."""
    return tuple(landmarks())


def landmark_options(lang: str) -> list[dict[str, str]]:
    return [
        {"value": str(i), "label": m.name_en if lang == "en" else f"{m.name_zh}（{m.name_en}）"}
        for i, m in enumerate(bundled_landmarks())
    ]


def marker(pos: list[float] | None, lang: str) -> list[Any]:
    """The chosen place on the workbench map, draggable (its layer's children)."""
    if not pos:
        return []
    return [
        dl.Marker(
            position=pos,
            draggable=True,
            icon=PIN_ICON,
            zIndexOffset=2000,
            title=t("di.pos.at", lang, lat=f"{pos[0]:.5f}", lon=f"{pos[1]:.5f}"),
            eventHandlers={"dragend": di("dragEnd")},
        )
    ]


def open_button() -> dmc.Button:
    """The workbench's 新建案件 button (hidden for roles that may not open cases)."""
    return dmc.Button(
        t("di.open"),
        id=did.OPEN,
        n_clicks=0,
        size="xs",
        variant="filled",
        color="blue",
        style={"display": "none"},
    )


def upload_button(lang: str) -> html.Button:
    return html.Button(t("di.photos.pick", lang), type="button", className="di-upload-btn")


def marker_layer() -> dl.LayerGroup:
    return dl.LayerGroup(id=did.MARKER)


def _field(component: Any) -> Any:
    return html.Div(component, className="di-field")


def panel(max_photos: int = DEFAULT_LIMITS.max_photos) -> html.Aside:
    """The form, hidden until the button opens it; it sits over the queue, so the map stays free to click."""
    xs: dict[str, Any] = {"size": "sm"}
    return html.Aside(
        id=did.PANEL,
        className="di-panel",
        hidden=True,
        role="dialog",
        **{"aria-labelledby": did.TITLE},  # type: ignore[arg-type]
        children=[
            dcc.Store(id=did.POS),
            html.Div(
                className="di-head",
                children=[
                    html.H2(t("di.title"), id=did.TITLE),
                    html.Button("×", id=did.CLOSE, n_clicks=0, className="di-close", title=t("di.close")),
                ],
            ),
            html.Div(id=did.NOTICE, className="di-notice", role="status", **{"aria-live": "polite"}),  # type: ignore[arg-type]
            dmc.RadioGroup(
                id=did.SOURCE,
                label=t("di.source"),
                value="hotline",
                children=dmc.Group([dmc.Radio(value=s, label=t(f"di.source.{s}")) for s in DESK_SOURCES]),
                **xs,
            ),
            html.P(t("di.hint"), id=did.HINT, className="di-hint"),
            html.Div(t("di.pos.none"), id=did.POS_TEXT, className="di-pos"),
            _field(
                dmc.Select(
                    id=did.LANDMARK,
                    label=t("di.landmark"),
                    placeholder=t("di.landmark.ph"),
                    data=landmark_options("zh"),
                    searchable=True,
                    clearable=True,
                    **xs,
                )
            ),
            _field(dmc.TextInput(id=did.ADDRESS, label=t("di.address"), **xs)),
            dmc.SimpleGrid(
                cols=2,
                spacing=8,
                children=[
                    dmc.Select(
                        id=did.MAJOR, label=t("di.major"), data=[], searchable=True, clearable=True, **xs
                    ),
                    dmc.Select(
                        id=did.CATEGORY,
                        label=t("di.category"),
                        data=[],
                        searchable=True,
                        clearable=True,
                        **xs,
                    ),
                ],
            ),
            _field(
                dmc.Textarea(id=did.DESCRIPTION, label=t("di.description"), autosize=True, minRows=3, **xs)
            ),
            dmc.SimpleGrid(
                cols=2,
                spacing=8,
                children=[
                    dmc.TextInput(id=did.CALLER_NAME, label=t("di.caller_name"), **xs),
                    dmc.TextInput(id=did.CALLER_PHONE, label=t("di.caller_phone"), autoComplete="tel", **xs),
                ],
            ),
            html.P(t("di.contact_note"), id=did.CONTACT_NOTE, className="di-note"),
            html.Div(
                className="di-field",
                children=[
                    html.Label(t("di.photos", n=max_photos), id=did.PHOTOS_LABEL, className="di-label"),
                    dcc.Upload(
                        id=did.PHOTOS,
                        multiple=True,
                        accept="image/jpeg,image/png,image/webp",
                        className="di-upload",
                        children=upload_button("zh"),
                    ),
                    html.Div(id=did.PHOTO_LIST, className="di-note"),
                    html.Div(id=did.PHOTO_ERROR, className="di-error", role="alert"),
                ],
            ),
            dmc.Group(
                [
                    dmc.Button(t("di.submit"), id=did.SUBMIT, n_clicks=0, color="blue"),
                    dmc.Button(t("di.cancel"), id=did.CANCEL, n_clicks=0, variant="default"),
                ],
                mt="sm",
                gap="xs",
            ),
        ],
    )
