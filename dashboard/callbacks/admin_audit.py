"""/admin/audit: the gate (anonymous → sign in; another role sees nothing, the app's gate says 无权访问), the
filters (checked by :func:`ops.audit_view.parse_filter`; a refusal is shown in the user's language), the keyset
pages (a stack of cursors: 较早 pushes the next page's cursor, 较新 pops) and the CSV link of the filtered view
(``dashboard.api.admin_audit``)."""

from __future__ import annotations

import logging
from typing import Any

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, ctx, html
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, ids, runtime
from dashboard.api.admin_audit import export_href
from dashboard.components.admin_audit import group_options, table
from dashboard.i18n import t
from dashboard.ids import admin_audit as aud
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.errors import DomainError
from db.queries.audit_view import Cursor
from ops import audit_view
from ops.policy import Screen, reach, roles_for

log = logging.getLogger("guiyang_ops.audit")
ROLES = roles_for(Screen.ADMIN)
LOGIN_URL = "/login?next=/admin/audit"


@callback(
    Output(aud.REDIRECT, "href"),
    Output(aud.BODY, "hidden"),
    Output(aud.TITLE, "children"),
    Output(aud.INTRO, "children"),
    Output(aud.PERSON, "label"),
    Output(aud.PERSON, "placeholder"),
    Output(aud.PERSON, "data"),
    Output(aud.KINDS, "label"),
    Output(aud.KINDS, "placeholder"),
    Output(aud.KINDS, "data"),
    Output(aud.RANGE, "label"),
    Output(aud.RANGE, "placeholder"),
    Output(aud.APPLY, "children"),
    Output(aud.CSV, "children"),
    Output(aud.NEWER, "children"),
    Output(aud.OLDER, "children"),
    Input(aud.PAGE, "id"),
    Input(ids.LANG, "data"),
)
async def gate(_: str, lang: str) -> tuple[Any, ...]:
    user = await auth.acurrent_user()
    labels = (
        t("aud.title", lang),
        t("aud.intro", lang),
        t("aud.person", lang),
        t("aud.person.ph", lang),
    )
    tail = (
        t("aud.kinds", lang),
        t("aud.kinds.ph", lang),
        group_options(lang),
        t("aud.range", lang),
        t("aud.range.ph", lang),
        t("aud.apply", lang),
        t("aud.csv", lang),
        t("aud.newer", lang),
        t("aud.older", lang),
    )
    if user is None:
        return LOGIN_URL, True, *labels, [], *tail
    if reach(user.role, Screen.ADMIN) is None:
        return None, True, *labels, [], *tail
    names = await runtime.aread(audit_view.usernames)
    return None, False, *labels, names, *tail


def _range(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, list | tuple) or not value:
        return None, None
    first = value[0] if isinstance(value[0], str) and value[0] else None
    last = value[1] if len(value) > 1 and isinstance(value[1], str) and value[1] else first
    return first, last


@callback(
    Output(aud.FILTER, "data"),
    Output(aud.STACK, "data"),
    Output(aud.CSV, "href"),
    Output(aud.NOTICE, "children"),
    Input(aud.APPLY, "n_clicks"),
    Input(aud.PERSON, "n_submit"),
    Input(aud.KINDS, "value"),
    Input(aud.RANGE, "value"),
    Input(aud.NEWER, "n_clicks"),
    Input(aud.OLDER, "n_clicks"),
    Input(ids.LANG, "data"),
    State(aud.PERSON, "value"),
    State(aud.NEXT, "data"),
    State(aud.STACK, "data"),
)
@auth.require_user(*ROLES)
async def navigate(
    _apply: Any,
    _submit: Any,
    kinds: Any,
    days: Any,
    _newer: Any,
    _older: Any,
    lang: str,
    person: Any,
    after: Any,
    stack: Any,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    trig = ctx.triggered_id
    stack = [s for s in stack if isinstance(s, str)] if isinstance(stack, list) else [""]
    if trig == aud.OLDER:
        if not isinstance(after, str) or not after:
            raise PreventUpdate
        return nothing, [*stack, after], nothing, nothing
    if trig == aud.NEWER:
        return nothing, stack[:-1] or [""], nothing, nothing
    groups = [k for k in kinds if isinstance(k, str)] if isinstance(kinds, list) else []
    since, until = _range(days)
    name = person if isinstance(person, str) else None
    try:
        flt = audit_view.parse_filter(name, groups, since, until)
    except DomainError as exc:
        log.info("audit filter by %s refused: %s", user.username, exc.en)
        return (
            nothing,
            nothing,
            nothing,
            dmc.Alert(t("aud.err", lang, message=exc.message(lang)), color="red"),
        )
    data = flt.as_detail()
    href = export_href(flt.username, groups, data["since"], data["until"], lang)
    if trig == ids.LANG:  # the same view in the other language: the page stays where it is
        return nothing, nothing, href, None
    return data, [""], href, None


@callback(
    Output(aud.TABLE, "children"),
    Output(aud.NEXT, "data"),
    Output(aud.PAGEINFO, "children"),
    Output(aud.NEWER, "disabled"),
    Output(aud.OLDER, "disabled"),
    Input(aud.FILTER, "data"),
    Input(aud.STACK, "data"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def show(data: Any, stack: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    if not isinstance(data, dict):
        raise PreventUpdate
    stack = stack if isinstance(stack, list) and stack else [""]
    try:
        flt = audit_view.parse_filter(
            data.get("user"), data.get("groups"), data.get("since"), data.get("until")
        )
    except DomainError as exc:
        return html.P(exc.message(lang), className="aud-empty"), None, "", True, True
    start = Cursor.decode(stack[-1]) if stack[-1] else None

    def read(c: Connection) -> audit_view.Page:
        return audit_view.read_page(c, flt, start)

    try:
        got = await runtime.aread(read)
    except SQLAlchemyError as exc:
        log_failure(log, f"audit view for {user.username} failed", exc)
        return dmc.Alert(t("aud.err.db", lang), color="red"), None, "", True, True
    info = t("aud.pageinfo", lang, page=len(stack), n=len(got.rows))
    nxt = got.next.encode() if got.next else None
    return table(got.rows, lang), nxt, info, len(stack) <= 1, nxt is None
