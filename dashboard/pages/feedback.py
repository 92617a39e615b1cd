"""/feedback: the staff's inbox of citizens' 意见反馈 — read, answer (the citizen sees the answer over Open311),
mark handled; unhandled first, filtered and counted. Layout only; callbacks in ``dashboard.callbacks.feedback``."""

from __future__ import annotations

from typing import Any

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard.callbacks import feedback as _callbacks  # noqa: F401  - registers the page's callbacks
from dashboard.components.feedback_inbox import FILTERS
from dashboard.i18n import t
from dashboard.ids import feedback as fid
from ops.policy import Screen, roles_for

dash.register_page(
    __name__,
    path="/feedback",
    title="意见反馈 · Feedback",
    nav="fb.nav",
    nav_order=25,
    roles=list(roles_for(Screen.FEEDBACK)),
)


def layout(**_: Any) -> html.Div:
    return html.Div(
        id=fid.PAGE,
        className="fb-page",
        children=[
            dcc.Location(id=fid.REDIRECT, refresh=True),
            dcc.Store(id=fid.REFRESH, data=0),
            dcc.Store(id=fid.CLICK),
            html.H2(t("fb.title"), id=fid.TITLE),
            html.Div(
                id=fid.BODY,
                hidden=True,
                children=[
                    html.Div(
                        className="fb-bar",
                        children=[
                            dmc.SegmentedControl(
                                id=fid.FILTER,
                                value="open",
                                data=[{"value": f, "label": t(f"fb.filter.{f}", n="…")} for f in FILTERS],
                            ),
                            dmc.TextInput(
                                id=fid.SEARCH, label=t("fb.search"), debounce=400, size="sm", w=260
                            ),
                        ],
                    ),
                    html.Div(id=fid.COUNTS, className="fb-counts", role="status"),
                    html.Div(id=fid.NOTICE, role="status", **{"aria-live": "polite"}),  # type: ignore[arg-type]
                    html.Div(id=fid.LIST, className="fb-list"),
                ],
            ),
        ],
    )
