"""/admin (Users): the gate (anonymous → sign in; another role sees nothing, the app's gate says 无权访问), the
table (search, inactive shown or not), the row actions (edit; deactivate and reset after a confirmation;
reactivate), and the add / edit form with each refusal under its field. Each write is one transaction through
:mod:`ops.staff_admin` (validated, audited); the one-time password is shown once, after the commit."""

from __future__ import annotations

import logging
from typing import Any

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx, html
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, clicks, ids, runtime
from dashboard.components.admin_users import user_form, users_table
from dashboard.i18n import t
from dashboard.ids import admin_users as uid
from dashboard.unavailable import log_failure
from db import staff_users
from db.accounts import StaffIdentity
from db.errors import DomainError
from db.queries.wb_options import departments, districts
from ops import staff_admin
from ops.policy import Screen, roles_for

log = logging.getLogger("guiyang_ops.admin")
ROLES = roles_for(Screen.ADMIN)
LOGIN_URL = "/login?next=/admin"
FIELDS = ("username", "display_name", "role", "district", "department", "password")
CONFIRMED = ("deactivate", "reset")


def _alert(text: str, ok: bool) -> dmc.Alert:
    return dmc.Alert(text, color="teal" if ok else "red", variant="light", mt=6)


def _bump(value: Any) -> int:
    return (value if isinstance(value, int) else 0) + 1


@callback(
    Output(uid.REDIRECT, "href"),
    Output(uid.BODY, "hidden"),
    Output(uid.TITLE, "children"),
    Output(uid.SEARCH, "placeholder"),
    Output(uid.SHOW_INACTIVE, "label"),
    Output(uid.CONFIRM_YES, "children"),
    Output(uid.CONFIRM_NO, "children"),
    Input(uid.PAGE, "id"),
    Input(ids.LANG, "data"),
)
async def gate(_: str, lang: str) -> tuple[Any, ...]:
    user = await auth.acurrent_user()
    labels = (
        t("usr.title", lang),
        t("usr.search", lang),
        t("usr.show_inactive", lang),
        t("usr.confirm.yes", lang),
        t("usr.confirm.no", lang),
    )
    if user is None:
        return LOGIN_URL, True, *labels
    return nothing, user.role not in ROLES, *labels


@callback(
    Output(uid.TABLE, "children"),
    Output(uid.COUNT, "children"),
    Input(uid.SEARCH, "value"),
    Input(uid.SHOW_INACTIVE, "checked"),
    Input(uid.VERSION, "data"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def table(search: str | None, inactive: bool | None, _v: Any, lang: str, *, user: StaffIdentity) -> Any:
    words = (search or "")[:80]
    rows = await runtime.aread(
        lambda c: staff_users.list_staff(c, words, active=None if inactive is not False else True)
    )
    return users_table(rows, lang), t("usr.count", lang, n=len(rows))


@callback(
    Output(uid.FORM, "children"),
    Input(uid.EDITING, "data"),
    Input(uid.VERSION, "data"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def form(editing: str | None, _v: Any, lang: str, *, user: StaffIdentity) -> list[Any]:
    def read(c: Any) -> tuple[Any, ...]:
        row = staff_users.find_staff(c, editing) if isinstance(editing, str) else None
        return row, districts(c), departments(c)

    row, district_rows, department_rows = await runtime.aread(read)
    return user_form(lang, row, district_rows, department_rows)


def _act(action: str, name: str, user: StaffIdentity, client: str | None) -> Any:
    """A row action as a transaction's work (it returns the one-time password of a reset)."""

    def work(c: Any) -> str | None:
        if action == "deactivate":
            staff_admin.deactivate(c, user, name, client=client)
        elif action == "reactivate":
            staff_admin.reactivate(c, user, name, client=client)
        elif action == "reset":
            return staff_admin.reset_password(c, user, name, client=client)
        return None

    return work


def _otp_panel(name: str, password: str, lang: str) -> Any:
    return dmc.Alert(
        [
            html.P(t("usr.otp", lang, name=name)),
            html.Code(password, id=uid.OTP_VALUE, className="usr-otp-value"),
        ],
        color="orange",
        variant="light",
        mt=6,
    )


# the users' list is drawn anew after every change: its buttons' clicks are relayed (dashboard/clicks.py)
clicks.relay(uid.ACT_CLICK, {"type": uid.ACT, "action": ALL, "name": ALL})


@callback(
    Output(uid.EDITING, "data"),
    Output(uid.PENDING, "data"),
    Output(uid.CONFIRM, "hidden"),
    Output(uid.CONFIRM_TEXT, "children"),
    Output(uid.NOTICE, "children"),
    Output(uid.OTP, "children"),
    Output(uid.VERSION, "data"),
    Input(uid.ACT_CLICK, "data"),
    Input(uid.CONFIRM_YES, "n_clicks"),
    Input(uid.CONFIRM_NO, "n_clicks"),
    State(uid.PENDING, "data"),
    State(uid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def acts(
    click: Any, _yes: Any, _no: Any, pending: Any, version: Any, lang: str, *, user: StaffIdentity
) -> tuple[Any, ...]:
    trig = ctx.triggered_id
    if not any(x.get("value") for x in ctx.triggered):
        raise PreventUpdate
    if trig == uid.ACT_CLICK:
        trig = clicks.clicked(click, uid.ACT)
    if trig == uid.CONFIRM_NO:
        return nothing, None, True, nothing, None, None, nothing
    if trig == uid.CONFIRM_YES:
        if not isinstance(pending, dict) or pending.get("action") not in CONFIRMED:
            raise PreventUpdate
        action, name = pending["action"], str(pending.get("name", ""))
    elif isinstance(trig, dict) and isinstance(trig.get("name"), str):
        action, name = str(trig.get("action")), trig["name"]
        if action == "edit":
            return name, None, True, nothing, None, None, nothing
        if action in CONFIRMED:
            question = t(f"usr.confirm.{action}", lang, name=name)
            return nothing, {"action": action, "name": name}, False, question, None, None, nothing
        if action != "reactivate":
            raise PreventUpdate
    else:
        raise PreventUpdate
    try:
        password = await runtime.awrite(_act(action, name, user, auth.request_client()))
    except DomainError as exc:
        log.info("user %s of %s by %s refused: %s", action, name, user.username, exc.en)
        return nothing, None, True, nothing, _alert(exc.message(lang), False), None, nothing
    except SQLAlchemyError as exc:
        log_failure(log, f"user {action} failed", exc)
        return nothing, None, True, nothing, _alert(t("usr.failed", lang), False), None, nothing
    log.info("user %s: %s by %s", action, name, user.username)
    if action == "reset" and password:
        return nothing, None, True, nothing, None, _otp_panel(name, password, lang), _bump(version)
    done = t("usr.deactivated" if action == "deactivate" else "usr.reactivated", lang, name=name)
    return nothing, None, True, nothing, _alert(done, True), None, _bump(version)


@callback(
    *[
        Output(f, "error")
        for f in (uid.USERNAME, uid.DISPLAY_NAME, uid.ROLE, uid.DISTRICT, uid.DEPARTMENT, uid.PASSWORD)
    ],
    Output(uid.FORM_NOTICE, "children"),
    Output(uid.VERSION, "data", allow_duplicate=True),
    Output(uid.EDITING, "data", allow_duplicate=True),
    Input(uid.SUBMIT, "n_clicks"),
    Input(uid.USERNAME, "n_submit"),
    Input(uid.DISPLAY_NAME, "n_submit"),
    Input(uid.PASSWORD, "n_submit"),
    Input(uid.CANCEL, "n_clicks"),
    State(uid.USERNAME, "value"),
    State(uid.DISPLAY_NAME, "value"),
    State(uid.ROLE, "value"),
    State(uid.DISTRICT, "value"),
    State(uid.DEPARTMENT, "value"),
    State(uid.PASSWORD, "value"),
    State(uid.EDITING, "data"),
    State(uid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def submit(
    clicks: Any,
    s1: Any,
    s2: Any,
    s3: Any,
    cancel: Any,
    username: str | None,
    display_name: str | None,
    role: str | None,
    district: str | None,
    department: str | None,
    password: str | None,
    editing: str | None,
    version: Any,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    none = (None,) * len(FIELDS)
    if ctx.triggered_id == uid.CANCEL:
        if not cancel:
            raise PreventUpdate
        return *none, None, nothing, None
    if not any((clicks, s1, s2, s3)):
        raise PreventUpdate
    name = editing if isinstance(editing, str) else (username or "")
    client = auth.request_client()

    def work(c: Any) -> dict[str, Any] | None:
        if isinstance(editing, str):
            return staff_admin.edit_user(
                c,
                user,
                editing,
                role=role or "",
                display_name=display_name,
                district=district,
                department=department,
                client=client,
            )
        staff_admin.add_user(
            c,
            user,
            username or "",
            role or "",
            password or "",
            display_name=display_name,
            district=district,
            department=department,
            client=client,
        )
        return None

    try:
        changed = await runtime.awrite(work)
    except DomainError as exc:
        log.info("user form by %s refused: %s", user.username, exc.en)
        errors = tuple(exc.message(lang) if exc.field == f else None for f in FIELDS)
        shown = None if exc.field in FIELDS else _alert(exc.message(lang), False)
        return *errors, shown, nothing, nothing
    except SQLAlchemyError as exc:
        log_failure(log, "user form failed", exc)
        return *none, _alert(t("usr.failed", lang), False), nothing, nothing
    if changed is None:
        log.info("user added: %s by %s", name, user.username)
        return *none, _alert(t("usr.added", lang, name=name.strip()), True), _bump(version), None
    fields = (
        "、".join(t(f"usr.field.{k}", lang) for k in changed)
        if lang != "en"
        else ", ".join(t(f"usr.field.{k}", lang) for k in changed)
    )
    log.info("user edited: %s by %s (%s)", name, user.username, ", ".join(changed))
    return *none, _alert(t("usr.saved", lang, name=name, fields=fields), True), _bump(version), None
