"""The monthly report's block on /stats: a month (default the last whole month), a district (an officer's own,
else the whole city or one district) and two links, the PDF download and the printable web page. Callbacks:
:mod:`dashboard.callbacks.report`."""

from __future__ import annotations

from datetime import datetime

import dash_mantine_components as dmc
from dash import html

import dashboard.callbacks.report  # noqa: F401  - registers the block's callbacks
from dashboard.i18n import t
from dashboard.ids import report as ids
from geo.crs import TZ
from ops.reports.scope import last_whole_month


def block() -> html.Div:
    month = last_whole_month(datetime.now(TZ).date()).start
    return html.Div(
        id=ids.BLOCK,
        className="rpt-block",
        children=[
            html.Span(t("rpt.label"), id=ids.LABEL, className="rpt-block-label"),
            dmc.MonthPickerInput(
                id=ids.MONTH,
                value=month.isoformat(),
                maxDate=month.isoformat(),
                valueFormat="YYYY-MM",
                size="xs",
                w=100,
                allowDeselect=False,
                label=t("rpt.month"),
            ),
            dmc.Select(
                id=ids.DISTRICT,
                data=[],
                value=None,
                placeholder=t("rpt.city"),
                clearable=True,
                size="xs",
                w=130,
                label=t("rpt.district"),
            ),
            html.A(t("rpt.pdf"), id=ids.PDF, className="stats-export rpt-pdf", download="", href="#"),
            html.A(t("rpt.web"), id=ids.WEB, className="stats-export", target="_blank", href="#"),
        ],
    )
