"""/admin/reference (基础数据): the 小类 catalog's rules, the responsibility table, the holiday calendar and the
departments, each change effective from a date and kept with its history. Admins only
(:data:`ops.policy.Screen.ADMIN`). Layout only; the forms are drawn in the user's language by the gate; callbacks
in ``dashboard.callbacks.admin_reference`` and ``dashboard.callbacks.admin_reference_dept``."""

from __future__ import annotations

from typing import Any

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard.callbacks import admin_nav as _nav  # noqa: F401  - the section bar's labels
from dashboard.callbacks import admin_reference as _callbacks  # noqa: F401  - registers the page's callbacks
from dashboard.callbacks import admin_reference_dept as _dept  # noqa: F401  - the departments tab's callbacks
from dashboard.components import admin_nav
from dashboard.components.admin_reference import category_form, holiday_form, responsibility_form
from dashboard.components.admin_reference_dept import department_form
from dashboard.i18n import t
from dashboard.ids import admin_reference as rid
from ops.policy import Screen, roles_for

dash.register_page(
    __name__,
    path="/admin/reference",
    title="基础数据 · Reference data",
    label="ref.title",  # its name where no header entry names it (the no-access panel)
    roles=list(roles_for(Screen.ADMIN)),
)


def _panel(value: str, component_id: str) -> dmc.TabsPanel:
    return dmc.TabsPanel(html.Div(id=component_id, className="ref-panel"), value=value)


def layout(**_: Any) -> html.Div:
    return html.Div(
        id=rid.PAGE,
        className="adm-page ref-page",
        children=[
            dcc.Location(id=rid.REDIRECT, refresh=True),
            dcc.Store(id=rid.VERSION, data=0),
            admin_nav.bar("/admin/reference"),
            html.H2(t("ref.title"), id=rid.TITLE),
            html.Div(
                id=rid.BODY,
                hidden=True,
                children=[
                    html.P(t("ref.intro"), id=rid.INTRO, className="ref-intro"),
                    dmc.Tabs(
                        id=rid.TABS,
                        value="cat",
                        children=[
                            dmc.TabsList(
                                [
                                    dmc.TabsTab(t("ref.tab.cat"), id=rid.TAB_CAT, value="cat"),
                                    dmc.TabsTab(t("ref.tab.resp"), id=rid.TAB_RESP, value="resp"),
                                    dmc.TabsTab(t("ref.tab.hol"), id=rid.TAB_HOL, value="hol"),
                                    dmc.TabsTab(t("ref.tab.dep"), id=rid.TAB_DEP, value="dep"),
                                ]
                            ),
                            _panel("cat", rid.CAT_FORM),
                            _panel("resp", rid.RESP_FORM),
                            _panel("hol", rid.HOL_FORM),
                            _panel("dep", rid.DEP_FORM),
                        ],
                    ),
                ],
            ),
        ],
    )


def validation_layout() -> html.Div:
    """The whole tree, the forms included (the gate draws them), for Dash's callback validation."""
    return html.Div(
        [
            layout(),
            html.Div(category_form("zh", [], [], "")),
            html.Div(responsibility_form("zh", [], [], [], "")),
            html.Div(holiday_form("zh", [2026], 2026, "")),
            html.Div(department_form("zh", [], [], "")),
        ]
    )
