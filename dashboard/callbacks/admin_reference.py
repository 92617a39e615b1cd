"""/admin/reference: the gate (anonymous → sign in; another role sees nothing, the app's gate says 无权访问;
opening the page also brings scheduled changes whose day has come into force), then per tab: show the rule in
force and its history, save a change effective from a date through :mod:`ops.reference` (one transaction, the
refusal shown in the user's language, the detail in the log)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import dash_mantine_components as dmc
from dash import Input, Output, State, callback
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, ids, runtime
from dashboard.components.admin_reference import (
    category_form,
    category_history,
    holiday_form,
    holiday_view,
    responsibility_form,
    responsibility_view,
)
from dashboard.components.admin_reference_dept import department_form
from dashboard.i18n import t
from dashboard.ids import admin_reference as rid
from dashboard.unavailable import log_failure
from db import reference_rules as rules
from db.accounts import StaffIdentity
from db.errors import DomainError
from db.queries import reference_admin as listing
from db.queries.wb_options import departments
from ops import reference as ref
from ops.policy import Screen, reach, roles_for

log = logging.getLogger("guiyang_ops.reference")
ROLES = roles_for(Screen.ADMIN)
LOGIN_URL = "/login?next=/admin/reference"


def _alert(text: str, ok: bool) -> dmc.Alert:
    return dmc.Alert(text, color="teal" if ok else "red", variant="light", mt=6)


def _bump(value: Any) -> int:
    return (value if isinstance(value, int) else 0) + 1


def _name(row: Any, lang: str) -> str:
    return str(row.name_en if lang == "en" else row.name_zh)


def _choices(conn: Connection, lang: str) -> dict[str, Any]:
    return {
        "cats": [(r.code, _name(r, lang)) for r in listing.minor_categories(conn)],
        "depts": [(r.code, _name(r, lang)) for r in departments(conn)],
        "districts": [(r.code, _name(r, lang)) for r in listing.grid_districts(conn)],
    }


@callback(
    Output(rid.REDIRECT, "href"),
    Output(rid.BODY, "hidden"),
    Output(rid.TITLE, "children"),
    Output(rid.INTRO, "children"),
    Output(rid.TAB_CAT, "children"),
    Output(rid.TAB_RESP, "children"),
    Output(rid.TAB_HOL, "children"),
    Output(rid.TAB_DEP, "children"),
    Output(rid.CAT_FORM, "children"),
    Output(rid.RESP_FORM, "children"),
    Output(rid.HOL_FORM, "children"),
    Output(rid.DEP_FORM, "children"),
    Input(rid.PAGE, "id"),
    Input(ids.LANG, "data"),
)
async def gate(_: str, lang: str) -> tuple[Any, ...]:
    user = await auth.acurrent_user()
    keys = ("ref.title", "ref.intro", "ref.tab.cat", "ref.tab.resp", "ref.tab.hol", "ref.tab.dep")
    labels = tuple(t(k, lang) for k in keys)
    if user is None:
        return LOGIN_URL, True, *labels, None, None, None, None
    if reach(user.role, Screen.ADMIN) is None:
        return None, True, *labels, None, None, None, None
    today = ref.today_in_beijing()
    try:
        applied = await runtime.awrite(lambda c: ref.apply_due(c, today))
        if applied:
            log.info("reference: %d scheduled change(s) came into force on %s", applied, today)
            await runtime.services().bust("reference")
    except SQLAlchemyError as exc:  # the page still shows; the next visit tries again
        log_failure(log, "reference: applying scheduled changes failed", exc)
    got = await runtime.aread(lambda c: _choices(c, lang))
    tomorrow = (today + timedelta(days=1)).isoformat()
    years = list(range(today.year - 1, today.year + 4))
    return (
        None,
        False,
        *labels,
        category_form(lang, got["cats"], got["depts"], tomorrow),
        responsibility_form(lang, got["cats"], got["districts"], got["depts"], tomorrow),
        holiday_form(lang, years, today.year, tomorrow),
        department_form(lang, got["depts"], got["districts"], tomorrow),
    )


def _dept_names(conn: Connection, lang: str) -> dict[str, str]:
    return {r.code: _name(r, lang) for r in departments(conn)}


# --- 小类 -------------------------------------------------------------------------------------------------------


@callback(
    Output(rid.CAT_NAME_ZH, "value"),
    Output(rid.CAT_NAME_EN, "value"),
    Output(rid.CAT_LIMIT, "value"),
    Output(rid.CAT_UNIT, "value"),
    Output(rid.CAT_DEPT, "value"),
    Output(rid.CAT_POINTS, "value"),
    Output(rid.CAT_PUBLIC, "checked"),
    Output(rid.CAT_ACTIVE, "checked"),
    Input(rid.CAT, "value"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def cat_fill(code: str | None, *, user: StaffIdentity) -> tuple[Any, ...]:
    if not code:
        raise PreventUpdate
    today = ref.today_in_beijing()
    rule = await runtime.aread(lambda c: rules.category_at(c, code, today))
    if rule is None:
        raise PreventUpdate
    return (
        rule["name_zh"],
        rule["name_en"],
        rule["time_limit"],
        rule["time_unit"],
        rule["default_department_code"],
        rule["points"],
        rule["public"],
        rule["active"],
    )


@callback(
    Output(rid.CAT_HISTORY, "children"),
    Input(rid.CAT, "value"),
    Input(rid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def cat_history(code: str | None, _v: Any, lang: str, *, user: StaffIdentity) -> Any:
    today = ref.today_in_beijing()

    def read(c: Connection) -> Any:
        return listing.category_history(c, code) if code else [], _dept_names(c, lang)

    rows, names = await runtime.aread(read)
    return category_history(rows, today, lang, names)


def _number(value: Any) -> Any:
    if value is None or value == "":
        return None
    return value


@callback(
    Output(rid.CAT_NOTICE, "children"),
    Output(rid.VERSION, "data", allow_duplicate=True),
    Input(rid.CAT_SAVE, "n_clicks"),
    Input(rid.CAT_EFFECTIVE, "n_submit"),
    Input(rid.CAT_NAME_ZH, "n_submit"),
    Input(rid.CAT_NAME_EN, "n_submit"),
    State(rid.CAT, "value"),
    State(rid.CAT_NAME_ZH, "value"),
    State(rid.CAT_NAME_EN, "value"),
    State(rid.CAT_LIMIT, "value"),
    State(rid.CAT_UNIT, "value"),
    State(rid.CAT_DEPT, "value"),
    State(rid.CAT_POINTS, "value"),
    State(rid.CAT_PUBLIC, "checked"),
    State(rid.CAT_ACTIVE, "checked"),
    State(rid.CAT_EFFECTIVE, "value"),
    State(rid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def cat_save(
    clicks: Any,
    s1: Any,
    s2: Any,
    s3: Any,
    code: str | None,
    name_zh: Any,
    name_en: Any,
    limit: Any,
    unit: Any,
    dept: Any,
    points: Any,
    public: Any,
    active: Any,
    effective: Any,
    version: Any,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, Any]:
    if not any((clicks, s1, s2, s3)):
        raise PreventUpdate
    if not code:
        return _alert(t("ref.cat.none", lang), False), nothing
    changes = {
        "name_zh": name_zh,
        "name_en": name_en,
        "time_limit": _number(limit),
        "time_unit": unit,
        "default_department_code": dept or None,
        "points": _number(points),
        "public": bool(public),
        "active": bool(active),
    }
    return await _save(
        lambda c: ref.change_category(c, _editor(user), code, effective, changes),
        user,
        lang,
        version,
        f"category {code}",
        effective,
    )


def _editor(user: StaffIdentity) -> ref.Editor:
    return ref.Editor(user_id=user.id, username=user.username)


async def _save(
    work: Any, user: StaffIdentity, lang: str, version: Any, what: str, effective: Any
) -> tuple[Any, Any]:
    try:
        await runtime.awrite(work)
    except DomainError as exc:
        log.info("reference edit of %s by %s refused: %s (%s)", what, user.username, exc.en, exc.detail)
        return _alert(t("ref.err", lang, message=exc.message(lang)), False), nothing
    except SQLAlchemyError as exc:
        log_failure(log, f"reference edit of {what} by {user.username} failed", exc)
        return _alert(t("ref.err.db", lang), False), nothing
    day = effective.strip() if isinstance(effective, str) else str(effective)
    log.info("reference edit of %s by %s, effective %s", what, user.username, day)
    await runtime.services().bust("reference")  # every worker's reference cache
    return _alert(t("ref.saved", lang, day=day), True), _bump(version)


# --- responsibility ---------------------------------------------------------------------------------------------


@callback(
    Output(rid.RESP_TABLE, "children"),
    Input(rid.RESP_CAT, "value"),
    Input(rid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def resp_show(code: str | None, _v: Any, lang: str, *, user: StaffIdentity) -> Any:
    if not code:
        raise PreventUpdate
    today = ref.today_in_beijing()

    def read(c: Connection) -> Any:
        return (
            listing.responsibility_table(c, code, today),
            listing.responsibility_history(c, code),
            _dept_names(c, lang),
        )

    table, history, names = await runtime.aread(read)
    return responsibility_view(table, history, today, lang, names)


@callback(
    Output(rid.RESP_NOTICE, "children"),
    Output(rid.VERSION, "data", allow_duplicate=True),
    Input(rid.RESP_SAVE, "n_clicks"),
    Input(rid.RESP_EFFECTIVE, "n_submit"),
    State(rid.RESP_CAT, "value"),
    State(rid.RESP_DISTRICT, "value"),
    State(rid.RESP_DEPT, "value"),
    State(rid.RESP_EFFECTIVE, "value"),
    State(rid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def resp_save(
    clicks: Any,
    submits: Any,
    code: str | None,
    district: str | None,
    dept: str | None,
    effective: Any,
    version: Any,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, Any]:
    if not any((clicks, submits)):
        raise PreventUpdate
    if not code:
        return _alert(t("ref.cat.none", lang), False), nothing
    where = None if district in (None, "", "city") else district
    return await _save(
        lambda c: ref.set_responsibility(c, _editor(user), code, where, dept or None, effective),
        user,
        lang,
        version,
        f"responsibility {code}×{where or 'city'}",
        effective,
    )


# --- holidays ---------------------------------------------------------------------------------------------------


@callback(
    Output(rid.HOL_TABLE, "children"),
    Input(rid.HOL_YEAR, "value"),
    Input(rid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def hol_show(year: str | None, _v: Any, lang: str, *, user: StaffIdentity) -> Any:
    if not year or not str(year).isdigit():
        raise PreventUpdate
    today = ref.today_in_beijing()
    y = int(year)

    def read(c: Connection) -> Any:
        return listing.holidays_of_year(c, y, today), listing.holiday_history(c, y)

    days, edits = await runtime.aread(read)
    return holiday_view(days, edits, today, lang)


@callback(
    Output(rid.HOL_NOTICE, "children"),
    Output(rid.VERSION, "data", allow_duplicate=True),
    Input(rid.HOL_SAVE, "n_clicks"),
    Input(rid.HOL_DAY, "n_submit"),
    Input(rid.HOL_NAME_ZH, "n_submit"),
    Input(rid.HOL_NAME_EN, "n_submit"),
    Input(rid.HOL_EFFECTIVE, "n_submit"),
    State(rid.HOL_DAY, "value"),
    State(rid.HOL_KIND, "value"),
    State(rid.HOL_NAME_ZH, "value"),
    State(rid.HOL_NAME_EN, "value"),
    State(rid.HOL_EFFECTIVE, "value"),
    State(rid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def hol_save(
    clicks: Any,
    s1: Any,
    s2: Any,
    s3: Any,
    s4: Any,
    day: Any,
    kind: Any,
    name_zh: Any,
    name_en: Any,
    effective: Any,
    version: Any,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, Any]:
    if not any((clicks, s1, s2, s3, s4)):
        raise PreventUpdate
    return await _save(
        lambda c: ref.set_holiday(c, _editor(user), day or "", kind or "", name_zh, name_en, effective),
        user,
        lang,
        version,
        f"holiday {day}",
        effective,
    )
