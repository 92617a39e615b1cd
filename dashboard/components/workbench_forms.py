"""The case card's action forms: the actions the user's role and the case's status allow, as a row of buttons;
choosing one opens its form only (fields named after the action, a confirm and a cancel; ``workbench.js`` opens,
focuses, submits on Enter and closes on Escape).

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
from db.queries.wb_card import CaseCard
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
    A.SUSPEND_REQUEST: ("gray", "outline"),
    A.EXTEND_REQUEST: ("gray", "outline"),
    A.REQUEST_APPROVE: ("teal", "filled"),
    A.REQUEST_REFUSE: ("red", "outline"),
    A.REQUEST_WITHDRAW: ("gray", "outline"),
}
#: The label of each action's reason field: the field is named after its action, and so is its error.
REASON_LABEL: dict[Action, str] = {
    A.REJECT: "wbf.reason.reject",
    A.RETURN: "wbf.reason.return",
    A.SUSPEND: "wbf.reason.suspend",
    A.SUSPEND_REQUEST: "wbf.reason.suspend",
    A.EXTEND: "wbf.reason.extend",
    A.EXTEND_REQUEST: "wbf.reason.extend",
    A.REQUEST_REFUSE: "wbf.reason.refuse",
}
#: The properties holding the forms' texts, by pattern type: what a language switch sets in place.
LANGUAGE_PROPS: dict[str, tuple[str, ...]] = {
    wid.FIELD: ("label", "data", "placeholder"),
    wid.BTN: ("children",),
    wid.CHOOSE: ("children",),
    wid.CANCEL: ("children",),
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
    if action in (A.REJECT, A.RETURN, A.SUSPEND, A.SUSPEND_REQUEST, A.REQUEST_REFUSE):
        return [f.text(action, "reason", REASON_LABEL[action])]
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
    if action in (A.EXTEND, A.EXTEND_REQUEST):
        unit = t(f"wb.unit.{c.time_unit}", lang)
        return [
            dmc.NumberInput(
                id=_fid(action, "amount"),
                label=t("wbf.amount", lang, unit=unit),
                value=f.draft(action, "amount", ""),
                min=0,
                step=1,
                size="xs",
                w=140,
                required=True,
            ),
            f.text(action, "reason", REASON_LABEL[action]),
        ]
    if action is A.REQUEST_APPROVE and card.request is not None:
        r = card.request
        key = f"wbf.approve.{r.kind}"
        unit = t(f"wb.unit.{c.time_unit}", lang)
        amount = f"{float(r.amount):g}" if r.amount is not None else ""
        return [
            html.Div(
                t(key, lang, amount=amount, unit=unit),
                id={"type": wid.FORM_TEXT, "k": "approve"},
                className="wb-muted",
            )
        ]
    if action is A.ESCALATE:
        return [f.text(action, "reason", "wb.a.escalate_reason", required=False)]
    return []  # START, RESUME: a button is enough


def _attrs(values: dict[str, str]) -> dict[str, Any]:
    """``data-*`` / ``aria-*`` attributes for an ``html`` component."""
    return values


def _panel(action: Action, card: CaseCard, departments: list[Any], form: _Form) -> html.Div:
    """One action's form, closed until its chooser button opens it: the fields (named after the action), a
    confirm button (the action's ``BTN``) and a cancel button. ``workbench.js`` opens, focuses and closes it."""
    lang = form.lang
    color = STYLE.get(action, ("gray", "outline"))[0]
    color = "dark" if color == "gray" else color  # a filled grey button reads as disabled
    label = action_label(action, lang)
    fields = _fields(action, card, departments, form)
    if not fields:
        fields = [
            html.Div(
                t("wbf.confirm_only", lang),
                id={"type": wid.FORM_TEXT, "k": f"confirm-{action.value}"},
                className="wb-muted",
            )
        ]
    return html.Div(
        className="wb-act wb-act-panel" + (" wb-act-wide" if action is A.HANDLE else ""),
        hidden=True,
        role="group",
        **_attrs({"data-a": action.value, "aria-label": label}),
        children=[
            html.H5(
                label, id={"type": wid.FORM_TEXT, "k": f"title-{action.value}"}, className="wb-act-title"
            ),
            *fields,
            html.Div(
                className="wb-act-row",
                children=[
                    dmc.Button(
                        t("wbf.confirm", lang, action=label),
                        id={"type": wid.BTN, "a": action.value},
                        n_clicks=0,
                        size="xs",
                        color=color,
                        variant="filled",
                        className="wb-act-btn",
                    ),
                    html.Button(
                        t("wbf.cancel", lang),
                        id={"type": wid.CANCEL, "a": action.value},
                        type="button",
                        className="wb-act-cancel",
                    ),
                    html.Span(
                        t("wbf.keys", lang),
                        id={"type": wid.FORM_TEXT, "k": f"keys-{action.value}"},
                        className="wb-muted wb-act-keys",
                    ),
                ],
            ),
        ],
    )


def action_forms(
    card: CaseCard, actions: list[Action], lang: str, departments: list[Any], drafts: dict[str, Any] | None
) -> list[Any]:
    """The actions the user may take, as a row of buttons; choosing one opens ITS form only (one action at a
    time), with a confirm and a cancel."""
    if not actions:
        return [
            html.Div(
                t("wb.card.no_actions", lang), id={"type": wid.FORM_TEXT, "k": "none"}, className="wb-muted"
            )
        ]
    form = _Form(lang, drafts or {})
    chooser = html.Div(
        className="wb-choose",
        role="toolbar",
        **_attrs({"aria-label": t("wbf.choose", lang)}),
        children=[
            html.Button(
                action_label(action, lang),
                id={"type": wid.CHOOSE, "a": action.value},
                type="button",
                className=f"wb-choose-btn wb-choose-{STYLE.get(action, ('gray', ''))[0]}",
                **_attrs({"data-a": action.value, "aria-pressed": "false"}),
            )
            for action in actions
        ],
    )
    return [
        html.H4(t("wb.card.actions", lang), id={"type": wid.FORM_TEXT, "k": "title"}),
        chooser,
        *[_panel(action, card, departments, form) for action in actions],
    ]


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
