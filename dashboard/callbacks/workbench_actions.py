"""The case card's actions. One callback takes every action button; it trusts nothing from the browser but the
case id, the version the card showed and the typed inputs, and runs the workflow command for the button in one
transaction (photos of a handled case are stored in that same transaction). Role, scope, status and version
are checked again by the command itself; a refusal is shown as the command words it."""

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

from dashboard import auth, ids, runtime
from dashboard.api.open311_settings import get_open311_settings
from dashboard.components.workbench_forms import MAX_PHOTO_BYTES, action_label
from dashboard.i18n import t
from dashboard.ids import workbench as wid
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.errors import DomainError, StaleCase, ValidationError
from db.media import CleanPhoto, clean_photos, store_photo
from db.queries.workbench import WORKBENCH_ROLES, may_see
from ops import workflow as wf
from ops.citizen.verification import report_handled
from ops.states import Action, may
from ops.workflow import Actor, CaseResult
from ops.workflow.base import MAX_PHOTOS

log = logging.getLogger("guiyang_ops.workbench")
A = Action
Fields = dict[str, Any]
Command = Callable[[Connection, Actor, int, int, Fields], CaseResult]


def _error(key: str, **kwargs: object) -> ValidationError:
    return ValidationError(t(key, "zh", **kwargs), t(key, "en", **kwargs))


def _text(fields: Fields, name: str) -> str:
    value = fields.get(name)
    return value if isinstance(value, str) else ""


def _optional(fields: Fields, name: str) -> str | None:
    return _text(fields, name).strip() or None


def _merge_target(fields: Fields) -> int:
    try:
        return int(str(fields.get("into")))
    except ValueError:
        raise _error("wb.err.merge") from None


def _amount(fields: Fields) -> float:
    value = fields.get("amount")
    if isinstance(value, bool) or not isinstance(value, int | float | str) or value == "":
        raise _error("wb.err.amount")
    try:
        return float(value)
    except ValueError:
        raise _error("wb.err.amount") from None


COMMANDS: dict[Action, Command] = {
    A.FILE: lambda c, a, i, v, f: wf.file_case(c, a, i, v, urgency=_optional(f, "urgency")),
    A.REJECT: lambda c, a, i, v, f: wf.reject(c, a, i, v, reason=_text(f, "reason")),
    A.MERGE: lambda c, a, i, v, f: wf.merge(c, a, i, v, into_case_id=_merge_target(f)),
    A.DISPATCH: lambda c, a, i, v, f: wf.dispatch(c, a, i, v, department_code=_optional(f, "department")),
    A.RETURN: lambda c, a, i, v, f: wf.return_case(c, a, i, v, reason=_text(f, "reason")),
    A.START: lambda c, a, i, v, f: wf.start(c, a, i, v),
    A.VERIFY_PASS: lambda c, a, i, v, f: wf.verify(c, a, i, v, passed=True, note=_optional(f, "note")),
    A.VERIFY_FAIL: lambda c, a, i, v, f: wf.verify(c, a, i, v, passed=False, note=_text(f, "note")),
    A.SUSPEND: lambda c, a, i, v, f: wf.suspend(c, a, i, v, reason=_text(f, "reason")),
    A.RESUME: lambda c, a, i, v, f: wf.resume(c, a, i, v),
    A.EXTEND: lambda c, a, i, v, f: wf.extend(c, a, i, v, amount=_amount(f), reason=_text(f, "reason")),
    A.ESCALATE: lambda c, a, i, v, f: wf.escalate(c, a, i, v, reason=_optional(f, "reason")),
}


def decode_photos(contents: list[Any]) -> list[bytes]:
    """``dcc.Upload`` data URLs to bytes; anything else is refused (the photo store checks the image)."""
    if len(contents) > MAX_PHOTOS:  # refused before any file is written
        raise _error("wb.err.too_many", n=MAX_PHOTOS)
    out = []
    for item in contents:
        if not isinstance(item, str) or "," not in item:
            raise _error("wb.err.photo")
        head, b64 = item.split(",", 1)
        if not head.startswith("data:") or ";base64" not in head or len(b64) > MAX_PHOTO_BYTES * 4 // 3 + 8:
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
    """Run one action in the caller's transaction."""
    actor = Actor.from_identity(user)
    if action is A.HANDLE:
        photo_ids: list[int] = []
        # store only for someone who may handle this case; otherwise the command below says why not
        if photos and may(actor.role, A.HANDLE) and may_see(conn, user, case_id):
            settings = runtime.services().settings
            limits = settings.image_limits()
            photo_ids = [
                store_photo(conn, settings.media_path, p, kind="handled", user_id=user.id, limits=limits).id
                for p in photos
            ]
        # 我来核实: the supervisors and registered citizens nearby are asked to verify, in the same transaction
        return report_handled(
            conn,
            actor,
            case_id,
            version,
            note=_text(fields, "note"),
            photo_ids=photo_ids,
            radius_m=get_open311_settings().verification_radius_m,
        )
    return COMMANDS[action](conn, actor, case_id, version, fields)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@callback(
    Output(wid.REFRESH, "data"),
    Output(wid.DRAFTS, "data"),
    Input({"type": wid.BTN, "a": ALL}, "n_clicks"),
    State(wid.CARD_STATE, "data"),
    State({"type": wid.FIELD, "a": ALL, "f": ALL}, "value"),
    State({"type": wid.FIELD, "a": ALL, "f": ALL}, "id"),
    State({"type": wid.UPLOAD, "a": ALL}, "contents"),
    State({"type": wid.UPLOAD, "a": ALL}, "id"),
    State(ids.LANG, "data"),
    State(wid.REFRESH, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*WORKBENCH_ROLES)
async def act(
    _clicks: list[int | None],
    shown: Any,
    values: list[Any],
    field_ids: list[dict[str, str]],
    uploads: list[Any],
    upload_ids: list[dict[str, str]],
    lang: str,
    refresh: Any,
    *,
    user: StaffIdentity,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    trig = ctx.triggered_id
    if not isinstance(trig, dict) or not any(x.get("value") for x in ctx.triggered):
        raise PreventUpdate  # buttons drawn anew, not clicked
    try:
        action = Action(str(trig.get("a")))
    except ValueError:
        raise PreventUpdate from None
    case_id = _int(shown.get("id")) if isinstance(shown, dict) else None
    version = _int(shown.get("version")) if isinstance(shown, dict) else None
    if case_id is None or version is None or action is A.REPORT:
        raise PreventUpdate
    fields = {i["f"]: v for i, v in zip(field_ids, values, strict=False) if i.get("a") == action.value}
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
    try:
        photos: list[bytes | CleanPhoto] = []
        if action is A.HANDLE:
            for i, contents in zip(upload_ids, uploads, strict=False):
                if i.get("a") == action.value and contents:
                    photos += decode_photos(contents if isinstance(contents, list) else [contents])
        if photos and may(Actor.from_identity(user).role, A.HANDLE):
            # checked from their headers and decoded once each here, outside the transaction
            limits = runtime.services().settings.image_limits()
            photos = list(await anyio.to_thread.run_sync(clean_photos, photos, MAX_PHOTO_BYTES, limits))
        result = await runtime.awrite(lambda c: perform(c, user, action, case_id, version, fields, photos))
    except StaleCase:
        log.info("%s on case %s by %s: stale version %s", action.value, case_id, user.username, version)
        ticket = shown.get("ticket") or case_id
        return {**outcome, "kind": "stale", "text": t("wb.stale", lang, ticket=ticket)}, drafts
    except DomainError as exc:
        log.info(
            "%s on case %s by %s refused: %s (%s)", action.value, case_id, user.username, exc.en, exc.detail
        )
        return {**outcome, "kind": "error", "text": exc.message(lang)}, drafts
    except SQLAlchemyError as exc:
        log_failure(log, f"{action.value} on case {case_id} by {user.username} failed", exc)
        return {**outcome, "kind": "error", "text": t("wb.err.db", lang)}, drafts
    log.info("%s on case %s by %s: v%s -> v%s", action.value, case_id, user.username, version, result.version)
    text = t("wb.ok", lang, action=action_label(action, lang), ticket=result.ticket)
    return {**outcome, "kind": "ok", "text": text, "reset": True}, None
