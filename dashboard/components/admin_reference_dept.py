"""The departments tab of /admin/reference: rename from a date (with the history) and add a department at once.
Pure rendering; the shared pieces come from :mod:`dashboard.components.admin_reference`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import dash_mantine_components as dmc
from dash import html

from dashboard.components.admin_reference import (
    Pairs,
    _by,
    _day,
    _effective,
    _notice,
    _options,
    _status,
    _table,
    _when,
)
from dashboard.i18n import t
from dashboard.ids import admin_reference as rid
from db.models.reference import DEPARTMENT_TYPES
from db.reference_rules import BASELINE


def _names(ids: Sequence[str], lang: str) -> dmc.Group:
    keys = ("ref.dep.name_zh", "ref.dep.name_en", "ref.dep.short_zh", "ref.dep.short_en")
    widths = (260, 360, 160, 220)
    return dmc.Group(
        [
            dmc.TextInput(id=i, label=t(k, lang), n_submit=0, w=w)
            for i, k, w in zip(ids, keys, widths, strict=True)
        ],
        align="flex-start",
    )


def department_form(lang: str, departments: Pairs, districts: Pairs, tomorrow: str) -> list[Any]:
    types = [{"value": v, "label": t(f"ref.dep.type.{v}", lang)} for v in DEPARTMENT_TYPES]
    return [
        dmc.Select(
            id=rid.DEP,
            label=t("ref.dep", lang),
            placeholder=t("ref.dep.pick", lang),
            data=_options(departments),
            searchable=True,
            w=460,
        ),
        html.Div(
            className="ref-form",
            children=[
                _names((rid.DEP_NAME_ZH, rid.DEP_NAME_EN, rid.DEP_SHORT_ZH, rid.DEP_SHORT_EN), lang),
                dmc.Group(
                    [
                        _effective(rid.DEP_EFFECTIVE, lang, tomorrow),
                        dmc.Button(t("ref.save", lang), id=rid.DEP_SAVE, n_clicks=0, mt=22),
                    ],
                    align="flex-start",
                ),
                _notice(rid.DEP_NOTICE),
            ],
        ),
        html.H3(t("ref.history", lang)),
        html.Div(id=rid.DEP_HISTORY, children=html.P(t("ref.dep.none", lang), className="adm-empty")),
        html.H3(t("ref.dep.new", lang)),
        html.Div(
            className="ref-form",
            children=[
                dmc.Group(
                    [
                        dmc.TextInput(
                            id=rid.NEW_CODE,
                            label=t("ref.dep.code", lang),
                            description=t("ref.dep.code.help", lang),
                            n_submit=0,
                            w=260,
                        ),
                        dmc.Select(id=rid.NEW_TYPE, label=t("ref.dep.type", lang), data=types, w=180, mt=18),
                        dmc.Select(
                            id=rid.NEW_DISTRICT,
                            label=t("ref.dep.district", lang),
                            data=_options(districts),
                            clearable=True,
                            w=260,
                            mt=18,
                        ),
                    ],
                    align="flex-start",
                ),
                _names((rid.NEW_NAME_ZH, rid.NEW_NAME_EN, rid.NEW_SHORT_ZH, rid.NEW_SHORT_EN), lang),
                dmc.Group([dmc.Button(t("ref.dep.add", lang), id=rid.NEW_ADD, n_clicks=0)]),
                _notice(rid.NEW_NOTICE),
            ],
        ),
    ]


def department_history(rows: Sequence[Any], today: date, lang: str) -> Any:
    if not rows:
        return html.P(t("ref.dep.none", lang), className="adm-empty")
    head = [
        t("ref.h.from", lang), t("ref.h.to", lang), "", t("ref.dep.name_zh", lang), t("ref.dep.name_en", lang),
        t("ref.dep.short_zh", lang), t("ref.dep.short_en", lang), t("ref.h.at", lang), t("ref.h.by", lang),
    ]  # fmt: skip
    body = [
        [
            _day(r.valid_from, lang),
            _day(r.valid_to, lang, end=True),
            _status(r.valid_from, r.valid_to, today, lang),
            r.name_zh,
            r.name_en,
            r.short_name_zh or "",
            r.short_name_en or "",
            _when(r.recorded_at) if r.valid_from != BASELINE else "",
            _by(r, lang),
        ]
        for r in rows
    ]
    classes = [
        "ref-scheduled"
        if r.valid_from > today
        else ("ref-current" if _status(r.valid_from, r.valid_to, today, lang) else "ref-past")
        for r in rows
    ]
    return _table(head, body, classes)
