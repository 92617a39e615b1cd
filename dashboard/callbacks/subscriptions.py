"""/subscriptions: the form in the user's language, the area (drawn with the EditControl, or a click and a
radius), saving (every refusal shown where it belongs, nothing written), the list with a test message, pause /
resume and removal after a confirmation; each write in one transaction through :mod:`ops.subscriptions.store`,
for the signed-in user's own subscriptions only."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, clicks, ids, runtime
from dashboard.callbacks.an_campaign import category_groups
from dashboard.callbacks.workbench import reference
from dashboard.components import subscriptions as view
from dashboard.i18n import t
from dashboard.ids import subscriptions as sid
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.errors import DomainError
from db.queries import wb_options
from db.queries.geo_layers import districts_geojson
from geo.crs import TZ
from ops.notify.deliver import DeliveryError, send
from ops.notify.probe import probe_message
from ops.policy import Screen, roles_for
from ops.subscriptions import store
from ops.subscriptions.areas import AreaInput

log = logging.getLogger("guiyang_ops.subscriptions")
ROLES = roles_for(Screen.SUBSCRIPTIONS)
TEST_TIMEOUT_S = 10.0


def _owner(user: StaffIdentity) -> store.Owner:
    return store.Owner(staff_user_id=user.id, name=user.username)


def _alert(text: str, ok: bool) -> dmc.Alert:
    return dmc.Alert(text, color="teal" if ok else "red", variant="light", mt=6)


def _bump(value: Any) -> int:
    return (value if isinstance(value, int) else 0) + 1


def _mail_url() -> str:
    return runtime.services().settings.subscriptions_mail_url


# the list is drawn anew after every change: its buttons' clicks are relayed (dashboard/clicks.py)
clicks.relay(sid.TEST_CLICK, {"type": sid.TEST, "id": ALL})
clicks.relay(sid.TOGGLE_CLICK, {"type": sid.TOGGLE, "id": ALL})
clicks.relay(sid.REMOVE_CLICK, {"type": sid.REMOVE, "id": ALL})


@callback(
    Output(sid.FORM, "children"),
    Output(sid.DISTRICTS, "data"),
    Output(sid.DISTRICTS, "hideout"),
    Output(sid.TITLE, "children"),
    Output(sid.INTRO, "children"),
    Output(sid.LIST_TITLE, "children"),
    Output(sid.CONFIRM_YES, "children"),
    Output(sid.CONFIRM_NO, "children"),
    Input(sid.PAGE, "id"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def setup(_: str, lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    categories = list(await reference("categories", wb_options.categories))
    shapes = await reference("districts_geojson", districts_geojson)
    return (
        view.form(lang, category_groups(categories, lang), bool(_mail_url())),
        shapes,
        {"lang": lang, "fillOpacity": 0.3},
        t("sub.title", lang),
        t("sub.intro", lang),
        t("sub.list", lang),
        t("sub.confirm.yes", lang),
        t("sub.confirm.no", lang),
    )


@callback(
    Output(sid.RADIUS, "style"),
    Output(sid.MAP_HINT, "children"),
    Output(sid.PREVIEW, "children"),
    Input(sid.MODE, "value"),
    Input(sid.CENTER, "data"),
    Input(sid.RADIUS, "value"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def area_mode(
    mode: Any, center: Any, radius: Any, lang: str, *, user: StaffIdentity
) -> tuple[Any, ...]:
    if mode != "circle":
        return {"display": "none"}, t("sub.hint.drawn", lang), []
    hint = t("sub.hint.circle", lang)
    if isinstance(center, list) and len(center) == 2:
        hint = t("sub.hint.center", lang, lat=f"{center[0]:.5f}", lon=f"{center[1]:.5f}")
    return None, hint, view.preview(center if isinstance(center, list) else None, radius)


@callback(
    Output(sid.CENTER, "data"),
    Input(sid.MAP, "clickData"),
    State(sid.MODE, "value"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def choose_center(click: Any, mode: Any, *, user: StaffIdentity) -> list[float]:
    ll = click.get("latlng") if isinstance(click, dict) else None
    if mode != "circle" or not isinstance(ll, dict):
        raise PreventUpdate
    lat, lng = ll.get("lat"), ll.get("lng")
    if not isinstance(lat, int | float) or not isinstance(lng, int | float):
        raise PreventUpdate
    return [round(float(lat), 6), round(float(lng), 6)]


@callback(
    Output(sid.CHANNEL, "description"),
    Output(sid.CHANNEL, "placeholder"),
    Input(sid.CHANNEL_KIND, "value"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def channel_kind(kind: Any, lang: str, *, user: StaffIdentity) -> tuple[str, str]:
    if kind == "email":
        return t("sub.channel.help.email", lang), "name@example.cn"
    return t("sub.channel.help.url", lang), "wecombot://…"


def _drawn(edit: Any) -> dict[str, Any] | None:
    """The polygons drawn with the EditControl as one MultiPolygon (None: nothing drawn)."""
    feats = edit.get("features") if isinstance(edit, dict) else None
    polys: list[Any] = []
    for f in feats or []:
        g = f.get("geometry") if isinstance(f, dict) else None
        if isinstance(g, dict) and g.get("type") == "Polygon":
            polys.append(g.get("coordinates"))
        elif isinstance(g, dict) and g.get("type") == "MultiPolygon":
            polys.extend(g.get("coordinates") or [])
    return {"type": "MultiPolygon", "coordinates": polys} if polys else None


def _area(mode: Any, edit: Any, center: Any, radius: Any) -> AreaInput:
    if mode == "circle":
        if not (isinstance(center, list) and len(center) == 2):
            return AreaInput()
        return AreaInput(lon=center[1], lat=center[0], radius_m=radius)
    return AreaInput(geometry=_drawn(edit))


@callback(
    Output(sid.AREA_ERROR, "children"),
    Output(sid.CHANNEL, "error"),
    Output(sid.FORM_NOTICE, "children"),
    Output(sid.VERSION, "data"),
    Output(sid.NAME, "value"),
    Output(sid.EDIT, "editToolbar"),
    Output(sid.CENTER, "data", allow_duplicate=True),
    Input(sid.SAVE, "n_clicks"),
    Input(sid.CHANNEL, "n_submit"),
    Input(sid.NAME, "n_submit"),
    State(sid.NAME, "value"),
    State(sid.MODE, "value"),
    State(sid.EDIT, "geojson"),
    State(sid.CENTER, "data"),
    State(sid.RADIUS, "value"),
    State(sid.CATEGORIES, "value"),
    State(sid.EVENTS, "value"),
    State(sid.CHANNEL_KIND, "value"),
    State(sid.CHANNEL, "value"),
    State(sid.MSG_LANG, "value"),
    State(sid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def save(
    clicks: Any,
    channel_submits: Any,
    name_submits: Any,
    name: Any,
    mode: Any,
    edit: Any,
    center: Any,
    radius: Any,
    categories: Any,
    events: Any,
    kind: Any,
    channel: Any,
    msg_lang: Any,
    version: Any,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    if not any((clicks, channel_submits, name_submits)):
        raise PreventUpdate
    draft = store.Draft(
        area=_area(mode, edit, center, radius),
        channel=channel if isinstance(channel, str) else "",
        channel_kind="email" if kind == "email" else "url",
        categories=tuple(c for c in (categories or []) if isinstance(c, str)),
        events=tuple(e for e in (events or []) if isinstance(e, str)),
        lang="en" if msg_lang == "en" else "zh",
        label=name if isinstance(name, str) else None,
    )
    mail_ready = bool(_mail_url())
    try:
        new_id = await runtime.awrite(lambda c: store.add(c, _owner(user), draft, mail_ready=mail_ready))
    except DomainError as exc:
        log.info("subscription add by %s refused: %s (%s)", user.username, exc.en, exc.detail)
        message = exc.message(lang)
        area = message if exc.field in ("area", "lat", "radius") else None
        chan = message if exc.field == "channel" else None
        notice = None if (area or chan) else _alert(t("sub.err", lang, message=message), False)
        return area, chan, notice, nothing, nothing, nothing, nothing
    except SQLAlchemyError as exc:
        log_failure(log, f"subscription add by {user.username} failed", exc)
        return None, None, _alert(t("sub.err.db", lang), False), nothing, nothing, nothing, nothing
    # saved: the drawing and the chosen centre are cleared; the area is now drawn among the user's own
    clear = {"mode": "remove", "action": "clear all", "n_clicks": int(datetime.now(TZ).timestamp())}
    return None, None, _alert(t("sub.saved", lang, id=new_id), True), _bump(version), "", clear, None


@callback(
    Output(sid.LIST, "children"),
    Output(sid.MINE, "data"),
    Input(sid.VERSION, "data"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def listing(_version: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, Any]:
    subs = await runtime.aread(lambda c: store.list_for(c, _owner(user)))
    categories = await reference("categories", wb_options.categories)
    names = {c.code: str(c.name_en if lang == "en" else c.name_zh) for c in categories}
    return view.listing(subs, names, lang), view.mine_geojson(subs)


@callback(
    Output(sid.CONFIRM, "hidden"),
    Output(sid.CONFIRM_TEXT, "children"),
    Output(sid.PENDING, "data"),
    Output(sid.LIST_NOTICE, "children", allow_duplicate=True),
    Output(sid.VERSION, "data", allow_duplicate=True),
    Input(sid.REMOVE_CLICK, "data"),
    Input(sid.CONFIRM_YES, "n_clicks"),
    Input(sid.CONFIRM_NO, "n_clicks"),
    State(sid.PENDING, "data"),
    State(sid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def remove(
    ask: Any, _yes: Any, _no: Any, pending: Any, version: Any, lang: str, *, user: StaffIdentity
) -> tuple[Any, ...]:
    trig = ctx.triggered_id
    if trig == sid.CONFIRM_NO:
        return True, None, None, None, nothing
    if trig == sid.CONFIRM_YES:
        if not isinstance(pending, int):
            raise PreventUpdate
        try:
            await runtime.awrite(lambda c: store.remove(c, _owner(user), pending))
        except DomainError as exc:
            return True, None, None, _alert(exc.message(lang), False), _bump(version)
        except SQLAlchemyError as exc:
            log_failure(log, f"subscription {pending} removal by {user.username} failed", exc)
            return True, None, None, _alert(t("sub.err.db", lang), False), nothing
        return True, None, None, _alert(t("sub.removed", lang, id=pending), True), _bump(version)
    row = clicks.clicked_id(ask, sid.REMOVE) if trig == sid.REMOVE_CLICK else None
    if row is None:
        raise PreventUpdate
    found = await runtime.aread(lambda c: store.list_for(c, _owner(user), row))
    if not found:
        return True, None, None, _alert(store.missing(row).message(lang), False), nothing
    name = found[0].label or f"#{row}"
    return False, t("sub.confirm", lang, id=row, name=name), row, None, nothing


@callback(
    Output(sid.LIST_NOTICE, "children", allow_duplicate=True),
    Output(sid.VERSION, "data", allow_duplicate=True),
    Input(sid.TOGGLE_CLICK, "data"),
    State(sid.VERSION, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def toggle(click: Any, version: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, Any]:
    row = clicks.clicked_id(click, sid.TOGGLE)
    if row is None:
        raise PreventUpdate

    def work(c: Any) -> bool:
        found = store.list_for(c, _owner(user), row)
        if not found:
            raise store.missing(row)
        store.set_active(c, _owner(user), row, not found[0].active)
        return not found[0].active

    try:
        active = await runtime.awrite(work)
    except DomainError as exc:
        return _alert(exc.message(lang), False), _bump(version)
    except SQLAlchemyError as exc:
        log_failure(log, f"subscription {row} toggle by {user.username} failed", exc)
        return _alert(t("sub.err.db", lang), False), nothing
    return _alert(t("sub.toggled.on" if active else "sub.toggled.off", lang, id=row), True), _bump(version)


@callback(
    Output(sid.LIST_NOTICE, "children", allow_duplicate=True),
    Input(sid.TEST_CLICK, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def send_test(click: Any, lang: str, *, user: StaffIdentity) -> Any:
    row = clicks.clicked_id(click, sid.TEST)
    if row is None:
        raise PreventUpdate
    mail_url = _mail_url()

    def read(c: Any) -> tuple[str, str, str]:
        url, msg_lang = store.delivery_of(c, _owner(user), row, mail_url)
        return url, msg_lang, store.list_for(c, _owner(user), row)[0].channel

    try:
        url, msg_lang, masked = await runtime.aread(read)
    except DomainError as exc:
        return _alert(exc.message(lang), False)
    title, body = probe_message(msg_lang)
    try:
        await asyncio.to_thread(send, url, title, body, timeout=TEST_TIMEOUT_S)
    except DeliveryError as exc:
        log.info("subscription %s test by %s not delivered: %s", row, user.username, exc)
        return _alert(t("sub.test.fail", lang, id=row, channel=masked, reason=str(exc)), False)
    log.info("subscription %s test by %s delivered", row, user.username)
    return _alert(t("sub.test.ok", lang, id=row, channel=masked), True)
