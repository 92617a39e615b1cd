"""Charts of the monthly report drawn on the server as SVG from the numbers (no script: WeasyPrint draws them in
the PDF, the browser on the web page). Each function returns the ``<svg>`` element as a string; every label is
escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from db.queries.report_month import DayCount

GRADE_COLOURS = {"A": "#2f7d4f", "B": "#5b9b3c", "C": "#c79a1e", "D": "#d9722b", "E": "#c0392b"}
NO_GRADE = "#9aa5b1"
FONT = "Noto Sans CJK SC, sans-serif"


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="10">{body}</svg>'
    )


def score_bars(rows: Sequence[tuple[str, float | None, str | None]], title: str, width: int = 640) -> str:
    """Horizontal bars of 综合指标值 (0–100), one per (name, score, grade), in the given order; a row without a
    score (样本不足) shows a grey stub and "—"."""
    label_w, bar_h, gap, top = 180, 14, 5, 18
    plot_w = width - label_w - 60
    height = top + len(rows) * (bar_h + gap) + 16
    parts = []
    for tick in (0, 40, 60, 75, 90, 100):
        x = label_w + plot_w * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 14}" stroke="#d5dbe1" '
            f'stroke-width="0.6"/><text x="{x:.1f}" y="{top - 7}" text-anchor="middle" fill="#66727f" '
            f'font-size="8">{tick}</text>'
        )
    for i, (name, score, grade) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = plot_w * max(0.0, min(100.0, score)) / 100 if score is not None else 3
        colour = GRADE_COLOURS.get(grade or "", NO_GRADE)
        value = "—" if score is None else f"{score:.1f} {grade or ''}"
        short = name if len(name) <= 17 else name[:16] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 3}" text-anchor="end" fill="#1f2933">{escape(short)}'
            f'</text><rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}" rx="2"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}" fill="#1f2933">{escape(value)}</text>'
        )
    return _svg(width, height, "".join(parts), title)


def daily_lines(days: Sequence[DayCount], title: str, width: int = 640, height: int = 200) -> str:
    """Two lines per day of the month: reports made (blue) and cases closed (green), with a legend."""
    left, right, top, bottom = 40, 12, 22, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([1] + [max(d.reports, d.closed) for d in days])
    step = _nice_step(peak)
    ymax = step * -(-peak // step)
    n = max(1, len(days) - 1)

    def xy(i: int, v: int) -> str:
        return f"{left + plot_w * i / n:.1f},{top + plot_h * (1 - v / ymax):.1f}"

    parts = []
    for k in range(0, ymax + 1, step):
        y = top + plot_h * (1 - k / ymax)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e8ed" '
            f'stroke-width="0.6"/><text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#66727f" '
            f'font-size="8">{k}</text>'
        )
    for i, d in enumerate(days):
        if i == 0 or (i + 1) % 5 == 0 or i == len(days) - 1:
            parts.append(
                f'<text x="{left + plot_w * i / n:.1f}" y="{height - bottom + 12}" text-anchor="middle" '
                f'fill="#66727f" font-size="8">{d.day.day}</text>'
            )
    for attr, colour in (("reports", "#2b6cb0"), ("closed", "#2f7d4f")):
        points = " ".join(xy(i, getattr(d, attr)) for i, d in enumerate(days))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
    legend = (("上报 reports", "#2b6cb0"), ("结案 closed", "#2f7d4f"))
    for j, (name, colour) in enumerate(legend):
        x = left + 8 + j * 110
        parts.append(
            f'<rect x="{x}" y="4" width="14" height="4" fill="{colour}"/>'
            f'<text x="{x + 18}" y="10" fill="#1f2933" font-size="9">{name}</text>'
        )
    return _svg(width, height, "".join(parts), title)


def _nice_step(peak: int) -> int:
    """A round grid step giving about four lines up to ``peak``."""
    raw = max(1, peak / 4)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return int(m * magnitude)
    return int(10 * magnitude)
