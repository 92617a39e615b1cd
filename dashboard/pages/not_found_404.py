"""The 404 page (Dash's pages router shows it for any unknown path): in the chosen language, with the address
asked for and links to where one may go (the public map; staff pages by the signed-in user's role)."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, callback, html

from dashboard import access, auth, ids
from dashboard.i18n import t

dash.register_page(__name__, path="/404", title="页面不存在 · Page not found")


def layout(**_: Any) -> html.Section:
    return html.Section(id=ids.NOT_FOUND, className="gy-denied gy-not-found", children=body("/", "zh", None))


def body(path: str, lang: str, user: Any) -> list[Any]:
    links = [html.Li(html.A(t("access.public_map", lang), href="/", className="gy-denied-link"))]
    if user is None:
        links.append(html.Li(html.A(t("notfound.signin", lang), href="/login", className="gy-denied-link")))
    else:
        links += [
            html.Li(html.A(t(p["nav"], lang), href=p["path"], className="gy-denied-link"))
            for p in access.places(user)
        ]
    return [
        html.H2(t("notfound.title", lang)),
        html.P(t("notfound.text", lang, path=path), className="gy-denied-why"),
        html.P(t("notfound.go", lang)),
        html.Ul(links, className="gy-denied-links"),
    ]


@callback(Output(ids.NOT_FOUND, "children"), Input(ids.URL, "pathname"), Input(ids.LANG, "data"))
async def texts(path: str | None, lang: str) -> list[Any]:
    return body(path or "/", lang, await auth.acurrent_user())
