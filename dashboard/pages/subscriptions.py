"""/subscriptions (区域订阅): a staff user subscribes to new reports and closures in an area they draw (or a circle
around a point they click), for some categories, delivered to a bot, a webhook or an e-mail address; lists,
tests, pauses and removes their subscriptions. Layout only; the form is drawn in the user's language by
``dashboard.callbacks.subscriptions``."""

from __future__ import annotations

from typing import Any

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard.callbacks import subscriptions as _callbacks  # noqa: F401  - registers the page's callbacks
from dashboard.callbacks.workbench import opening_bounds
from dashboard.components import subscriptions as view
from dashboard.i18n import t
from dashboard.ids import subscriptions as sid
from ops.policy import Screen, roles_for

dash.register_page(
    __name__,
    path="/subscriptions",
    title="区域订阅 · Area subscriptions",
    nav="sub.nav",
    nav_order=45,
    roles=list(roles_for(Screen.SUBSCRIPTIONS)),
    app_gate=True,  # the app's gate (dashboard.access) sends anonymous visitors to sign in
)


def _confirm() -> html.Div:
    yes = dmc.Button(t("sub.confirm.yes"), id=sid.CONFIRM_YES, n_clicks=0, color="red", size="xs")
    no = dmc.Button(t("sub.confirm.no"), id=sid.CONFIRM_NO, n_clicks=0, variant="default", size="xs")
    return html.Div(
        id=sid.CONFIRM,
        hidden=True,
        className="sub-confirm",
        role="alertdialog",
        children=[html.Span(id=sid.CONFIRM_TEXT), dmc.Group([yes, no], gap="xs", mt=6)],
    )


def layout(**_: Any) -> html.Div:
    return html.Div(
        id=sid.PAGE,
        className="sub-page",
        children=[
            dcc.Store(id=sid.VERSION, data=0),
            *[dcc.Store(id=i) for i in (sid.TEST_CLICK, sid.TOGGLE_CLICK, sid.REMOVE_CLICK)],
            dcc.Store(id=sid.CENTER, data=None),
            dcc.Store(id=sid.PENDING, data=None),
            html.H2(t("sub.title"), id=sid.TITLE),
            html.P(t("sub.intro"), id=sid.INTRO, className="sub-intro"),
            html.Div(
                id=sid.BODY,
                className="sub-grid",
                children=[
                    html.Div(
                        className="sub-map-box",
                        children=[
                            html.P(t("sub.hint.drawn"), id=sid.MAP_HINT, className="sub-hint"),
                            view.the_map(opening_bounds()),
                        ],
                    ),
                    # drawn here too (no categories yet), so its inputs exist from the start; the setup callback
                    # draws it again in the user's language with the catalog
                    html.Div(id=sid.FORM, className="sub-form", children=view.form("zh", [], False)),
                ],
            ),
            html.Section(
                className="sub-list-section",
                children=[
                    html.H3(t("sub.list"), id=sid.LIST_TITLE),
                    _confirm(),
                    html.Div(id=sid.LIST_NOTICE, role="status", **{"aria-live": "polite"}),  # type: ignore[arg-type]
                    html.Div(id=sid.LIST),
                ],
            ),
        ],
    )
