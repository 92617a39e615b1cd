"""The one link to a case: ``/workbench?case=<ticket>`` opens that case's card on the workbench map (the page
checks the reader's sign-in and reach). Every place that shows a ticket links it through here; messages that
leave the browser (notifications) put the same path after the deployment's base URL (:func:`case_url`)."""

from __future__ import annotations

from urllib.parse import quote

from dash import html

from dashboard.i18n import t

#: The page that opens a case, and its query parameter.
PATH = "/workbench"
PARAM = "case"


def case_href(ticket: str) -> str:
    """The site-relative link to the case ``ticket`` (e.g. ``/workbench?case=GY250908-1599``)."""
    return f"{PATH}?{PARAM}={quote(str(ticket), safe='-')}"


def case_url(base_url: str, ticket: str) -> str:
    """The absolute link for messages read outside the app (``base_url`` like ``http://127.0.0.1:8050``)."""
    return base_url.rstrip("/") + case_href(ticket)


def case_anchor(ticket: str, lang: str = "zh", *, class_name: str = "") -> html.A:
    """The ticket as a link to its card; the title says where it leads, in the reader's language."""
    return html.A(
        ticket,
        href=case_href(ticket),
        title=t("wbl.open_case", lang, ticket=ticket),
        className=("gy-case-link " + class_name).strip(),
    )
