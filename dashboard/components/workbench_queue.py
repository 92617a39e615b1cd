"""Small pieces of the workbench: status badges, lights with a live countdown, queue rows, the map legend."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash_mantine_components as dmc
from dash import html

from dashboard.i18n import t
from geo.crs import TZ
from ops.states import LABELS, CaseStatus

STATUS_COLORS = {
    "reported": "blue",
    "filed": "indigo",
    "dispatched": "violet",
    "in_progress": "grape",
    "handled": "cyan",
    "suspended": "gray",
    "closed": "teal",
    "rejected": "dark",
    "merged": "dark",
}


def status_label(status: str, lang: str) -> str:
    zh, en = LABELS[CaseStatus(status)]
    return en if lang == "en" else zh


def status_badge(status: str, lang: str) -> dmc.Badge:
    return dmc.Badge(
        status_label(status, lang),
        color=STATUS_COLORS.get(status, "gray"),
        variant="light",
        size="sm",
        className="wb-status",
    )


def when(value: datetime | None, *, year: bool = False) -> str:
    if value is None:
        return "—"
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M" if year else "%m-%d %H:%M")


def countdown(row: Any, lang: str) -> html.Span:
    """The stage's light and the time left (or overdue), kept live in the browser by ``workbench.js``;
    frozen with a note when the case is suspended."""
    light = row.light or "none"
    if row.stage_deadline is None:
        return html.Span(t("wb.light.none", lang), className="wb-cd wb-l-none")
    attrs = {
        "data-deadline": row.stage_deadline.isoformat(),
        "data-yellow": (row.stage_yellow_at or row.stage_deadline).isoformat(),
        "data-l": t("wb.cd.left", lang),
        "data-o": t("wb.cd.over", lang),
        "data-d": t("wb.cd.day", lang),
    }
    if row.paused_since is not None:
        attrs["data-paused"] = t("wb.cd.paused", lang)
    return html.Span(className=f"wb-cd wb-l-{light}", title=t(f"wb.light.{light}", lang), **attrs)


def queue_payload(rows: list[Any], lang: str) -> dict[str, Any]:
    """The queue as plain data, drawn in the browser by ``workbench.js`` (``wb.queue``): a list of hundreds of
    Dash components made every callback on the page slow (the renderer visits each one on every update)."""
    items = [
        {
            "id": r.id,
            "t": r.ticket,
            "s": r.status,
            "u": r.urgency == "urgent",
            "e": bool(r.escalated),
            "c": r.category_en if lang == "en" else r.category_zh,
            "d": (r.district_en if lang == "en" else r.district_zh) or "",
            "a": r.address or "",
            "l": r.light or "none",
            "dl": r.stage_deadline.isoformat() if r.stage_deadline else None,
            "ye": (r.stage_yellow_at or r.stage_deadline).isoformat() if r.stage_deadline else None,
            "p": r.paused_since is not None,
            "r": bool(getattr(r, "pending_request", False)),
            "ll": [r.lat, r.lon],
        }
        for r in rows
    ]
    strings = {
        "status": {s.value: status_label(s.value, lang) for s in CaseStatus},
        "urgent": t("wb.urgent", lang),
        "escalated": t("wb.escalated", lang),
        "left": t("wb.cd.left", lang),
        "over": t("wb.cd.over", lang),
        "day": t("wb.cd.day", lang),
        "paused": t("wb.cd.paused", lang),
        "none": t("wb.light.none", lang),
        "empty": t("wb.queue_empty", lang),
        "pending": t("wbf.pending_tag", lang),
    }
    return {"rows": items, "strings": strings}


def legend(lang: str) -> html.Div:
    return html.Div(
        className="wb-legend",
        children=[
            html.Span(
                [html.Span(className=f"wb-dot wb-l-{k}"), t(f"wb.light.{k}", lang)],
                # red is 超期: the same definition (db.light.overdue_sql) and words as the wall and /stats
                title=t("num.def.overdue", lang) if k == "red" else None,
            )
            for k in ("green", "yellow", "red", "none")
        ],
    )
