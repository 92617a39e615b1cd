"""/admin/reference, the departments tab: show a department's names and their history, rename it from a date, add
a department at once (through :mod:`ops.reference_departments`; refusals in the user's language)."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, ids, runtime
from dashboard.callbacks.admin_reference import ROLES, _alert, _editor, _save, log
from dashboard.components.admin_reference_dept import department_history
from dashboard.i18n import t
from dashboard.ids import admin_reference as rid
from dashboard.unavailable import log_failure
from db import reference_rules as rules
from db.accounts import StaffIdentity
from db.errors import DomainError
from db.queries import reference_admin as listing
from ops import reference as ref
from ops import reference_departments as deps


@callback(
    Output(rid.DEP_NAME_ZH, "value"),
    Output(rid.DEP_NAME_EN, "value"),
    Output(rid.DEP_SHORT_ZH, "value"),
    Output(rid.DEP_SHORT_EN, "value"),
    Input(rid.DEP, "value"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def dep_fill(code: str | None, *, user: StaffIdentity) -> tuple[Any, ...]:
    if not code:
        raise PreventUpdate
    today = ref.today_in_beijing()
    names = await runtime.aread(lambda c: rules.department_at(c, code, today))
    if names is None:
        raise PreventUpdate
    return tuple(names[f] or "" for f in rules.DEPARTMENT_FIELDS)


@callback(
    Output(rid.DEP_HISTORY, "children"),
    Input(rid.DEP, "value"),
    Input(rid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def dep_history(code: str | None, _v: Any, lang: str, *, user: StaffIdentity) -> Any:
    if not code:
        raise PreventUpdate
    rows = await runtime.aread(lambda c: listing.department_history(c, code))
    return department_history(rows, ref.today_in_beijing(), lang)


@callback(
    Output(rid.DEP_NOTICE, "children"),
    Output(rid.VERSION, "data", allow_duplicate=True),
    Input(rid.DEP_SAVE, "n_clicks"),
    Input(rid.DEP_EFFECTIVE, "n_submit"),
    State(rid.DEP, "value"),
    State(rid.DEP_NAME_ZH, "value"),
    State(rid.DEP_NAME_EN, "value"),
    State(rid.DEP_SHORT_ZH, "value"),
    State(rid.DEP_SHORT_EN, "value"),
    State(rid.DEP_EFFECTIVE, "value"),
    State(rid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def dep_save(
    clicks: Any,
    submits: Any,
    code: str | None,
    name_zh: Any,
    name_en: Any,
    short_zh: Any,
    short_en: Any,
    effective: Any,
    version: Any,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, Any]:
    if not any((clicks, submits)):
        raise PreventUpdate
    if not code:
        return _alert(t("ref.dep.none", lang), False), nothing
    changes = {"name_zh": name_zh, "name_en": name_en, "short_name_zh": short_zh, "short_name_en": short_en}
    return await _save(
        lambda c: deps.change_department(c, _editor(user), code, effective, changes),
        user,
        lang,
        version,
        f"department {code}",
        effective,
    )


@callback(
    Output(rid.NEW_NOTICE, "children"),
    Output(rid.VERSION, "data", allow_duplicate=True),
    Input(rid.NEW_ADD, "n_clicks"),
    Input(rid.NEW_CODE, "n_submit"),
    State(rid.NEW_CODE, "value"),
    State(rid.NEW_TYPE, "value"),
    State(rid.NEW_DISTRICT, "value"),
    State(rid.NEW_NAME_ZH, "value"),
    State(rid.NEW_NAME_EN, "value"),
    State(rid.NEW_SHORT_ZH, "value"),
    State(rid.NEW_SHORT_EN, "value"),
    State(rid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def dep_add(
    clicks: Any,
    submits: Any,
    code: Any,
    dtype: Any,
    district: Any,
    name_zh: Any,
    name_en: Any,
    short_zh: Any,
    short_en: Any,
    version: Any,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, Any]:
    if not any((clicks, submits)):
        raise PreventUpdate
    names = {"name_zh": name_zh, "name_en": name_en, "short_name_zh": short_zh, "short_name_en": short_en}

    def work(c: Connection) -> None:
        deps.add_department(c, _editor(user), code or "", dtype or "", district, names)

    try:
        await runtime.awrite(work)
    except DomainError as exc:
        log.info("department add by %s refused: %s (%s)", user.username, exc.en, exc.detail)
        return _alert(t("ref.err", lang, message=exc.message(lang)), False), nothing
    except SQLAlchemyError as exc:
        log_failure(log, f"department add by {user.username} failed", exc)
        return _alert(t("ref.err.db", lang), False), nothing
    log.info("department %s added by %s", code, user.username)
    await runtime.services().bust("reference")  # every worker's reference cache
    return _alert(t("ref.dep.added", lang, code=str(code).strip().upper()), True), (version or 0) + 1
