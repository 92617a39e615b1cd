"""The administration pages' section bar: one link per section of /admin, the current one marked. Every admin
page draws it at its top; the labels follow the chosen language (``dashboard.callbacks.admin_nav``)."""

from __future__ import annotations

from dash import html

from dashboard.i18n import t
from dashboard.ids import admin_nav as nid

#: (path, label key) of every section, in the bar's order.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("/admin", "admn.users"),
    ("/admin/reference", "admn.reference"),
    ("/admin/audit", "admn.audit"),
    ("/admin/notify", "admn.notify"),
    ("/admin/partners", "admn.partners"),
)


def bar(active: str, lang: str = "zh") -> html.Nav:
    """The bar, with the section at ``active`` marked as the current page."""
    return html.Nav(
        id=nid.BAR,
        className="admn-bar",
        **{"aria-label": t("admn.bar", lang)},  # type: ignore[arg-type]
        children=[
            html.A(
                t(key, lang),
                id={"type": nid.LINK, "path": path},
                href=path,
                className="admn-link admn-current" if path == active else "admn-link",
                **({"aria-current": "page"} if path == active else {}),  # type: ignore[arg-type]
            )
            for path, key in SECTIONS
        ],
    )
