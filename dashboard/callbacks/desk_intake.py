"""新建案件 on /workbench: the button for the roles that may open cases, the place (a click on the workbench map, a
dragged marker or a bundled landmark), the categories, and the submit, which parses the form and runs the one
desk-intake command (:func:`ops.commands.report_at_desk`) in one transaction. A refusal names its field, in the
user's language; a success selects the new case (or the case it was merged into), whose card then opens."""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

import anyio.to_thread
import dash_mantine_components as dmc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, ids, runtime
from dashboard.callbacks.workbench import reference
from dashboard.callbacks.workbench_actions import decode_photos
from dashboard.components.desk_intake import bundled_landmarks, landmark_options, marker, upload_button
from dashboard.i18n import t
from dashboard.ids import desk_intake as did
from dashboard.ids import workbench as wid
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.errors import DomainError, ValidationError
from db.media import CleanPhoto
from db.queries import wb_options
from ops.citizen.intake import check_photos
from ops.commands import DESK_SOURCES, DeskReceipt, DeskReport, report_at_desk
from ops.policy import Screen, reach, roles_for
from ops.workflow import Actor

log = logging.getLogger("guiyang_ops.desk_intake")
ROLES = roles_for(Screen.DESK_INTAKE)
WORKBENCH_ROLES = roles_for(Screen.WORKBENCH)
LANDMARK_ZOOM = 16

#: the form's inputs that show their own error, by the field name the domain's errors carry
ERROR_PROPS = {
    "source": did.SOURCE,
    "location": did.LANDMARK,
    "address": did.ADDRESS,
    "category_code": did.CATEGORY,
    "description": did.DESCRIPTION,
    "caller_name": did.CALLER_NAME,
    "caller_phone": did.CALLER_PHONE,
}


@callback(Output(did.OPEN, "style"), Input(wid.ROOT, "id"))
@auth.require_user(*WORKBENCH_ROLES)
async def show_button(_: str, *, user: StaffIdentity) -> dict[str, str]:
    """Only the roles of the desk-intake policy row see 新建案件."""
    return {} if reach(user.role, Screen.DESK_INTAKE) is not None else {"display": "none"}


clientside_callback(
    ClientsideFunction(namespace="di", function_name="toggle"),
    Output(did.PANEL, "hidden"),
    Input(did.OPEN, "n_clicks"),
    Input(did.CLOSE, "n_clicks"),
    Input(did.CANCEL, "n_clicks"),
    State(did.PANEL, "hidden"),
    prevent_initial_call=True,
)


@callback(
    Output(did.OPEN, "children"),
    Output(did.TITLE, "children"),
    Output(did.CLOSE, "title"),
    Output(did.SOURCE, "label"),
    Output(did.SOURCE, "children"),
    Output(did.HINT, "children"),
    Output(did.LANDMARK, "label"),
    Output(did.LANDMARK, "placeholder"),
    Output(did.LANDMARK, "data"),
    Output(did.ADDRESS, "label"),
    Output(did.MAJOR, "label"),
    Output(did.CATEGORY, "label"),
    Output(did.DESCRIPTION, "label"),
    Output(did.CALLER_NAME, "label"),
    Output(did.CALLER_PHONE, "label"),
    Output(did.CONTACT_NOTE, "children"),
    Output(did.PHOTOS_LABEL, "children"),
    Output(did.PHOTOS, "children"),
    Output(did.SUBMIT, "children"),
    Output(did.CANCEL, "children"),
    Input(ids.LANG, "data"),
)
def texts(lang: str) -> tuple[Any, ...]:
    most = runtime.services().settings.image_limits().max_photos
    return (
        t("di.open", lang),
        t("di.title", lang),
        t("di.close", lang),
        t("di.source", lang),
        dmc.Group([dmc.Radio(value=s, label=t(f"di.source.{s}", lang)) for s in DESK_SOURCES]),
        t("di.hint", lang),
        t("di.landmark", lang),
        t("di.landmark.ph", lang),
        landmark_options(lang),
        t("di.address", lang),
        t("di.major", lang),
        t("di.category", lang),
        t("di.description", lang),
        t("di.caller_name", lang),
        t("di.caller_phone", lang),
        t("di.contact_note", lang),
        t("di.photos", lang, n=most),
        upload_button(lang),
        t("di.submit", lang),
        t("di.cancel", lang),
    )


def _name(row: Any, lang: str) -> str:
    return str(row.name_en if lang == "en" else row.name_zh)


@callback(Output(did.MAJOR, "data"), Input(did.PANEL, "hidden"), Input(ids.LANG, "data"))
@auth.require_user(*ROLES)
async def major_options(hidden: bool | None, lang: str, *, user: StaffIdentity) -> list[dict[str, str]]:
    if hidden is not False and ctx.triggered_id == did.PANEL:
        raise PreventUpdate
    categories = await reference("categories", wb_options.categories)
    return [{"value": c.code, "label": f"{_name(c, lang)} ({c.code})"} for c in categories if c.level == 1]


@callback(
    Output(did.CATEGORY, "data"),
    Output(did.CATEGORY, "value"),
    Input(did.MAJOR, "value"),
    Input(ids.LANG, "data"),
    State(did.CATEGORY, "value"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def category_options(
    major: str | None, lang: str, current: str | None, *, user: StaffIdentity
) -> tuple[Any, Any]:
    categories = await reference("categories", wb_options.categories)
    minors = [c for c in categories if c.level == 2 and (not major or c.parent_code == major)]
    data = [{"value": c.code, "label": f"{_name(c, lang)} ({c.code})"} for c in minors]
    keep = current if any(c.code == current for c in minors) else None
    return data, keep


@callback(
    Output(did.POS, "data", allow_duplicate=True),
    Output(wid.MAP, "viewport", allow_duplicate=True),
    Input(wid.MAP, "clickData"),
    Input(did.LANDMARK, "value"),
    State(did.PANEL, "hidden"),
    State(wid.MAP, "zoom"),
    prevent_initial_call=True,
)
def choose_place(click: Any, landmark: str | None, hidden: bool | None, zoom: Any) -> tuple[list[float], Any]:
    """A click on the workbench map while the form is open: the chosen place. A landmark: the chosen place, and
    the map flies there, so that its marker can be seen and dragged."""
    if hidden is not False:
        raise PreventUpdate  # the map is for the queue while the form is closed
    if ctx.triggered_id == did.LANDMARK:
        marks = bundled_landmarks()
        if landmark is None or not landmark.isdigit() or int(landmark) >= len(marks):
            raise PreventUpdate
        m = marks[int(landmark)]
        near = max(zoom if isinstance(zoom, int | float) else 0, LANDMARK_ZOOM)
        return [m.lat, m.lon], {"center": [m.lat, m.lon], "zoom": near, "transition": "flyTo"}
    ll = click.get("latlng") if isinstance(click, dict) else None
    if not isinstance(ll, dict) or not all(isinstance(ll.get(k), int | float) for k in ("lat", "lng")):
        raise PreventUpdate
    return [round(float(ll["lat"]), 6), round(float(ll["lng"]), 6)], nothing


@callback(
    Output(did.MARKER, "children"),
    Output(did.POS_TEXT, "children"),
    Input(did.POS, "data"),
    Input(ids.LANG, "data"),
)
def place_marker(pos: Any, lang: str) -> tuple[Any, str]:
    if not (isinstance(pos, list) and len(pos) == 2 and all(isinstance(v, int | float) for v in pos)):
        return [], t("di.pos.none", lang)
    return marker(pos, lang), t("di.pos.at", lang, lat=f"{pos[0]:.5f}", lon=f"{pos[1]:.5f}")


@callback(
    Output(did.LANDMARK, "error", allow_duplicate=True),
    Input(did.POS, "data"),
    prevent_initial_call=True,
)
def place_chosen(pos: Any) -> Any:
    """A place chosen: the place's error from the last attempt no longer applies."""
    if not pos:
        raise PreventUpdate
    return None


@callback(Output(did.PHOTO_LIST, "children"), Input(did.PHOTOS, "filename"), Input(ids.LANG, "data"))
def chosen_photos(names: list[str] | str | None, lang: str) -> str:
    if not names:
        return ""
    names = [names] if isinstance(names, str) else names
    return t("di.photos.chosen", lang, n=len(names), names=", ".join(n[:40] for n in names))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def request_from_form(
    source: Any, pos: Any, address: Any, category: Any, description: Any, name: Any, phone: Any
) -> DeskReport:
    """The typed form as the command's request (the command validates every field)."""
    point = pos if isinstance(pos, list) and len(pos) == 2 else [None, None]
    lat, lon = (float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None for v in point)
    return DeskReport(
        category_code=_str(category) or "",
        lon=lon,
        lat=lat,
        description=_str(description) or "",
        source=_str(source) or "",
        address=_str(address),
        caller_name=_str(name),
        caller_phone=_str(phone),
    )


def _outcome_text(receipt: DeskReceipt, lang: str) -> str:
    ticket = receipt.case.ticket
    if receipt.merged_ticket:
        return t("di.merged", lang, ticket=ticket, into=receipt.merged_ticket)
    if receipt.duplicate_tickets:
        return t("di.dups", lang, ticket=ticket, dups="、".join(receipt.duplicate_tickets))
    return t("di.ok", lang, ticket=ticket)


_N_ERRORS = len(ERROR_PROPS) + 1  # the inputs' errors and the photos' error line
_N_RESETS = 8


def _error_outputs(field: str | None, text: str) -> list[Any]:
    out: list[Any] = [text if field == f else None for f in ERROR_PROPS]
    out.append(text if field == "media" else None)
    return out


@callback(
    Output(did.NOTICE, "children"),
    *[Output(i, "error") for i in ERROR_PROPS.values()],
    Output(did.PHOTO_ERROR, "children"),
    Output(wid.SELECTED, "data", allow_duplicate=True),
    Output(wid.REFRESH, "data", allow_duplicate=True),
    Output(did.DESCRIPTION, "value"),
    Output(did.ADDRESS, "value"),
    Output(did.CALLER_NAME, "value"),
    Output(did.CALLER_PHONE, "value"),
    Output(did.PHOTOS, "contents"),
    Output(did.PHOTOS, "filename"),
    Output(did.POS, "data", allow_duplicate=True),
    Output(did.LANDMARK, "value"),
    Input(did.SUBMIT, "n_clicks"),
    State(did.SOURCE, "value"),
    State(did.POS, "data"),
    State(did.ADDRESS, "value"),
    State(did.CATEGORY, "value"),
    State(did.DESCRIPTION, "value"),
    State(did.CALLER_NAME, "value"),
    State(did.CALLER_PHONE, "value"),
    State(did.PHOTOS, "contents"),
    State(ids.LANG, "data"),
    State(wid.REFRESH, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def submit(
    clicks: int | None,
    source: Any,
    pos: Any,
    address: Any,
    category: Any,
    description: Any,
    name: Any,
    phone: Any,
    uploads: Any,
    lang: str,
    refresh: Any,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    if not clicks:
        raise PreventUpdate
    app = runtime.services()
    limits, max_bytes = app.settings.image_limits(), app.open311.max_photo_bytes
    req = request_from_form(source, pos, address, category, description, name, phone)
    try:
        contents = uploads if isinstance(uploads, list) else [uploads] if uploads else []
        try:
            raw = decode_photos(contents, limits.max_photos, max_bytes)
        except ValidationError as exc:
            exc.field = "media"
            raise
        clean: list[bytes | CleanPhoto] = []
        if raw:  # checked from their headers and decoded once each here, outside the transaction
            check = functools.partial(check_photos, raw, max_bytes, limits=limits)
            clean = list(await anyio.to_thread.run_sync(check))
        req = DeskReport(**{**req.__dict__, "photos": clean})
        receipt = await runtime.awrite(
            lambda c: report_at_desk(
                c,
                Actor.from_identity(user),
                req,
                media_dir=app.settings.media_path,
                max_photo_bytes=max_bytes,
                image_limits=limits,
            )
        )
    except DomainError as exc:
        log.info("new case at the desk by %s refused: %s (%s)", user.username, exc.en, exc.detail)
        field = exc.field if exc.field in (*ERROR_PROPS, "media") else None
        label = t(f"di.field.{field or 'form'}", lang)
        message = exc.message(lang)
        alert = dmc.Alert(t("di.err", lang, field=label, message=message), color="red", variant="light")
        return alert, *_error_outputs(field, message), *[nothing] * (2 + _N_RESETS)
    except SQLAlchemyError as exc:
        log_failure(log, f"new case at the desk by {user.username} failed", exc)
        alert = dmc.Alert(t("di.err.db", lang), color="red", variant="light")
        return alert, *_error_outputs(None, ""), *[nothing] * (2 + _N_RESETS)
    log.info(
        "new case %s at the desk by %s (merged into %s)",
        receipt.case.ticket,
        user.username,
        receipt.merged_ticket,
    )
    shown = receipt.merged_into or receipt.case.id
    # "pin": the place is in view already (clicked, or flown to with its landmark), so the map stays still; a
    # flight would move the view while the queue reloads, and the queue's reload would be dropped for it
    selected = {"id": shown, "ll": pos, "src": "pin", "ts": int(time.time() * 1000)}
    n = (refresh.get("n", 0) if isinstance(refresh, dict) else 0) + 1
    alert = dmc.Alert(_outcome_text(receipt, lang), color="teal", variant="light", className="di-ok")
    resets = ("", "", "", "", None, None, None, None)
    return alert, *_error_outputs(None, ""), selected, {"n": n, "case": shown}, *resets
