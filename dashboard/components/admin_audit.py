"""The audit viewer's rows in words: the label of each kind (audit kinds, case actions, moderation actions), its
group, the target (a case's ticket linked to its card) and a short detail; the table of /admin/audit and the
cells of its CSV (formula-safe: a cell that a spreadsheet would take for a formula is prefixed with ``'``).
Pure rendering of :class:`db.queries.audit_view.AuditRow`; no personal data arrives here."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import dash_mantine_components as dmc
from dash import html

from dashboard.i18n import t
from db.queries.audit_view import AuditRow
from db.vocabulary import Action, CaseStatus
from geo.crs import TZ
from ops.audit_view import GROUP_OF, GROUPS
from ops.links import case_path
from ops.states import ACTION_LABELS, LABELS

GROUP_COLOR = {
    "signin": "blue",
    "case": "teal",
    "export": "grape",
    "admin": "orange",
    "moderation": "pink",
    "sharing": "cyan",
}
#: audit kinds shown in red: a sign-in that did not happen, a lock, an alert
WARN_KINDS = frozenset({"signin_failed", "signin_refused", "signin_locked", "alert"})
DETAIL_MAX = 160
#: the first characters a spreadsheet takes for a formula (OWASP "CSV injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def group_of(row: AuditRow) -> str:
    if row.source == "case":
        return "case"
    if row.source == "moderation":
        return "moderation"
    return GROUP_OF.get(row.kind, "admin")


def _pair(pair: tuple[str, str] | None, fallback: str, lang: str) -> str:
    if pair is None:
        return fallback
    return pair[1] if lang == "en" else pair[0]


def kind_label(row: AuditRow, lang: str) -> str:
    if row.source == "case":
        try:
            return _pair(ACTION_LABELS.get(Action(row.kind)), row.kind, lang)
        except ValueError:
            return row.kind
    if row.source == "moderation":
        return t(f"aud.mod.{row.kind}", lang)
    return t(f"aud.kind.{row.kind}", lang)


def _status(value: str | None, lang: str) -> str:
    if not value:
        return ""
    try:
        return _pair(LABELS.get(CaseStatus(value)), value, lang)
    except ValueError:
        return value


def target_text(row: AuditRow, lang: str) -> str:
    if row.ticket:
        return row.ticket
    if row.target_kind:
        return t(f"aud.target.{row.target_kind}", lang, id=row.target_id)
    return ""


def _value(v: Any) -> str:
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    return str(v)


def detail_text(row: AuditRow, lang: str) -> str:
    """A case action: its status change and department; an audit row: its detail as ``key=value`` pairs, cut."""
    if row.source == "case":
        text = " → ".join(s for s in (_status(row.from_status, lang), _status(row.to_status, lang)) if s)
        if row.department:
            text += " · " + t("aud.dept", lang, dept=row.department)
        return text
    if row.source == "moderation":
        return ""
    text = ", ".join(f"{k}={_value(v)}" for k, v in row.detail.items() if v not in (None, "", [], {}))
    return text if len(text) <= DETAIL_MAX else text[: DETAIL_MAX - 1] + "…"


def when(row: AuditRow) -> str:
    return row.at.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")


def group_options(lang: str) -> list[dict[str, str]]:
    return [{"value": g, "label": t(f"aud.group.{g}", lang)} for g in GROUPS]


# -- the page's table ---------------------------------------------------------------------------------------------


def _target_cell(row: AuditRow, lang: str) -> Any:
    if row.ticket:
        return html.A(
            row.ticket,
            href=case_path(row.ticket),
            className="aud-case",
            title=t("aud.case", lang, ticket=row.ticket),
        )
    return target_text(row, lang)


def _badge(row: AuditRow, lang: str) -> dmc.Badge:
    group = group_of(row)
    color = "red" if row.kind in WARN_KINDS and row.source == "audit" else GROUP_COLOR[group]
    return dmc.Badge(kind_label(row, lang), color=color, variant="light", size="sm", className="aud-kind")


def table(rows: Sequence[AuditRow], lang: str) -> Any:
    if not rows:
        return html.P(t("aud.empty", lang), className="aud-empty", role="status")
    head = html.Tr(
        [
            html.Th(t(f"aud.col.{c}", lang), scope="col")
            for c in ("at", "kind", "user", "client", "target", "detail")
        ]
    )
    body = [
        html.Tr(
            className=f"aud-row aud-g-{group_of(r)}",
            **{"data-source": r.source},  # type: ignore[arg-type]
            children=[
                html.Td(when(r), className="aud-at"),
                html.Td(_badge(r, lang)),
                html.Td(r.username or "", className="aud-user"),
                html.Td(r.client or "", className="aud-client"),
                html.Td(_target_cell(r, lang)),
                html.Td(detail_text(r, lang), className="aud-detail"),
            ],
        )
        for r in rows
    ]
    return html.Table(className="aud-table", children=[html.Thead(head), html.Tbody(body)])


# -- the CSV ------------------------------------------------------------------------------------------------------

CSV_COLUMNS = ("at", "group", "kind", "user", "client", "target", "detail")


def safe_cell(value: Any) -> str:
    """A cell as text that no spreadsheet runs as a formula: one starting with ``= + - @`` or a control
    character gets a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_header(lang: str) -> list[str]:
    return [t(f"aud.col.{c}", lang) for c in CSV_COLUMNS]


def csv_cells(row: AuditRow, lang: str) -> list[str]:
    cells = [
        when(row),
        t(f"aud.group.{group_of(row)}", lang),
        kind_label(row, lang),
        row.username,
        row.client,
        target_text(row, lang),
        detail_text(row, lang) if row.source != "audit" else _full_detail(row),
    ]
    return [safe_cell(c) for c in cells]


def _full_detail(row: AuditRow) -> str:
    return (
        json.dumps(row.detail, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        if row.detail
        else ""
    )
