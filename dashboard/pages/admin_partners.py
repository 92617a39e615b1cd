"""/admin/partners: data-sharing partners' keys for the OGC API (/ogc/): the keys with their grants, a form that
creates one (shown once), revoke after a confirmation. Admins only (:data:`ops.policy.Screen.ADMIN`). Layout only;
the form is drawn in the user's language by the gate; callbacks in ``dashboard.callbacks.admin_partners``."""

from __future__ import annotations

from typing import Any

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard.callbacks import admin_nav as _nav  # noqa: F401  - the section bar's labels
from dashboard.callbacks import admin_partners as _callbacks  # noqa: F401  - registers the page's callbacks
from dashboard.components import admin_nav
from dashboard.components.admin_partners import form
from dashboard.i18n import t
from dashboard.ids import admin_partners as pid
from ops.policy import Screen, roles_for

dash.register_page(
    __name__,
    path="/admin/partners",
    title="数据共享 · Data sharing",
    label="admn.partners",  # its name where the app names it (not in the header: the section bar links it)
    roles=list(roles_for(Screen.ADMIN)),
)


def _notice(component_id: str) -> html.Div:
    return html.Div(id=component_id, role="status", **{"aria-live": "polite"})  # type: ignore[arg-type]


def _confirm() -> html.Div:
    yes = dmc.Button(t("prt.confirm.yes"), id=pid.CONFIRM_YES, n_clicks=0, color="red", size="xs")
    no = dmc.Button(t("prt.confirm.no"), id=pid.CONFIRM_NO, n_clicks=0, variant="default", size="xs")
    return html.Div(
        id=pid.CONFIRM,
        hidden=True,
        className="prt-confirm",
        role="alertdialog",
        children=[html.Span(id=pid.CONFIRM_TEXT), dmc.Group([yes, no], gap="xs", mt=6)],
    )


def layout(**_: Any) -> html.Div:
    listing = html.Div(
        className="prt-list",
        children=[
            html.H3(t("prt.keys"), id=pid.KEYS_TITLE),
            html.Div(id=pid.KEYS),
            _confirm(),
            _notice(pid.NOTICE),
        ],
    )
    side = html.Div(
        className="prt-side", children=[html.Div(id=pid.FORM, className="prt-form"), _notice(pid.CREATED)]
    )
    return html.Div(
        id=pid.PAGE,
        className="prt-page",
        children=[
            dcc.Location(id=pid.REDIRECT, refresh=True),
            dcc.Store(id=pid.VERSION, data=0),
            dcc.Store(id=pid.REVOKE_CLICK),
            dcc.Store(id=pid.PENDING, data=None),
            admin_nav.bar("/admin/partners"),
            html.H2(t("prt.title"), id=pid.TITLE),
            html.P(t("prt.intro"), id=pid.INTRO, className="prt-intro"),
            html.Div(id=pid.BODY, hidden=True, className="prt-grid", children=[listing, side]),
        ],
    )


def validation_layout() -> html.Div:
    """The whole tree, the form included (the gate draws it), for Dash's callback validation."""
    return html.Div([layout(), html.Div(form("zh", [], []))])
