"""/admin: Administration → Users. List and search the staff accounts (role, scope, active, last sign-in), add
one, edit role / scope / display name, deactivate and reactivate, reset a password (a one-time password shown
once). Admins only (:data:`ops.policy.Screen.ADMIN`). Layout only; callbacks in
``dashboard.callbacks.admin_users``; the rules in :mod:`ops.staff_admin`."""

from __future__ import annotations

from typing import Any

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard.callbacks import admin_nav as _nav  # noqa: F401  - the section bar's labels
from dashboard.callbacks import admin_users as _callbacks  # noqa: F401  - registers the page's callbacks
from dashboard.components import admin_nav
from dashboard.components.admin_users import user_form
from dashboard.i18n import t
from dashboard.ids import admin_users as uid
from ops.policy import Screen, roles_for

dash.register_page(
    __name__,
    path="/admin",
    title="系统管理 · Administration",
    nav="admn.nav",
    nav_order=60,
    roles=list(roles_for(Screen.ADMIN)),
)


def _live(component_id: str) -> html.Div:
    return html.Div(id=component_id, role="status", **{"aria-live": "polite"})  # type: ignore[arg-type]


def _confirm() -> html.Div:
    yes = dmc.Button(t("usr.confirm.yes"), id=uid.CONFIRM_YES, n_clicks=0, color="red", size="xs")
    no = dmc.Button(t("usr.confirm.no"), id=uid.CONFIRM_NO, n_clicks=0, variant="default", size="xs")
    return html.Div(
        id=uid.CONFIRM,
        hidden=True,
        className="usr-confirm",
        role="alertdialog",
        children=[html.Span(id=uid.CONFIRM_TEXT), dmc.Group([yes, no], gap="xs", mt=6)],
    )


def _listing() -> html.Section:
    return html.Section(
        className="usr-list",
        children=[
            html.Div(
                className="usr-bar",
                children=[
                    dmc.TextInput(
                        id=uid.SEARCH,
                        placeholder=t("usr.search"),
                        debounce=300,
                        className="usr-search",
                        inputProps={"aria-label": t("usr.search"), "type": "search"},
                    ),
                    dmc.Switch(id=uid.SHOW_INACTIVE, label=t("usr.show_inactive"), checked=True),
                    html.Span(id=uid.COUNT, className="usr-count", role="status"),
                ],
            ),
            _confirm(),
            _live(uid.NOTICE),
            html.Div(id=uid.OTP, className="usr-otp"),
            html.Div(id=uid.TABLE, className="usr-table-wrap"),
        ],
    )


def layout(**_: Any) -> html.Div:
    return html.Div(
        id=uid.PAGE,
        className="usr-page",
        children=[
            dcc.Location(id=uid.REDIRECT, refresh=True),
            dcc.Store(id=uid.VERSION, data=0),
            dcc.Store(id=uid.ACT_CLICK),
            dcc.Store(id=uid.EDITING, data=None),
            dcc.Store(id=uid.PENDING, data=None),
            admin_nav.bar("/admin"),
            html.H2(t("usr.title"), id=uid.TITLE),
            html.Div(
                id=uid.BODY,
                hidden=True,
                className="usr-grid",
                children=[
                    _listing(),
                    html.Section(
                        className="usr-side", children=[html.Div(id=uid.FORM), _live(uid.FORM_NOTICE)]
                    ),
                ],
            ),
        ],
    )


def validation_layout() -> html.Div:
    """The whole tree, the form included (drawn by a callback), for Dash's callback validation."""
    page = layout()
    return html.Div([page, html.Div(user_form("zh", None, [], []))])
