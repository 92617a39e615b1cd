"""The feedback inbox's parts (/feedback): one item with its text, who sent it (contact masked unless the role may
see it), the answer, and its answer form and buttons; the empty state. Pure rendering of
:class:`ops.citizen.feedback.FeedbackRow` rows."""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc
from dash import html

from dashboard.i18n import t
from dashboard.ids import feedback as fid
from db.masking import mask_phone
from geo.crs import TZ
from ops.citizen.feedback import FeedbackRow

FILTERS = ("open", "handled", "all")


def mask_name(name: str | None) -> str | None:
    if not name:
        return None
    return name[0] + "**"


def when(value: Any) -> str:
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def sender(row: FeedbackRow, lang: str, *, unmasked: bool) -> str:
    """Who sent it: the pseudonym, and the contact (masked unless ``unmasked``)."""
    name, phone = (row.name, row.phone) if unmasked else (mask_name(row.name), mask_phone(row.phone))
    parts = [p for p in (row.person_pseudonym, name, phone) if p]
    return " · ".join(parts) if parts else t("fb.anonymous", lang)


def item(row: FeedbackRow, lang: str, *, unmasked: bool) -> html.Article:
    handled = row.handled_at is not None
    state = "handled" if handled else "open"
    meta = [
        html.Span(f"#{row.id}", className="fb-id"),
        dmc.Badge(
            t(f"fb.state.{state}", lang), color="green" if handled else "orange", variant="light", size="sm"
        ),
        html.Span(t("fb.from", lang, who=sender(row, lang, unmasked=unmasked)), className="fb-from"),
        html.Span(t("fb.received", lang, t=when(row.created_at))),
    ]
    if handled:
        meta.append(html.Span(t("fb.handled_at", lang, t=when(row.handled_at))))
    body: list[Any] = [html.Div(meta, className="fb-meta"), html.P(row.text, className="fb-text")]
    if row.answer:
        body.append(
            html.Div(
                [html.Strong(t("fb.answered", lang, t=when(row.answered_at))), " ", row.answer],
                className="fb-answer",
            )
        )
    buttons = [dmc.Button(t("fb.send", lang), id={"type": fid.SEND, "id": row.id}, n_clicks=0, size="xs")]
    if not handled:
        buttons += [
            dmc.Button(
                t("fb.send_close", lang),
                id={"type": fid.SEND_CLOSE, "id": row.id},
                n_clicks=0,
                size="xs",
                color="teal",
            ),
            dmc.Button(
                t("fb.mark", lang),
                id={"type": fid.MARK, "id": row.id},
                n_clicks=0,
                size="xs",
                variant="default",
            ),
        ]
    body += [
        dmc.Textarea(
            id={"type": fid.ANSWER, "id": row.id},
            label=t("fb.answer", lang),
            autosize=True,
            minRows=2,
            size="sm",
        ),
        dmc.Group(buttons, gap="xs", mt=6),
    ]
    return html.Article(body, className=f"fb-item fb-{state}", **{"data-id": str(row.id)})  # type: ignore[arg-type]


def empty(filter_value: str, lang: str) -> html.Div:
    return html.Div(t("fb.empty.open" if filter_value == "open" else "fb.empty", lang), className="fb-empty")
