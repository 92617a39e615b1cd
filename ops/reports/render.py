"""The monthly report as a document: HTML from the Jinja2 templates of ``ops/reports/templates`` (the same page for
the web and the PDF; print CSS for A4, page numbers "第 N 页 / 共 M 页" from CSS ``@page`` counters) and a PDF
from that HTML with WeasyPrint, its fonts (the system's Noto Sans CJK SC) embedded as subsets."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from geo.crs import TZ
from ops.reports.charts import daily_lines, score_bars
from ops.reports.monthly import Headline, MonthlyReport
from ops.states import LABELS


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def _num1(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}"


def _value(h: Headline, previous: bool = False) -> str:
    v = h.previous if previous else h.value
    if v is None:
        return "—"
    if h.percent:
        return _pct(v)
    return f"{v:.1f}" if h.key == "score" else f"{int(v):,}"


def _arrow(h: Headline) -> str:
    d = h.delta
    if d is None:
        return ""
    if abs(d) < 1e-9:
        return "→ 持平"
    sign = "↑" if d > 0 else "↓"
    if h.percent:
        return f"{sign} {abs(100 * d):.1f} 个百分点"
    return f"{sign} {abs(d):.1f}" if h.key == "score" else f"{sign} {abs(int(d)):,}"


def _arrow_num(d: float) -> str:
    return "→ 0" if d == 0 else f"{'↑' if d > 0 else '↓'} {abs(d):.1f}"


def _signed(n: int) -> str:
    return f"↑ {n}" if n > 0 else f"↓ {-n}" if n < 0 else "→ 0"


def _dt(x: datetime | None) -> str:
    return "—" if x is None else x.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ops.reports", "templates"),
        autoescape=select_autoescape(("html",), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pct=_pct, num1=_num1, value=_value, arrow=_arrow, arrow_num=_arrow_num, signed=_signed, dt=_dt
    )
    return env


def charts(report: MonthlyReport) -> dict[str, str]:
    """The report's SVG charts: 综合指标值 bars of departments and districts, daily reports and closures."""

    def bars(rows: Any, title: str) -> str:
        return score_bars(
            [(x.row.name_zh, x.row.evaluation.score, x.row.evaluation.grade) for x in rows], title
        )

    return {
        "departments": bars(report.departments, "专业部门综合指标值"),
        "districts": bars(report.districts, "区县综合指标值"),
        "daily": daily_lines(report.daily, "每日上报与结案"),
    }


def to_html(report: MonthlyReport, *, web: bool = False, pdf_href: str = "") -> str:
    """The report as one self-contained HTML page (styles inline, charts inline SVG, no script). ``web`` adds the
    bar with the links back to /stats and to the PDF (hidden when printed)."""
    return (
        environment()
        .get_template("monthly.html")
        .render(
            r=report,
            charts=charts(report),
            status={s.value: zh for s, (zh, _) in LABELS.items()},
            places_rule=f"至少 {report.places_min_reports} 起、彼此相距 {report.places_radius_m:g} 米以内的上报",
            web=web,
            pdf_href=pdf_href,
        )
    )


def to_pdf(report: MonthlyReport) -> bytes:
    """The PDF (A4) of :func:`to_html`."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango), only when a PDF is made

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line per page otherwise
    return bytes(HTML(string=to_html(report)).write_pdf())
