"""/admin/notify: where notifications go (routes: add, test, remove) and what was sent (the outbox: counts,
recent messages, failed ones sent again). Admins only (:data:`ops.policy.Screen.ADMIN`). Layout only; the form is
drawn in the user's language by the gate; callbacks in ``dashboard.callbacks.admin_notify``."""

from __future__ import annotations

from typing import Any

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard.callbacks import admin_nav as _nav  # noqa: F401  - the section bar's labels
from dashboard.callbacks import admin_notify as _callbacks  # noqa: F401  - registers the page's callbacks
from dashboard.components import admin_nav
from dashboard.components.admin_notify import add_form
from dashboard.i18n import t
from dashboard.ids import admin as aid
from ops.policy import Screen, roles_for

dash.register_page(
    __name__,
    path="/admin/notify",
    title="通知管理 · Notifications",
    roles=list(roles_for(Screen.ADMIN)),
)

REFRESH_MS = 10_000


def _notice(component_id: str) -> html.Div:
    return html.Div(id=component_id, role="status", **{"aria-live": "polite"})  # type: ignore[arg-type]


def _confirm() -> html.Div:
    """Removing a route asks first: this panel, with the route named, and two buttons."""
    yes = dmc.Button(t("adm.confirm.yes"), id=aid.CONFIRM_YES, n_clicks=0, color="red", size="xs")
    no = dmc.Button(t("adm.confirm.no"), id=aid.CONFIRM_NO, n_clicks=0, variant="default", size="xs")
    return html.Div(
        id=aid.CONFIRM,
        hidden=True,
        className="adm-confirm",
        role="alertdialog",
        children=[html.Span(id=aid.CONFIRM_TEXT), dmc.Group([yes, no], gap="xs", mt=6)],
    )


def _routes() -> html.Section:
    listing = html.Div(
        className="adm-routes-list",
        children=[html.Div(id=aid.ROUTES), _confirm(), _notice(aid.ROUTE_NOTICE), _notice(aid.TEST_NOTICE)],
    )
    return html.Section(
        className="adm-section",
        children=[
            html.H3(t("adm.routes"), id=aid.ROUTES_TITLE),
            html.Div(
                className="adm-routes-grid", children=[listing, html.Div(id=aid.FORM, className="adm-form")]
            ),
        ],
    )


def _outbox() -> html.Section:
    return html.Section(
        className="adm-section",
        children=[
            html.H3(t("adm.outbox"), id=aid.OUTBOX_TITLE),
            html.Div(
                className="adm-bar",
                children=[
                    html.Div(id=aid.COUNTS, className="adm-counts", role="status"),
                    dmc.Switch(id=aid.FAILED_ONLY, label=t("adm.failed_only"), checked=False),
                    dmc.Button(t("adm.reload"), id=aid.RELOAD, n_clicks=0, size="xs", variant="default"),
                ],
            ),
            _notice(aid.OUTBOX_NOTICE),
            html.Div(id=aid.OUTBOX, className="adm-outbox"),
        ],
    )


def layout(**_: Any) -> html.Div:
    return html.Div(
        id=aid.PAGE,
        className="adm-page",
        children=[
            dcc.Location(id=aid.REDIRECT, refresh=True),
            dcc.Store(id=aid.ROUTES_VERSION, data=0),
            dcc.Store(id=aid.REMOVED_VERSION, data=0),
            dcc.Store(id=aid.OUTBOX_VERSION, data=0),
            *[dcc.Store(id=i) for i in (aid.RESEND_CLICK, aid.REMOVE_CLICK, aid.TEST_CLICK)],
            dcc.Store(id=aid.PENDING_REMOVE, data=None),
            dcc.Interval(id=aid.TICK, interval=REFRESH_MS),
            admin_nav.bar("/admin/notify"),
            html.H2(t("adm.title"), id=aid.TITLE),
            html.Div(id=aid.BODY, hidden=True, children=[_routes(), _outbox()]),
        ],
    )


def validation_layout() -> html.Div:
    """The whole tree, the form included (the gate draws it), for Dash's callback validation."""
    page = layout()
    return html.Div([page, html.Div(add_form("zh", []))])
