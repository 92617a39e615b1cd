"""Callbacks of /stats: thin — parse the inputs, call the stats queries in a worker thread, format.

Every callback that reads data is guarded by ``require_user()`` (any staff role); the queries enforce the
user's scope. The gate only sends anonymous visitors to the sign-in page.
The slow part (the table and the trend) runs once per period into a store; language, table and trend
switches re-render from the store without touching the database.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, ctx, html, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import ids as app_ids
from dashboard import runtime
from dashboard.auth import acurrent_user, require_user
from dashboard.components import stats_charts as charts
from dashboard.components import stats_drill as drill
from dashboard.components.stats_columns import (
    DATE_FORMATS,
    DRILLABLE,
    definition,
    grid_style,
    records,
    table_columns,
)
from dashboard.i18n import t
from dashboard.ids import stats as ids
from db.accounts import StaffIdentity
from db.errors import DomainError
from db.period import Period, parse_period, quick_period
from db.queries.geo_layers import districts_geojson
from db.queries.stats_drill import DRILL_CAP, drill_cases
from geo.crs import TZ
from ops.evaluation import INDICATORS, default_config
from ops.policy import stats_scope
from ops.stats_table import stats_table

log = logging.getLogger("guiyang_ops.stats")
LOGIN_URL = "/login?next=/stats"
TILES = ("cases", "close_rate", "on_time_handle_rate", "rework_rate", "overdue_now", "score")


def _today() -> date:
    return datetime.now(TZ).date()


@callback(Output(ids.REDIRECT, "href"), Input(ids.PAGE, "id"))
async def gate(_: str) -> str:
    """Not signed in: to the sign-in page and back here afterwards (no data is read here; the data callbacks
    below refuse anonymous calls on their own)."""
    if await acurrent_user() is None:
        return LOGIN_URL
    raise PreventUpdate


@callback(
    Output(ids.TITLE, "children"),
    Output(ids.RANGE, "label"),
    *[Output(ids.quick(q), "children") for q in ids.QUICK_PICKS],
    Output(ids.DIM, "data"),
    Output(ids.EXPORT_CSV, "children"),
    Output(ids.EXPORT_XLSX, "children"),
    Output(ids.HINT, "children"),
    Output(ids.TREND_TITLE, "children"),
    Output(ids.TABLE, "columnDefs"),
    *[Output(ids.RANGE, prop) for prop in DATE_FORMATS["zh"]],
    Input(app_ids.LANG, "data"),
)
@require_user()
async def labels(lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    return (
        t("stats.title", lang),
        t("stats.period", lang),
        *[t(f"stats.quick.{q}", lang) for q in ids.QUICK_PICKS],
        [{"value": d, "label": t(f"stats.dim.{d}", lang)} for d in ("department", "district")],
        t("stats.export.csv", lang),
        t("stats.export.xlsx", lang),
        t("stats.hint", lang),
        t("stats.trend.title", lang),
        table_columns(lang, runtime.services().settings.stats_min_cases),
        *DATE_FORMATS["en" if lang == "en" else "zh"].values(),
    )


@callback(
    Output(ids.RANGE, "value"),
    *[Input(ids.quick(q), "n_clicks") for q in ids.QUICK_PICKS],
    prevent_initial_call=True,
)
@require_user()
async def quick_pick(*_: int, user: StaffIdentity) -> list[str]:
    name = str(ctx.triggered_id or "").removeprefix("stats-quick-")
    period = quick_period(name, _today())
    return [period.start.isoformat(), period.end.isoformat()]


def _error(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, DomainError):
        return {"error": {"zh": exc.zh, "en": exc.en}}
    return {"error": {"zh": t("err.db", "zh"), "en": t("err.db", "en")}}


@callback(Output(ids.DATA, "data"), Input(ids.RANGE, "value"))
@require_user()
async def load(value: list[str | None] | None, *, user: StaffIdentity) -> dict[str, Any]:
    """The table (both dimensions, names in both languages) and the trend of the chosen period."""
    start, end = (value or [None, None]) + [None] * (2 - len(value or []))
    if value and not (start and end):
        raise PreventUpdate  # the picker is half-way through choosing a range
    try:
        period = parse_period(start, end, _today())
        min_cases = runtime.services().settings.stats_min_cases
        table = await runtime.aview(
            lambda c: stats_table(c, user, period, with_trend=True, min_cases=min_cases)
        )
    except (DomainError, SQLAlchemyError) as exc:
        log.warning("stats for %s failed: %r", user.username, exc)
        return _error(exc)
    zh, en = records(table, "zh"), records(table, "en")
    for kind, rows in zh.items():
        for row, row_en in zip(rows, en[kind], strict=True):
            row["name_en"] = row_en["name"]
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "days": period.days},
        "as_of": table.as_of.astimezone(TZ).strftime("%Y-%m-%d %H:%M"),
        "scope": {
            "district": table.scope.district,
            "department": table.scope.department,
            "name": table.scope_name,
        },
        "records": zh,
        "trend": table.trend,
        "empty": table.empty,
    }


def _named(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The rows in ``lang`` (the store holds them in zh with the English names beside)."""
    if lang != "en":
        return rows
    return [
        {**r, "name": r["name_en"], **({"grade": t("num.too_few", lang)} if r.get("too_few") else {})}
        for r in rows
    ]


def _tile(key: str, total: dict[str, Any], lang: str, min_cases: int) -> dmc.Paper:
    value = total.get(key)
    if key == "score" and total.get("too_few"):
        shown = t("num.too_few", lang)
    elif value is None:
        shown = "—"
    elif key in ("close_rate", "on_time_handle_rate", "rework_rate"):
        shown = f"{value:.1f}%"
    elif key == "score":
        shown = f"{value:.1f} · {total.get('grade')}"
    else:
        shown = f"{value:,}"
    grade = str(total.get("grade", "")) if key == "score" and not total.get("too_few") else ""
    return dmc.Paper(
        html.Div(
            [
                html.Div(t(f"stats.tile.{key}", lang), className="stats-tile-label"),
                html.Div(shown, className="stats-tile-value"),
            ],
            title=definition(key, lang, min_cases),  # the word's definition, as in the footnote
        ),
        className=f"stats-tile stats-grade-{grade}" if grade else "stats-tile",
        withBorder=True,
    )


#: The words the footnote defines, in this order (the same strings as the column headers' tooltips).
FOOTNOTE = ("overdue_now", "on_time_handle_rate", "grade")


def _formulas(lang: str, min_cases: int) -> list[Any]:
    cfg = default_config()
    weights = cfg.weights["department"]
    parts = [f"{t(f'stats.ind.{k}', lang)} × {weights[k]:g}" for k in INDICATORS if weights[k] > 0]
    grades = ", ".join(f"{g} ≥ {m:g}" for g, m in cfg.grades) + f", {cfg.lowest}"
    out: list[Any] = [html.Span(t("stats.formulas", lang, weights=" + ".join(parts), grades=grades))]
    for key in FOOTNOTE:
        out += [
            html.Br(),
            html.Span(definition(key, lang, min_cases), className=f"stats-def stats-def-{key}"),
        ]
    return out


def _export_href(fmt: str, data: dict[str, Any], lang: str) -> str:
    period = data.get("period") or {}
    query = urlencode({"start": period.get("start", ""), "end": period.get("end", ""), "lang": lang})
    return f"/stats/export.{fmt}?{query}"


@callback(
    Output(ids.TABLE, "rowData"),
    Output(ids.TABLE, "style"),
    Output(ids.SUMMARY, "children"),
    Output(ids.STATUS, "children"),
    Output(ids.SCOPE, "children"),
    Output(ids.EXPORT_CSV, "href"),
    Output(ids.EXPORT_XLSX, "href"),
    Output(ids.TREND_OF, "data"),
    Output(ids.TREND_OF, "value"),
    Output(ids.FORMULAS, "children"),
    Output(ids.TABLE_WRAP, "hidden"),
    Input(ids.DATA, "data"),
    Input(ids.DIM, "value"),
    Input(app_ids.LANG, "data"),
    State(ids.TREND_OF, "value"),
)
@require_user()
async def render(
    data: dict[str, Any] | None, dim: str, lang: str, trend_of: str | None, *, user: StaffIdentity
) -> tuple[Any, ...]:
    if not data:
        raise PreventUpdate
    min_cases = runtime.services().settings.stats_min_cases
    formulas = _formulas(lang, min_cases)
    if "error" in data:
        alert = dmc.Alert(
            t("stats.error", lang, msg=data["error"][lang]), color="red", className="stats-alert"
        )
        return [], grid_style(0), [], alert, "", "#", "#", [], "total:", formulas, True
    scope = data["scope"]
    if scope["district"] or scope["department"]:
        name = (
            (scope["name"] or ["", ""])[1 if lang == "en" else 0] or scope["district"] or scope["department"]
        )
        scope_text = t(
            "stats.scope.district" if scope["district"] else "stats.scope.department", lang, name=name
        )
    else:
        scope_text = t("stats.scope.city", lang)
    p = data["period"]
    status: list[Any] = [
        html.Span(t("stats.as_of", lang, start=p["start"], end=p["end"], days=p["days"], now=data["as_of"]))
    ]
    if data["empty"]:
        status.append(dmc.Alert(t("stats.empty", lang), color="gray", className="stats-alert stats-empty"))
    rows = _named(data["records"].get(dim, []), lang)
    total = _named(data["records"]["total"], lang)
    summary = [] if data["empty"] else [_tile(k, total[0], lang, min_cases) for k in TILES]
    options = [{"value": "total:", "label": t("stats.trend.all", lang)}] + [
        {"value": r["id"], "label": r["name"]} for r in rows
    ]
    keep = trend_of if any(o["value"] == trend_of for o in options) else "total:"
    table_rows = [] if data["empty"] else rows + total
    return (
        table_rows,
        grid_style(len(table_rows)),
        summary,
        status,
        scope_text,
        _export_href("csv", data, lang),
        _export_href("xlsx", data, lang),
        options,
        keep,
        formulas,
        bool(data["empty"]),
    )


@callback(
    Output(ids.TREND_VOLUME, "figure"),
    Output(ids.TREND_RATES, "figure"),
    Input(ids.DATA, "data"),
    Input(ids.TREND_OF, "value"),
    Input(ids.DIM, "value"),
    Input(app_ids.LANG, "data"),
)
@require_user()
async def trend_charts(
    data: dict[str, Any] | None, row_id: str | None, dim: str, lang: str, *, user: StaffIdentity
) -> tuple[Any, Any]:
    if not data:
        raise PreventUpdate
    if "error" in data or data["empty"]:
        return charts.empty_figure(lang), charts.empty_figure(lang)
    names = {r["code"]: (r["name_en"] if lang == "en" else r["name"]) for r in data["records"].get(dim, [])}
    series = data["trend"]
    return charts.volume_figure(series, row_id, lang), charts.rates_figure(series, dim, names, lang)


@callback(Output(ids.DRILL_DISTRICTS, "data"), Input(ids.DRILL_MAP, "id"))
@require_user()
async def drill_districts(_: str, *, user: StaffIdentity) -> dict[str, Any]:
    return await runtime.aview(lambda c: districts_geojson(c, 0.001))


def _latest_cell(clicked: dict[str, Any] | None, key: dict[str, Any] | None) -> dict[str, Any] | None:
    """The cell of whichever came last, a click or Enter: the browser may send both in one request when Enter
    follows a click before the click's request left (Dash merges the triggers of a callback still queued)."""
    triggered = ctx.triggered_prop_ids
    candidates = []
    if triggered.get(f"{ids.TABLE}.cellClicked") and clicked:
        candidates.append((clicked.get("timestamp") or 0, clicked))
    if triggered.get(f"{ids.TABLE}.eventData") and key and key.get("data"):
        candidates.append((key.get("timestamp") or 0, key["data"]))
    return max(candidates, key=lambda c: c[0])[1] if candidates else None


@callback(
    Output(ids.DRILL, "className"),
    Output(ids.DRILL_TITLE, "children"),
    Output(ids.DRILL_POINTS, "children"),
    Output(ids.DRILL_MAP, "viewport"),
    Output(ids.DRILL_LIST, "children"),
    Input(ids.TABLE, "cellClicked"),
    Input(ids.TABLE, "eventData"),
    Input(ids.DRILL_CLOSE, "n_clicks"),
    State(ids.DATA, "data"),
    State(ids.TABLE, "rowData"),
    State(app_ids.LANG, "data"),
    prevent_initial_call=True,
)
@require_user()
async def drill_down(
    clicked: dict[str, Any] | None,
    key: dict[str, Any] | None,
    _: int,
    data: dict[str, Any] | None,
    rows: list[dict[str, Any]] | None,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    """A number cell clicked (``cellClicked``) or Enter on it (``eventData``, from assets/stats.js): the cases
    behind that number on the map and in a list."""
    closed: tuple[Any, ...] = ("stats-drill", "", [], no_update, [])
    cell = _latest_cell(clicked, key)
    if ctx.triggered_id == ids.DRILL_CLOSE or not cell or not data or "period" not in data:
        return closed
    column = str(cell.get("colId", ""))
    row_id = str(cell.get("rowId") or "")
    if column not in DRILLABLE or not row_id:
        raise PreventUpdate
    metric = "cases" if column in ("score", "grade") else column
    period = Period(date.fromisoformat(data["period"]["start"]), date.fromisoformat(data["period"]["end"]))
    try:
        result = await runtime.aview(lambda c: drill_cases(c, stats_scope(user), period, row_id, metric))
    except (DomainError, SQLAlchemyError) as exc:
        log.warning("drill-down for %s failed: %r", user.username, exc)
        err = _error(exc)["error"][lang]
        return "stats-drill stats-drill-open", err, [], no_update, []
    name = next((r["name"] for r in rows or [] if r.get("id") == row_id), row_id)
    what = metric.split("_p")[0] if metric.endswith("_h") else metric
    title: list[Any] = [
        t("stats.drill.title", lang, row=name, metric=t(f"stats.drill.what.{what}", lang), n=result.total)
    ]
    if result.total > len(result.cases):
        title.append(html.Small(t("stats.drill.capped", lang, cap=DRILL_CAP)))
    box = drill.bounds(result.cases)
    viewport = {"bounds": box, "transition": "flyToBounds"} if box else no_update
    listing = drill.case_list(result.cases, lang) if result.cases else html.P(t("stats.drill.none", lang))
    return (
        "stats-drill stats-drill-open",
        title,
        drill.markers(result.cases, lang),
        viewport,
        listing,
    )
