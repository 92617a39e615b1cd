"""The app-wide page gate. A staff page registers the roles that may use it (``roles=`` in ``register_page``,
taken from :data:`ops.policy.REACH` through :func:`ops.policy.roles_for`; ``/grid``: any staff role). Opening one:

- not signed in → the sign-in page, and back to the page afterwards (pages registered with ``app_gate=True``;
  the others send anonymous visitors to sign in on their own, and two redirects would race);
- signed in with a role that may not use it → 无权访问 / "No access" over the page, with links to the pages the
  role may use, instead of an empty shell.

The pages' own callbacks still refuse such users on their own (:func:`dashboard.auth.require_user`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import dash
from dash import Dash, Input, Output, dcc, html, no_update

from dashboard import auth, ids
from dashboard.i18n import t
from db.accounts import StaffIdentity

PASSWORD_URL = "/account/password"  # noqa: S105  # nosec B105 # a page's path, not a password


def layout() -> list[Any]:
    """The gate's parts of the app shell: a redirect and the (hidden) no-access panel."""
    return [
        dcc.Location(id=ids.ACCESS_REDIRECT, refresh=True),
        html.Section(id=ids.DENIED, className="gy-denied", hidden=True, role="alert"),
    ]


def page_for(path: str | None) -> dict[str, Any] | None:
    """The registered page at ``path`` (no trailing slash), or None."""
    path = (path or "/").rstrip("/") or "/"
    for page in dash.page_registry.values():
        if page.get("path") == path:
            return page
    return None


def may_use(page: dict[str, Any], role: str) -> bool:
    return not page.get("roles") or role in page["roles"]


def places(user: StaffIdentity) -> list[dict[str, Any]]:
    """The staff pages ``user`` may use, in the navigation's order."""
    pages = sorted(dash.page_registry.values(), key=lambda p: p.get("nav_order", 99))
    return [p for p in pages if p.get("nav") and may_use(p, user.role)]


def page_name(page: dict[str, Any], lang: str) -> str:
    """The page's name: its header-nav label, else its ``label`` string key (pages without a header entry, e.g.
    the admin sections), else its title."""
    key = page.get("nav") or page.get("label")
    return t(key, lang) if key else str(page.get("title") or page.get("path"))


def denied_panel(user: StaffIdentity, page: dict[str, Any], lang: str) -> list[Any]:
    links = [
        html.Li(html.A(t(p["nav"], lang), href=p["path"], className="gy-denied-link")) for p in places(user)
    ]
    links.append(html.Li(html.A(t("access.public_map", lang), href="/", className="gy-denied-link")))
    return [
        html.H2(t("access.title", lang)),
        html.P(
            t("access.why", lang, page=page_name(page, lang), role=t(f"wb.role.{user.role}", lang)),
            className="gy-denied-why",
        ),
        html.P(t("access.go", lang)),
        html.Ul(links, className="gy-denied-links"),
    ]


def install(app: Dash) -> None:
    @app.callback(
        Output(ids.ACCESS_REDIRECT, "href"),
        Output(ids.DENIED, "children"),
        Output(ids.DENIED, "hidden"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        Input(ids.LANG, "data"),
    )
    async def gate(path: str | None, search: str | None, lang: str) -> tuple[Any, Any, bool]:
        page = page_for(path)
        if (path or "").startswith("/login") and await auth.apending_password_change() is not None:
            return PASSWORD_URL, None, True
        if page is None or not page.get("roles"):
            return no_update, None, True
        user = await auth.acurrent_user()
        if user is None and await auth.apending_password_change() is not None:
            # a one-time password: nothing but the password page until it is changed
            return PASSWORD_URL + "?next=" + quote((path or "/") + (search or ""), safe="/"), None, True
        if user is None:
            if not page.get("app_gate"):
                return no_update, None, True
            return "/login?next=" + quote((path or "/") + (search or ""), safe="/"), None, True
        if may_use(page, user.role):
            return no_update, None, True
        return no_update, denied_panel(user, page, lang), False
