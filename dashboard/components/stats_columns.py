"""The columns of the evaluation table, shared by the page's table and the CSV/Excel exports.

:func:`records` flattens a :class:`~ops.stats_table.StatsTable` into plain rows (rates as percentages with one
decimal, hours with one decimal), so the page and the downloads show the same numbers.
"""

from __future__ import annotations

from typing import Any

from dashboard.i18n import t
from ops.evaluation import DEFAULT_MIN_CASES
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


#: Columns whose header carries the definition of its word (the same string wherever the word appears).
DEFINITIONS = {
    "on_time_handle_rate": "num.def.on_time_handle_rate",
    "overdue_now": "num.def.overdue",
    "score": "num.def.too_few",
    "grade": "num.def.too_few",
}


def definition(key: str, lang: str, min_cases: int = DEFAULT_MIN_CASES) -> str | None:
    """The definition of the column ``key``'s word (its header tooltip and the page's footnote), if it has one."""
    name = DEFINITIONS.get(key)
    return None if name is None else t(name, lang, n=min_cases)


def label(key: str, lang: str) -> str:
    text = t(f"stats.col.{key}", lang)
    kind = dict(COLUMNS).get(key)
    return f"{text} (%)" if kind == "pct" else text


#: AG Grid's own words (sorting, loading) in the table's language; the rest of its words never show here.
GRID_LOCALE: dict[str, dict[str, str]] = {
    "zh": {
        "loadingOoo": "加载中…",
        "noRowsToShow": "无数据",
        "ariaSortableColumn": "按回车键排序",
        "ariaSortAscending": "升序",
        "ariaSortDescending": "降序",
        "ariaSortNone": "未排序",
        "sortAscending": "升序",
        "sortDescending": "降序",
        "sortUnSort": "取消排序",
    },
    "en": {},
}
#: One decimal, nothing for a missing value (AG Grid evaluates this safely, without ``eval``: CSP-clean).
ONE_DECIMAL = {"function": "params.value == null ? '' : d3.format('.1f')(params.value)"}


def table_columns(lang: str, min_cases: int = DEFAULT_MIN_CASES) -> list[dict[str, Any]]:
    """The AG Grid's column definitions: numbers right-aligned, one decimal for rates, hours and the score;
    every number column opens the drill-down (clicked, or Enter on the focused cell); the columns of
    :data:`DEFINITIONS` explain their word in a header tooltip."""
    return [
        {"field": key, "headerName": label(key, lang), "minWidth": 200, "flex": 2}
        if key == "name"
        else {
            "field": key,
            "headerName": label(key, lang),
            **({"headerTooltip": tip} if (tip := definition(key, lang, min_cases)) else {}),
            # (a cellClass replaces the rightAligned type's own, so the right alignment is named again)
            "cellClass": ["stats-cell-drill"] + ([] if kind == "text" else ["ag-right-aligned-cell"]),
            **({} if kind == "text" else {"type": "rightAligned"}),
            **({"valueFormatter": ONE_DECIMAL} if kind in ("pct", "hours", "score") else {}),
        }
        for key, kind in COLUMNS
    ]


#: The grid's row height and its most height (px); a header of up to three lines fits in HEADER_PX.
ROW_PX, HEADER_PX, MAX_TABLE_PX = 36, 76, 440


def grid_style(rows: int) -> dict[str, str]:
    """As tall as its rows (the grid needs a height of its own), at most MAX_TABLE_PX, then it scrolls under
    its header."""
    return {"height": f"{min(MAX_TABLE_PX, HEADER_PX + ROW_PX * rows + 2)}px", "width": "100%"}


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
        # 样本不足 instead of a score and a grade when too few cases were due (ops.evaluation)
        "grade": t("num.too_few", lang) if ev.too_few else (ev.grade or "—"),
        "too_few": ev.too_few,
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
