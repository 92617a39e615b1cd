"""The /analysis tab 专项整治: layout (the list, the new-campaign form, the detail) and the pieces its callbacks
draw (the list's table, the weekly chart). Layout and formatting only; the callbacks are in
``dashboard.callbacks.an_campaign``, the statistics in ``ops.analysis.effect``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import dash_leaflet as dl
import dash_mantine_components as dmc
import plotly.graph_objects as go
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.components import basemap
from dashboard.components.graphs import date_axis, graph
from dashboard.i18n import t
from dashboard.ids import an_campaign as cid
from ops.analysis.campaign_effect import CampaignEffect, CampaignRow

gy = Namespace("gy", "map")
CENTER = [26.585, 106.705]
ZOOM = 11
EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}
AREA_STYLE = {"color": "#c0392b", "weight": 2, "fillColor": "#e74c3c", "fillOpacity": 0.25}
DRAW = {
    "polygon": {"allowIntersection": False, "showArea": True},
    "rectangle": True,
    "polyline": False,
    "circle": False,
    "marker": False,
    "circlemarker": False,
}


def _attrs(values: dict[str, str]) -> dict[str, Any]:
    """``aria-*`` / ``data-*`` attributes, which Dash takes as keywords its type stubs do not name."""
    return dict(values)


def _map(map_id: str, districts_id: str, *extra: Any, height: str = "320px") -> dl.Map:
    return dl.Map(
        id=map_id,
        center=CENTER,
        zoom=ZOOM,
        minZoom=9,
        maxZoom=18,
        style={"height": height, "width": "100%"},
        children=[
            *basemap.base_layers("an-campaign"),
            dl.GeoJSON(
                id=districts_id,
                style=gy("districtStyle"),
                hideout={"lang": "zh", "fillOpacity": 0.3},
                interactive=False,
            ),
            *extra,
            dl.ScaleControl(position="bottomleft", imperial=False),
        ],
    )


def _form() -> html.Section:
    return html.Section(
        id=cid.FORM,
        className="anc-form",
        hidden=True,
        **_attrs({"aria-labelledby": cid.FORM_TITLE}),
        children=[
            html.H3(t("an.campaign.form.title"), id=cid.FORM_TITLE),
            html.Div(
                className="anc-form-grid",
                children=[
                    html.Div(
                        className="anc-form-fields",
                        children=[
                            dmc.TextInput(
                                id=cid.NAME,
                                label=t("an.campaign.name"),
                                required=True,
                                inputProps={"maxLength": 80},
                                w="100%",
                            ),
                            dmc.MultiSelect(
                                id=cid.CATEGORIES,
                                label=t("an.campaign.categories"),
                                data=[],
                                searchable=True,
                                clearable=True,
                                required=True,
                                w="100%",
                            ),
                            dmc.Group(
                                [
                                    dmc.TextInput(
                                        id=cid.START,
                                        inputProps={"type": "date"},
                                        label=t("an.campaign.start"),
                                        required=True,
                                    ),
                                    dmc.TextInput(
                                        id=cid.END,
                                        inputProps={"type": "date"},
                                        label=t("an.campaign.end"),
                                        required=True,
                                    ),
                                ],
                                grow=True,
                            ),
                            dmc.Textarea(
                                id=cid.NOTE, label=t("an.campaign.note"), autosize=True, minRows=2, w="100%"
                            ),
                            dmc.Text(t("an.campaign.area_mode"), id=cid.AREA_LABEL, fw=500, size="sm"),
                            dmc.SegmentedControl(
                                id=cid.AREA_MODE,
                                value="districts",
                                data=[
                                    {"value": "districts", "label": t("an.campaign.mode.districts")},
                                    {"value": "drawn", "label": t("an.campaign.mode.drawn")},
                                ],
                                **{"aria-label": t("an.campaign.area_mode")},
                            ),
                            dmc.MultiSelect(
                                id=cid.DISTRICTS,
                                label=t("an.campaign.districts"),
                                data=[],
                                searchable=True,
                                clearable=True,
                                w="100%",
                            ),
                            dmc.Group(
                                [
                                    dmc.Button(t("an.campaign.submit"), id=cid.SUBMIT),
                                    dmc.Button(t("an.campaign.cancel"), id=cid.CANCEL, variant="default"),
                                ]
                            ),
                        ],
                    ),
                    html.Div(
                        id=cid.MAP_BOX,
                        className="anc-form-map",
                        children=[
                            html.P(t("an.campaign.draw_hint"), id=cid.AREA_HINT, className="anc-hint"),
                            _map(
                                cid.FORM_MAP,
                                cid.FORM_DISTRICTS,
                                dl.GeoJSON(
                                    id=cid.SEED_LAYER, data=EMPTY, style=AREA_STYLE, interactive=False
                                ),
                                dl.FeatureGroup(
                                    [dl.EditControl(id=cid.EDIT, draw=DRAW, position="topright")]
                                ),
                            ),
                            html.Div(id=cid.AREA_ERROR, className="anc-error", role="alert"),
                        ],
                    ),
                ],
            ),
        ],
    )


def _detail() -> html.Section:
    return html.Section(
        id=cid.DETAIL,
        className="anc-detail",
        **_attrs({"aria-labelledby": cid.DETAIL_TITLE}),
        children=[
            html.H3(id=cid.DETAIL_TITLE),
            html.P(t("an.campaign.detail.none"), id=cid.SENTENCE, className="anc-sentence", role="status"),
            html.P(id=cid.EXPLAIN, className="anc-explain"),
            dmc.Button(
                t("an.campaign.end_button"),
                id=cid.END_BUTTON,
                color="orange",
                variant="light",
                display="none",
            ),
            html.Div(
                id=cid.DETAIL_BODY,
                hidden=True,
                children=[
                    graph(cid.CHART, figure=go.Figure(), style={"height": "300px"}),
                    _map(
                        cid.DETAIL_MAP,
                        cid.DETAIL_DISTRICTS,
                        dl.GeoJSON(id=cid.DETAIL_AREA, data=EMPTY, style=AREA_STYLE),
                        height="280px",
                    ),
                ],
            ),
        ],
    )


def panel() -> html.Div:
    return html.Div(
        id=cid.PANEL,
        className="anc-panel",
        children=[
            dcc.Store(id=cid.REFRESH, data=0),
            dcc.Store(id=cid.SELECTED),
            dcc.Store(id=cid.OPEN_CLICK),
            dcc.Store(id=cid.AREA),
            dcc.Download(id=cid.DOWNLOAD),
            html.Div(
                className="anc-head",
                children=[
                    html.H3(t("an.campaign.list"), id=cid.LIST_TITLE),
                    dmc.Group(
                        [
                            dmc.Button(t("an.campaign.new"), id=cid.NEW, display="none"),
                            dmc.Button(t("an.campaign.csv"), id=cid.CSV, variant="default"),
                        ]
                    ),
                ],
            ),
            html.Div(id=cid.NOTICE, role="status"),
            _form(),
            html.Div(
                className="anc-body",
                children=[html.Div(id=cid.LIST, className="anc-list"), _detail()],
            ),
        ],
    )


# --- what the callbacks draw ---------------------------------------------------------------------------------


def viewport_of(geometry: Any) -> dict[str, Any] | None:
    """A map viewport fitted to a GeoJSON geometry's coordinates (None when it has none)."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(c: Any) -> None:
        if isinstance(c, list | tuple) and len(c) >= 2 and all(isinstance(v, int | float) for v in c[:2]):
            xs.append(float(c[0]))
            ys.append(float(c[1]))
        elif isinstance(c, list | tuple):
            for part in c:
                walk(part)

    if isinstance(geometry, dict):
        walk(geometry.get("coordinates"))
        for g in geometry.get("geometries") or []:
            if isinstance(g, dict):
                walk(g.get("coordinates"))
    if not xs:
        return None
    return {
        "bounds": [[min(ys), min(xs)], [max(ys), max(xs)]],
        "options": {"padding": [24, 24], "maxZoom": 16},
    }


def area_text(k: CampaignRow, districts: Mapping[str, str], lang: str) -> str:
    names = (
        "、".join(districts.get(c, c) for c in k.district_codes)
        if lang == "zh"
        else ", ".join(districts.get(c, c) for c in k.district_codes)
    )
    return t("an.campaign.area", lang, districts=names, km2=f"{k.area_km2:.1f}")


def dates_text(k: CampaignRow, lang: str) -> str:
    out = t("an.campaign.dates", lang, start=k.starts_on.isoformat(), end=k.ends_on.isoformat())
    return out + (t("an.campaign.ended", lang) if k.ended_at else "")


def categories_text(k: CampaignRow, categories: Mapping[str, str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(categories.get(c, c) for c in k.categories)


def table(
    rows: list[tuple[CampaignRow, CampaignEffect]],
    districts: Mapping[str, str],
    categories: Mapping[str, str],
    lang: str,
    selected: int | None,
) -> Any:
    if not rows:
        return html.P(t("an.campaign.none", lang), className="an-empty")
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(f"an.campaign.col.{c}", lang), scope="col")
                for c in ("name", "dates", "area", "categories", "effect")
            ]
            + [html.Th("")]
        )
    )
    body = []
    for k, eff in rows:
        body.append(
            html.Tr(
                className="anc-row" + (" anc-row-selected" if k.id == selected else ""),
                **_attrs({"data-id": str(k.id)}),
                children=[
                    html.Td(k.name),
                    html.Td(dates_text(k, lang)),
                    html.Td(area_text(k, districts, lang)),
                    html.Td(categories_text(k, categories, lang)),
                    html.Td(
                        eff.effect.sentence(lang), className=f"anc-effect anc-effect-{eff.effect.status}"
                    ),
                    html.Td(
                        html.Button(
                            t("an.campaign.view", lang),
                            id={"type": cid.OPEN, "id": k.id},
                            className="anc-open",
                            **_attrs({"aria-label": t("an.campaign.view_label", lang, name=k.name)}),
                        )
                    ),
                ],
            )
        )
    return html.Table(className="anc-table", children=[head, html.Tbody(body)])


def figure(k: CampaignRow, eff: CampaignEffect, lang: str) -> go.Figure:
    """Weekly reports in the campaign's area and what the controls say it would have had, start and end marked."""
    fig = go.Figure()
    x = [d.isoformat() for d in eff.week_starts]
    fig.add_scatter(x=x, y=eff.treated, mode="lines+markers", name=t("an.campaign.chart.treated", lang))
    fig.add_scatter(
        x=x, y=eff.expected, mode="lines", line={"dash": "dash"}, name=t("an.campaign.chart.expected", lang)
    )
    for day, key in ((k.starts_on, "start"), (k.ends_on, "end")):
        if eff.week_starts and eff.week_starts[0] <= day <= eff.week_starts[-1] + timedelta(days=7):
            fig.add_vline(x=day.isoformat(), line={"color": "#c0392b", "dash": "dot"})
            fig.add_annotation(
                x=day.isoformat(),
                y=1,
                yref="paper",
                text=t(f"an.campaign.chart.{key}", lang),
                showarrow=False,
            )
    fig.update_layout(
        title={"text": t("an.campaign.chart.title", lang), "font": {"size": 14}},
        margin={"l": 40, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        xaxis=date_axis(lang),
        yaxis={"title": t("an.campaign.chart.count", lang), "rangemode": "tozero"},
        template="plotly_white",
    )
    return fig


def explanation(eff: CampaignEffect, lang: str) -> str:
    e = eff.effect
    if e.weeks_pre == 0:
        return ""
    return t(
        "an.campaign.explain",
        lang,
        n=eff.n_controls,
        where=t(f"an.campaign.where.{eff.controls_from}", lang),
        pre=e.weeks_pre,
        post=e.weeks_post,
        tp=e.treated_pre,
        cp=e.control_pre,
        tq=e.treated_post,
        cq=e.control_post,
    )
