"""Callbacks of the monthly report's block on /stats: the districts the user may choose, the links' addresses
(month and district as query parameters) and the labels in the user's language. The report itself is made by
the routes of :mod:`dashboard.api.reports`, which check the user's reach again."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import Input, Output, callback

from dashboard import ids as app_ids
from dashboard import runtime
from dashboard.auth import require_user
from dashboard.i18n import t
from dashboard.ids import report as ids
from db.accounts import StaffIdentity
from db.queries.report_month import districts


@callback(
    Output(ids.DISTRICT, "data"),
    Output(ids.DISTRICT, "value"),
    Output(ids.DISTRICT, "disabled"),
    Input(app_ids.LANG, "data"),
)
@require_user()
async def choices(lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    """An officer: their own district only; anyone else: the whole city (no value) or a district."""
    rows = await runtime.aview(districts)
    name = 2 if lang == "en" else 1
    data = [{"value": r[0], "label": r[name]} for r in rows]
    if user.district_code:
        return [d for d in data if d["value"] == user.district_code], user.district_code, True
    return data, None, False


@callback(
    Output(ids.PDF, "href"),
    Output(ids.WEB, "href"),
    Input(ids.MONTH, "value"),
    Input(ids.DISTRICT, "value"),
    Input(app_ids.LANG, "data"),
)
@require_user()
async def links(
    month: str | None, district: str | None, lang: str, *, user: StaffIdentity
) -> tuple[str, str]:
    query = {"month": str(month or "")[:7], "lang": "en" if lang == "en" else "zh"}
    if district:
        query["district"] = district
    qs = urlencode({k: v for k, v in query.items() if v})
    return f"/reports/monthly.pdf?{qs}", f"/reports/monthly?{qs}"


@callback(
    Output(ids.LABEL, "children"),
    Output(ids.MONTH, "label"),
    Output(ids.DISTRICT, "label"),
    Output(ids.DISTRICT, "placeholder"),
    Output(ids.PDF, "children"),
    Output(ids.WEB, "children"),
    Input(app_ids.LANG, "data"),
)
@require_user()
async def labels(lang: str, *, user: StaffIdentity) -> tuple[str, ...]:
    keys = ("rpt.label", "rpt.month", "rpt.district", "rpt.city", "rpt.pdf", "rpt.web")
    return tuple(t(k, lang) for k in keys)
