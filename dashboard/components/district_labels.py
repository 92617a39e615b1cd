"""District names on a map, written at each district's own label point (:func:`geo.labels.label_point`, served by
``/public/v1/district-labels.json``) in a pane above pins and clusters, in the UI language.

Every map that names districts uses this layer: :func:`label_layer` in its layout and :func:`register` once, at
import, for the language switch. (The wall draws the same points, from its own callback, in its own style.)
"""

from __future__ import annotations

import dash_leaflet as dl
from dash import Input, Output, clientside_callback
from dash_extensions.javascript import Namespace

from dashboard import ids
from dashboard.ids import LABEL_PANE

LABELS_URL = "/public/v1/district-labels.json"
#: The pane (ids.LABEL_PANE) lies above markers (600) and clusters, below tooltips (650) and popups (700).
LABEL_Z = 640

_registered: set[str] = set()


def label_layer(component_id: str, lang: str = "zh") -> dl.Pane:
    return dl.Pane(
        dl.GeoJSON(
            id=component_id,
            url=LABELS_URL,
            pointToLayer=Namespace("gy", "map")("districtLabel"),
            hideout={"lang": lang, "pane": LABEL_PANE},
            interactive=False,
        ),
        name=LABEL_PANE,
        style={"zIndex": LABEL_Z, "pointerEvents": "none"},
    )


def register(component_id: str) -> None:
    """The layer's names follow the language store (in the browser, no round trip)."""
    if component_id in _registered:
        return
    _registered.add(component_id)
    clientside_callback(
        "function (lang) { return {lang: lang === 'en' ? 'en' : 'zh', pane: '" + LABEL_PANE + "'}; }",
        Output(component_id, "hideout"),
        Input(ids.LANG, "data"),
    )
