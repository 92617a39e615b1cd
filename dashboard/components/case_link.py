"""The one link to a case: ``/workbench?case=<ticket>`` opens that case's card on the workbench map (the page
checks the reader's sign-in and reach). Every place that shows a ticket links it through here; messages that
leave the browser (notifications) put the same path (:mod:`ops.links`) after the deployment's base URL."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from dash import html

from dashboard.i18n import t
from geo.crs import TZ
from ops.links import case_path

#: The page that opens a case, and its query parameter.
PATH = "/workbench"
PARAM = "case"


def case_href(ticket: str) -> str:
    """The site-relative link to the case ``ticket`` (e.g. ``/workbench?case=GY250908-1599``): the one rule,
    :func:`ops.links.case_path`, which the notifications use too."""
    return case_path(str(ticket))


def case_anchor(ticket: str, lang: str = "zh", *, class_name: str = "") -> html.A:
    """The ticket as a link to its card; the title says where it leads, in the reader's language."""
    return html.A(
        ticket,
        href=case_href(ticket),
        title=t("wbl.open_case", lang, ticket=ticket),
        className=("gy-case-link " + class_name).strip(),
    )


def cases_href(
    *, category: str | None = None, district: str | None = None, since: datetime | None = None, now: datetime
) -> str:
    """The workbench's queue and map filtered to the cases behind a number (an alert's 小类 or 大类, its district,
    reported since ``since``): the smallest of the queue's windows (today, 7 days, 30 days) that holds ``since``,
    every status."""
    params: list[tuple[str, str]] = []
    if category:
        params.append(
            ("major" if len(category) == 3 else "category", category)
        )  # 大类 codes have 3 characters
    if district:
        params.append(("district", district))
    if since is not None:
        days = (now.astimezone(TZ).date() - since.astimezone(TZ).date()).days + 1
        params.append(("window", "today" if days <= 1 else "7d" if days <= 7 else "30d"))
    return f"{PATH}?{urlencode(params, safe=',')}" if params else PATH
