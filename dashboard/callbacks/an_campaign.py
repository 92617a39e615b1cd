"""The /analysis tab 专项整治: the scoped list with each campaign's effect, the detail (sentence, weekly chart, map),
ending a campaign and the CSV export (the new-campaign form is ``dashboard.callbacks.an_campaign_form``). Callbacks parse,
call :mod:`ops.analysis.campaigns` / :mod:`ops.analysis.campaign_effect`, and format."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import dash_mantine_components as dmc
import plotly.graph_objects as go
from dash import ALL, Input, Output, State, callback, dcc
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, clicks, ids, runtime
from dashboard.callbacks import an_campaign_form as _form  # noqa: F401  - registers the form's callbacks
from dashboard.callbacks.analysis import user_scope
from dashboard.callbacks.workbench import reference
from dashboard.components import an_campaign as view
from dashboard.components.csv_text import csv_text as write_csv
from dashboard.components.graphs import follow_language
from dashboard.i18n import t
from dashboard.ids import an_campaign as cid
from dashboard.ids import analysis as aid
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.errors import DomainError, ValidationError
from db.queries import wb_options
from db.queries.geo_layers import districts_geojson
from geo.crs import TZ
from ops.analysis import campaigns as cmp
from ops.analysis.campaign_effect import as_record, campaign_effect, campaigns_with_effects, get_campaign
from ops.analysis.filters import parse_filters
from ops.policy import Screen, roles_for

log = logging.getLogger("guiyang_ops.campaigns")
ROLES = roles_for(Screen.ANALYSIS)
LEADS = roles_for(Screen.CAMPAIGN)

follow_language(cid.CHART)


def _names(rows: list[Any], lang: str) -> dict[str, str]:
    return {r.code: str(r.name_en if lang == "en" else r.name_zh) for r in rows}


async def _reference(lang: str) -> tuple[dict[str, str], dict[str, str], list[Any]]:
    districts = [d for d in await reference("districts", wb_options.districts) if d.has_grid]
    categories = list(await reference("categories", wb_options.categories))
    return _names(districts, lang), _names(categories, lang), categories


def category_groups(categories: list[Any], lang: str) -> list[dict[str, Any]]:
    """The MultiSelect's options: per 大类, the 大类 itself (all its 小类) then its 小类."""
    out = []
    for major in (c for c in categories if c.level == 1):
        name = str(major.name_en if lang == "en" else major.name_zh)
        kind = t(f"wb.kind.{major.kind}", lang)
        items = [{"value": major.code, "label": f"{kind} · {name}"}] + [
            {"value": c.code, "label": str(c.name_en if lang == "en" else c.name_zh)}
            for c in categories
            if c.level == 2 and c.parent_code == major.code
        ]
        out.append({"group": f"{kind} · {name}", "items": items})
    return out


@callback(
    Output(cid.LIST_TITLE, "children"),
    Output(cid.NEW, "children"),
    Output(cid.NEW, "display"),
    Output(cid.CSV, "children"),
    Output(cid.FORM_TITLE, "children"),
    Output(cid.NAME, "label"),
    Output(cid.NAME, "placeholder"),
    Output(cid.CATEGORIES, "label"),
    Output(cid.CATEGORIES, "placeholder"),
    Output(cid.CATEGORIES, "data"),
    Output(cid.START, "label"),
    Output(cid.END, "label"),
    Output(cid.NOTE, "label"),
    Output(cid.AREA_MODE, "data"),
    Output(cid.AREA_LABEL, "children"),
    Output(cid.DISTRICTS, "label"),
    Output(cid.DISTRICTS, "placeholder"),
    Output(cid.DISTRICTS, "data"),
    Output(cid.SUBMIT, "children"),
    Output(cid.CANCEL, "children"),
    Output(cid.END_BUTTON, "children"),
    Output(cid.FORM_DISTRICTS, "data"),
    Output(cid.FORM_DISTRICTS, "hideout"),
    Output(cid.DETAIL_DISTRICTS, "data"),
    Output(cid.DETAIL_DISTRICTS, "hideout"),
    Input(cid.PANEL, "id"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def labels(_: str, lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    districts, _names_c, categories = await _reference(lang)
    shapes = await reference("districts_geojson", districts_geojson)
    hideout = {"lang": lang, "fillOpacity": 0.3}
    return (
        t("an.campaign.list", lang),
        t("an.campaign.new", lang),
        "inline-block" if user.role in LEADS else "none",
        t("an.campaign.csv", lang),
        t("an.campaign.form.title", lang),
        t("an.campaign.name", lang),
        t("an.campaign.name.ph", lang),
        t("an.campaign.categories", lang),
        t("an.campaign.categories.ph", lang),
        category_groups(categories, lang),
        t("an.campaign.start", lang),
        t("an.campaign.end", lang),
        t("an.campaign.note", lang),
        [{"value": m, "label": t(f"an.campaign.mode.{m}", lang)} for m in ("districts", "drawn")],
        t("an.campaign.area_mode", lang),
        t("an.campaign.districts", lang),
        t("an.campaign.districts.ph", lang),
        [{"value": code, "label": name} for code, name in districts.items()],
        t("an.campaign.submit", lang),
        t("an.campaign.cancel", lang),
        t("an.campaign.end_button", lang),
        shapes,
        hideout,
        shapes,
        hideout,
    )


@callback(
    Output(cid.LIST, "children"),
    Input(aid.FILTERS, "data"),
    Input(cid.REFRESH, "data"),
    Input(ids.LANG, "data"),
    State(cid.SELECTED, "data"),
)
@auth.require_user(*ROLES)
async def listing(filters: Any, _refresh: Any, lang: str, selected: Any, *, user: StaffIdentity) -> Any:
    try:
        f = parse_filters(filters)
    except ValidationError as exc:
        return dmc.Alert(exc.message(lang), color="red", variant="light")
    scope = await user_scope(user)
    now = datetime.now(TZ)
    rows = await runtime.aview(
        lambda c: campaigns_with_effects(c, scope, now, district=f.district, category=f.category)
    )
    districts, categories, _ = await _reference(lang)
    return view.table(rows, districts, categories, lang, selected if isinstance(selected, int) else None)


clicks.relay(cid.OPEN_CLICK, {"type": cid.OPEN, "id": ALL})


@callback(
    Output(cid.SELECTED, "data"),
    Input(cid.OPEN_CLICK, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def select(click: Any, *, user: StaffIdentity) -> Any:
    value = clicks.clicked_id(click, cid.OPEN)
    if value is None:
        raise PreventUpdate
    return value


@callback(
    Output(cid.DETAIL_TITLE, "children"),
    Output(cid.SENTENCE, "children"),
    Output(cid.EXPLAIN, "children"),
    Output(cid.CHART, "figure"),
    Output(cid.DETAIL_AREA, "data"),
    Output(cid.DETAIL_MAP, "viewport"),
    Output(cid.END_BUTTON, "display"),
    Output(cid.DETAIL_BODY, "hidden"),
    Output(cid.DETAIL_MAP, "invalidateSize"),
    Input(cid.SELECTED, "data"),
    Input(cid.REFRESH, "data"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def detail(selected: Any, _refresh: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    if not isinstance(selected, int) or isinstance(selected, bool):
        return (
            "",
            t("an.campaign.detail.none", lang),
            "",
            go.Figure(),
            view.EMPTY,
            nothing,
            "none",
            True,
            nothing,
        )
    scope = await user_scope(user)
    now = datetime.now(TZ)

    def read(c: Any) -> Any:
        k = get_campaign(c, scope, selected)
        return k, campaign_effect(c, scope, k, now)

    try:
        k, eff = await runtime.aview(read)
    except DomainError as exc:
        return "", exc.message(lang), "", go.Figure(), view.EMPTY, nothing, "none", True, nothing
    west, south, east, north = k.bbox or (0.0, 0.0, 0.0, 0.0)
    area = {"type": "Feature", "geometry": k.area_geojson, "properties": {"name": k.name}}
    return (
        k.name,
        eff.effect.sentence(lang),
        view.explanation(eff, lang),
        view.figure(k, eff, lang),
        {"type": "FeatureCollection", "features": [area]},
        {"bounds": [[south, west], [north, east]], "options": {"padding": [16, 16]}},
        "inline-block" if user.role in LEADS and k.ended_at is None else "none",
        False,
        str(now.timestamp()),
    )


@callback(
    Output(cid.NOTICE, "children", allow_duplicate=True),
    Output(cid.REFRESH, "data", allow_duplicate=True),
    Input(cid.END_BUTTON, "n_clicks"),
    State(cid.SELECTED, "data"),
    State(cid.REFRESH, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*LEADS)
async def end_campaign(
    n: Any, selected: Any, refresh: Any, lang: str, *, user: StaffIdentity
) -> tuple[Any, Any]:
    if not n or not isinstance(selected, int) or isinstance(selected, bool):
        raise PreventUpdate
    scope = await user_scope(user)
    now = datetime.now(TZ)

    def work(c: Any) -> str:
        k = get_campaign(c, scope, selected)
        cmp.end(c, user, k.id, version=k.version, now=now)
        return k.name

    try:
        name = await runtime.awrite(work)
    except DomainError as exc:
        return dmc.Alert(exc.message(lang), color="red", variant="light"), nothing
    except SQLAlchemyError as exc:
        log_failure(log, f"ending campaign {selected} by {user.username} failed", exc)
        return dmc.Alert(t("an.campaign.err.db", lang), color="red", variant="light"), nothing
    log.info("campaign %s ended by %s", selected, user.username)
    ok = dmc.Alert(t("an.campaign.ended_ok", lang, name=name), color="teal", variant="light")
    return ok, (refresh if isinstance(refresh, int) else 0) + 1


CSV_COLUMNS = (
    ("id", "ID", "ID"),
    ("name", "名称", "name"),
    ("starts_on", "开始日期", "start"),
    ("ends_on", "结束日期", "end"),
    ("categories", "类别", "categories"),
    ("district_codes", "区县", "districts"),
    ("area_km2", "面积（平方公里）", "area (km²)"),
    ("source", "区域来源", "area source"),
    ("status", "效果判断", "effect"),
    ("change_pct", "变化（%）", "change (%)"),
    ("change_low_pct", "95%区间下限（%）", "95% low (%)"),
    ("change_high_pct", "95%区间上限（%）", "95% high (%)"),
    ("weeks_pre", "整治前周数", "weeks before"),
    ("weeks_post", "开始后周数", "weeks since"),
    ("n_controls", "对照方格数", "control squares"),
    ("sentence", "结论", "in words"),
)


@callback(
    Output(cid.DOWNLOAD, "data"),
    Input(cid.CSV, "n_clicks"),
    State(aid.FILTERS, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def export_csv(n: Any, filters: Any, lang: str, *, user: StaffIdentity) -> Any:
    if not n:
        raise PreventUpdate
    try:
        f = parse_filters(filters)
    except ValidationError:
        raise PreventUpdate from None
    scope = await user_scope(user)
    now = datetime.now(TZ)
    rows = await runtime.aview(
        lambda c: campaigns_with_effects(c, scope, now, district=f.district, category=f.category)
    )
    lines = []
    for k, eff in rows:
        r = as_record(k, eff)
        flat = {**r, **r["effect"], "sentence": r["effect_en"] if lang == "en" else r["effect_zh"]}
        flat["categories"] = " ".join(r["categories"])
        flat["district_codes"] = " ".join(r["district_codes"])
        lines.append([flat[key] for key, _, _ in CSV_COLUMNS])
    head = [en if lang == "en" else zh for _, zh, en in CSV_COLUMNS]
    return dcc.send_string(write_csv(head, lines), f"campaigns-{now:%Y%m%d}.csv", type="text/csv")
