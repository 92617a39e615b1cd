"""/login: the staff sign-in form. A plain HTML form posting to /auth/login (works without JavaScript and
from the keyboard); Dash only swaps its texts when the language changes and fills in demo accounts."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import dash
from dash import ALL, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard import auth, ids, runtime
from dashboard.i18n import t
from dashboard.ids import login as lid
from dashboard.signin_routes import safe_target

dash.register_page(__name__, path="/login", title="工作人员登录 · Staff sign-in")

ROLE_KEYS = {"lead", "dispatcher", "officer", "department", "admin", "moderator"}


def safe_next(value: object) -> str:
    """Only a path on this site may be the target after signing in (the rule of the sign-in routes)."""
    return safe_target(value)


def _demo_users() -> list[Any]:
    try:
        demo = runtime.services().settings.demo_mode
    except RuntimeError:  # no app (layout validation outside a server)
        return []
    if not demo:
        return []
    from demo.users import DEMO_USERS

    return list(DEMO_USERS)


def _demo_table(users: list[Any]) -> html.Div:
    if not users:
        return html.Div(id=lid.LOGIN_DEMO, hidden=True)
    head = html.Tr(
        [
            html.Th(t("login.demo_user"), id={"type": lid.LOGIN_TEXT, "k": "user"}),
            html.Th(t("login.demo_password"), id={"type": lid.LOGIN_TEXT, "k": "password"}),
            html.Th(t("login.demo_role"), id={"type": lid.LOGIN_TEXT, "k": "role"}),
        ]
    )
    rows = [
        html.Tr(
            [
                html.Td(
                    html.Button(
                        u.username,
                        type="button",
                        className="lg-fill",
                        id={"type": lid.LOGIN_DEMO_ROW, "user": u.username, "pw": u.password},
                    )
                ),
                html.Td(html.Code(u.password)),
                html.Td(u.display_name, id={"type": lid.LOGIN_TEXT, "k": f"as.{u.username}"}),
            ]
        )
        for u in users
    ]
    return html.Div(
        id=lid.LOGIN_DEMO,
        className="lg-demo",
        children=[
            html.H2(t("login.demo_title"), id={"type": lid.LOGIN_TEXT, "k": "title"}),
            html.P(t("login.demo_hint"), id={"type": lid.LOGIN_TEXT, "k": "hint"}, className="lg-hint"),
            html.Table([html.Thead(head), html.Tbody(rows)]),
        ],
    )


def error_key(error: object) -> str:
    """The message for ``?error=``: the form expired (no valid CSRF token), or a wrong password."""
    return "signin.expired" if error == "expired" else "login.error"


def layout(error: str | None = None, **query: Any) -> html.Div:
    target = safe_next(query.get("next"))
    return html.Div(
        id=lid.LOGIN_ROOT,
        className="lg-page",
        children=[
            html.Form(
                action="/auth/login",
                method="post",
                className="lg-card",
                children=[
                    html.H1(t("login.title"), id=lid.LOGIN_TITLE),
                    html.P(t("login.subtitle"), id=lid.LOGIN_SUBTITLE, className="lg-sub"),
                    html.Div(id=lid.LOGIN_SIGNED_IN, className="lg-signed"),
                    html.Div(
                        t(error_key(error)),
                        id=lid.LOGIN_ERROR,
                        className="lg-error",
                        role="alert",
                        hidden=not error,
                    ),
                    html.Label(t("login.username"), htmlFor=lid.LOGIN_USER, id=lid.LOGIN_USER_LABEL),
                    dcc.Input(
                        id=lid.LOGIN_USER,
                        name="username",
                        type="text",
                        autoComplete="username",
                        autoFocus=True,
                        required=True,
                        maxLength=64,
                        className="lg-input",
                    ),
                    html.Label(t("login.password"), htmlFor=lid.LOGIN_PASSWORD, id=lid.LOGIN_PASSWORD_LABEL),
                    dcc.Input(
                        id=lid.LOGIN_PASSWORD,
                        name="password",
                        type="password",
                        autoComplete="current-password",
                        required=True,
                        className="lg-input",
                    ),
                    dcc.Input(type="hidden", name="next", value=target, id="login-next"),
                    # the form's CSRF token, bound to this browser's session cookie (checked by /auth/login)
                    dcc.Input(type="hidden", name="csrf_token", value=auth.login_token(), id="login-csrf"),
                    html.Button(t("login.submit"), type="submit", id=lid.LOGIN_SUBMIT, className="lg-submit"),
                    html.P(t("login.public_note"), id=lid.LOGIN_NOTE, className="lg-note"),
                ],
            ),
            _demo_table(_demo_users()),
        ],
    )


@callback(
    Output(lid.LOGIN_TITLE, "children"),
    Output(lid.LOGIN_SUBTITLE, "children"),
    Output(lid.LOGIN_ERROR, "children"),
    Output(lid.LOGIN_USER_LABEL, "children"),
    Output(lid.LOGIN_PASSWORD_LABEL, "children"),
    Output(lid.LOGIN_SUBMIT, "children"),
    Output(lid.LOGIN_NOTE, "children"),
    Output({"type": lid.LOGIN_TEXT, "k": ALL}, "children"),
    Output(lid.LOGIN_SIGNED_IN, "children"),
    Input(ids.LANG, "data"),
    State({"type": lid.LOGIN_TEXT, "k": ALL}, "id"),
    State(ids.URL, "search"),
)
async def login_texts(lang: str, th_ids: list[dict[str, str]], search: str | None) -> tuple[Any, ...]:
    """Texts in the chosen language; a note (with a way on) when someone is already signed in."""
    keys = {"user": "login.demo_user", "password": "login.demo_password", "role": "login.demo_role"}  # nosec B105 # a UI/state key, not a password
    keys |= {"title": "login.demo_title", "hint": "login.demo_hint"}
    user = await auth.acurrent_user()
    signed: Any = None
    if user is not None:
        signed = [
            t("login.signed_in", lang, name=user.display_name),
            " ",
            html.A(t("login.go_workbench", lang), href="/workbench"),
        ]
    return (
        t("login.title", lang),
        t("login.subtitle", lang),
        t(error_key(parse_qs((search or "").lstrip("?")).get("error", [None])[0]), lang),
        t("login.username", lang),
        t("login.password", lang),
        t("login.submit", lang),
        t("login.public_note", lang),
        [_text(i["k"], keys, lang) for i in th_ids],
        signed,
    )


def _text(k: str, keys: dict[str, str], lang: str) -> str:
    """A heading of the demo table, or a demo user's role cell (``as.<username>``): the account's name in
    Chinese, its role in English (the names are in Chinese only)."""
    if k.startswith("as."):
        user = next((u for u in _demo_users() if u.username == k[3:]), None)
        if user is None:
            return ""
        return t(f"wb.role.{user.role}", lang) if lang == "en" else str(user.display_name)
    return t(keys[k], lang)


clientside_callback(
    """
    function (clicks, idsList) {
        const trig = window.dash_clientside.callback_context.triggered_id;
        if (!trig || !clicks.some(Boolean)) { return window.dash_clientside.no_update; }
        setTimeout(function () { const b = document.getElementById("login-submit"); if (b) { b.focus(); } }, 0);
        return [trig.user, trig.pw];
    }
    """,
    Output(lid.LOGIN_USER, "value"),
    Output(lid.LOGIN_PASSWORD, "value"),
    Input({"type": lid.LOGIN_DEMO_ROW, "user": ALL, "pw": ALL}, "n_clicks"),
    State({"type": lid.LOGIN_DEMO_ROW, "user": ALL, "pw": ALL}, "id"),
    prevent_initial_call=True,
)
