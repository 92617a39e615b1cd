"""The /analysis tab 专项整治: the new-campaign form (leads and admins): opened empty or prefilled from another
tab's seed (``dashboard.ids.analysis.CAMPAIGN_SEED``, which also switches the page to this tab), the area shown on
its map, and the submit (:func:`ops.analysis.campaigns.create`), each refusal under its field in the user's
language."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, ctx
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, ids, runtime
from dashboard.components import an_campaign as view
from dashboard.i18n import t
from dashboard.ids import an_campaign as cid
from dashboard.ids import analysis as aid
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.errors import DomainError, ValidationError
from geo.crs import TZ
from ops.analysis import campaigns as cmp
from ops.policy import Screen, roles_for

log = logging.getLogger("guiyang_ops.campaigns")
LEADS = roles_for(Screen.CAMPAIGN)
TAB = "campaigns"
#: a validation error's field → the component showing it
FIELDS = {
    "name": cid.NAME,
    "note": cid.NOTE,
    "categories": cid.CATEGORIES,
    "starts_on": cid.START,
    "ends_on": cid.END,
    "districts": cid.DISTRICTS,
}


def _seed(seed: Any) -> dict[str, Any] | None:
    """The seed another tab wrote (see ``dashboard.ids.analysis.CAMPAIGN_SEED``), checked for shape."""
    if not isinstance(seed, dict) or seed.get("source") not in ("hotspot", "place", "alert"):
        return None
    geometry = seed.get("geometry")
    alert_id = seed.get("alert_id")
    return {
        "source": seed["source"],
        "geometry": geometry if isinstance(geometry, dict) else None,
        "category": seed.get("category") if isinstance(seed.get("category"), str) else None,
        "district": seed.get("district") if isinstance(seed.get("district"), str) else None,
        "alert_id": alert_id if isinstance(alert_id, int) and not isinstance(alert_id, bool) else None,
        "label": str(seed.get("label") or "")[:60],
    }


@callback(
    Output(cid.FORM, "hidden"),
    Output(cid.FORM_TITLE, "children", allow_duplicate=True),
    Output(cid.NAME, "value"),
    Output(cid.NOTE, "value"),
    Output(cid.CATEGORIES, "value"),
    Output(cid.START, "value"),
    Output(cid.END, "value"),
    Output(cid.AREA_MODE, "value"),
    Output(cid.DISTRICTS, "value"),
    Output(cid.AREA, "data"),
    Output(cid.EDIT, "editToolbar"),
    Output(cid.FORM_MAP, "invalidateSize"),
    Output(cid.FORM_MAP, "viewport"),
    Output(aid.TABS, "value", allow_duplicate=True),
    Input(cid.NEW, "n_clicks"),
    Input(aid.CAMPAIGN_SEED, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*LEADS)
async def open_form(_new: Any, seed: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    from_seed = ctx.triggered_id == aid.CAMPAIGN_SEED
    s = _seed(seed) if from_seed else None
    if from_seed and s is None:
        raise PreventUpdate
    today = datetime.now(TZ).date()
    stamp = datetime.now(TZ).timestamp()
    title = t("an.campaign.form.title", lang)
    if s is not None and s["label"]:
        title = t("an.campaign.form.seeded", lang, label=s["label"])
    return (
        False,
        title,
        s["label"] if s else "",
        "",
        [s["category"]] if s and s["category"] else [],
        today.isoformat(),
        (today + timedelta(days=30)).isoformat(),
        "drawn" if s and s["geometry"] else "districts",
        [s["district"]] if s and s["district"] else [],
        s,
        {"mode": "remove", "action": "clear all", "n_clicks": int(stamp)},
        str(stamp),
        (view.viewport_of(s["geometry"]) if s else None) or nothing,
        TAB if from_seed else nothing,
    )


@callback(
    Output(cid.SEED_LAYER, "data"),
    Output(cid.AREA_HINT, "children"),
    Output(cid.DISTRICTS, "display"),
    Input(cid.AREA, "data"),
    Input(cid.AREA_MODE, "value"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*LEADS)
async def area_view(area: Any, mode: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    """The seed's area on the form's map, the hint for the chosen way of giving the area."""
    geometry = area.get("geometry") if isinstance(area, dict) else None
    data = (
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": geometry, "properties": {}}],
        }
        if isinstance(geometry, dict)
        else view.EMPTY
    )
    if mode == "drawn" and isinstance(geometry, dict):
        label = area.get("label") or t(f"an.campaign.source.{area.get('source')}", lang)
        hint = t("an.campaign.seed_hint", lang, label=label)
    else:
        hint = t("an.campaign.draw_hint", lang)
    return data, hint, "block" if mode != "drawn" else "none"


@callback(
    Output(cid.FORM, "hidden", allow_duplicate=True),
    Input(cid.CANCEL, "n_clicks"),
    prevent_initial_call=True,
)
@auth.require_user(*LEADS)
async def cancel(n: Any, *, user: StaffIdentity) -> bool:
    if not n:
        raise PreventUpdate
    return True


def _drawn(edit: Any) -> dict[str, Any] | None:
    """The polygons drawn with the EditControl as one GeoJSON GeometryCollection (None: nothing drawn)."""
    feats = edit.get("features") if isinstance(edit, dict) else None
    geoms = [
        f.get("geometry")
        for f in (feats or [])
        if isinstance(f, dict)
        and isinstance(f.get("geometry"), dict)
        and f["geometry"].get("type") in ("Polygon", "MultiPolygon")
    ]
    return {"type": "GeometryCollection", "geometries": geoms} if geoms else None


def _draft(
    name: Any,
    note: Any,
    categories: Any,
    start: Any,
    end: Any,
    mode: Any,
    districts: Any,
    edit: Any,
    area: Any,
) -> cmp.CampaignDraft:
    cats = tuple(c for c in (categories or []) if isinstance(c, str))
    starts_on = cmp.parse_date(start, "starts_on")
    ends_on = cmp.parse_date(end, "ends_on")
    common: dict[str, Any] = {
        "name": name if isinstance(name, str) else "",
        "note": note if isinstance(note, str) else None,
        "categories": cats,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    if mode != "drawn":
        codes = tuple(d for d in (districts or []) if isinstance(d, str))
        return cmp.CampaignDraft(**common, source="districts", district_codes=codes)
    drawn = _drawn(edit)
    if drawn is not None:
        return cmp.CampaignDraft(**common, source="drawn", geometry=drawn)
    seeded = area if isinstance(area, dict) and isinstance(area.get("geometry"), dict) else None
    if seeded is None:
        return cmp.CampaignDraft(**common, source="drawn", geometry=None)
    alert_id = seeded.get("alert_id") if seeded.get("source") == "alert" else None
    return cmp.CampaignDraft(
        **common, source=str(seeded.get("source")), geometry=seeded["geometry"], alert_id=alert_id
    )


def _errors(field: str | None, message: str) -> list[Any]:
    return [message if field == key else None for key in FIELDS] + [message if field == "area" else None]


@callback(
    Output(cid.NAME, "error"),
    Output(cid.NOTE, "error"),
    Output(cid.CATEGORIES, "error"),
    Output(cid.START, "error"),
    Output(cid.END, "error"),
    Output(cid.DISTRICTS, "error"),
    Output(cid.AREA_ERROR, "children"),
    Output(cid.NOTICE, "children"),
    Output(cid.REFRESH, "data"),
    Output(cid.SELECTED, "data", allow_duplicate=True),
    Output(cid.FORM, "hidden", allow_duplicate=True),
    Input(cid.SUBMIT, "n_clicks"),
    State(cid.NAME, "value"),
    State(cid.NOTE, "value"),
    State(cid.CATEGORIES, "value"),
    State(cid.START, "value"),
    State(cid.END, "value"),
    State(cid.AREA_MODE, "value"),
    State(cid.DISTRICTS, "value"),
    State(cid.EDIT, "geojson"),
    State(cid.AREA, "data"),
    State(cid.REFRESH, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*LEADS)
async def submit(
    n: Any,
    name: Any,
    note: Any,
    categories: Any,
    start: Any,
    end: Any,
    mode: Any,
    districts: Any,
    edit: Any,
    area: Any,
    refresh: Any,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    if not n:
        raise PreventUpdate
    now = datetime.now(TZ)
    try:
        draft = _draft(name, note, categories, start, end, mode, districts, edit, area)
        new_id = await runtime.awrite(lambda c: cmp.create(c, user, draft, now=now))
    except ValidationError as exc:
        shown = exc.field if exc.field in (*FIELDS, "area") else None
        notice = None if shown else dmc.Alert(exc.message(lang), color="red", variant="light")
        return (*_errors(shown, exc.message(lang)), notice, nothing, nothing, False)
    except DomainError as exc:
        log.info("campaign by %s refused: %s", user.username, exc.en)
        alert = dmc.Alert(exc.message(lang), color="red", variant="light")
        return (*_errors(None, ""), alert, nothing, nothing, False)
    except SQLAlchemyError as exc:
        log_failure(log, f"campaign by {user.username} failed", exc)
        alert = dmc.Alert(t("an.campaign.err.db", lang), color="red", variant="light")
        return (*_errors(None, ""), alert, nothing, nothing, False)
    log.info("campaign %s created by %s", new_id, user.username)
    ok = dmc.Alert(t("an.campaign.created", lang, name=draft.name.strip()), color="teal", variant="light")
    return (*_errors(None, ""), ok, (refresh if isinstance(refresh, int) else 0) + 1, new_id, True)
