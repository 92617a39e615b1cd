"""The case card's action forms: one small form per action the user's role and the case's status allow.

Every input has a pattern-matching ID ``{"type": FIELD, "a": action, "f": field}`` and every button
``{"type": BTN, "a": action}``; the action callback reads them by those IDs. ``drafts`` (``"action|field"`` →
value) puts back what the user typed when an attempt failed and the forms had to be drawn again.

A language switch does not draw the forms again (that would drop what was typed, the photos chosen and the
focus): every text of the forms sits in a property of a component with a pattern-matching ID, listed in
``LANGUAGE_PROPS``, and the card callback sets just those (``texts``) on the forms in place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import dash_mantine_components as dmc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import runtime
from dashboard.components.workbench_queue import status_label
from dashboard.i18n import t
from dashboard.ids import workbench as wid
from db.media import FORMATS
from db.queries.workbench import CaseCard
from ops.states import ACTION_LABELS, Action
from ops.workflow.base import MAX_NOTE, MAX_REASON

A = Action
#: Mantine colour and variant of each action's button.
STYLE: dict[Action, tuple[str, str]] = {
    A.FILE: ("blue", "filled"),
    A.DISPATCH: ("blue", "filled"),
    A.START: ("violet", "filled"),
    A.HANDLE: ("teal", "filled"),
    A.VERIFY_PASS: ("teal", "filled"),
    A.VERIFY_FAIL: ("red", "outline"),
    A.REJECT: ("red", "outline"),
    A.RETURN: ("orange", "outline"),
    A.MERGE: ("gray", "outline"),
    A.SUSPEND: ("gray", "outline"),
    A.RESUME: ("blue", "outline"),
    A.EXTEND: ("gray", "outline"),
    A.ESCALATE: ("orange", "outline"),
}
#: The properties holding the forms' texts, by pattern type: what a language switch sets in place.
LANGUAGE_PROPS: dict[str, tuple[str, ...]] = {
    wid.FIELD: ("label", "data", "placeholder"),
    wid.BTN: ("children",),
    wid.UPLOAD: ("children",),
    wid.FORM_TEXT: ("children",),
}


def action_label(action: Action, lang: str) -> str:
    zh, en = ACTION_LABELS[action]
    return en if lang == "en" else zh


def _fid(action: Action, name: str) -> dict[str, str]:
    return {"type": wid.FIELD, "a": action.value, "f": name}


class _Form:
    def __init__(self, lang: str, drafts: dict[str, Any]) -> None:
        self.lang = lang
        self.drafts = drafts

    def draft(self, action: Action, name: str, default: Any = None) -> Any:
        return self.drafts.get(f"{action.value}|{name}", default)

    def text(self, action: Action, name: str, label_key: str, *, required: bool = True) -> dmc.TextInput:
        return dmc.TextInput(
            id=_fid(action, name),
            label=t(label_key, self.lang),
            value=self.draft(action, name, ""),
            inputProps={"maxLength": MAX_REASON},
            required=required,
            size="xs",
            className="wb-grow",
        )

    def select(
        self, action: Action, name: str, label_key: str, data: list[Any], value: Any, **extra: Any
    ) -> dmc.Select:
        return dmc.Select(
            id=_fid(action, name),
            label=t(label_key, self.lang),
            data=data,
            value=self.draft(action, name, value),
            searchable=True,
            allowDeselect=False,
            size="xs",
            className="wb-grow",
            comboboxProps={"withinPortal": False},
            **extra,
        )


def _fields(action: Action, card: CaseCard, departments: list[Any], f: _Form) -> list[Any]:
    c, lang, app = card.case, f.lang, runtime.services()
    if action is A.FILE:
        levels = [{"value": v, "label": t(f"wb.a.urgency.{v}", lang)} for v in ("normal", "urgent")]
        return [f.select(action, "urgency", "wb.a.urgency", levels, c.urgency)]
    if action in (A.REJECT, A.RETURN, A.SUSPEND):
        return [f.text(action, "reason", "wb.a.reason")]
    if action is A.MERGE:
        data = [
            {
                "value": str(d.id),
                "label": f"{d.ticket} · {status_label(d.status, lang)} · "
                + t("wb.card.distance", lang, m=round(d.distance_m)),
            }
            for d in card.duplicates
        ]
        if not data:
            extra = {"placeholder": t("wb.a.merge_none", lang), "disabled": True}
            return [f.select(action, "into", "wb.a.merge_into", data, None, **extra)]
        return [f.select(action, "into", "wb.a.merge_into", data, data[0]["value"])]
    if action is A.DISPATCH:
        data = [
            {"value": d.code, "label": f"{d.name_en if lang == 'en' else d.name_zh} ({d.code})"}
            for d in departments
        ]
        return [f.select(action, "department", "wb.a.department", data, c.suggested_department_code)]
    if action is A.HANDLE:
        accept = ",".join(FORMATS)
        return [
            dmc.Textarea(
                id=_fid(action, "note"),
                label=t("wb.a.handle_note", lang),
                value=f.draft(action, "note", ""),
                inputProps={"maxLength": MAX_NOTE},
                required=True,
                autosize=True,
                minRows=2,
                size="xs",
            ),
            html.Label(
                t("wb.a.photos", lang, n=app.settings.image_max_photos),
                id={"type": wid.FORM_TEXT, "k": "photos"},
                className="wb-upload-label",
            ),
            dcc.Upload(
                id={"type": wid.UPLOAD, "a": action.value},
                multiple=True,
                accept=accept,
                max_size=app.open311.max_photo_bytes,  # the photo size limit of the Open311 API too
                className="wb-upload",
                children=html.Div(t("wb.a.photos_drop", lang)),
            ),
            html.Div(id={"type": wid.UPLOAD_LIST, "a": action.value}, className="wb-muted"),
        ]
    if action is A.VERIFY_PASS:
        return [f.text(action, "note", "wb.a.verify_note", required=False)]
    if action is A.VERIFY_FAIL:
        return [f.text(action, "note", "wb.a.fail_note")]
    if action is A.EXTEND:
        unit = t(f"wb.unit.{c.time_unit}", lang)
        return [
            dmc.NumberInput(
                id=_fid(action, "amount"),
                label=t("wb.a.amount", lang, unit=unit),
                value=f.draft(action, "amount", ""),
                min=0,
                step=1,
                size="xs",
                w=120,
            ),
            f.text(action, "reason", "wb.a.reason"),
        ]
    if action is A.ESCALATE:
        return [f.text(action, "reason", "wb.a.escalate_reason", required=False)]
    return []  # START, RESUME: a button is enough


def action_forms(
    card: CaseCard, actions: list[Action], lang: str, departments: list[Any], drafts: dict[str, Any] | None
) -> list[Any]:
    if not actions:
        return [
            html.Div(
                t("wb.card.no_actions", lang), id={"type": wid.FORM_TEXT, "k": "none"}, className="wb-muted"
            )
        ]
    form = _Form(lang, drafts or {})
    blocks: list[Any] = [html.H4(t("wb.card.actions", lang), id={"type": wid.FORM_TEXT, "k": "title"})]
    for action in actions:
        color, variant = STYLE.get(action, ("gray", "outline"))
        fields = _fields(action, card, departments, form)
        blocks.append(
            html.Div(
                className="wb-act" + (" wb-act-wide" if action is A.HANDLE else ""),
                children=[
                    *fields,
                    dmc.Button(
                        action_label(action, lang),
                        id={"type": wid.BTN, "a": action.value},
                        n_clicks=0,
                        size="xs",
                        color=color,
                        variant=variant,
                        className="wb-act-btn",
                    ),
                ],
            )
        )
    return blocks


def id_key(value: dict[str, Any]) -> str:
    """A pattern-matching ID as one string, the same for equal IDs."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _walk(node: Any) -> Iterator[Component]:
    if isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, Component):
        yield node
        yield from _walk(getattr(node, "children", None))


def _pattern_parts(blocks: list[Any]) -> Iterator[tuple[dict[str, Any], Component]]:
    for part in _walk(blocks):
        pid = getattr(part, "id", None)
        if isinstance(pid, dict):
            yield pid, part


def texts(blocks: list[Any]) -> dict[tuple[str, str], Any]:
    """``(id_key, property)`` → value of every language-dependent property set in the forms ``blocks``."""
    out: dict[tuple[str, str], Any] = {}
    for pid, part in _pattern_parts(blocks):
        for prop in LANGUAGE_PROPS.get(str(pid.get("type")), ()):
            value = getattr(part, prop, None)
            if value is not None:
                out[(id_key(pid), prop)] = value
    return out


def form_shape(blocks: list[Any]) -> list[str]:
    """What the forms are made of (their parts with IDs, and which are disabled). Forms of the same shape in
    another language differ only in ``texts``."""
    return sorted(
        id_key(pid) + (" disabled" if getattr(part, "disabled", False) else "")
        for pid, part in _pattern_parts(blocks)
    )
