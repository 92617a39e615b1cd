"""The parts of /admin/reference: the three forms (drawn in the user's language) and the listings (current rule,
history). Pure rendering of :mod:`db.reference_rules` rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import dash_mantine_components as dmc
from dash import html

from dashboard.i18n import t
from dashboard.ids import admin_reference as rid
from db.models.reference import TIME_UNITS
from db.reference_rules import BASELINE
from geo.crs import TZ

Pairs = Sequence[tuple[str, str]]


def _notice(component_id: str) -> html.Div:
    return html.Div(id=component_id, role="status", **{"aria-live": "polite"})  # type: ignore[arg-type]


def _effective(component_id: str, lang: str, default: str) -> dmc.TextInput:
    return dmc.TextInput(
        id=component_id,
        label=t("ref.effective", lang),
        description=t("ref.effective.help", lang),
        value=default,
        placeholder="YYYY-MM-DD",
        autoComplete="off",
        n_submit=0,
        w=220,
    )


def _options(pairs: Pairs) -> list[dict[str, str]]:
    return [{"value": code, "label": f"{code} {name}"} for code, name in pairs]


def category_form(lang: str, categories: Pairs, departments: Pairs, tomorrow: str) -> list[Any]:
    units = [{"value": u, "label": t(f"ref.unit.{u}", lang)} for u in TIME_UNITS]
    return [
        dmc.Select(
            id=rid.CAT,
            label=t("ref.cat", lang),
            placeholder=t("ref.cat.pick", lang),
            data=_options(categories),
            searchable=True,
            w=420,
        ),
        html.Div(
            className="ref-form",
            children=[
                dmc.Group(
                    [
                        dmc.TextInput(id=rid.CAT_NAME_ZH, label=t("ref.name_zh", lang), n_submit=0, w=200),
                        dmc.TextInput(id=rid.CAT_NAME_EN, label=t("ref.name_en", lang), n_submit=0, w=320),
                    ],
                    align="flex-start",
                ),
                dmc.Group(
                    [
                        dmc.NumberInput(
                            id=rid.CAT_LIMIT, label=t("ref.limit", lang), min=0, decimalScale=2, w=140
                        ),
                        dmc.Select(id=rid.CAT_UNIT, label=t("ref.unit", lang), data=units, w=180),
                        dmc.Select(
                            id=rid.CAT_DEPT,
                            label=t("ref.dept", lang),
                            placeholder=t("ref.dept.none", lang),
                            data=_options(departments),
                            searchable=True,
                            clearable=True,
                            w=320,
                        ),
                        dmc.NumberInput(id=rid.CAT_POINTS, label=t("ref.points", lang), min=0, w=120),
                    ],
                    align="flex-start",
                ),
                dmc.Group(
                    [
                        dmc.Switch(id=rid.CAT_PUBLIC, label=t("ref.public", lang), checked=True),
                        dmc.Switch(id=rid.CAT_ACTIVE, label=t("ref.active", lang), checked=True),
                    ]
                ),
                dmc.Group(
                    [
                        _effective(rid.CAT_EFFECTIVE, lang, tomorrow),
                        dmc.Button(t("ref.save", lang), id=rid.CAT_SAVE, n_clicks=0, mt=22),
                    ],
                    align="flex-start",
                ),
                _notice(rid.CAT_NOTICE),
            ],
        ),
        html.H3(t("ref.history", lang)),
        html.Div(id=rid.CAT_HISTORY, children=html.P(t("ref.cat.none", lang), className="adm-empty")),
    ]


def responsibility_form(
    lang: str, categories: Pairs, districts: Pairs, departments: Pairs, tomorrow: str
) -> list[Any]:
    places = [{"value": "city", "label": t("ref.district.city", lang)}] + _options(districts)
    return [
        dmc.Select(
            id=rid.RESP_CAT,
            label=t("ref.cat", lang),
            placeholder=t("ref.cat.pick", lang),
            data=_options(categories),
            searchable=True,
            w=420,
        ),
        html.Div(
            className="ref-form",
            children=[
                dmc.Group(
                    [
                        dmc.Select(
                            id=rid.RESP_DISTRICT,
                            label=t("ref.district", lang),
                            data=places,
                            value="city",
                            w=240,
                        ),
                        dmc.Select(
                            id=rid.RESP_DEPT,
                            label=t("ref.resp.dept", lang),
                            placeholder=t("ref.resp.dept.none", lang),
                            data=_options(departments),
                            searchable=True,
                            clearable=True,
                            w=380,
                        ),
                        _effective(rid.RESP_EFFECTIVE, lang, tomorrow),
                        dmc.Button(t("ref.save", lang), id=rid.RESP_SAVE, n_clicks=0, mt=22),
                    ],
                    align="flex-start",
                ),
                _notice(rid.RESP_NOTICE),
            ],
        ),
        html.Div(id=rid.RESP_TABLE, children=html.P(t("ref.cat.none", lang), className="adm-empty")),
    ]


def holiday_form(lang: str, years: Sequence[int], year: int, tomorrow: str) -> list[Any]:
    kinds = [{"value": k, "label": t(f"ref.hol.kind.{k}", lang)} for k in ("holiday", "workday", "none")]
    return [
        dmc.Select(
            id=rid.HOL_YEAR,
            label=t("ref.hol.year", lang),
            data=[str(y) for y in years],
            value=str(year),
            w=140,
        ),
        html.Div(
            className="ref-form",
            children=[
                dmc.Group(
                    [
                        dmc.TextInput(
                            id=rid.HOL_DAY,
                            label=t("ref.hol.day", lang),
                            placeholder="YYYY-MM-DD",
                            n_submit=0,
                            w=150,
                        ),
                        dmc.Select(
                            id=rid.HOL_KIND, label=t("ref.hol.kind", lang), data=kinds, value="holiday", w=220
                        ),
                        dmc.TextInput(id=rid.HOL_NAME_ZH, label=t("ref.name_zh", lang), n_submit=0, w=160),
                        dmc.TextInput(id=rid.HOL_NAME_EN, label=t("ref.name_en", lang), n_submit=0, w=220),
                    ],
                    align="flex-start",
                ),
                dmc.Group(
                    [
                        _effective(rid.HOL_EFFECTIVE, lang, tomorrow),
                        dmc.Button(t("ref.save", lang), id=rid.HOL_SAVE, n_clicks=0, mt=22),
                    ],
                    align="flex-start",
                ),
                _notice(rid.HOL_NOTICE),
            ],
        ),
        html.Div(id=rid.HOL_TABLE),
    ]


# --- listings ---------------------------------------------------------------------------------------------------


def _day(value: date | None, lang: str, *, end: bool = False) -> str:
    if value is None:
        return t("ref.h.open", lang) if end else ""
    return t("ref.h.baseline", lang) if value == BASELINE else value.isoformat()


def _by(row: Any, lang: str) -> str:
    """Who recorded a version: the user, or (no user: an edit from ``guiyang-ops reference``) the command line."""
    if row.recorded_by:
        return str(row.recorded_by)
    return "" if row.valid_from == BASELINE else t("ref.h.cli", lang)


def _when(value: datetime | None) -> str:
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]], row_class: Sequence[str] = ()) -> html.Table:
    return html.Table(
        className="adm-table ref-table",
        children=[
            html.Thead(html.Tr([html.Th(h) for h in head])),
            html.Tbody(
                [
                    html.Tr([html.Td(c) for c in r], className=row_class[i] if i < len(row_class) else None)
                    for i, r in enumerate(rows)
                ]
            ),
        ],
    )


def _status(valid_from: date, valid_to: date | None, today: date, lang: str) -> str:
    if valid_from > today:
        return t("ref.h.scheduled", lang)
    if valid_to is None or valid_to > today:
        return t("ref.h.current", lang)
    return ""


def category_history(rows: Sequence[Any], today: date, lang: str, names: dict[str, str]) -> Any:
    if not rows:
        return html.P(t("ref.cat.none", lang), className="adm-empty")
    yes, no = t("ref.yes", lang), t("ref.no", lang)
    head = [
        t("ref.h.from", lang), t("ref.h.to", lang), "", t("ref.limit", lang), t("ref.dept", lang),
        t("ref.points", lang), t("ref.public", lang), t("ref.active", lang), t("ref.name_zh", lang),
        t("ref.name_en", lang), t("ref.h.at", lang), t("ref.h.by", lang),
    ]  # fmt: skip
    body, classes = [], []
    for r in rows:
        status = _status(r.valid_from, r.valid_to, today, lang)
        body.append(
            [
                _day(r.valid_from, lang),
                _day(r.valid_to, lang, end=True),
                status,
                f"{float(r.time_limit):g} {t(f'ref.unit.{r.time_unit}', lang)}",
                names.get(
                    r.default_department_code or "", r.default_department_code or t("ref.dept.none", lang)
                ),
                str(r.points),
                yes if r.public else no,
                yes if r.active else no,
                r.name_zh,
                r.name_en,
                _when(r.recorded_at) if r.valid_from != BASELINE else "",
                _by(r, lang),
            ]
        )
        classes.append("ref-scheduled" if r.valid_from > today else ("ref-current" if status else "ref-past"))
    return _table(head, body, classes)


def responsibility_view(
    table: Sequence[Any], history: Sequence[Any], today: date, lang: str, names: dict[str, str]
) -> list[Any]:
    en = lang == "en"

    def place(code: str | None, zh: str | None, en_name: str | None) -> str:
        return t("ref.district.city", lang) if code is None else f"{(en_name if en else zh) or code} ({code})"

    def dept(code: str | None) -> str:
        return "—" if code is None else f"{names.get(code, code)} ({code})"

    now = _table(
        [t("ref.district", lang), t("ref.resp.row", lang), t("ref.resp.reached", lang)],
        [
            [place(r.district, r.district_zh, r.district_en), dept(r.row_department), dept(r.reached)]
            for r in table
        ],
        ["ref-gap" if r.reached is None else "" for r in table],
    )
    out: list[Any] = [html.H3(t("ref.resp.today", lang)), now, html.H3(t("ref.history", lang))]
    if not history:
        out.append(html.P(t("ref.resp.noedits", lang), className="adm-empty"))
        return out
    out.append(
        _table(
            [
                t("ref.district", lang),
                t("ref.resp.dept", lang),
                t("ref.h.from", lang),
                t("ref.h.to", lang),
                "",
                t("ref.h.at", lang),
                t("ref.h.by", lang),
            ],  # fmt: skip
            [
                [
                    place(h.district_code, h.district_zh, h.district_en),
                    dept(h.department_code),
                    _day(h.valid_from, lang),
                    _day(h.valid_to, lang, end=True),
                    _status(h.valid_from, h.valid_to, today, lang),
                    _when(h.recorded_at) if h.valid_from != BASELINE else "",
                    _by(h, lang),
                ]
                for h in history
            ],
            ["ref-scheduled" if h.valid_from > today else "" for h in history],
        )
    )
    return out


def holiday_view(days: Sequence[Any], edits: Sequence[Any], today: date, lang: str) -> list[Any]:
    en = lang == "en"
    out: list[Any] = [html.H3(t("ref.hol.today", lang))]
    if days:
        out.append(
            _table(
                [
                    t("ref.hol.day", lang),
                    t("ref.hol.kind", lang),
                    t("ref.name_zh", lang) if not en else t("ref.name_en", lang),
                ],
                [
                    [
                        d.day.isoformat()
                        + f" ({'一二三四五六日'[d.day.weekday()] if not en else d.day.strftime('%a')})",
                        t(f"ref.hol.kind.{d.kind}", lang),
                        d.name_en if en else d.name_zh,
                    ]
                    for d in days
                ],  # fmt: skip
                ["ref-workday" if d.kind == "workday" else "" for d in days],
            )
        )
    else:
        out.append(html.P(t("ref.hol.empty", lang), className="adm-empty"))
    out.append(html.H3(t("ref.hol.edits", lang)))
    if not edits:
        out.append(html.P(t("ref.hol.noedits", lang), className="adm-empty"))
        return out
    out.append(
        _table(
            [
                t("ref.hol.day", lang),
                t("ref.hol.kind", lang),
                t("ref.name_zh", lang),
                t("ref.h.from", lang),
                "",
                t("ref.h.at", lang),
                t("ref.h.by", lang),
            ],  # fmt: skip
            [
                [
                    e.day.isoformat(),
                    t(f"ref.hol.kind.{e.kind}", lang),
                    e.name_en if en else e.name_zh,
                    e.valid_from.isoformat(),
                    t("ref.h.scheduled", lang) if e.valid_from > today else "",
                    _when(e.recorded_at),
                    _by(e, lang),
                ]  # fmt: skip
                for e in edits
            ],
        )
    )
    return out
