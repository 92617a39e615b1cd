"""Small pieces of the workbench: status badges, lights with a live countdown, queue rows, the map legend."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash_mantine_components as dmc
from dash import html

from dashboard import ids_workbench as wid
from dashboard.i18n import t
from db.states import LABELS, CaseStatus
from geo.crs import TZ

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


def queue_rows(rows: list[Any], lang: str, selected: int | None) -> list[Any]:
    if not rows:
        return [html.Div(t("wb.queue_empty", lang), className="wb-empty")]
    out = []
    for r in rows:
        category = r.category_en if lang == "en" else r.category_zh
        district = (r.district_en if lang == "en" else r.district_zh) or ""
        tags = []
        if r.urgency == "urgent":
            tags.append(html.Span(t("wb.urgent", lang), className="wb-tag wb-tag-urgent"))
        if r.escalated:
            tags.append(html.Span(t("wb.escalated", lang), className="wb-tag"))
        out.append(
            html.Button(
                id={"type": wid.ROW, "id": r.id},
                n_clicks=0,
                type="button",
                role="option",
                className="wb-row is-sel" if r.id == selected else "wb-row",
                children=[
                    html.Span(className=f"wb-dot wb-l-{r.light or 'none'}"),
                    html.Span(
                        className="wb-row-main",
                        children=[
                            html.Span(
                                className="wb-row-top",
                                children=[html.B(r.ticket), status_badge(r.status, lang), *tags],
                            ),
                            html.Span(f"{category} · {district}", className="wb-row-sub"),
                            html.Span(r.address or "", className="wb-row-addr"),
                        ],
                    ),
                    countdown(r, lang),
                ],
            )
        )
    return out


def legend(lang: str) -> html.Div:
    return html.Div(
        className="wb-legend",
        children=[
            html.Span([html.Span(className=f"wb-dot wb-l-{k}"), t(f"wb.light.{k}", lang)])
            for k in ("green", "yellow", "red", "none")
        ],
    )
