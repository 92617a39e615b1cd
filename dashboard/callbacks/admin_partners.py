"""/admin/partners: the gate (anonymous → sign in; another role sees nothing, the app's gate says 无权访问), the
keys (list; revoke after a confirmation) and the create form (each refusal under its field; the new key shown
once), each write in one transaction through :mod:`ops.partners` with its audit row (``partner_key``)."""

from __future__ import annotations

import logging
from typing import Any

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, clicks, ids, runtime
from dashboard.components.admin_partners import created, form, keys_table
from dashboard.i18n import t
from dashboard.ids import admin_partners as pid
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.errors import DomainError
from db.queries.wb_options import categories, districts
from ops import partners
from ops.policy import Screen, reach, roles_for

log = logging.getLogger("guiyang_ops.partners")
ROLES = roles_for(Screen.ADMIN)
LOGIN_URL = "/login?next=/admin/partners"
FIELDS = ("name", "categories", "districts", "per_minute")


def _alert(text: str, ok: bool) -> dmc.Alert:
    return dmc.Alert(text, color="teal" if ok else "red", variant="light", mt=6)


def _bump(value: Any) -> int:
    return (value if isinstance(value, int) else 0) + 1


def _choices(lang: str) -> Any:
    def read(c: Connection) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        en = lang == "en"
        cats = [(r.code, r.name_en if en else r.name_zh) for r in categories(c) if r.level == 2]
        dists = [(r.code, r.name_en if en else r.name_zh) for r in districts(c)]
        return cats, dists

    return runtime.aread(read)


@callback(
    Output(pid.REDIRECT, "href"),
    Output(pid.BODY, "hidden"),
    Output(pid.TITLE, "children"),
    Output(pid.INTRO, "children"),
    Output(pid.KEYS_TITLE, "children"),
    Output(pid.FORM, "children"),
    Output(pid.CONFIRM_YES, "children"),
    Output(pid.CONFIRM_NO, "children"),
    Input(pid.PAGE, "id"),
    Input(ids.LANG, "data"),
)
async def gate(_: str, lang: str) -> tuple[Any, ...]:
    user = await auth.acurrent_user()
    labels = (t("prt.title", lang), t("prt.intro", lang), t("prt.keys", lang))
    tail = (t("prt.confirm.yes", lang), t("prt.confirm.no", lang))
    if user is None:
        return LOGIN_URL, True, *labels, None, *tail
    if reach(user.role, Screen.ADMIN) is None:
        return None, True, *labels, None, *tail
    cats, dists = await _choices(lang)
    return None, False, *labels, form(lang, cats, dists), *tail


@callback(Output(pid.KEYS, "children"), Input(pid.VERSION, "data"), Input(ids.LANG, "data"))
@auth.require_user(*ROLES)
async def key_list(_version: Any, lang: str, *, user: StaffIdentity) -> Any:
    return keys_table(await runtime.aread(partners.list_keys), lang)


@callback(Output(pid.CATEGORIES, "disabled"), Input(pid.ALL_CATEGORIES, "checked"))
@auth.require_user(*ROLES)
async def every_category(checked: Any, *, user: StaffIdentity) -> bool:
    return bool(checked)


@callback(
    Output(pid.NAME, "error"),
    Output(pid.CATEGORIES, "error"),
    Output(pid.DISTRICTS, "error"),
    Output(pid.RATE, "error"),
    Output(pid.CREATED, "children"),
    Output(pid.VERSION, "data", allow_duplicate=True),
    Output(pid.NAME, "value"),
    Input(pid.CREATE, "n_clicks"),
    Input(pid.NAME, "n_submit"),
    State(pid.NAME, "value"),
    State(pid.ALL_CATEGORIES, "checked"),
    State(pid.CATEGORIES, "value"),
    State(pid.DISTRICTS, "value"),
    State(pid.RATE, "value"),
    State(pid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def create(
    clicks: Any,
    submits: Any,
    name: str | None,
    every: Any,
    cats: list[str] | None,
    dists: list[str] | None,
    rate: Any,
    version: Any,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    if not any((clicks, submits)):
        raise PreventUpdate

    def work(c: Connection) -> tuple[partners.PartnerKeyInfo, str]:
        return partners.create_key(
            c,
            name=name or "",
            categories=[partners.ALL] if every else list(cats or []),
            districts=list(dists or []),
            per_minute=rate if isinstance(rate, int | float) else -1,
            actor=user.username,
            actor_id=user.id,
        )

    try:
        info, key = await runtime.awrite(work)
    except DomainError as exc:
        log.info("partner key create by %s refused: %s", user.username, exc.en)
        errors = [exc.message(lang) if exc.field == f else None for f in FIELDS]
        notice = None if exc.field in FIELDS else _alert(t("prt.err", lang, message=exc.message(lang)), False)
        return *errors, notice, nothing, nothing
    except SQLAlchemyError as exc:
        log_failure(log, f"partner key create by {user.username} failed", exc)
        return None, None, None, None, _alert(t("prt.err.db", lang), False), nothing, nothing
    log.info("partner key %s (%s) created by %s", info.id, info.name, user.username)
    return None, None, None, None, created(info, key, lang), _bump(version), ""


# the keys' list is drawn anew after every change: its revoke buttons' clicks are relayed (dashboard/clicks.py)
clicks.relay(pid.REVOKE_CLICK, {"type": pid.REVOKE, "id": ALL})


@callback(
    Output(pid.CONFIRM, "hidden"),
    Output(pid.CONFIRM_TEXT, "children"),
    Output(pid.PENDING, "data"),
    Output(pid.NOTICE, "children"),
    Output(pid.VERSION, "data", allow_duplicate=True),
    Output(pid.CREATED, "children", allow_duplicate=True),
    Input(pid.REVOKE_CLICK, "data"),
    Input(pid.CONFIRM_YES, "n_clicks"),
    Input(pid.CONFIRM_NO, "n_clicks"),
    State(pid.PENDING, "data"),
    State(pid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def revoke(
    ask: Any, _yes: Any, _no: Any, pending: Any, version: Any, lang: str, *, user: StaffIdentity
) -> tuple[Any, ...]:
    trig = ctx.triggered_id
    if trig == pid.CONFIRM_NO:
        return True, None, None, None, nothing, nothing
    if trig == pid.CONFIRM_YES:
        if not isinstance(pending, int):
            raise PreventUpdate
        try:
            await runtime.awrite(
                lambda c: partners.revoke_key(c, pending, actor=user.username, actor_id=user.id)
            )
        except DomainError as exc:
            log.info("partner key %s revoke by %s refused: %s", pending, user.username, exc.en)
            return (
                True,
                None,
                None,
                _alert(t("prt.err", lang, message=exc.message(lang)), False),
                _bump(version),
            )
        except SQLAlchemyError as exc:
            log_failure(log, f"partner key {pending} revoke by {user.username} failed", exc)
            return True, None, None, _alert(t("prt.err.db", lang), False), nothing, nothing
        log.info("partner key %s revoked by %s", pending, user.username)
        # a key just shown is not left on the screen once revoked
        return True, None, None, _alert(t("prt.revoked.ok", lang, id=pending), True), _bump(version), None
    kid = clicks.clicked_id(ask, pid.REVOKE) if trig == pid.REVOKE_CLICK else None
    if kid is None:
        raise PreventUpdate
    found = next((k for k in await runtime.aread(partners.list_keys) if k.id == kid), None)
    if found is None or not found.active:
        raise PreventUpdate
    return False, t("prt.confirm", lang, id=kid, name=found.name), kid, None, nothing, nothing
