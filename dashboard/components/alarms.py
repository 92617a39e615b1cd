"""The alarm banner (报警): the open 突发 / 督办 / 预警 alarms the reader is concerned with, over the page (wall and
workbench), each with what it is, its ticket or alert, place and age, a link to the case and, for a shift lead, a
确认 button; a lead also gets the latest acknowledged ones. The chime and the browser notifications are
``assets/alarms.js``'s, fed by the ``DATA`` store; the callbacks are :mod:`dashboard.callbacks.alarms`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import dcc, html

from dashboard import runtime
from dashboard.i18n import t
from dashboard.ids import alarms as ai
from ops.alarms import AlarmView
from ops.links import alert_path, case_path

#: how many alarms the banner lists (the rest are counted): the wall's banner must leave its tiles and map seen
SHOWN = {"wall": 3, "workbench": 6}
KINDS = ("urgent", "escalated", "alert")
CHIME = "/assets/sounds/alarm-chime.wav"


def page_banner(where: str, *, refresh_s: float | None = None) -> html.Div:
    """The banner with the app's settings (``GUIYANG_ALARM_REFRESH_S``, ``GUIYANG_ALARM_REPEAT_S``; a page with
    push of its own may pass its own fallback period as ``refresh_s``); their defaults when there is no app (a
    layout built outside a request, e.g. Dash's validation layout)."""
    try:
        settings = runtime.services().settings
    except RuntimeError:
        return banner(where, refresh_s=refresh_s or 20, repeat_s=30)
    return banner(where, refresh_s=refresh_s or settings.alarm_refresh_s, repeat_s=settings.alarm_repeat_s)


def banner(where: str, *, refresh_s: float, repeat_s: float) -> html.Div:
    """The banner of one page (``where``: "wall" or "workbench"); empty until its first read."""
    return html.Div(
        id=ai.ROOT,
        className=f"alm-root alm-{where}",
        children=[
            dcc.Store(id=ai.WHERE, data={"where": where, "repeat_ms": int(repeat_s * 1000)}),
            dcc.Store(id=ai.DATA),
            dcc.Store(id=ai.BELL),
            dcc.Store(id=ai.REFRESH, data=0),
            dcc.Store(id=ai.SOUND),
            dcc.Interval(id=ai.POLL, interval=int(refresh_s * 1000)),
            html.Audio(id=ai.AUDIO, src=CHIME, preload="auto"),
            html.Button(
                t("alm.enable"),
                id=ai.ENABLE,
                className="alm-enable",
                hidden=True,
                title=t("alm.enable.title"),
            ),
            html.Div(
                className="alm-box",
                role="alert",
                children=[
                    html.Div(id=ai.COUNT, className="alm-count"),
                    html.Div(id=ai.LIST, className="alm-list"),
                    html.Div(
                        className="alm-leadonly alm-ackrow",
                        children=[
                            dcc.Input(
                                id=ai.NOTE,
                                type="text",
                                maxLength=500,
                                placeholder=t("alm.note"),
                                className="alm-note",
                                debounce=False,
                            ),
                        ],
                    ),
                    html.Div(id=ai.NOTICE, className="alm-notice", role="status"),
                    dcc.Store(id=ai.CLICK),
                ],
            ),
            html.Details(
                className="alm-leadonly alm-history",
                children=[html.Summary(t("alm.history"), id=ai.HISTORY_TITLE), html.Div(id=ai.HISTORY)],
            ),
        ],
    )


def kind_label(kind: str, lang: str) -> str:
    return t(f"alm.kind.{kind}", lang)


def _ago(raised: datetime, now: datetime, lang: str) -> str:
    minutes = int((now - raised).total_seconds() // 60)
    if minutes < 1:
        return t("alm.ago.now", lang)
    if minutes < 120:
        return t("alm.ago.min", lang, n=minutes)
    return t("alm.ago.hour", lang, n=minutes // 60)


def what(a: AlarmView, lang: str) -> str:
    """The alarm's subject in one line: ticket and 小类, or the alert and its 小类."""
    cat = (a.category_en if lang == "en" else a.category_zh) or ""
    head = a.ticket if a.ticket else t("alm.alert", lang, id=a.alert_id)
    return f"{head} {cat}".strip()


def place(a: AlarmView, lang: str) -> str:
    district = (a.district_en if lang == "en" else a.district_zh) or ""
    if a.alert_id is not None and a.observed is not None:
        figures = t("alm.alert.figures", lang, observed=a.observed, expected=f"{a.expected or 0:.1f}")
        return " · ".join(x for x in (district, figures) if x)
    return " · ".join(x for x in (district, a.address or "") if x)


def link(a: AlarmView) -> str:
    return (
        case_path(a.ticket) if a.ticket else alert_path(a.alert_id) if a.alert_id else "/analysis?tab=alerts"
    )


def item(a: AlarmView, now: datetime, lang: str, *, can_ack: bool) -> html.Div:
    subject = a.ticket or t("alm.alert", lang, id=a.alert_id)
    cat = (a.category_en if lang == "en" else a.category_zh) or ""
    tail: Any = (
        html.Button(
            t("alm.ack", lang),
            id={"type": ai.ACK, "id": a.id},
            n_clicks=0,
            className="alm-ack",
            title=t("alm.ack.title", lang),
        )
        if can_ack
        else html.Span(t("alm.lead_only", lang), className="alm-wait")
    )
    return html.Div(
        className=f"alm-item alm-k-{a.kind}",
        **{"data-alarm": str(a.id)},  # type: ignore[arg-type]
        children=[
            html.Span(kind_label(a.kind, lang), className="alm-kind"),
            html.A(subject, href=link(a), className="alm-ticket"),
            html.Span(cat, className="alm-cat"),
            html.Span(place(a, lang), className="alm-place"),
            html.Span(_ago(a.raised_at, now, lang), className="alm-ago", title=a.raised_at.isoformat()),
            tail,
        ],
    )


def shown(where: str | None) -> int:
    return SHOWN.get(where or "", SHOWN["workbench"])


def count_line(counts: dict[str, int], lang: str) -> str:
    """``报警 24 条待确认`` and, with more than one kind, how many of each (突发 15 · 督办 6 · 预警 3)."""
    total = sum(counts.values())
    if not total:
        return ""
    head = t("alm.count", lang, n=total)
    kinds = [(k, counts[k]) for k in KINDS if counts.get(k)]
    if len(kinds) < 2:
        return head
    return t(
        "alm.count.kinds", lang, head=head, kinds=" · ".join(f"{kind_label(k, lang)} {n}" for k, n in kinds)
    )


def items(
    rows: list[AlarmView], now: datetime, lang: str, *, can_ack: bool, limit: int, total: int
) -> list[Any]:
    """The newest ``limit`` of the open alarms (``rows``), and how many more of ``total`` ring."""
    out: list[Any] = [item(a, now, lang, can_ack=can_ack) for a in rows[:limit]]
    rest = max(total, len(rows)) - len(out)
    if rest > 0:
        out.append(html.Div(t("alm.more", lang, n=rest), className="alm-more"))
    return out


def history(rows: list[AlarmView], lang: str) -> list[Any]:
    if not rows:
        return [html.Div(t("alm.history.none", lang), className="alm-hrow")]
    out: list[Any] = []
    for a in rows:
        when = a.acknowledged_at.strftime("%m-%d %H:%M") if a.acknowledged_at else ""
        out.append(
            html.Div(
                className="alm-hrow",
                children=[
                    html.Span(kind_label(a.kind, lang), className=f"alm-kind alm-k-{a.kind}"),
                    html.A(what(a, lang), href=link(a)),
                    html.Span(t("alm.history.row", lang, who=a.acknowledged_by or "?", when=when)),
                    html.Span(a.ack_note or "", className="alm-hnote"),
                ],
            )
        )
    return out


def browser_data(rows: list[AlarmView], lang: str) -> dict[str, Any]:
    """What ``alarms.js`` needs: the open alarms (id, notification title and body, link) and its texts."""
    return {
        "open": [
            {
                "id": a.id,
                "kind": a.kind,
                "title": t("alm.notify.title", lang, kind=kind_label(a.kind, lang), what=what(a, lang)),
                "body": place(a, lang),
                "link": link(a),
            }
            for a in rows
        ],
        "texts": {"enable": t("alm.enable", lang)},
    }
