"""The case card's actions. One callback takes every action button; it trusts nothing from the browser but the
case id, the version the card showed and the typed inputs, and runs the button's entry of the command registry
(:mod:`ops.commands`) in one transaction (photos of a handled case are stored in that same transaction). Role,
scope, status and version are checked again by the command itself; a refusal is shown as the command words it."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Sequence
from typing import Any

import anyio.to_thread
from dash import ALL, Input, Output, State, callback, ctx
from dash.exceptions import PreventUpdate
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, clicks, ids, runtime
from dashboard.components.workbench_forms import action_label
from dashboard.i18n import t
from dashboard.ids import workbench as wid
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.errors import DomainError, StaleCase, ValidationError
from db.media import CleanPhoto, clean_photos
from ops import commands
from ops.policy import Screen, may, roles_for
from ops.states import Action
from ops.workflow import Actor, CaseResult

log = logging.getLogger("guiyang_ops.workbench")
A = Action
Fields = dict[str, Any]


def _error(key: str, field: str | None = None, **kwargs: object) -> ValidationError:
    return ValidationError(t(key, "zh", **kwargs), t(key, "en", **kwargs), field=field)


def _text(fields: Fields, name: str) -> str:
    value = fields.get(name)
    return value if isinstance(value, str) else ""


def _optional(fields: Fields, name: str) -> str | None:
    return _text(fields, name).strip() or None


def _merge_target(fields: Fields) -> int:
    try:
        return int(str(fields.get("into")))
    except ValueError:
        raise _error("wb.err.merge", "into") from None


def _amount(fields: Fields) -> float:
    value = fields.get("amount")
    if isinstance(value, bool) or not isinstance(value, int | float | str) or value == "":
        raise _error("wb.err.amount", "amount")
    try:
        return float(value)
    except ValueError:
        raise _error("wb.err.amount", "amount") from None


def _request_id(fields: Fields) -> int:
    """The pending request the card showed (from the card's state, not from a typed field)."""
    value = fields.get("request")
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error("wbf.err.request")
    return value


#: How each action's typed fields become the validated params of its registry entry (:mod:`ops.commands`).
PARAMS: dict[Action, Callable[[Fields], Fields]] = {
    A.FILE: lambda f: {"urgency": _optional(f, "urgency")},
    A.REJECT: lambda f: {"reason": _text(f, "reason")},
    A.MERGE: lambda f: {"into_case_id": _merge_target(f)},
    A.DISPATCH: lambda f: {"department_code": _optional(f, "department")},
    A.RETURN: lambda f: {"reason": _text(f, "reason")},
    A.START: lambda f: {},
    A.HANDLE: lambda f: {"note": _text(f, "note")},
    A.VERIFY_PASS: lambda f: {"note": _optional(f, "note")},
    A.VERIFY_FAIL: lambda f: {"note": _text(f, "note")},
    A.SUSPEND: lambda f: {"reason": _text(f, "reason")},
    A.RESUME: lambda f: {},
    A.EXTEND: lambda f: {"amount": _amount(f), "reason": _text(f, "reason")},
    A.ESCALATE: lambda f: {"reason": _optional(f, "reason")},
    A.SUSPEND_REQUEST: lambda f: {"reason": _text(f, "reason")},
    A.EXTEND_REQUEST: lambda f: {"amount": _amount(f), "reason": _text(f, "reason")},
    A.REQUEST_APPROVE: lambda f: {"request_id": _request_id(f)},
    A.REQUEST_REFUSE: lambda f: {"request_id": _request_id(f), "reason": _text(f, "reason")},
    A.REQUEST_WITHDRAW: lambda f: {"request_id": _request_id(f)},
}


def decode_photos(contents: list[Any], max_photos: int, max_bytes: int) -> list[bytes]:
    """``dcc.Upload`` data URLs to bytes; anything else is refused (the photo store checks the image)."""
    if len(contents) > max_photos:  # refused before any file is written
        raise _error("wb.err.too_many", n=max_photos)
    out = []
    for item in contents:
        if not isinstance(item, str) or "," not in item:
            raise _error("wb.err.photo")
        head, b64 = item.split(",", 1)
        if not head.startswith("data:") or ";base64" not in head or len(b64) > max_bytes * 4 // 3 + 8:
            raise _error("wb.err.photo")
        try:
            out.append(base64.b64decode(b64, validate=True))
        except (binascii.Error, ValueError):
            raise _error("wb.err.photo") from None
    return out


def perform(
    conn: Connection,
    user: StaffIdentity,
    action: Action,
    case_id: int,
    version: int,
    fields: Fields,
    photos: Sequence[bytes | CleanPhoto],
) -> CaseResult:
    """Run one action in the caller's transaction, through the command registry."""
    params = PARAMS[action](fields)
    if action is A.HANDLE:
        # 我来核实: the supervisors and registered citizens nearby are asked to verify, in the same transaction
        app = runtime.services()
        params["radius_m"] = app.open311.verification_radius_m
        params["image_limits"] = app.settings.image_limits()
        if photos:
            params |= {"photos": photos, "media_dir": app.settings.media_path, "user_id": user.id}
    return commands.run(conn, Actor.from_identity(user), action, case_id, version, params)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


#: A command's field name -> the name of the form field that holds it.
_FORM_FIELD = {"into_case_id": "into", "department_code": "department"}


def field_errors(action: Action, exc: DomainError | None, lang: str) -> list[str]:
    """The ``error`` of every form field on the page: the refusal's text under the field it names (in the
    form of the action tried), nothing under the others."""
    field = _FORM_FIELD.get(exc.field or "", exc.field) if exc is not None else None
    text = exc.message(lang) if exc is not None else ""
    return [
        text if spec["id"].get("a") == action.value and spec["id"].get("f") == field else ""
        for spec in ctx.outputs_list[2]
    ]


clicks.relay(wid.BTN_CLICK, {"type": wid.BTN, "a": ALL})


@callback(
    Output(wid.REFRESH, "data"),
    Output(wid.DRAFTS, "data"),
    Output({"type": wid.FIELD, "a": ALL, "f": ALL}, "error"),
    Input(wid.BTN_CLICK, "data"),
    State(wid.CARD_STATE, "data"),
    State({"type": wid.FIELD, "a": ALL, "f": ALL}, "value"),
    State({"type": wid.FIELD, "a": ALL, "f": ALL}, "id"),
    State({"type": wid.UPLOAD, "a": ALL}, "contents"),
    State({"type": wid.UPLOAD, "a": ALL}, "id"),
    State(ids.LANG, "data"),
    State(wid.REFRESH, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*roles_for(Screen.WORKBENCH))
async def act(
    click: Any,
    shown: Any,
    values: list[Any],
    field_ids: list[dict[str, str]],
    uploads: list[Any],
    upload_ids: list[dict[str, str]],
    lang: str,
    refresh: Any,
    *,
    user: StaffIdentity,
) -> tuple[dict[str, Any], dict[str, Any] | None, list[str]]:
    button = clicks.clicked(click, wid.BTN)
    if button is None:
        raise PreventUpdate
    try:
        action = Action(str(button.get("a")))
    except ValueError:
        raise PreventUpdate from None
    case_id = _int(shown.get("id")) if isinstance(shown, dict) else None
    version = _int(shown.get("version")) if isinstance(shown, dict) else None
    if case_id is None or version is None or action is A.REPORT:
        raise PreventUpdate
    fields = {i["f"]: v for i, v in zip(field_ids, values, strict=False) if i.get("a") == action.value}
    if isinstance(shown, dict):
        fields["request"] = shown.get("request")  # the pending 挂账 / 延期 request the card showed
    n = (refresh.get("n", 0) if isinstance(refresh, dict) else 0) + 1
    outcome: dict[str, Any] = {"n": n, "case": case_id, "reset": False}
    drafts = {
        "case": case_id,
        "values": {
            f"{i['a']}|{i['f']}": v
            for i, v in zip(field_ids, values, strict=False)
            if isinstance(v, str | int | float) and not isinstance(v, bool)
        },
    }
    app = runtime.services()
    limits, max_bytes = app.settings.image_limits(), app.open311.max_photo_bytes
    try:
        photos: list[bytes | CleanPhoto] = []
        if action is A.HANDLE:
            for i, contents in zip(upload_ids, uploads, strict=False):
                if i.get("a") == action.value and contents:
                    photos += decode_photos(
                        contents if isinstance(contents, list) else [contents], limits.max_photos, max_bytes
                    )
        if photos and may(Actor.from_identity(user).role, A.HANDLE):
            # checked from their headers and decoded once each here, outside the transaction
            photos = list(await anyio.to_thread.run_sync(clean_photos, photos, max_bytes, limits))
        result = await runtime.awrite(lambda c: perform(c, user, action, case_id, version, fields, photos))
    except StaleCase:
        log.info("%s on case %s by %s: stale version %s", action.value, case_id, user.username, version)
        ticket = shown.get("ticket") or case_id
        stale = {**outcome, "kind": "stale", "text": t("wb.stale", lang, ticket=ticket)}
        return stale, drafts, field_errors(action, None, lang)
    except DomainError as exc:
        log.info(
            "%s on case %s by %s refused: %s (%s)", action.value, case_id, user.username, exc.en, exc.detail
        )
        return (
            {**outcome, "kind": "error", "text": exc.message(lang)},
            drafts,
            field_errors(action, exc, lang),
        )
    except SQLAlchemyError as exc:
        log_failure(log, f"{action.value} on case {case_id} by {user.username} failed", exc)
        return (
            {**outcome, "kind": "error", "text": t("wb.err.db", lang)},
            drafts,
            field_errors(action, None, lang),
        )
    log.info("%s on case %s by %s: v%s -> v%s", action.value, case_id, user.username, version, result.version)
    text = t("wb.ok", lang, action=action_label(action, lang), ticket=result.ticket)
    return {**outcome, "kind": "ok", "text": text, "reset": True}, None, field_errors(action, None, lang)
