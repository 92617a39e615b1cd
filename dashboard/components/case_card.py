"""The case card's read-only parts: header, facts, photos, deadline with light, duplicates nearby, history."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import dash
import dash_mantine_components as dmc
from dash import html

from dashboard.components.workbench_queue import countdown, status_badge, status_label, when
from dashboard.i18n import t
from dashboard.ids import an_hot as hid
from dashboard.ids import workbench as wid
from db.queries.wb_card import CaseCard
from ops.states import ACTION_LABELS, Action

PHOTO_ROUTE = "/media/photo/{photo_id}/{size}"  # served with access control by the Open311 API module


@functools.cache
def photos_served() -> bool:
    """Whether the app serves photos at :data:`PHOTO_ROUTE` (without it the card shows counts only)."""
    try:
        server = dash.get_app().server
    except Exception:  # noqa: BLE001 - no running app: no thumbnails
        return False

    def paths(routes: Any) -> Iterator[str]:
        for r in routes or ():
            yield getattr(r, "path", "") or ""
            inner = getattr(r, "original_router", None) or getattr(r, "app", None)  # included routers, mounts
            if inner is not None and inner is not r:
                yield from paths(getattr(inner, "routes", None))

    return any(p.endswith(PHOTO_ROUTE) for p in paths(getattr(server, "routes", None)))


def _name(row: Any, prefix: str, lang: str) -> str | None:
    value = getattr(row, f"{prefix}_en" if lang == "en" else f"{prefix}_zh")
    return str(value) if value else None


def _fact(label: str, *value: Any) -> html.Div:
    return html.Div(className="wb-fact", children=[html.Span(label, className="wb-fact-k"), html.Div(value)])


def _photos(card: CaseCard, lang: str) -> html.Div:
    photos = card.photos
    if not photos:
        return _fact(t("wb.card.photos", lang), t("wb.card.no_photos", lang))
    counts = {"report": 0, "handled": 0}
    for p in photos:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    text = t("wb.card.photo_count", lang, n=len(photos), report=counts["report"], handled=counts["handled"])
    thumbs: list[Any] = []
    if photos_served():
        thumbs = [
            html.A(
                html.Img(
                    src=PHOTO_ROUTE.format(photo_id=p.id, size="thumb"),
                    className="wb-thumb",
                    alt=t(f"wb.photo.{p.kind}", lang),
                    title=t(f"wb.photo.{p.kind}", lang),
                ),
                href=PHOTO_ROUTE.format(photo_id=p.id, size="full"),
                target="_blank",
                rel="noopener",
            )
            for p in photos[:18]
        ]
    return _fact(t("wb.card.photos", lang), html.Span(text), html.Div(thumbs, className="wb-thumbs"))


def _deadline(c: Any, lang: str) -> list[Any]:
    unit = t(f"wb.unit.{c.time_unit}", lang) if c.time_unit else ""
    limit = f"{float(c.time_limit):g}" if c.time_limit is not None else "—"
    out = [
        _fact(
            t("wb.card.stage", lang),
            html.Div(
                className="wb-deadline", children=[countdown(c, lang), html.Span(when(c.stage_deadline))]
            ),
        ),
        _fact(
            t("wb.card.deadline", lang),
            html.Div(when(c.deadline, year=True)),
            html.Div(t("wb.card.limit", lang, amount=limit, unit=unit), className="wb-muted"),
        ),
    ]
    if c.rework_count or c.return_count or c.extension_count:
        out.append(
            html.Div(
                t("wb.card.counters", lang, rework=c.rework_count, ret=c.return_count, ext=c.extension_count),
                className="wb-muted",
            )
        )
    return out


def _duplicates(card: CaseCard, lang: str) -> html.Section:
    if not card.duplicates:
        body: Any = html.Div(t("wb.card.no_duplicates", lang), className="wb-muted")
    else:
        body = [
            html.Button(
                id={"type": wid.DUP, "id": d.id},
                n_clicks=0,
                type="button",
                className="wb-dup",
                children=[
                    html.B(d.ticket),
                    status_badge(d.status, lang),
                    html.Span(t("wb.card.distance", lang, m=round(d.distance_m)), className="wb-muted"),
                    html.Span(when(d.created_at), className="wb-muted"),
                ],
            )
            for d in card.duplicates
        ]
    return html.Section(
        className="wb-section", children=[html.H4(t("wb.card.duplicates", lang)), html.Div(body)]
    )


def _recurrence(card: CaseCard, lang: str) -> html.Div | None:
    """复发: "本案为 GY… 的第 N 次复发（距 18 米，结案后 12 天）" and / or "已复发：GY…" (db.queries.recurrence)."""
    rec = card.recurrence
    if rec.empty:
        return None
    hidden = t("an.places.card.hidden", lang)
    lines: list[Any] = []
    if rec.recurs is not None:
        r = rec.recurs
        key = (
            "an.places.card.recurs" if r.place_case_id == r.earlier_case_id else "an.places.card.recurs_chain"
        )
        text = t(
            key,
            lang,
            ticket=r.earlier_ticket or hidden,
            place=r.place_ticket or hidden,
            n=r.number,
            m=round(r.distance_m),
            d=int(r.days_after_close),
        )
        lines.append(html.Div(text, className="wb-recur wb-recur-new"))
    if rec.recurred_by:
        tickets = "、".join(r.ticket or hidden for r in rec.recurred_by)
        lines.append(html.Div(t("an.places.card.recurred", lang, tickets=tickets), className="wb-recur"))
    return _fact(t("an.places.card.label", lang), *lines)


def _event_extras(e: Any, lang: str) -> list[str]:
    p = e.payload or {}
    out: list[str] = []
    action = e.action
    dep = _name(e, "department", lang)
    if action == "file" and p.get("urgency"):
        out.append(t("wb.ev.urgency", lang, level=t(f"wb.a.urgency.{p['urgency']}", lang)))
    if action in ("dispatch", "return") and dep:
        out.append(t("wb.ev.department", lang, name=dep))
    if p.get("into_ticket"):
        out.append(t("wb.ev.into", lang, ticket=p["into_ticket"]))
    if action == "handle" and p.get("photos"):
        out.append(t("wb.ev.photos", lang, n=len(p["photos"])))
    if action in ("extend", "extend_request") or (action == "request_approve" and p.get("kind") == "extend"):
        if p.get("amount") is not None:
            unit = t(f"wb.unit.{p.get('unit')}", lang)
            out.append(t("wb.ev.extend", lang, amount=f"{float(p['amount']):g}", unit=unit))
    if p.get("request") is not None:
        kind = ACTION_LABELS[Action.SUSPEND if p.get("kind") == "suspend" else Action.EXTEND]
        out.append(t("wbf.ev.request", lang, id=p["request"], kind=kind[1] if lang == "en" else kind[0]))
    if action == "report" and p.get("duplicates"):
        out.append(t("wb.ev.duplicates", lang, n=len(p["duplicates"])))
    if action == "resume" and p.get("paused_seconds") is not None:
        out.append(t("wb.ev.paused", lang, hours=f"{p['paused_seconds'] / 3600:.1f}"))
    if p.get("deadline"):
        out.append(t("wb.ev.deadline", lang, at=when(datetime.fromisoformat(p["deadline"]))))
    return out


def history(card: CaseCard, lang: str) -> html.Section:
    items = []
    for e in card.events:
        zh, en = ACTION_LABELS[Action(e.action)]
        role = t(f"wb.role.{e.actor_role}", lang)
        who = role
        if e.actor_name:  # staff names often carry the role already ("派遣员 李强")
            who = e.actor_name if role in e.actor_name else f"{e.actor_name} ({role})"
        status = status_label(e.to_status, lang)
        lines: list[Any] = [
            html.Div(f"{when(e.at)} · {who} · → {status}", className="wb-ev-meta"),
            *[html.Div(x, className="wb-ev-extra") for x in _event_extras(e, lang)],
        ]
        if e.note:
            lines.append(html.Div(e.note, className="wb-ev-note"))
        items.append(dmc.TimelineItem(title=en if lang == "en" else zh, children=lines))
    return html.Section(
        className="wb-section wb-history",
        children=[
            html.H4(t("wb.card.history", lang)),
            dmc.Timeline(active=len(items) - 1, bulletSize=14, lineWidth=2, children=items),
        ],
    )


def request_box(card: CaseCard, lang: str) -> html.Div | None:
    """The case's 挂账 / 延期 request: who asked, when, why, and where it stands (待审批, or the decision)."""
    r = card.request
    if r is None:
        return None
    dept = _name(r, "department", lang) or "—"
    unit = t(f"wb.unit.{card.case.time_unit}", lang)
    amount = f"{float(r.amount):g}" if r.amount is not None else ""
    lines: list[Any] = [
        html.Div(
            [
                html.B(t(f"wbf.req.{r.kind}", lang, dept=dept, amount=amount, unit=unit)),
                html.Span(t(f"wbf.req.{r.state}", lang), className=f"wb-req-state wb-req-{r.state}"),
            ],
            className="wb-req-head",
        ),
        html.Div(t("wbf.req.reason", lang, text=r.reason), className="wb-req-reason"),
        html.Div(
            t("wbf.req.by", lang, who=r.requested_by_name or dept, at=when(r.requested_at)),
            className="wb-muted",
        ),
    ]
    if r.state != "pending" and r.decided_at is not None:
        lines.append(
            html.Div(
                t("wbf.req.decided", lang, who=r.decided_by_name or "—", at=when(r.decided_at)),
                className="wb-muted",
            )
        )
    if r.decision_note:
        lines.append(html.Div(t("wbf.req.note", lang, text=r.decision_note), className="wb-req-reason"))
    return html.Div(
        className=f"wb-req wb-req-box-{r.state}",
        role="status",
        children=[html.Div(t("wbf.req.title", lang), className="wb-fact-k"), *lines],
    )


def card_info(card: CaseCard, lang: str) -> list[Any]:
    c = card.case
    tags: list[Any] = [status_badge(c.status, lang)]
    if c.urgency == "urgent":
        tags.append(html.Span(t("wb.urgent", lang), className="wb-tag wb-tag-urgent"))
    if c.escalated:
        tags.append(html.Span(t("wb.escalated", lang), className="wb-tag"))
    category = (
        f"{t(f'wb.kind.{c.kind}', lang)} · {_name(c, 'major', lang) or ''} / {_name(c, 'category', lang)}"
    )
    place = [
        html.Div(c.address or "—"),
        html.Div(
            f"{_name(c, 'district', lang) or ''} · "
            + (t("wb.card.cell", lang, code=c.cell_code) if c.cell_code else "")
            + f" · {c.lat:.5f}, {c.lon:.5f}",
            className="wb-muted",
        ),
    ]
    department = _name(c, "department", lang) or t("wb.card.none", lang)
    dept_extra = []
    if c.suggested_department_code and c.suggested_department_code != c.department_code:
        dept_extra.append(
            html.Div(t("wb.card.suggested", lang, name=_name(c, "suggested", lang)), className="wb-muted")
        )
    out: list[Any] = [
        html.Div(
            className="wb-card-head",
            children=[html.H3(c.ticket, className="wb-ticket"), html.Div(tags, className="wb-tags")],
        ),
        _fact(
            t("wb.card.category", lang),
            html.Span(category),
            html.Span(f" ({c.category_code})", className="wb-muted"),
        ),
        _fact(t("wb.card.description", lang), html.Div(c.description or "—", className="wb-desc")),
        _fact(t("wb.card.location", lang), *place),
        *[x for x in (_recurrence(card, lang),) if x is not None],
        _fact(
            t("wb.card.source", lang),
            f"{t(f'wb.src.{c.source}', lang)} · {t('wb.card.reported', lang)} {when(c.created_at, year=True)}",
        ),
        _photos(card, lang),
        _fact(t("wb.card.department", lang), html.Div(department), *dept_extra),
        *_deadline(c, lang),
        # filled by dashboard.callbacks.an_hot_card once the card is shown (hot spots are kept, not recomputed)
        html.Div(id={"type": hid.CARD_HOT, "case": c.id}, className="wb-fact"),
    ]
    if c.merged_into_ticket:
        out.append(
            html.Div(t("wb.card.merged_into", lang, ticket=c.merged_into_ticket), className="wb-muted")
        )
    box = request_box(card, lang)
    if box is not None:
        out.append(box)
    if c.close_condition and c.status == "handled":
        out.append(html.Div(t("wb.card.close_condition", lang, text=c.close_condition), className="wb-muted"))
    return out


def card_sections(card: CaseCard, lang: str) -> list[Any]:
    """Duplicates and history, shown below the actions."""
    return [_duplicates(card, lang), history(card, lang)]
