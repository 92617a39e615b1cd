"""Callbacks of the /analysis tab 预警: the list and map of alerts (state filter and the page's filters), the
selected alert's detail and history, the actions (确认, 排除 with a reason, 上报督办; 转专项整治 hands the alert to the
campaigns tab through ``CAMPAIGN_SEED``), and the CSV export.

Every read goes through the user's :class:`~ops.analysis.scope.AnalysisScope` (:func:`user_scope`): an officer
never reads another district's alert, whatever id a request names; every write through
:mod:`ops.analysis.alert_actions` (who may act is checked there, again, on the server).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import dash_mantine_components as dmc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, ids, runtime
from dashboard.callbacks.analysis import user_scope
from dashboard.components.an_alertui import areas, place, points
from dashboard.components.an_alertui_tab import actions_note, columns, detail, rows, state_options, to_csv
from dashboard.components.analysis_tabs import TABS
from dashboard.components.stats_columns import GRID_LOCALE
from dashboard.i18n import t
from dashboard.ids import an_alertui as aa
from dashboard.ids import analysis as aid
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.errors import DomainError, ValidationError
from geo.crs import TZ
from ops.analysis.alert_actions import act, may_start_campaign
from ops.analysis.alert_reads import STATE_CHOICES, AlertDetail, get_alert, list_alerts
from ops.analysis.alert_states import FINAL, STATE_NAMES, may_act
from ops.analysis.filters import Filters, parse_filters
from ops.policy import Screen, roles_for

log = logging.getLogger("guiyang_ops.analysis.alerts")
ROLES = roles_for(Screen.ANALYSIS)
LIST_LIMIT = 300
CAMPAIGNS_TAB = "campaigns"
_BUTTONS = {aa.ACK: "ack", aa.DISMISS: "dismiss", aa.ESCALATE: "escalate"}


def _filters(data: Any) -> Filters:
    try:
        return parse_filters(data)
    except ValidationError:
        return Filters()


def _state(value: Any) -> str:
    return value if isinstance(value, str) and value in STATE_CHOICES else "live"


def _id(value: Any) -> int | None:
    got = (value or {}).get("id") if isinstance(value, dict) else None
    return got if isinstance(got, int) and not isinstance(got, bool) else None


@callback(
    Output(aa.STATE, "data"),
    Output(aa.LIST, "columnDefs"),
    Output(aa.LIST, "dashGridOptions"),
    Output(aa.EXPORT, "children"),
    Output(aa.NOTE, "label"),
    Output(aa.ACK, "children"),
    Output(aa.DISMISS, "children"),
    Output(aa.ESCALATE, "children"),
    Output(aa.CAMPAIGN, "children"),
    Input(ids.LANG, "data"),
    State(aa.LIST, "dashGridOptions"),
)
@auth.require_user(*ROLES)
async def labels(lang: str, options: Any, *, user: StaffIdentity) -> tuple[Any, ...]:
    """The tab's fixed texts in the UI language."""
    keys = ("export", "note", "ack", "dismiss", "escalate", "campaign")
    grid = {
        **(options if isinstance(options, dict) else {}),
        "localeText": {
            **GRID_LOCALE["en" if lang == "en" else "zh"],
            "noRowsToShow": t("an.alertui.empty", lang),
        },
    }
    return (state_options(lang), columns(lang), grid, *(t(f"an.alertui.{k}", lang) for k in keys))


@callback(
    Output(aa.LIST, "rowData"),
    Output(aa.COUNT, "children"),
    Output(aa.AREAS, "data"),
    Output(aa.POINTS, "data"),
    Input(aid.FILTERS, "data"),
    Input(aa.STATE, "value"),
    Input(aa.REFRESH, "data"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def alert_list(
    filters: Any, state: Any, _refresh: Any, lang: str, *, user: StaffIdentity
) -> tuple[Any, ...]:
    scope, f, which, now = await user_scope(user), _filters(filters), _state(state), datetime.now(TZ)
    found = await runtime.aview(
        lambda c: list_alerts(c, scope, state=which, filters=f, now=now, limit=LIST_LIMIT)
    )
    return (
        rows(found, now, lang),
        t("an.alertui.count", lang, n=len(found)),
        areas(found),
        points(found, lang),
    )


clientside_callback(
    ClientsideFunction("anAlert", "resize"),
    Output(aa.MAP, "invalidateSize"),
    Input(aa.COUNT, "children"),
)
clientside_callback(
    ClientsideFunction("anAlert", "selected"),
    Output(aa.AREAS, "hideout"),
    Input(aa.SELECTED, "data"),
)


@callback(
    Output(aa.SELECTED, "data"),
    Input(aa.LIST, "cellClicked"),
    Input(aa.POINTS, "clickData"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def select(cell: Any, clicked: Any, *, user: StaffIdentity) -> Any:
    """An alert chosen in the list or on the map (only an id: the detail reads it through the user's scope)."""
    if ctx.triggered_id == aa.LIST:
        row = (cell or {}).get("rowId") if isinstance(cell, dict) else None
        if not (isinstance(row, str) and row.isdigit()):
            raise PreventUpdate
        return {"id": int(row)}
    found = _id((clicked or {}).get("properties")) if isinstance(clicked, dict) else None
    if found is None:
        raise PreventUpdate
    return {"id": found}


@callback(
    Output(aa.SELECTED, "data", allow_duplicate=True),
    Input(aid.LINKED_ALERT, "data"),
    prevent_initial_call="initial_duplicate",
)
@auth.require_user(*ROLES)
async def linked(alert: Any, *, user: StaffIdentity) -> Any:
    """``/analysis?alert=ID``: that alert, as if chosen in the list (its detail reads it through the scope)."""
    found = _id(alert)
    if found is None:
        raise PreventUpdate
    return {"id": found}


@callback(
    Output(aa.DETAIL, "children"),
    Output(aa.SHOWN, "data"),
    Output(aa.ACTIONS, "hidden"),
    Output(aa.CAMPAIGN, "disabled"),
    Output(aa.MAP, "viewport"),
    Input(aa.SELECTED, "data"),
    Input(aa.REFRESH, "data"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def show(selected: Any, _refresh: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    alert_id = _id(selected)
    if alert_id is None:
        return [dmc.Text(t("an.alertui.pick", lang), c="dimmed")], None, True, True, nothing
    scope = await user_scope(user)
    found = await runtime.aview(lambda c: get_alert(c, scope, alert_id))
    if found is None:
        return [dmc.Text(t("an.alertui.gone", lang), c="red")], None, True, True, nothing
    a = found.alert
    may = may_act(user, a.district_code) and a.state not in FINAL
    note = actions_note(found, may_act(user, a.district_code), lang)
    view = (
        {"center": [a.lat, a.lon], "zoom": 14 if a.area_level == "1km" else 12, "transition": "flyTo"}
        if ctx.triggered_id == aa.SELECTED
        else nothing
    )
    children = detail(found, lang) + ([note] if note is not None else [])
    return children, {"id": a.id, "version": a.version}, not may, not may_start_campaign(user), view


def _notice(text: str, ok: bool) -> Any:
    return dmc.Alert(text, color="teal" if ok else "red", variant="light")


@callback(
    Output(aa.NOTICE, "children"),
    Output(aa.REFRESH, "data"),
    Output(aa.NOTE, "value"),
    Input(aa.ACK, "n_clicks"),
    Input(aa.DISMISS, "n_clicks"),
    Input(aa.ESCALATE, "n_clicks"),
    State(aa.SHOWN, "data"),
    State(aa.NOTE, "value"),
    State(aa.REFRESH, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def on_action(
    _a: Any, _d: Any, _e: Any, shown: Any, note: Any, refresh: Any, lang: str, *, user: StaffIdentity
) -> tuple[Any, ...]:
    action = _BUTTONS.get(str(ctx.triggered_id))
    alert_id = _id(shown)
    version = (shown or {}).get("version") if isinstance(shown, dict) else None
    if (
        action is None
        or alert_id is None
        or not isinstance(version, int)
        or not ctx.triggered[0].get("value")
    ):
        raise PreventUpdate
    text = note if isinstance(note, str) else None
    scope = await user_scope(user)

    def work(c: Any) -> str:
        # the alert must be one this user may read at all: otherwise it does not exist for them
        if get_alert(c, scope, alert_id) is None:
            raise ValidationError("预警不存在。", "No such alert.", detail=str(alert_id))
        act(c, user, alert_id, action, version=version, now=datetime.now(TZ), note=text)
        to = {"ack": "acknowledged", "dismiss": "dismissed", "escalate": "escalated"}[action]
        return t("an.alertui.ok", lang, id=alert_id, state=STATE_NAMES[to][1 if lang == "en" else 0])

    try:
        said = await runtime.awrite(work)
    except DomainError as exc:
        log.info("alert %s: %s by %s refused: %s", alert_id, action, user.username, exc.en)
        return (
            _notice(t("an.alertui.err", lang, id=alert_id, message=exc.message(lang)), False),
            nothing,
            nothing,
        )
    except SQLAlchemyError as exc:
        log_failure(log, f"alert {alert_id}: {action} by {user.username} failed", exc)
        return _notice(t("an.alertui.err.db", lang), False), nothing, nothing
    log.info("alert %s: %s by %s", alert_id, action, user.username)
    return _notice(said, True), (refresh if isinstance(refresh, int) else 0) + 1, ""


def _seed(found: AlertDetail, lang: str) -> dict[str, Any]:
    """The campaigns tab's seed (``dashboard.ids.analysis.CAMPAIGN_SEED``): the alert's area, category, district."""
    a = found.alert
    return {
        "source": "alert",
        "geometry": a.geometry,
        "category": a.category_code,
        "district": a.district_code,
        "alert_id": a.id,
        "label": f"{a.category(lang)} · {place(a, lang)}",
    }


@callback(
    Output(aid.CAMPAIGN_SEED, "data", allow_duplicate=True),
    Output(aid.TABS, "value", allow_duplicate=True),
    Output(aa.NOTICE, "children", allow_duplicate=True),
    Input(aa.CAMPAIGN, "n_clicks"),
    State(aa.SHOWN, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def to_campaign(clicks: Any, shown: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    """转专项整治: the alert goes to the campaigns tab's form (which creates the campaign and moves the alert)."""
    alert_id = _id(shown)
    if not clicks or alert_id is None:
        raise PreventUpdate
    scope = await user_scope(user)
    found = await runtime.aview(lambda c: get_alert(c, scope, alert_id))
    if found is None:
        return nothing, nothing, _notice(t("an.alertui.gone", lang), False)
    a = found.alert
    if not (may_start_campaign(user) and may_act(user, a.district_code)) or a.state in FINAL:
        msg = t("an.alertui.final", lang) if a.state in FINAL else t("an.alertui.no_action", lang)
        return nothing, nothing, _notice(msg, False)
    tab = CAMPAIGNS_TAB if any(x.value == CAMPAIGNS_TAB for x in TABS) else nothing
    return _seed(found, lang), tab, _notice(t("an.alertui.seeded", lang, id=a.id), True)


@callback(
    Output(aa.DOWNLOAD, "data"),
    Input(aa.EXPORT, "n_clicks"),
    State(aid.FILTERS, "data"),
    State(aa.STATE, "value"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def export(clicks: Any, filters: Any, state: Any, lang: str, *, user: StaffIdentity) -> Any:
    if not clicks:
        raise PreventUpdate
    scope, f, which, now = await user_scope(user), _filters(filters), _state(state), datetime.now(TZ)
    found = await runtime.aview(
        lambda c: list_alerts(c, scope, state=which, filters=f, now=now, limit=1000, geometry=False)
    )
    name = f"{t('an.alertui.csv.name', lang)}-{now:%Y%m%d-%H%M}.csv"
    return dcc.send_string(to_csv(found, lang), name)
