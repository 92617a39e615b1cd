"""The case card of /workbench: the selected case as the user may see it (scope in the query), its history,
duplicates nearby and the forms of the actions the user may take; after an action, its outcome. A language
switch relabels the forms in place, so what the user typed or chose stays."""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import ALL, MATCH, Input, Output, State, callback, ctx, html
from dash import no_update as nothing
from dash.exceptions import PreventUpdate

from dashboard import auth, ids, runtime
from dashboard.callbacks.wb_live import card_refresh
from dashboard.callbacks.workbench import ROLES, reference
from dashboard.components.case_card import card_info, card_sections
from dashboard.components.workbench_forms import action_forms, form_shape, id_key, texts
from dashboard.i18n import t
from dashboard.ids import workbench as wid
from dashboard.ids.wb_live import CHANGED as LIVE  # the push's refresh hook
from db.accounts import StaffIdentity
from db.queries import wb_card, wb_options
from ops.policy import allowed_actions, in_scope, request_actions, workbench_scope
from ops.states import Action, CaseStatus, Role


def _selected_id(selected: Any) -> int | None:
    value = selected.get("id") if isinstance(selected, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def notice(kind: str, text: str) -> dmc.Alert:
    color = {"ok": "teal", "stale": "orange"}.get(kind, "red")
    return dmc.Alert(text, color=color, withCloseButton=True, className=f"wb-notice wb-notice-{kind}")


_FIELDS = {"type": wid.FIELD, "a": ALL, "f": ALL}
#: The texts of the forms, set in place on a language switch (``workbench_forms.LANGUAGE_PROPS``).
_TEXT_OUTPUTS = [
    Output(_FIELDS, "label"),
    Output(_FIELDS, "data"),
    Output(_FIELDS, "placeholder"),
    Output({"type": wid.BTN, "a": ALL}, "children"),
    Output({"type": wid.UPLOAD, "a": ALL}, "children"),
    Output({"type": wid.FORM_TEXT, "k": ALL}, "children"),
    Output({"type": wid.CHOOSE, "a": ALL}, "children"),
    Output({"type": wid.CANCEL, "a": ALL}, "children"),
]
_FIRST_TEXT_OUTPUT = 7


def _texts_unchanged() -> list[list[Any]]:
    return [[nothing] * len(specs) for specs in ctx.outputs_list[_FIRST_TEXT_OUTPUT:]]


def _texts_from(blocks: list[Any]) -> list[list[Any]]:
    """The language-dependent properties of the forms on the page, taken from ``blocks`` (the same forms drawn
    in the new language)."""
    new = texts(blocks)
    return [
        [new.get((id_key(spec["id"]), spec["property"]), nothing) for spec in specs]
        for specs in ctx.outputs_list[_FIRST_TEXT_OUTPUT:]
    ]


def _typed(values: list[Any], field_ids: list[Any]) -> dict[str, Any]:
    """What the forms on the page hold, as drafts (``"action|field"`` → value)."""
    return {
        f"{i.get('a')}|{i.get('f')}": v
        for i, v in zip(field_ids, values, strict=False)
        if isinstance(i, dict) and isinstance(v, str | int | float) and not isinstance(v, bool)
    }


def card_actions(card: wb_card.CaseCard, role: Role, scoped: bool) -> tuple[list[Action], int | None]:
    """The actions the card offers, and the id of the pending 挂账 / 延期 request they may decide: a pending
    request's decisions come first (a lead approves or refuses, the asking side may withdraw), and no second
    request is offered while one waits."""
    if not scoped:
        return [], None
    status = CaseStatus(card.case.status)
    actions = allowed_actions(role, status)
    request = card.request
    if request is None or request.state != "pending":
        return actions, None
    asks = {Action.SUSPEND_REQUEST, Action.EXTEND_REQUEST}
    return [*request_actions(role, status), *(a for a in actions if a not in asks)], int(request.id)


@callback(
    Output(wid.CARD, "hidden"),
    Output(wid.CARD_INFO, "children"),
    Output(wid.CARD_NOTICE, "children"),
    Output(wid.CARD_ACTIONS, "children"),
    Output(wid.CARD_MORE, "children"),
    Output(wid.CARD_STATE, "data"),
    Output(wid.HIGHLIGHT, "children"),
    *_TEXT_OUTPUTS,
    Input(wid.SELECTED, "data"),
    Input(wid.REFRESH, "data"),
    Input(wid.CARD_LIVE, "data"),
    Input(ids.LANG, "data"),
    State(wid.DRAFTS, "data"),
    State(wid.CARD_STATE, "data"),
    State(_FIELDS, "value"),
    State(_FIELDS, "id"),
)
@auth.require_user(*ROLES)
async def case_card(
    selected: Any,
    refresh: Any,
    live: Any,
    lang: str,
    drafts: Any,
    shown: Any,
    values: list[Any],
    field_ids: list[Any],
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    """The card of the selected case, as the user may see it; after an action, with the outcome above the
    actions. The forms are drawn again only when the possible actions changed (or after a success), so what
    the user typed and the photos they chose survive a refused attempt; a language switch sets their texts in
    place (or, if the forms changed meanwhile, draws them again with what the user had typed)."""
    case_id = _selected_id(selected)
    pushed = ctx.triggered_id == wid.CARD_LIVE
    if pushed:  # someone else changed the case shown (live_card below)
        refresh = live if isinstance(live, dict) and live.get("case") == case_id else None
        if refresh is None:
            return (*[nothing] * _FIRST_TEXT_OUTPUT, *_texts_unchanged())
    if case_id is None:
        return True, [], None, [], [], None, [], *_texts_unchanged()
    card = await runtime.aread(lambda c: wb_card.case_card(c, workbench_scope(user), case_id))
    if card is None:
        missing = html.Div(t("wb.card.missing", lang), className="wb-muted")
        return False, [missing], None, [], [], None, [], *_texts_unchanged()
    c = card.case
    role = Role(user.role)
    scoped = in_scope(
        role,
        user_district=user.district_code,
        user_department=user.department_code,
        case_district=c.district_code,
        case_department=c.department_code,
    )
    actions, pending = card_actions(card, role, scoped)
    names = [a.value for a in actions]
    refreshed = (
        ctx.triggered_id in (wid.REFRESH, wid.CARD_LIVE)
        and isinstance(refresh, dict)
        and refresh.get("case") == case_id
    )
    note = (
        notice(str(refresh.get("kind")), str(refresh["text"])) if refreshed and refresh.get("text") else None
    )
    same_case = isinstance(shown, dict) and shown.get("id") == case_id
    relabel = ctx.triggered_id == ids.LANG and same_case
    same_forms = refreshed and not refresh.get("reset") and same_case and shown.get("actions") == names
    shape = shown.get("forms") if same_case else None
    text_outputs = _texts_unchanged()
    if same_forms:
        forms: Any = nothing
    else:
        departments = await reference("departments", wb_options.departments) if "dispatch" in names else []
        kept = drafts.get("values") if isinstance(drafts, dict) and drafts.get("case") == case_id else None
        if relabel or pushed:
            kept = {**(kept or {}), **_typed(values, field_ids)}  # what the forms hold now wins
        forms = action_forms(card, actions, lang, departments, kept)
        if relabel and shape == form_shape(forms):
            forms, text_outputs = nothing, _texts_from(forms)
        else:
            shape = form_shape(forms)
    ring = dl.CircleMarker(
        center=[c.lat, c.lon], radius=16, className="wb-hl", interactive=False, pathOptions={"fillOpacity": 0}
    )
    state = {
        "id": c.id,
        "version": c.version,
        "ticket": c.ticket,
        "actions": names,
        "forms": shape,
        "request": pending,
    }
    info, more = card_info(card, lang), card_sections(card, lang)
    return False, info, note, forms, more, state, [ring], *text_outputs


@callback(
    Output(wid.CARD_LIVE, "data"),
    Input(LIVE, "data"),
    State(wid.SELECTED, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def live_card(changed: Any, selected: Any, lang: str, *, user: StaffIdentity) -> dict[str, Any]:
    """The push's refresh hook moved: the card reads again only if someone else changed the case it shows. A
    callback of its own, not an Input of :func:`case_card`: a push that comes while the card reads the outcome of
    the user's own action would otherwise make Dash drop that answer (a callback triggered again before it
    returns), and the success notice with it (the own step's push reaches the page before the action's answer)."""
    case_id = _selected_id(selected)
    refresh = None if case_id is None else card_refresh(changed, case_id, lang)
    if refresh is None:
        raise PreventUpdate
    return {**refresh, "n": changed.get("n") if isinstance(changed, dict) else None}


@callback(
    Output({"type": wid.UPLOAD_LIST, "a": MATCH}, "children"),
    Input({"type": wid.UPLOAD, "a": MATCH}, "filename"),
    Input(ids.LANG, "data"),
)
def chosen_photos(names: list[str] | str | None, lang: str) -> str:
    if not names:
        return ""
    names = [names] if isinstance(names, str) else names
    return t("wb.a.photos_chosen", lang, n=len(names), names=", ".join(n[:40] for n in names))
