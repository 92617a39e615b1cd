"""/moderation — the staff side of the public layer: approve or hide 最美贵阳 posts and report photos, and manage
service points on a map (add by clicking, move by dragging or clicking, edit, retire). Layout only; callbacks in
``dashboard/callbacks/moderation*.py``, IDs in ``dashboard/ids/moderation.py``; every change is written to the moderation log."""

from __future__ import annotations

from typing import Any

import dash
import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.callbacks import moderation as _log  # noqa: F401  - registers the page's callbacks
from dashboard.callbacks import moderation_frame as frame
from dashboard.callbacks import moderation_posts as _posts  # noqa: F401
from dashboard.callbacks import moderation_service_points as sp
from dashboard.components import basemap
from dashboard.i18n import t
from dashboard.ids import moderation as mid
from db.queries.public import SERVICE_KINDS

dash.register_page(
    __name__,
    path="/moderation",
    title="公众内容审核 · Moderation",
    nav="mod.nav",
    nav_order=40,
    roles=frame.ROLES,
)

ns = Namespace("gyPub", "map")
CENTER = [26.58, 106.71]


def _states(control_id: str) -> dmc.SegmentedControl:
    return dmc.SegmentedControl(
        id=control_id,
        value="pending",
        data=[{"value": s, "label": t(f"mod.state.{s}")} for s in frame.STATE_KEYS],
        mb="sm",
    )


def _points() -> html.Div:
    form = html.Div(
        className="mod-pt-form",
        children=[
            html.H4(t("mod.point.new"), id=mid.PT_TITLE),
            html.P(t("mod.point.hint"), id=mid.PT_HINT, className="mod-meta"),
            html.Div(t("mod.point.no_position"), id=mid.PT_POS_TEXT, className="mod-meta"),
            dmc.Select(
                id=mid.PT_KIND,
                label=t("mod.point.kind"),
                data=[{"value": k, "label": t(f"pub.kind.{k}")} for k in SERVICE_KINDS],
                value="toilet",
            ),
            *[dmc.TextInput(id=i, label=t(frame.field_label(f))) for f, i in mid.PT_FIELDS.items()],
            dmc.Group(
                [
                    dmc.Button(t("mod.point.save"), id=mid.PT_SAVE, color="teal", n_clicks=0),
                    dmc.Button(t("mod.point.clear"), id=mid.PT_CLEAR, variant="default", n_clicks=0),
                    dmc.Button(
                        t("mod.point.retire"), id=mid.PT_RETIRE, color="red", variant="light", n_clicks=0
                    ),
                ],
                mt="sm",
                gap="xs",
            ),
        ],
    )
    return html.Div(
        className="mod-points",
        children=[
            html.Div(
                className="mod-pt-map",
                children=dl.Map(
                    id=mid.PT_MAP,
                    center=CENTER,
                    zoom=13,
                    minZoom=9,
                    maxZoom=19,
                    style={"height": "100%", "width": "100%"},
                    children=[
                        *basemap.base_layers("moderation"),
                        dl.GeoJSON(
                            url="/public/v1/basemap.json", style=ns("districtStyle"), interactive=False
                        ),
                        dl.GeoJSON(id=mid.PT_POINTS, pointToLayer=ns("adminMarker")),
                        dl.Marker(
                            id=mid.PT_MARKER,
                            position=CENTER,
                            opacity=0,
                            draggable=True,
                            zIndexOffset=1000,
                            eventHandlers={"dragend": ns("dragEnd")},
                        ),
                        dl.ScaleControl(position="bottomleft", imperial=False),
                    ],
                ),
            ),
            form,
        ],
    )


def layout(**_: Any) -> html.Div:
    tabs = (
        ("posts", html.Div([_states(mid.POST_STATE), html.Div(id=mid.POST_LIST, className="mod-list")])),
        ("photos", html.Div([_states(mid.PHOTO_STATE), html.Div(id=mid.PHOTO_LIST, className="mod-list")])),
        ("points", _points()),
        ("log", html.Div(id=mid.LOG_TABLE)),
    )
    return html.Div(
        id=mid.PAGE,
        className="mod-page",
        children=[
            dcc.Location(id=mid.REDIRECT, refresh=True),
            dcc.Store(id=mid.REFRESH, data=0),
            dcc.Store(id=mid.ACT_CLICK),
            dcc.Store(id=mid.PT_SEL),
            dcc.Store(id=mid.PT_POS),
            dcc.Store(id=mid.LABELS, data=sp.labels()),
            html.H2(t("mod.title"), id=mid.TITLE, className="mod-title"),
            dmc.TextInput(id=mid.REASON, label=t("mod.reason"), className="mod-reason"),
            html.Div(id=mid.NOTICE, className="mod-notice", **{"aria-live": "polite"}),  # type: ignore[arg-type]
            dmc.Tabs(
                id=mid.TABS,
                value="posts",
                keepMounted=True,
                children=[
                    dmc.TabsList(
                        [dmc.TabsTab(t(f"mod.tab.{k}"), id=mid.tab_id(k), value=k) for k, _ in tabs]
                    ),
                    *[dmc.TabsPanel(body, value=k, pt="sm") for k, body in tabs],
                ],
            ),
        ],
    )
