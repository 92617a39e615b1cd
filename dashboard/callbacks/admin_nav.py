"""The administration section bar's labels in the chosen language."""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback

from dashboard import ids
from dashboard.components.admin_nav import SECTIONS
from dashboard.i18n import t
from dashboard.ids import admin_nav as nid

_LABELS = dict(SECTIONS)


@callback(
    Output({"type": nid.LINK, "path": ALL}, "children"),
    Input(ids.LANG, "data"),
    State({"type": nid.LINK, "path": ALL}, "id"),
)
def labels(lang: str, links: list[dict[str, Any]]) -> list[str]:
    return [t(_LABELS.get(link["path"], "admn.nav"), lang) for link in links]
