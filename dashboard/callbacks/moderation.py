"""Callbacks of /moderation: approve or hide 最美贵阳 posts and report photos; add, move, edit and retire service
points. Every callback is guarded by ``require_user('moderator', 'admin', 'lead')``; writes go through
:mod:`db.moderation` (each change logged in ``moderation_log``) and then clear the public cache of this process,
so the public map shows the change at once. The component IDs are named here (the page imports them).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import dash_mantine_components as dmc
from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from dashboard import ids as app_ids
from dashboard import runtime
from dashboard.api.public import clear_public_cache
from dashboard.auth import acurrent_user, require_user
from dashboard.i18n import LANGS, t
from db import moderation as m
from db.accounts import StaffIdentity
from db.errors import DomainError, ValidationError
from db.queries import public as q

log = logging.getLogger("guiyang_ops.moderation")
ROLES = ("moderator", "admin", "lead")
LOGIN_URL = "/login?next=/moderation"

PAGE = "mod-page"
REDIRECT = "mod-redirect"
NOTICE = "mod-notice"
REFRESH = "mod-refresh"
REASON = "mod-reason"
POST_STATE = "mod-post-state"
POST_LIST = "mod-post-list"
POST_ACT = "mod-post-act"
PHOTO_STATE = "mod-photo-state"
PHOTO_LIST = "mod-photo-list"
PHOTO_ACT = "mod-photo-act"
PT_MAP = "mod-pt-map"
PT_POINTS = "mod-pt-points"
PT_MARKER = "mod-pt-marker"
PT_SEL = "mod-pt-sel"
PT_POS = "mod-pt-pos"
PT_TITLE = "mod-pt-title"
PT_POS_TEXT = "mod-pt-pos-text"
PT_KIND = "mod-pt-kind"
PT_FIELDS = {
    "name_zh": "mod-pt-name-zh",
    "name_en": "mod-pt-name-en",
    "address": "mod-pt-address",
    "open_hours": "mod-pt-hours",
}
PT_SAVE = "mod-pt-save"
PT_CLEAR = "mod-pt-clear"
PT_RETIRE = "mod-pt-retire"
LOG_TABLE = "mod-log"
LABELS = "mod-labels"
TITLE = "mod-title"
TABS = "mod-tabs"
PT_HINT = "mod-pt-hint"
TAB_KEYS = ("posts", "photos", "points", "log")
STATE_KEYS = ("pending", "approved", "hidden")


def tab_id(key: str) -> str:
    return f"mod-tab-{key}"


def field_label(field: str) -> str:
    return f"mod.point.{'hours' if field == 'open_hours' else field}"


def labels() -> dict[str, dict[str, str]]:
    """Texts the browser writes itself (the edit marker's position and the form's title)."""
    keys = {
        "new": "mod.point.new",
        "editing": "mod.point.editing",
        "pos": "mod.point.position",
        "nopos": "mod.point.no_position",
    }
    return {
        lang: {k: t(v, lang, id="{id}", lon="{lon}", lat="{lat}") for k, v in keys.items()} for lang in LANGS
    }


def notice(text: str, ok: bool = True) -> Any:
    return dmc.Alert(text, color="teal" if ok else "red", variant="light", withCloseButton=True)


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


# --- 最美贵阳 posts and report photos -----------------------------------------------------------------------------


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _actions(kind: str, target: int, state: str, lang: str) -> list[Any]:
    buttons = []
    if state != "approved":
        buttons.append(
            dmc.Button(
                t("mod.approve", lang),
                id={"type": kind, "id": target, "act": "approve"},
                color="teal",
                size="xs",
                n_clicks=0,
            )
        )
    if state != "hidden":
        buttons.append(
            dmc.Button(
                t("mod.hide", lang),
                id={"type": kind, "id": target, "act": "hide"},
                color="red",
                variant="light",
                size="xs",
                n_clicks=0,
            )
        )
    return buttons


@callback(
    Output(POST_LIST, "children"),
    Input(POST_STATE, "value"),
    Input(REFRESH, "data"),
    Input(app_ids.LANG, "data"),
)
@require_user(*ROLES)
async def posts(state: str, _: int, lang: str, *, user: StaffIdentity) -> Any:
    rows = await runtime.aread(lambda c: m.posts_for_review(c, state))
    if not rows:
        return html.P(t("mod.empty", lang), className="mod-empty")
    return [
        html.Div(
            className="mod-card",
            children=[
                html.Img(src=f"/media/staff/{r.photo_id}/thumb", alt=r.title, className="mod-thumb")
                if r.photo_id
                else html.Div(className="mod-thumb"),
                html.Div(
                    className="mod-card-body",
                    children=[
                        html.B(r.title),
                        html.P(r.body, className="mod-text"),
                        html.Div(
                            f"#{r.id} · {t('mod.submitted', lang, t=_when(r.created_at))} · "
                            f"{r.lon:.5f}, {r.lat:.5f}",
                            className="mod-meta",
                        ),
                        dmc.Group(_actions(POST_ACT, r.id, r.state, lang), gap="xs"),
                    ],
                ),
            ],
        )
        for r in rows
    ]


@callback(
    Output(PHOTO_LIST, "children"),
    Input(PHOTO_STATE, "value"),
    Input(REFRESH, "data"),
    Input(app_ids.LANG, "data"),
)
@require_user(*ROLES)
async def photos(which: str, _: int, lang: str, *, user: StaffIdentity) -> Any:
    rows = await runtime.aread(lambda c: m.report_photos_for_review(c, which))
    if not rows:
        return html.P(t("mod.empty", lang), className="mod-empty")
    state = which if which in ("approved", "hidden") else "pending"
    return [
        html.Div(
            className="mod-card",
            children=[
                html.Img(src=f"/media/staff/{r.id}/thumb", alt="", className="mod-thumb"),
                html.Div(
                    className="mod-card-body",
                    children=[
                        html.B(t("mod.case_photo", lang, ticket=r.ticket, category=r.category)),
                        html.Div(f"#{r.id} · {r.kind} · {_when(r.created_at)}", className="mod-meta"),
                        dmc.Group(_actions(PHOTO_ACT, r.id, state, lang), gap="xs"),
                    ],
                ),
            ],
        )
        for r in rows
    ]


@callback(
    Output(NOTICE, "children"),
    Output(REFRESH, "data"),
    Input({"type": POST_ACT, "id": ALL, "act": ALL}, "n_clicks"),
    Input({"type": PHOTO_ACT, "id": ALL, "act": ALL}, "n_clicks"),
    State(REASON, "value"),
    State(REFRESH, "data"),
    State(app_ids.LANG, "data"),
    prevent_initial_call=True,
)
@require_user(*ROLES)
async def moderate(
    _: list[int], __: list[int], reason: str | None, refresh: int, lang: str, *, user: StaffIdentity
) -> tuple[Any, int]:
    trig = ctx.triggered_id
    if not isinstance(trig, dict) or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate  # buttons rendered anew, not clicked
    target, act = int(trig["id"]), str(trig["act"])
    try:
        if trig["type"] == POST_ACT:
            state = "approved" if act == "approve" else "hidden"
            changed = await runtime.awrite(lambda c: m.set_post_state(c, user.id, target, state, reason))
        else:
            approved = act == "approve"
            changed = await runtime.awrite(lambda c: m.set_photo_public(c, user.id, target, approved, reason))
    except DomainError as exc:
        return notice(exc.message(lang), ok=False), refresh
    clear_public_cache()
    log.info("%s: %s %s #%s", user.username, act, trig["type"], target)
    what = f"{t('mod.approve' if act == 'approve' else 'mod.hide', lang)} #{target}"
    return notice(t("mod.done", lang, what=what) if changed else t("mod.nochange", lang)), (refresh or 0) + 1


# --- service points ---------------------------------------------------------------------------------------------


@callback(Output(PT_POINTS, "data"), Input(REFRESH, "data"))
@require_user(*ROLES)
async def points(_: int, *, user: StaffIdentity) -> dict[str, Any]:
    data = await runtime.aread(q.service_points_geojson)
    return json.loads(data)


@callback(
    Output(PT_SEL, "data"),
    Output(PT_POS, "data"),
    Output(PT_KIND, "value"),
    *[Output(i, "value") for i in PT_FIELDS.values()],
    Input(PT_POINTS, "n_clicks"),
    Input(PT_MAP, "n_clicks"),
    Input(PT_CLEAR, "n_clicks"),
    State(PT_POINTS, "clickData"),
    State(PT_MAP, "clickData"),
    State(PT_SEL, "data"),
    prevent_initial_call=True,
)
@require_user(*ROLES)
async def select(
    _: int,
    __: int,
    ___: int,
    feature: dict[str, Any] | None,
    click: dict[str, Any] | None,
    selected: int | None,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    """Click a point: edit it. Click the map: the new position (of the selected point, or of a new one)."""
    blank = [None] * len(PT_FIELDS)
    if ctx.triggered_id == PT_CLEAR:
        return None, None, None, *blank
    if ctx.triggered_id == PT_MAP and click and click.get("latlng"):
        pos = [round(click["latlng"]["lat"], 6), round(click["latlng"]["lng"], 6)]
        if selected is None:
            return None, pos, "toilet", *blank
        return no_update, pos, *[no_update] * (1 + len(PT_FIELDS))
    if ctx.triggered_id == PT_POINTS and feature and feature.get("properties"):
        point_id = int(feature["properties"]["id"])
        try:
            p = await runtime.aread(lambda c: m.get_service_point(c, point_id))
        except DomainError:
            raise PreventUpdate from None
        return point_id, [p["lat"], p["lon"]], p["kind"], *[p[f] for f in PT_FIELDS]
    raise PreventUpdate


clientside_callback(  # the map was laid out in a hidden tab: let Leaflet measure it again when shown
    "function (tab) { return tab === 'points' ? Date.now() : window.dash_clientside.no_update; }",
    Output(PT_MAP, "invalidateSize"),
    Input(TABS, "value"),
)
clientside_callback(
    ClientsideFunction("modPub", "marker"),
    Output(PT_MARKER, "position"),
    Output(PT_MARKER, "opacity"),
    Output(PT_POS_TEXT, "children"),
    Output(PT_TITLE, "children"),
    Input(PT_POS, "data"),
    Input(PT_SEL, "data"),
    State(app_ids.LANG, "data"),
    State(LABELS, "data"),
)


@callback(
    Output(NOTICE, "children", allow_duplicate=True),
    Output(REFRESH, "data", allow_duplicate=True),
    Output(PT_SEL, "data", allow_duplicate=True),
    Input(PT_SAVE, "n_clicks"),
    Input(PT_RETIRE, "n_clicks"),
    State(PT_SEL, "data"),
    State(PT_POS, "data"),
    State(PT_KIND, "value"),
    *[State(i, "value") for i in PT_FIELDS.values()],
    State(REASON, "value"),
    State(REFRESH, "data"),
    State(app_ids.LANG, "data"),
    prevent_initial_call=True,
)
@require_user(*ROLES)
async def save_point(
    _: int,
    __: int,
    selected: int | None,
    pos: list[float] | None,
    kind: str | None,
    name_zh: str | None,
    name_en: str | None,
    address: str | None,
    hours: str | None,
    reason: str | None,
    refresh: int | None,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, int, Any]:
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    fields = {"kind": kind, "name_zh": name_zh, "name_en": name_en, "address": address, "open_hours": hours}
    retire = ctx.triggered_id == PT_RETIRE

    def write(c: Any) -> tuple[int | None, bool]:
        if retire:
            if selected is None:
                raise ValidationError("请先选择服务点。", "Select a service point first.")
            return None, m.retire_service_point(c, user.id, selected, reason)
        if pos is None:
            raise ValidationError("请在地图上点击选择位置。", "Click the map to choose the position.")
        lat, lon = pos
        if selected is None:
            new_id = m.add_service_point(
                c,
                user.id,
                kind=kind or "",
                name_zh=name_zh or "",
                name_en=name_en,
                address=address,
                open_hours=hours,
                lon=lon,
                lat=lat,
            )
            return new_id, True
        moved = m.move_service_point(c, user.id, selected, lon, lat)
        edited = m.edit_service_point(c, user.id, selected, **fields)
        return selected, moved or edited

    try:
        point_id, changed = await runtime.awrite(write)
    except DomainError as exc:
        return notice(exc.message(lang), ok=False), refresh or 0, selected
    clear_public_cache()
    log.info("%s: service point %s %s", user.username, "retired" if retire else "saved", point_id or selected)
    text = (
        t("mod.done", lang, what=t("mod.point.retire" if retire else "mod.point.save", lang))
        if changed
        else t("mod.nochange", lang)
    )
    return notice(text), (refresh or 0) + 1, point_id


@callback(Output(LOG_TABLE, "children"), Input(REFRESH, "data"), Input(app_ids.LANG, "data"))
@require_user(*ROLES)
async def change_log(_: int, lang: str, *, user: StaffIdentity) -> Any:
    rows = await runtime.aread(m.recent_log)
    head = html.Tr([html.Th(t(f"mod.log.{k}", lang)) for k in ("at", "actor", "action", "target", "reason")])
    body = [
        html.Tr(
            [
                html.Td(_when(r.at)),
                html.Td(t("mod.citizen", lang) if r.actor == "citizen" else r.actor),
                html.Td(t(f"mod.action.{r.action}", lang)),
                html.Td(f"{r.target_kind} #{r.target_id}"),
                html.Td(r.reason or ""),
            ]
        )
        for r in rows
    ]
    return html.Table([html.Thead(head), html.Tbody(body)], className="mod-log-table")
