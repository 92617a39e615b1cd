"""Callbacks of case replay (案件回放) on the workbench: the panel's texts and choices, and loading a replay —
one case's events (by ticket or id; the selected case is proposed) or a district's day — scoped like the
workbench (:func:`ops.policy.workbench_scope`), turned into frames by :func:`ops.replay.build_frames`.

Playback runs in the browser (``assets/replay.js``, ``requestAnimationFrame``): the frames arrive once and the
clock, scrubber, label and markers move without a server round trip, smooth at 16× and the same on a slow link,
where a ``dcc.Interval`` would send a callback per tick and stutter with the network."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from dash import Input, Output, State, callback, clientside_callback, no_update

from dashboard import auth, ids, runtime
from dashboard.callbacks.workbench import reference
from dashboard.components.replay import wire
from dashboard.i18n import t
from dashboard.ids import replay as rp
from dashboard.ids import workbench as wid
from db.accounts import StaffIdentity
from db.queries import replay as rq
from db.queries import wb_options
from geo.crs import TZ
from ops.policy import Screen, roles_for, workbench_scope
from ops.replay import ReplayEvent, build_frames

ROLES = roles_for(Screen.WORKBENCH)
CASE_ZOOM = 16
DAY_ZOOM = 13


@callback(
    Output(rp.PANEL, "hidden"),
    Output(rp.CASE, "value"),
    Input(rp.OPEN, "n_clicks"),
    State(rp.PANEL, "hidden"),
    State(wid.SELECTED, "data"),
    State(rp.CASE, "value"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def toggle(
    _: int, hidden: bool | None, selected: Any, current: str | None, *, user: StaffIdentity
) -> tuple[Any, ...]:
    """Show or hide the panel; opening it proposes the selected case."""
    opening = hidden is None or bool(hidden)
    chosen = str(selected["id"]) if opening and isinstance(selected, dict) and selected.get("id") else None
    return not opening, chosen if chosen and not current else no_update


@callback(
    Output(rp.OPEN, "children"),
    Output(rp.PANEL_TITLE, "children"),
    Output(rp.MODE, "data"),
    Output(rp.CASE, "placeholder"),
    Output(rp.DISTRICT, "data"),
    Output(rp.DISTRICT, "placeholder"),
    Output(rp.DISTRICT, "value"),
    Output(rp.DATE, "date"),
    Output(rp.LOAD, "children"),
    Input(ids.LANG, "data"),
    State(rp.DISTRICT, "value"),
    State(rp.DATE, "date"),
)
@auth.require_user(*ROLES)
async def texts(lang: str, district: str | None, day: str | None, *, user: StaffIdentity) -> tuple[Any, ...]:
    districts = await reference("districts", wb_options.districts)
    data = [{"value": d.code, "label": d.name_en if lang == "en" else d.name_zh} for d in districts]
    return (
        t("replay.open", lang),
        t("replay.title", lang),
        [{"value": m, "label": t(f"replay.mode.{m}", lang)} for m in ("case", "day")],
        t("replay.case", lang),
        data,
        t("replay.district", lang),
        district or user.district_code or no_update,
        day or datetime.now(TZ).date().isoformat(),
        t("replay.load", lang),
    )


def _events(rows: list[Any]) -> list[ReplayEvent]:
    return [
        ReplayEvent(
            r.id, r.case_id, r.ticket, r.action, r.to_status, r.at, r.actor_role, r.actor_name, r.lon, r.lat
        )
        for r in rows
    ]


@callback(
    Output(rp.DATA, "data"),
    Output(rp.MSG, "children"),
    Output(rp.CONTROLS, "hidden"),
    Output(wid.MAP, "viewport", allow_duplicate=True),
    Input(rp.LOAD, "n_clicks"),
    State(rp.MODE, "value"),
    State(rp.CASE, "value"),
    State(rp.DISTRICT, "value"),
    State(rp.DATE, "date"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def load(
    _: int,
    mode: str | None,
    case: str | None,
    district: str | None,
    day: str | None,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    scope = workbench_scope(user)
    by_day = mode == "day"
    if by_day:
        try:
            when = date.fromisoformat(day or "")
        except ValueError:
            when = None
        if not district or when is None:
            return None, t("replay.bad_date", lang), True, no_update
        rows = await runtime.aview(lambda c: rq.district_day_events(c, scope, district, when))
    else:
        if not (case or "").strip():
            return None, t("replay.not_found", lang), True, no_update
        rows = await runtime.aview(lambda c: rq.case_events(c, scope, case or ""))
    replay = build_frames(_events(rows))
    if replay.empty:
        return None, t("replay.not_found" if not by_day else "replay.empty", lang), True, no_update
    data = wire(replay, lang, day=by_day)
    (s, w), (n, e) = data["bounds"]
    message = t("replay.loaded", lang, n=len(replay.frames), cases=len(replay.cases))
    if len(rows) >= rq.EVENT_CAP:
        message += " " + t("replay.capped", lang, n=rq.EVENT_CAP)
    view = {
        "center": [(s + n) / 2, (w + e) / 2],
        "zoom": DAY_ZOOM if by_day else CASE_ZOOM,
        "transition": "flyTo",
    }
    return data, message, False, view


clientside_callback(
    "function (data) { return window.gyReplay.load(data); }",
    Output(rp.LAYER, "data"),
    Input(rp.DATA, "data"),
    prevent_initial_call=True,
)
