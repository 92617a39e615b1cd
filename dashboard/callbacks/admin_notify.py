"""/admin/notify: the gate (anonymous → sign in; another role sees nothing, the app's gate says 无权访问), the
routes (list, add with each refusal under its field, a test message through a route, removal after a
confirmation) and the outbox (counts, recent messages, 仅失败, 重新发送), each write in one transaction through
:mod:`ops.notify`. A test message is sent off the event loop; its outcome names the route with its URL masked."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, clicks, ids, runtime
from dashboard.components.admin_notify import add_form, counts_line, outbox_table, routes_table, target
from dashboard.i18n import t
from dashboard.ids import admin as aid
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.errors import DomainError
from db.queries.wb_options import departments
from ops.notify import outbox_admin, routes
from ops.notify.deliver import DeliveryError
from ops.notify.probe import send_test
from ops.policy import Screen, reach, roles_for

log = logging.getLogger("guiyang_ops.notify")
ROLES = roles_for(Screen.ADMIN)
LOGIN_URL = "/login?next=/admin/notify"
TEST_TIMEOUT_S = 10.0
#: the add form's fields that show their own error
FIELDS = ("department", "role", "url", "kinds", "label")


def _alert(text: str, ok: bool) -> dmc.Alert:
    return dmc.Alert(text, color="teal" if ok else "red", variant="light", mt=6)


def _bump(value: Any) -> int:
    return (value if isinstance(value, int) else 0) + 1


# the routes and the outbox are drawn anew (the outbox every few seconds): their buttons' clicks are relayed
clicks.relay(aid.REMOVE_CLICK, {"type": aid.REMOVE, "id": ALL})
clicks.relay(aid.TEST_CLICK, {"type": aid.TEST, "id": ALL})
clicks.relay(aid.RESEND_CLICK, {"type": aid.RESEND, "id": ALL})


@callback(
    Output(aid.REDIRECT, "href"),
    Output(aid.BODY, "hidden"),
    Output(aid.TITLE, "children"),
    Output(aid.ROUTES_TITLE, "children"),
    Output(aid.OUTBOX_TITLE, "children"),
    Output(aid.FORM, "children"),
    Output(aid.FAILED_ONLY, "label"),
    Output(aid.RELOAD, "children"),
    Output(aid.CONFIRM_YES, "children"),
    Output(aid.CONFIRM_NO, "children"),
    Input(aid.PAGE, "id"),
    Input(ids.LANG, "data"),
)
async def gate(_: str, lang: str) -> tuple[Any, ...]:
    user = await auth.acurrent_user()
    labels = (
        t("adm.title", lang),
        t("adm.routes", lang),
        t("adm.outbox", lang),
    )
    tail = (
        t("adm.failed_only", lang),
        t("adm.reload", lang),
        t("adm.confirm.yes", lang),
        t("adm.confirm.no", lang),
    )
    if user is None:
        return LOGIN_URL, True, *labels, None, *tail
    if reach(user.role, Screen.ADMIN) is None:
        return None, True, *labels, None, *tail
    rows = await runtime.aread(departments)
    names = [(r.code, r.name_en if lang == "en" else r.name_zh) for r in rows]
    return None, False, *labels, add_form(lang, names), *tail


@callback(
    Output(aid.DEPARTMENT, "style"),
    Output(aid.ROLE, "style"),
    Input(aid.TARGET_KIND, "value"),
)
@auth.require_user(*ROLES)
async def target_kind(kind: str | None, *, user: StaffIdentity) -> tuple[Any, Any]:
    hide = {"display": "none"}
    return (None, hide) if kind != "role" else (hide, None)


@callback(
    Output(aid.ROUTES, "children"),
    Input(aid.ROUTES_VERSION, "data"),
    Input(aid.REMOVED_VERSION, "data"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def route_list(_added: Any, _removed: Any, lang: str, *, user: StaffIdentity) -> Any:
    return routes_table(await runtime.aread(routes.list_routes), lang)


@callback(
    Output(aid.DEPARTMENT, "error"),
    Output(aid.ROLE, "error"),
    Output(aid.URL, "error"),
    Output(aid.KINDS_ERROR, "children"),
    Output(aid.LABEL, "error"),
    Output(aid.ADD_NOTICE, "children"),
    Output(aid.ROUTES_VERSION, "data"),
    Output(aid.URL, "value"),
    Output(aid.LABEL, "value"),
    Input(aid.ADD, "n_clicks"),
    Input(aid.URL, "n_submit"),
    Input(aid.LABEL, "n_submit"),
    State(aid.TARGET_KIND, "value"),
    State(aid.DEPARTMENT, "value"),
    State(aid.ROLE, "value"),
    State(aid.URL, "value"),
    State(aid.LANG_PICK, "value"),
    State(aid.KINDS, "value"),
    State(aid.LABEL, "value"),
    State(aid.ROUTES_VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def add(
    clicks: Any,
    url_submits: Any,
    label_submits: Any,
    kind: str | None,
    department: str | None,
    role: str | None,
    url: str | None,
    msg_lang: str | None,
    kinds: list[str] | None,
    label: str | None,
    version: Any,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    if not any((clicks, url_submits, label_submits)):
        raise PreventUpdate
    to_role = kind == "role"

    def work(c: Any) -> int:
        return routes.add_route(
            c,
            department=None if to_role else department,
            role=role if to_role else None,
            url=url or "",
            lang=msg_lang or "zh",
            kinds=kinds or None,
            label=label,
            actor=user.username,
            actor_id=user.id,
        )

    try:
        rid = await runtime.awrite(work)
    except DomainError as exc:
        log.info("notify route add by %s refused: %s (%s)", user.username, exc.en, exc.detail)
        field = exc.field
        if field == "target":
            field = "role" if to_role else "department"
        errors = [exc.message(lang) if field == f else None for f in FIELDS]
        notice = None if field in FIELDS else _alert(t("adm.err", lang, message=exc.message(lang)), False)
        return *errors, notice, nothing, nothing, nothing
    except SQLAlchemyError as exc:
        log_failure(log, f"notify route add by {user.username} failed", exc)
        return None, None, None, None, None, _alert(t("adm.err.db", lang), False), nothing, nothing, nothing
    return None, None, None, None, None, _alert(t("adm.added", lang, id=rid), True), _bump(version), "", ""


@callback(
    Output(aid.CONFIRM, "hidden"),
    Output(aid.CONFIRM_TEXT, "children"),
    Output(aid.PENDING_REMOVE, "data"),
    Output(aid.ROUTE_NOTICE, "children"),
    Output(aid.REMOVED_VERSION, "data"),
    Input(aid.REMOVE_CLICK, "data"),
    Input(aid.CONFIRM_YES, "n_clicks"),
    Input(aid.CONFIRM_NO, "n_clicks"),
    State(aid.PENDING_REMOVE, "data"),
    State(aid.REMOVED_VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def remove(
    ask: Any, _yes: Any, _no: Any, pending: Any, version: Any, lang: str, *, user: StaffIdentity
) -> tuple[Any, ...]:
    trig = ctx.triggered_id
    if trig == aid.CONFIRM_NO:
        return True, None, None, None, nothing
    if trig == aid.CONFIRM_YES:
        if not isinstance(pending, int):
            raise PreventUpdate
        try:
            await runtime.awrite(lambda c: routes.remove_route(c, pending, user.username, actor_id=user.id))
        except DomainError as exc:
            log.info("notify route %s removal by %s refused: %s", pending, user.username, exc.en)
            return (
                True,
                None,
                None,
                _alert(t("adm.err", lang, message=exc.message(lang)), False),
                _bump(version),
            )
        except SQLAlchemyError as exc:
            log_failure(log, f"notify route {pending} removal by {user.username} failed", exc)
            return True, None, None, _alert(t("adm.err.db", lang), False), nothing
        return True, None, None, _alert(t("adm.removed", lang, id=pending), True), _bump(version)
    rid = clicks.clicked_id(ask, aid.REMOVE) if trig == aid.REMOVE_CLICK else None
    if rid is None:
        raise PreventUpdate
    found = next((r for r in await runtime.aread(routes.list_routes) if r.id == rid), None)
    if found is None:
        return (
            True,
            None,
            None,
            _alert(t("adm.err", lang, message=routes.missing(rid).message(lang)), False),
            nothing,
        )
    text = t("adm.confirm", lang, id=rid, target=target(found, lang), url=found.masked_url)
    return False, text, rid, None, nothing


@callback(
    Output(aid.TEST_NOTICE, "children"),
    Input(aid.TEST_CLICK, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def send_test_message(click: Any, lang: str, *, user: StaffIdentity) -> Any:
    rid = clicks.clicked_id(click, aid.TEST)
    if rid is None:
        raise PreventUpdate

    def read(c: Any) -> tuple[str, routes.Route | None]:
        return routes.route_url(c, rid), next((r for r in routes.list_routes(c) if r.id == rid), None)

    try:
        url, route = await runtime.aread(read)
    except DomainError as exc:
        return _alert(t("adm.err", lang, message=exc.message(lang)), False)
    masked = route.masked_url if route else ""
    try:
        await asyncio.to_thread(send_test, url, lang=route.lang if route else "zh", timeout=TEST_TIMEOUT_S)
    except (DeliveryError, DomainError) as exc:
        reason = exc.message(lang) if isinstance(exc, DomainError) else str(exc)
        log.info(
            "notify test through route %s (%s) by %s not delivered: %s", rid, masked, user.username, reason
        )
        return _alert(t("adm.test.fail", lang, id=rid, url=masked, reason=reason), False)
    log.info("notify test through route %s (%s) by %s delivered", rid, masked, user.username)
    return _alert(t("adm.test.ok", lang, id=rid, url=masked), True)


@callback(
    Output(aid.COUNTS, "children"),
    Output(aid.OUTBOX, "children"),
    Input(aid.TICK, "n_intervals"),
    Input(aid.FAILED_ONLY, "checked"),
    Input(aid.RELOAD, "n_clicks"),
    Input(aid.OUTBOX_VERSION, "data"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def outbox(
    _tick: Any, failed_only: Any, _reload: Any, _version: Any, lang: str, *, user: StaffIdentity
) -> Any:
    only = bool(failed_only)

    def read(c: Any) -> tuple[outbox_admin.OutboxCounts, list[outbox_admin.OutboxRow]]:
        return outbox_admin.outbox_counts(c), outbox_admin.recent_messages(c, failed_only=only, limit=100)

    counts, rows = await runtime.aread(read)
    return counts_line(counts, lang), outbox_table(rows, lang, failed_only=only)


@callback(
    Output(aid.OUTBOX_NOTICE, "children"),
    Output(aid.OUTBOX_VERSION, "data"),
    Input(aid.RESEND_CLICK, "data"),
    State(aid.OUTBOX_VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def resend(click: Any, version: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, Any]:
    oid = clicks.clicked_id(click, aid.RESEND)
    if oid is None:
        raise PreventUpdate
    try:
        await runtime.awrite(lambda c: outbox_admin.resend(c, oid, user.username, actor_id=user.id))
    except DomainError as exc:
        log.info("notify outbox %s resend by %s refused: %s", oid, user.username, exc.en)
        return _alert(t("adm.err", lang, message=exc.message(lang)), False), _bump(version)
    except SQLAlchemyError as exc:
        log_failure(log, f"notify outbox {oid} resend by {user.username} failed", exc)
        return _alert(t("adm.err.db", lang), False), nothing
    return _alert(t("adm.resent", lang, id=oid), True), _bump(version)
