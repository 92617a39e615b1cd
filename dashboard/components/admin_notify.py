"""The parts of /admin/notify: the add form (drawn in the user's language), the routes table and the outbox table.
Pure rendering of :mod:`ops.notify` rows; URLs arrive masked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import dash_mantine_components as dmc
from dash import html

from dashboard.i18n import t
from dashboard.ids import admin as aid
from db.models.notify import NOTIFY_KINDS
from db.vocabulary import STAFF_ROLES
from geo.crs import TZ
from ops.links import case_path
from ops.notify.outbox_admin import OutboxCounts, OutboxRow
from ops.notify.routes import CLI_ACTOR, Route

#: the kinds a route may be limited to (a test message goes through whatever route it is sent by)
ROUTE_KINDS = tuple(k for k in NOTIFY_KINDS if k != "test")
STATUS_COLOR = {"pending": "blue", "delivered": "teal", "failed": "red"}


def when(value: datetime | None) -> str:
    return value.astimezone(TZ).strftime("%m-%d %H:%M:%S") if value else ""


def add_form(lang: str, departments: Sequence[tuple[str, str]]) -> list[Any]:
    """The add form's fields; ``departments``: (code, name) pairs."""
    return [
        html.H3(t("adm.form", lang), id=aid.FORM_TITLE),
        dmc.SegmentedControl(
            id=aid.TARGET_KIND,
            value="department",
            data=[{"value": v, "label": t(f"adm.target.{v}", lang)} for v in ("department", "role")],
            **{"aria-label": t("adm.target", lang)},
        ),
        dmc.Select(
            id=aid.DEPARTMENT,
            label=t("adm.department", lang),
            placeholder=t("adm.department.pick", lang),
            data=[{"value": code, "label": f"{name} ({code})"} for code, name in departments],
            searchable=True,
            clearable=True,
        ),
        dmc.Select(
            id=aid.ROLE,
            label=t("adm.role", lang),
            placeholder=t("adm.role.pick", lang),
            data=[{"value": r, "label": f"{t(f'wb.role.{r}', lang)} ({r})"} for r in STAFF_ROLES],
            style={"display": "none"},
        ),
        dmc.TextInput(
            id=aid.URL,
            label=t("adm.url", lang),
            description=t("adm.url.help", lang),
            placeholder="wecombot://…",
            autoComplete="off",
            n_submit=0,
        ),
        dmc.SegmentedControl(
            id=aid.LANG_PICK,
            value="zh",
            data=[{"value": v, "label": t(f"adm.lang.{v}", lang)} for v in ("zh", "en")],
            **{"aria-label": t("adm.lang", lang)},
        ),
        dmc.CheckboxGroup(
            id=aid.KINDS,
            label=t("adm.kinds", lang),
            value=[],
            children=dmc.Group([dmc.Checkbox(label=t(f"adm.kind.{k}", lang), value=k) for k in ROUTE_KINDS]),
        ),
        html.Div(id=aid.KINDS_ERROR, className="adm-field-error", role="alert"),
        dmc.TextInput(id=aid.LABEL, label=t("adm.label", lang), inputProps={"maxLength": 80}, n_submit=0),
        dmc.Button(t("adm.add", lang), id=aid.ADD, n_clicks=0, mt="sm"),
        html.Div(id=aid.ADD_NOTICE, role="status", **{"aria-live": "polite"}),  # type: ignore[arg-type]
    ]


def target(route: Route, lang: str) -> str:
    """``贵阳市城市管理局 (CGJ)`` or ``角色：值班长 (lead)``."""
    if route.role:
        return t("adm.target.role_of", lang, role=t(f"wb.role.{route.role}", lang), code=route.role)
    return route.target(lang)


def who(created_by: str | None, lang: str) -> str:
    return t("adm.by_cli", lang) if created_by == CLI_ACTOR else created_by or ""


def _kinds(route: Route, lang: str) -> str:
    if not route.kinds:
        return t("adm.kinds.all", lang)
    return (
        "、".join(t(f"adm.kind.{k}", lang) for k in route.kinds)
        if lang == "zh"
        else ", ".join(t(f"adm.kind.{k}", lang) for k in route.kinds)
    )


def _head(keys: Sequence[str], lang: str) -> html.Thead:
    return html.Thead(html.Tr([html.Th(t(k, lang)) for k in keys]))


def routes_table(routes: Sequence[Route], lang: str) -> Any:
    if not routes:
        return html.Div(t("adm.routes.empty", lang), className="adm-empty")
    keys = (
        "adm.col.target",
        "adm.col.url",
        "adm.col.lang",
        "adm.col.kinds",
        "adm.col.label",
        "adm.col.created",
        "adm.col.actions",
    )
    body = [
        html.Tr(
            [
                html.Td([html.Span(f"#{r.id} ", className="adm-id"), target(r, lang)]),
                html.Td(html.Code(r.masked_url)),
                html.Td(t(f"adm.lang.{r.lang}", lang)),
                html.Td(_kinds(r, lang)),
                html.Td(r.label or ""),
                html.Td(f"{when(r.created_at)} {who(r.created_by, lang)}"),
                html.Td(
                    dmc.Group(
                        [
                            dmc.Button(
                                t("adm.test", lang),
                                id={"type": aid.TEST, "id": r.id},
                                n_clicks=0,
                                size="xs",
                                variant="light",
                            ),
                            dmc.Button(
                                t("adm.remove", lang),
                                id={"type": aid.REMOVE, "id": r.id},
                                n_clicks=0,
                                size="xs",
                                color="red",
                                variant="subtle",
                            ),
                        ],
                        gap=4,
                        wrap="nowrap",
                    )
                ),
            ],
            **{"data-route": str(r.id)},  # type: ignore[arg-type]
        )
        for r in routes
    ]
    return html.Table([_head(keys, lang), html.Tbody(body)], className="adm-table adm-routes-table")


def counts_line(counts: OutboxCounts, lang: str) -> list[Any]:
    return [
        dmc.Badge(
            t(f"adm.status.{s}", lang) + f" {getattr(counts, s)}",
            color=STATUS_COLOR[s],
            variant="light",
            mr=6,
            **{"data-status": s},
        )
        for s in ("pending", "delivered", "failed")
    ]


def _case(row: OutboxRow, lang: str) -> Any:
    if row.ticket:
        return html.A(row.ticket, href=case_path(row.ticket))
    if row.alert_id:
        return t("adm.alert_ref", lang, id=row.alert_id)
    return ""


def outbox_table(rows: Sequence[OutboxRow], lang: str, *, failed_only: bool) -> Any:
    if not rows:
        return html.Div(
            t("adm.outbox.empty_failed" if failed_only else "adm.outbox.empty", lang), className="adm-empty"
        )
    keys = (
        "adm.col.time",
        "adm.col.kind",
        "adm.col.case",
        "adm.col.route",
        "adm.col.status",
        "adm.col.attempts",
        "adm.col.next",
        "adm.col.error",
        "adm.col.actions",
    )
    body = []
    for r in rows:
        who = r.route_label or r.route_target
        route = (
            f"#{r.route_id} {who}" if r.route_id is not None else f"{r.route_target} {r.route_label or ''}"
        )
        kind = t(f"sub.kind.{r.kind}", lang) if r.kind.startswith("area_") else t(f"adm.kind.{r.kind}", lang)
        body.append(
            html.Tr(
                [
                    html.Td(when(r.created_at)),
                    html.Td(kind),
                    html.Td(_case(r, lang)),
                    html.Td(
                        [
                            route,
                            html.Br(),
                            html.Code(r.route_url),
                            t("adm.route_removed", lang) if r.route_removed else None,
                        ]
                    ),
                    html.Td(
                        dmc.Badge(
                            t(f"adm.status.{r.status}", lang),
                            color=STATUS_COLOR[r.status],
                            variant="light",
                            size="sm",
                        )
                    ),
                    html.Td(str(r.attempts)),
                    html.Td(when(r.next_attempt_at) if r.status == "pending" else ""),
                    html.Td(r.last_error or "", className="adm-error"),
                    html.Td(
                        dmc.Button(
                            t("adm.resend", lang),
                            id={"type": aid.RESEND, "id": r.id},
                            n_clicks=0,
                            size="xs",
                            variant="light",
                            color="orange",
                        )
                        if r.status == "failed" and not r.route_removed
                        else ""
                    ),
                ],
                className=f"adm-msg adm-{r.status}",
                **{"data-outbox": str(r.id)},  # type: ignore[arg-type]
            )
        )
    return html.Table([_head(keys, lang), html.Tbody(body)], className="adm-table adm-outbox-table")
