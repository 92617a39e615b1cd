"""The columns of the evaluation table, shared by the page's table and the CSV/Excel exports.

:func:`records` flattens a :class:`~ops.stats_table.StatsTable` into plain rows (rates as percentages with one
decimal, hours with one decimal), so the page and the downloads show the same numbers.
"""

from __future__ import annotations

from typing import Any

from dash.dash_table.Format import Format, Scheme

from dashboard.i18n import t
from ops.stats_table import StatsRow, StatsTable

#: (key, kind): kind is text | int | pct | hours | score. The order is the table's and the exports'.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "text"),
    ("cases", "int"),
    ("close_rate", "pct"),
    ("on_time_close_rate", "pct"),
    ("on_time_handle_rate", "pct"),
    ("rework_rate", "pct"),
    ("dispatch_accuracy", "pct"),
    ("handle_p50_h", "hours"),
    ("handle_p90_h", "hours"),
    ("close_p50_h", "hours"),
    ("close_p90_h", "hours"),
    ("overdue_now", "int"),
    ("score", "score"),
    ("grade", "text"),
)
#: DatePickerInput label formats per language (dayjs tokens; numeric, so no locale file is needed)
DATE_FORMATS = {
    "zh": {"monthLabelFormat": "YYYY年M月", "yearLabelFormat": "YYYY年", "monthsListFormat": "M月"},
    "en": {"monthLabelFormat": "MMMM YYYY", "yearLabelFormat": "YYYY", "monthsListFormat": "MMM"},
}
#: Columns whose numbers open the drill-down (the cases behind them).
DRILLABLE = frozenset(k for k, _ in COLUMNS if k != "name")
#: The exports lead with these two columns: which table, and the department / district code.
EXPORT_LEAD = ("dimension", "code")


def label(key: str, lang: str) -> str:
    text = t(f"stats.col.{key}", lang)
    kind = dict(COLUMNS).get(key)
    return f"{text} (%)" if kind == "pct" else text


def table_columns(lang: str) -> list[Any]:
    """The DataTable's columns: numbers right-aligned, one decimal for rates, hours and the score."""
    one = Format(precision=1, scheme=Scheme.fixed)
    return [
        {"id": key, "name": label(key, lang), "type": "text"}
        if kind == "text"
        else {
            "id": key,
            "name": label(key, lang),
            "type": "numeric",
            **({} if kind == "int" else {"format": one}),
        }
        for key, kind in COLUMNS
    ]


def _pct(x: float | None) -> float | None:
    return None if x is None else round(100 * x, 1)


def record(row: StatsRow, lang: str) -> dict[str, Any]:
    ev = row.evaluation
    return {
        "id": row.row_id,
        "kind": row.kind,
        "code": row.key or "",
        "name": row.name(lang),
        "cases": row.counts.cases,
        "close_rate": _pct(ev.close_rate),
        "on_time_close_rate": _pct(ev.on_time_close_rate),
        "on_time_handle_rate": _pct(ev.on_time_handle_rate),
        "rework_rate": _pct(ev.rework_rate),
        "dispatch_accuracy": _pct(ev.dispatch_accuracy),
        "handle_p50_h": row.handle_p50_h,
        "handle_p90_h": row.handle_p90_h,
        "close_p50_h": row.close_p50_h,
        "close_p90_h": row.close_p90_h,
        "overdue_now": row.overdue_now,
        "score": ev.score,
        "grade": ev.grade or "—",
    }


def records(table: StatsTable, lang: str) -> dict[str, list[dict[str, Any]]]:
    """Rows by table: ``department``, ``district`` and ``total`` (a list of one)."""
    return {
        "department": [record(r, lang) for r in table.departments],
        "district": [record(r, lang) for r in table.districts],
        "total": [record(table.total, lang)],
    }


def export_header(lang: str) -> list[str]:
    return [t("stats.col.dimension", lang), t("stats.col.code", lang)] + [label(k, lang) for k, _ in COLUMNS]


def export_rows(table: StatsTable, lang: str) -> list[list[Any]]:
    """Department rows, then district rows, then the total: the same numbers as the page's table."""
    out: list[list[Any]] = []
    recs = records(table, lang)
    for kind in ("department", "district", "total"):
        for rec in recs[kind]:
            out.append([t(f"stats.kind.{kind}", lang), rec["code"]] + [rec[k] for k, _ in COLUMNS])
    return out
