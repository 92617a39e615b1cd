"""/analysis tabs 时间峰值 (peaks) and 关联分析 (correlations): parse the filters, ask ``ops.analysis`` inside the
user's scope, format. CSV exports write what the tab shows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import Input, Output, State, callback, dcc
from dash.exceptions import PreventUpdate

from dashboard import auth, ids, runtime
from dashboard.callbacks.analysis import ROLES, user_scope
from dashboard.callbacks.workbench import reference
from dashboard.components import an_corr as view
from dashboard.components.district_labels import register
from dashboard.components.graphs import follow_language
from dashboard.i18n import t
from dashboard.ids import an_corr as k
from dashboard.ids import analysis as aid
from db.accounts import StaffIdentity
from db.errors import ValidationError
from db.queries import wb_options
from geo.crs import TZ
from ops.analysis import correlation as co
from ops.analysis import correlation_snapshot as snapshot
from ops.analysis import peaks as pk
from ops.analysis.filters import parse_filters

follow_language(k.PEAKS_GRAPH)
register(k.CORR_LABELS)


def _local(at: datetime) -> str:
    return at.astimezone(TZ).strftime("%H:%M")


async def _names(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    cats = await reference("categories", wb_options.categories)
    dists = await reference("districts", wb_options.districts)
    pick = (lambda r: str(r.name_en)) if lang == "en" else (lambda r: str(r.name_zh))
    return {r.code: pick(r) for r in cats}, {d.code: pick(d) for d in dists}


@callback(
    Output(k.PEAKS_GRAPH, "figure"),
    Output(k.PEAKS_GRAPH, "style"),
    Output(k.PEAKS_TEXT, "children"),
    Output(k.PEAKS_STATUS, "children"),
    Output(k.PEAKS_EXPLAIN, "children"),
    Output(k.PEAKS_ROWS, "data"),
    Output(k.PEAKS_CSV_BUTTON, "children"),
    Input(aid.FILTERS, "data"),
    Input(ids.LANG, "data"),
    Input(aid.TABS, "value"),
)
@auth.require_user(*ROLES)
async def show_peaks(data: Any, lang: str, tab: Any, *, user: StaffIdentity) -> tuple[Any, ...]:
    if tab != "peaks":  # computed when shown (the tabs mount their panel only then)
        raise PreventUpdate
    hidden, shown = {"display": "none"}, {"height": "420px"}
    csv_label = t("an.corr.csv", lang)
    try:
        filters = parse_filters(data)
    except ValidationError as e:
        return {}, hidden, "", e.message(lang), "", [], csv_label
    scope = await user_scope(user)
    now = datetime.now(UTC)
    result = await runtime.aview(lambda c: pk.peaks(c, scope, filters, now))
    if result.total < view.MIN_REPORTS:
        few = t("an.corr.peaks.few", lang, days=filters.days, n=result.total, min=view.MIN_REPORTS)
        return {}, hidden, "", few, "", [], csv_label
    names, _ = await _names(lang)
    if result.peaks or result.category_peaks:
        text = view.peaks_sentence(result, names, lang, filters.category)
    else:
        text = t("an.corr.peaks.none", lang, days=filters.days, n=result.total)
    explain = t(f"an.corr.peaks.explain.{result.baseline}", lang, days=filters.days, min=pk.MIN_COUNT)
    rows = [
        {**r, "category_name": names.get(r["category_code"] or "", "")}
        for r in pk.peak_items(result, filters.category)
    ]
    return view.peaks_figure(result, lang), shown, text, "", explain, rows, csv_label


@callback(
    Output(k.CORR_TABLE, "children"),
    Output(k.CORR_TEXT, "children"),
    Output(k.CORR_EXPLAIN, "children"),
    Output(k.CORR_PLACES, "children"),
    Output(k.CORR_ROWS, "data"),
    Output(k.CORR_CSV_BUTTON, "children"),
    Input(aid.FILTERS, "data"),
    Input(k.CORR_WINDOW, "value"),
    Input(ids.LANG, "data"),
    Input(aid.TABS, "value"),
)
@auth.require_user(*ROLES)
async def show_correlations(
    data: Any, window: Any, lang: str, tab: Any, *, user: StaffIdentity
) -> tuple[Any, ...]:
    if tab != "correlations":
        raise PreventUpdate
    csv_label = t("an.corr.csv", lang)
    try:
        filters = parse_filters(data)
        w = int(window or co.WINDOW_DAYS)
        if w not in view.WINDOWS:
            raise ValueError(w)
    except (ValidationError, ValueError) as e:
        msg = e.message(lang) if isinstance(e, ValidationError) else t("an.corr.window", lang)
        return None, msg, "", [], [], csv_label
    scope = await user_scope(user)
    now = datetime.now(UTC)
    stored = None
    if snapshot.covers(scope, filters, w):  # the view the cycle keeps computed
        stored = await runtime.aview(lambda c: snapshot.read(c, now))
    if stored is not None:
        n_tested, pairs = stored.tested, stored.pairs
        at = _local(stored.computed_at)
        explain = t("an.corr.explain", lang, w=w) + " " + t("an.corr.computed", lang, at=at)
    else:
        tested = await runtime.aview(lambda c: co.correlations(c, scope, filters, now, window_days=w))
        n_tested, pairs = len(tested), co.significant(tested)
        explain = t("an.corr.explain", lang, w=w)
    if not n_tested:
        return None, t("an.corr.few", lang, days=filters.days, min=co.MIN_REPORTS), explain, [], [], csv_label
    if not pairs:
        return None, t("an.corr.none", lang, days=filters.days, m=n_tested), explain, [], [], csv_label
    names, districts = await _names(lang)
    rows = []
    for item in co.pair_items(pairs, w):
        places = "; ".join(
            f"{districts.get(p['district_code'] or '', '')} {p['area_key']} ({p['lat']},{p['lon']}) {p['pairs']}"
            for p in item.pop("places")
        )
        rows.append(
            {
                **item,
                "name_a": names.get(item["category_a"], ""),
                "name_b": names.get(item["category_b"], ""),
                "places": places,
            }
        )
    return (
        view.pairs_table(pairs, names, districts, lang),
        view.pairs_sentence(pairs[0], names, w, lang),
        explain,
        view.place_markers(pairs, names, districts, lang),
        rows,
        csv_label,
    )


def _download(rows: Any, name: str) -> Any:
    if not rows:
        raise PreventUpdate
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return dcc.send_string(view.csv_text(rows), f"{name}-{stamp}.csv", type="text/csv")


@callback(
    Output(k.PEAKS_CSV, "data"),
    Input(k.PEAKS_CSV_BUTTON, "n_clicks"),
    State(k.PEAKS_ROWS, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def peaks_csv(_: Any, rows: Any, *, user: StaffIdentity) -> Any:
    return _download(rows, "time-peaks")


@callback(
    Output(k.CORR_CSV, "data"),
    Input(k.CORR_CSV_BUTTON, "n_clicks"),
    State(k.CORR_ROWS, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def correlations_csv(_: Any, rows: Any, *, user: StaffIdentity) -> Any:
    return _download(rows, "correlations")


@callback(Output(k.CORR_WINDOW, "data"), Input(ids.LANG, "data"))
def window_labels(lang: str) -> list[dict[str, str]]:
    return [{"value": str(n), "label": t("an.corr.window.n", lang, n=n)} for n in view.WINDOWS]
