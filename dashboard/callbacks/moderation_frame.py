"""The frame of /moderation that its tabs share: the roles that may use the page, small render helpers (a notice after a change, a
timestamp), and the page-wide callbacks: the sign-in gate and the texts in the chosen language."""

from __future__ import annotations

import logging
from typing import Any

import dash_mantine_components as dmc
from dash import Input, Output, callback
from dash.exceptions import PreventUpdate

from dashboard import ids as app_ids
from dashboard.auth import acurrent_user, require_user
from dashboard.i18n import t
from dashboard.ids.moderation import (
    PAGE,
    PHOTO_STATE,
    POST_STATE,
    PT_CLEAR,
    PT_FIELDS,
    PT_HINT,
    PT_KIND,
    PT_RETIRE,
    PT_SAVE,
    REASON,
    REDIRECT,
    TITLE,
    tab_id,
)
from db.accounts import StaffIdentity
from db.queries import public as q
from ops.policy import Screen, roles_for

log = logging.getLogger("guiyang_ops.moderation")
ROLES = roles_for(Screen.MODERATION)
LOGIN_URL = "/login?next=/moderation"

TAB_KEYS = ("posts", "photos", "points", "log")
STATE_KEYS = ("pending", "approved", "hidden")


def field_label(field: str) -> str:
    return f"mod.point.{'hours' if field == 'open_hours' else field}"


def notice(text: str, ok: bool = True) -> Any:
    return dmc.Alert(text, color="teal" if ok else "red", variant="light", withCloseButton=True)


def when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


@callback(Output(REDIRECT, "href"), Input(PAGE, "id"))
async def gate(_: str) -> str:
    """Anonymous visitors go to the sign-in page (the data callbacks refuse them on their own)."""
    if await acurrent_user() is None:
        return LOGIN_URL
    raise PreventUpdate


@callback(
    Output(TITLE, "children"),
    Output(REASON, "label"),
    *[Output(tab_id(k), "children") for k in TAB_KEYS],
    Output(POST_STATE, "data"),
    Output(PHOTO_STATE, "data"),
    Output(PT_HINT, "children"),
    Output(PT_KIND, "label"),
    Output(PT_KIND, "data"),
    *[Output(i, "label") for i in PT_FIELDS.values()],
    Output(PT_SAVE, "children"),
    Output(PT_CLEAR, "children"),
    Output(PT_RETIRE, "children"),
    Input(app_ids.LANG, "data"),
)
@require_user(*ROLES)
async def texts(lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    states = [{"value": s, "label": t(f"mod.state.{s}", lang)} for s in STATE_KEYS]
    return (
        t("mod.title", lang),
        t("mod.reason", lang),
        *[t(f"mod.tab.{k}", lang) for k in TAB_KEYS],
        states,
        states,
        t("mod.point.hint", lang),
        t("mod.point.kind", lang),
        [{"value": k, "label": t(f"pub.kind.{k}", lang)} for k in q.SERVICE_KINDS],
        *[t(field_label(f), lang) for f in PT_FIELDS],
        t("mod.point.save", lang),
        t("mod.point.clear", lang),
        t("mod.point.retire", lang),
    )
