"""The wall's panels as Dash components: KPI tiles, the department ranking, the ticker, the heatmap legend.

Pure formatting (data in, components out): no database, no callbacks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from dash import html

from dashboard.i18n import t
from db.queries.live import RATE_DAYS, Kpis
from ops.response_panel import DepartmentRow

PALETTES: dict[str, list[str]] = {
    # on a dark map the lowest class must still show: blue → teal → yellow → orange → red
    "heat": ["#2f6fa8", "#2fa59c", "#e3c53c", "#f2871f", "#ff3b30"],
    "viridis": ["#46327e", "#365c8d", "#277f8e", "#4ac16d", "#fde725"],
}
DEFAULT_PALETTE = "heat"
#: Rows of the department panel; beyond this the middle is elided (the worst rows always show).
PANEL_ROWS = 17
PANEL_TAIL = 4
WARN_RATE = 0.8


def class_breaks(values: list[int], classes: int = 5) -> list[int]:
    """Upper bounds of all classes but the last: geometric steps from 1 to the largest count.

    Report counts are heavily skewed (most cells hold one or two reports, hot spots hundreds), so equal steps
    would paint everything the lowest colour; ``max ** (k / classes)`` keeps hot spots apart and is stable from one
    refresh to the next (it moves only with the maximum).

    >>> class_breaks([1, 2, 3, 100])
    [3, 6, 16, 40]
    >>> class_breaks([1, 1, 2])
    [1]
    """
    arr = np.asarray(values, dtype=np.int64)
    arr = arr[arr > 0]
    if arr.size == 0:
        return []
    top = int(arr.max())
    uppers = sorted({int(round(top ** (k / classes))) for k in range(1, classes)})
    return [u for u in uppers if 1 <= u < top]


def data_attrs(**values: str) -> dict[str, Any]:
    """``data-*`` attributes for an html component (tests and the browser find elements by them)."""
    return {f"data-{k.replace('_', '-')}": v for k, v in values.items()}


def class_color(k: int, classes: int, palette: list[str]) -> str:
    """Colour of class ``k`` of ``classes`` (the same rule as ``wall.js``)."""
    if classes <= 1:
        return palette[-1]
    return palette[round(k * (len(palette) - 1) / (classes - 1))]


def pct(rate: float | None, lang: str) -> str:
    if rate is None:
        return t("wall.kpi.none", lang)
    return "100%" if rate >= 0.9995 else f"{rate * 100:.1f}%"


def _tile(
    kind: str, label: str, value: str, sub: str, alert: bool = False, title: str | None = None
) -> html.Div:
    return html.Div(
        className=f"wall-kpi wall-kpi-{kind}" + (" wall-alert" if alert else ""),
        title=title,
        children=[
            html.Div(label, className="wall-kpi-label"),
            html.Div(value, className="wall-kpi-value", **data_attrs(kpi=kind)),
            html.Div(sub, className="wall-kpi-sub"),
        ],
    )


def kpi_tiles(k: Kpis, lang: str) -> list[html.Div]:
    rate_sub = {"days": RATE_DAYS}
    return [
        _tile("today", t("wall.kpi.today", lang), f"{k.today_reports:,}", t("wall.kpi.sub_today", lang)),
        _tile(
            "open",
            t("wall.kpi.open", lang),
            f"{k.open_cases:,}",
            t("wall.kpi.sub_now", lang),
            title=t("num.def.open", lang),
        ),
        _tile(
            "overdue",
            t("wall.kpi.overdue", lang),
            f"{k.overdue:,}",
            t("wall.kpi.sub_now", lang),
            k.overdue > 0,
            title=t("num.def.overdue", lang),
        ),
        _tile(
            "on_time",
            t("wall.kpi.on_time", lang),
            pct(k.on_time_rate, lang),
            # the rate's own fraction: handled on time / due for handling
            t("wall.kpi.sub_rate", lang, n=f"{k.on_time:,}", d=f"{k.due_handling:,}", **rate_sub),
            k.on_time_rate is not None and k.on_time_rate < WARN_RATE,
            title=t("num.def.on_time_handle_rate", lang),
        ),
        _tile(
            "closing",
            t("wall.kpi.closing", lang),
            pct(k.closing_rate, lang),
            t("wall.kpi.sub_rate", lang, n=f"{k.closed:,}", d=f"{k.due_close:,}", **rate_sub),
            k.closing_rate is not None and k.closing_rate < WARN_RATE,
        ),
    ]


def duration_unit(hours: list[float | None]) -> str:
    """One unit for a whole column of durations: hours while every value is under two days, else days.

    >>> duration_unit([3.5, None, 40.0]), duration_unit([3.5, 60.0]), duration_unit([None])
    ('h', 'd', 'h')
    """
    return "d" if any(h is not None and h >= 48 for h in hours) else "h"


def in_unit(hours: float | None, unit: str, lang: str) -> str:
    """A duration as a bare number in the column's unit (the unit is in the header)."""
    if hours is None:
        return t("wall.kpi.none", lang)
    return f"{hours / 24 if unit == 'd' else hours:.1f}"


def percent(rate: float | None, lang: str) -> str:
    """A rate as a bare percentage (the % is in the header)."""
    if rate is None:
        return t("wall.kpi.none", lang)
    return "100" if rate >= 0.9995 else f"{rate * 100:.1f}"


def _row(d: DepartmentRow, lang: str, worst: bool, units: dict[str, str]) -> html.Tr:
    late = d.on_time_rate is not None and d.on_time_rate < WARN_RATE
    return html.Tr(
        className=("wall-worst" if worst else "") + (" wall-warn" if late else ""),
        **data_attrs(dept=d.code),
        children=[
            html.Td(str(d.rank), className="wall-num"),
            # the short name fits; the full name on hover
            html.Td(d.short_name(lang), className="wall-dept", title=d.name(lang)),
            html.Td(f"{d.handled:,}", className="wall-num"),
            html.Td(in_unit(d.median_h, units["median"], lang), className="wall-num"),
            html.Td(in_unit(d.p90_h, units["p90"], lang), className="wall-num"),
            html.Td(percent(d.on_time_rate, lang), className="wall-num wall-rate"),
            html.Td(percent(d.rework_rate, lang), className="wall-num"),
        ],
    )


def response_table(rows: list[DepartmentRow], lang: str, days: int = 30) -> list[Any]:
    title = html.Div(t("wall.panel.title", lang, days=days), className="wall-panel-title")
    if not rows:
        return [title, html.Div(t("wall.panel.empty", lang), className="wall-empty")]
    worst = rows[-1].code
    if len(rows) <= PANEL_ROWS:
        shown: list[DepartmentRow | None] = list(rows)
    else:
        head_n = PANEL_ROWS - PANEL_TAIL - 1
        shown = [*rows[:head_n], None, *rows[-PANEL_TAIL:]]
    listed = [d for d in shown if d is not None]
    units = {
        "median": duration_unit([d.median_h for d in listed]),
        "p90": duration_unit([d.p90_h for d in listed]),
    }
    # each column's title with its unit on a second line: the cells hold bare numbers
    heads: dict[str, tuple[str, str]] = {
        "rank": (t("wall.panel.rank", lang), ""),
        "dept": (t("wall.panel.dept", lang), ""),
        "handled": (t("wall.col.handled", lang), t("wall.unit.count", lang)),
        "median": (t("wall.col.median", lang), t(f"wall.unit.{units['median']}", lang)),
        "p90": (t("wall.col.p90", lang), t(f"wall.unit.{units['p90']}", lang)),
        "on_time": (t("wall.col.on_time", lang), t("wall.unit.pct", lang)),
        "rework": (t("wall.col.rework", lang), t("wall.unit.pct", lang)),
    }
    head = html.Tr(
        [
            html.Th(
                [html.Span(title), html.Br(), html.Span(unit, className="wall-unit", **data_attrs(unit=k))],
                className="wall-num" if k != "dept" else "",
                title=t("wall.col.dept_hint", lang) if k == "dept" else None,
                **data_attrs(col=k),
            )
            for k, (title, unit) in heads.items()
        ]
    )
    body = [
        _row(d, lang, d.code == worst, units)
        if d is not None
        else html.Tr(
            html.Td(
                t("wall.panel.more", lang, n=len(rows) - PANEL_ROWS + 1), colSpan=7, className="wall-more"
            )
        )
        for d in shown
    ]
    return [title, html.Table([html.Thead(head), html.Tbody(body)], className="wall-table")]


def heat_legend(
    counts: dict[str, int], breaks: list[int], level: str, palette: list[str], lang: str
) -> list[Any]:
    values = list(counts.values())
    total = sum(values)
    head = html.Div(
        [html.Span(t(f"wall.level.{level}", lang)), html.Span(t("wall.heat.total", lang, n=f"{total:,}"))],
        className="wall-legend-head",
    )
    if not values:
        return [head, html.Div(t("wall.heat.none", lang), className="wall-empty")]
    top = max(values)
    lows = [1, *(b + 1 for b in breaks)]
    highs = [*breaks, top]
    n = len(lows)
    swatches = [
        html.Div(
            className="wall-swatch",
            children=[
                html.Span(className="wall-swatch-box", style={"background": class_color(k, n, palette)}),
                html.Span(str(lo) if lo == hi else f"{lo}–{hi}"),
            ],
        )
        for k, (lo, hi) in enumerate(zip(lows, highs, strict=True))
    ]
    return [head, html.Div(swatches, className="wall-swatches")]


def pin_legend(k: Kpis, lang: str) -> list[Any]:
    """The pins' key and the count of open cases: the 在办 of the tiles, from the same snapshot ``k`` (rendered by
    the same callback), so the legend and the tile never disagree; 超期 (red) carries the same definition."""
    titles = {"red": t("num.def.overdue", lang)}
    items = [
        html.Span(
            [html.I(className=f"wall-dot wall-dot-{key}"), t(f"wall.pins.{name}", lang)],
            className="wall-key",
            title=titles.get(name),
        )
        for key, name in (("g", "green"), ("y", "yellow"), ("r", "red"), ("u", "urgent"))
    ]
    n = k.open_cases
    return [
        html.Div(items, className="wall-keys"),
        html.Div(
            t("wall.pins.count", lang, n=f"{n:,}"),
            className="wall-pin-count",
            title=t("num.def.open", lang),
            **data_attrs(pins=str(n)),
        ),
    ]


def pins_capped(n: int, capped: bool, lang: str, dense: bool = False) -> str:
    """The note under the legend when the viewport holds more open cases than are drawn, or too many to draw
    singly at this zoom (grouped)."""
    if dense:
        return t("wall.pins.dense", lang, n=f"{n:,}")
    return t("wall.pins.capped", lang, n=f"{n:,}") if capped else ""
