"""The service-point tab of /moderation: the points on a map; click one to edit it, click the map to place a
new one (or move the selected one), then save or retire. Writes go through :mod:`ops.moderation` (logged in
``moderation_log``) and clear this process's public cache so the public map shows the change at once. The edit
marker and the form's title are drawn in the browser (``modPub.marker``) from :func:`labels`. Every server
callback is guarded by ``require_user(*ROLES)``."""

from __future__ import annotations

import json
from typing import Any

from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    no_update,
)
from dash.exceptions import PreventUpdate

from dashboard import ids as app_ids
from dashboard import runtime
from dashboard.api.public import clear_public_cache
from dashboard.auth import require_user
from dashboard.callbacks.moderation_frame import (
    ROLES,
    log,
    notice,
)
from dashboard.i18n import LANGS, t
from dashboard.ids.moderation import (
    LABELS,
    NOTICE,
    PT_CLEAR,
    PT_FIELDS,
    PT_KIND,
    PT_MAP,
    PT_MARKER,
    PT_POINTS,
    PT_POS,
    PT_POS_TEXT,
    PT_RETIRE,
    PT_SAVE,
    PT_SEL,
    PT_TITLE,
    REASON,
    REFRESH,
    TABS,
)
from db.accounts import StaffIdentity
from db.errors import DomainError, ValidationError
from db.queries import public as q
from ops import moderation as m


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
    await clear_public_cache()
    log.info("%s: service point %s %s", user.username, "retired" if retire else "saved", point_id or selected)
    text = (
        t("mod.done", lang, what=t("mod.point.retire" if retire else "mod.point.save", lang))
        if changed
        else t("mod.nochange", lang)
    )
    return notice(text), (refresh or 0) + 1, point_id
