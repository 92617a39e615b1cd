"""The analysis page's tabs, as data: each tab is a value, the string key of its label and the function that lays
out its panel (its callbacks are registered by importing its callbacks module in ``dashboard.pages.analysis``).

Every panel reads the page's filters from the store ``dashboard.ids.analysis.FILTERS``
(``{"days", "category", "district"}``), the UI language from ``dashboard.ids.LANG``, and is scoped on the
server by :func:`ops.analysis.scope.analysis_scope`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dash.development.base_component import Component

from dashboard.components import an_alertui_tab, an_campaign, an_corr, an_hot
from dashboard.components.an_places import panel as places_panel


@dataclass(frozen=True, slots=True)
class Tab:
    value: str
    label: str  # a string key
    panel: Callable[[], Component]
    #: Kept in the page while another tab is shown (the page shows one tab at a time otherwise): the campaigns
    #: tab's form must be there when another tab hands it a hot spot, a place or an alert to start from.
    keep_mounted: bool = False


#: In the order shown.
TABS: list[Tab] = [
    Tab("alerts", "an.alertui.tab", an_alertui_tab.panel),
    Tab("hotspots", "an.hot.tab", an_hot.panel),
    Tab("places", "an.places.tab", places_panel),
    Tab("peaks", "an.corr.tab.peaks", an_corr.peaks_panel),
    Tab("correlations", "an.corr.tab.correlations", an_corr.correlations_panel),
    Tab("campaigns", "an.campaign.tab", an_campaign.panel, keep_mounted=True),
]

#: Periods offered, in days; the first is the default.
PERIODS = (30, 7, 90, 365)
