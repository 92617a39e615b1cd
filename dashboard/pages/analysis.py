"""/analysis: 研判预警 — hot spots, multi-occurrence places, time peaks, alerts, correlated complaint types and
campaigns, one tab each over the same filters (period, category, district). Layout only; the frame's callbacks
are in ``dashboard.callbacks.analysis``, each tab's in its own module."""

from __future__ import annotations

from typing import Any

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard.callbacks import an_alertui as _alerts  # noqa: F401  - registers the 预警 tab's callbacks
from dashboard.callbacks import an_campaign as _an_campaign  # noqa: F401  - the 专项整治 tab's callbacks
from dashboard.callbacks import an_corr as _an_corr  # noqa: F401  - 时间峰值 and 关联分析 tabs
from dashboard.callbacks import an_hot as _hot_callbacks  # noqa: F401  - the 热点区域 tab's callbacks
from dashboard.callbacks import an_places as _places  # noqa: F401  - the 多发地点 tab
from dashboard.callbacks import analysis as _callbacks  # noqa: F401  - registers the frame's callbacks
from dashboard.components.analysis_tabs import PERIODS, TABS
from dashboard.i18n import t
from dashboard.ids import analysis as aid
from ops.policy import Screen, roles_for

dash.register_page(
    __name__,
    path="/analysis",
    title="研判预警 · Analysis",
    nav="an.nav",
    nav_order=22,
    roles=list(roles_for(Screen.ANALYSIS)),
)


def _filters() -> html.Div:
    return html.Div(
        className="an-filters",
        children=[
            dmc.SegmentedControl(
                id=aid.DAYS,
                value=str(PERIODS[0]),
                data=[{"value": str(n), "label": t("an.days.n", n=n)} for n in sorted(PERIODS)],
                **{"aria-label": t("an.days")},
            ),
            dmc.Select(id=aid.MAJOR, label=t("an.major"), data=[], clearable=True, searchable=True, w=200),
            dmc.Select(
                id=aid.MINOR,
                label=t("an.minor"),
                data=[],
                clearable=True,
                searchable=True,
                disabled=True,
                w=200,
            ),
            dmc.Select(id=aid.DISTRICT, label=t("an.district"), data=[], clearable=True, w=180),
        ],
    )


def _tabs(shown: str | None) -> Any:
    if not TABS:
        return html.P(t("an.no_tabs"), className="an-empty")
    values = [tab.value for tab in TABS]
    return dmc.Tabs(
        id=aid.TABS,
        value=shown if shown in values else values[0],
        keepMounted=False,
        children=[
            dmc.TabsList(
                [
                    dmc.TabsTab(
                        html.Span(t(tab.label), id={"type": aid.TAB_LABEL, "tab": tab.value}), value=tab.value
                    )
                    for tab in TABS
                ]
            ),
            *[dmc.TabsPanel(tab.panel(), value=tab.value, keepMounted=tab.keep_mounted) for tab in TABS],
        ],
    )


def layout(tab: str | None = None, alert: str | None = None, **_: Any) -> html.Div:
    """``/analysis?tab=hotspots`` opens that tab (a link to one analysis); the first tab otherwise.
    ``/analysis?alert=ID`` opens the alerts tab on that alert (a link in a notification or an alarm)."""
    linked = {"id": int(alert)} if isinstance(alert, str) and alert.isdigit() and len(alert) < 19 else None
    if linked is not None:
        tab = "alerts"
    return html.Div(
        id=aid.PAGE,
        className="an-page",
        children=[
            dcc.Location(id=aid.REDIRECT, refresh=True),
            dcc.Store(id=aid.FILTERS, data={"days": PERIODS[0], "category": None, "district": None}),
            dcc.Store(id=aid.CAMPAIGN_SEED),
            dcc.Store(id=aid.LINKED_ALERT, data=linked),
            html.Div(
                className="an-head",
                children=[
                    html.H2(t("an.title"), id=aid.TITLE),
                    html.Span(id=aid.SCOPE, className="an-scope"),
                ],
            ),
            html.Div(id=aid.BODY, hidden=True, children=[_filters(), _tabs(tab)]),
        ],
    )
