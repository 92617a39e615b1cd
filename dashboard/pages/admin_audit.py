"""/admin/audit: the audit viewer. One chronological list of sign-ins (with the client address), logouts and
revoked sessions, staff actions on cases (linked to the case), exports and reports, administration, moderation and
data sharing; filters by person, kind and days; paged newest first; the filtered view as CSV. Admins only
(:data:`ops.policy.Screen.ADMIN`). Layout only; callbacks in ``dashboard.callbacks.admin_audit``."""

from __future__ import annotations

from typing import Any

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard.callbacks import admin_audit as _callbacks  # noqa: F401  - registers the page's callbacks
from dashboard.callbacks import admin_nav as _nav  # noqa: F401  - the section bar's labels
from dashboard.components import admin_nav
from dashboard.components.admin_audit import group_options
from dashboard.i18n import t
from dashboard.ids import admin_audit as aud
from ops.policy import Screen, roles_for

dash.register_page(
    __name__,
    path="/admin/audit",
    title="审计日志 · Audit log",
    label="aud.title",  # no header entry (the section bar leads here); names the page where access is refused
    roles=list(roles_for(Screen.ADMIN)),
)


def _filters() -> html.Div:
    return html.Div(
        className="aud-filters",
        role="search",
        children=[
            dmc.Autocomplete(
                id=aud.PERSON,
                label=t("aud.person"),
                placeholder=t("aud.person.ph"),
                data=[],
                value="",
                w=200,
            ),
            dmc.MultiSelect(
                id=aud.KINDS,
                label=t("aud.kinds"),
                placeholder=t("aud.kinds.ph"),
                data=group_options("zh"),
                value=[],
                clearable=True,
                w=320,
            ),
            dmc.DatePickerInput(
                id=aud.RANGE,
                type="range",
                label=t("aud.range"),
                placeholder=t("aud.range.ph"),
                value=[None, None],  # Mantine's empty range (None breaks the component)
                valueFormat="YYYY-MM-DD",
                firstDayOfWeek=1,
                allowSingleDateInRange=True,
                clearable=True,
                w=250,
            ),
            dmc.Button(t("aud.apply"), id=aud.APPLY, n_clicks=0, size="sm"),
            html.A(
                t("aud.csv"), id=aud.CSV, href="/admin/audit/export.csv", className="aud-csv", download=""
            ),
        ],
    )


def _pager() -> html.Div:
    return html.Div(
        className="aud-pager",
        children=[
            dmc.Button(t("aud.newer"), id=aud.NEWER, n_clicks=0, size="xs", variant="default", disabled=True),
            html.Span(id=aud.PAGEINFO, className="aud-pageinfo", role="status"),
            dmc.Button(t("aud.older"), id=aud.OLDER, n_clicks=0, size="xs", variant="default", disabled=True),
        ],
    )


def layout(**_: Any) -> html.Div:
    return html.Div(
        id=aud.PAGE,
        className="aud-page",
        children=[
            dcc.Location(id=aud.REDIRECT, refresh=True),
            dcc.Store(id=aud.FILTER, data=None),
            dcc.Store(id=aud.STACK, data=[""]),
            dcc.Store(id=aud.NEXT, data=None),
            admin_nav.bar("/admin/audit"),
            html.H2(t("aud.title"), id=aud.TITLE),
            html.Div(
                id=aud.BODY,
                hidden=True,
                children=[
                    html.P(t("aud.intro"), id=aud.INTRO, className="aud-intro"),
                    _filters(),
                    html.Div(id=aud.NOTICE, role="status", **{"aria-live": "polite"}),  # type: ignore[arg-type]
                    html.Div(id=aud.TABLE, className="aud-list"),
                    _pager(),
                ],
            ),
        ],
    )
