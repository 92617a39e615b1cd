"""Administration → Users: the accounts table and the add / edit form, drawn in the user's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_mantine_components as dmc
from dash import html

from dashboard.i18n import t
from dashboard.ids import admin_users as uid
from db.staff_users import StaffRow
from db.vocabulary import STAFF_ROLES
from geo.crs import TZ

COLUMNS = ("username", "display_name", "role", "scope", "active", "last_signin", "actions")


def _name(zh: str | None, en: str | None, lang: str) -> str:
    return (en if lang == "en" and en else zh) or ""


def scope_text(row: StaffRow, lang: str) -> str:
    if row.district_code:
        return _name(row.district_zh, row.district_en, lang) or row.district_code
    if row.department_code:
        return _name(row.department_zh, row.department_en, lang) or row.department_code
    return t("usr.scope.city", lang)


def _state(row: StaffRow, lang: str) -> list[Any]:
    badges = [
        dmc.Badge(
            t("usr.active" if row.active else "usr.inactive", lang),
            color="teal" if row.active else "gray",
            variant="light",
        )
    ]
    if row.must_change_password:
        badges.append(dmc.Badge(t("usr.must_change", lang), color="orange", variant="light"))
    if row.demo:
        badges.append(dmc.Badge(t("usr.demo", lang), color="blue", variant="outline"))
    return [dmc.Group(badges, gap=4)]


def _button(action: str, name: str, lang: str, color: str = "blue") -> dmc.Button:
    return dmc.Button(
        t(f"usr.{action}", lang),
        id={"type": uid.ACT, "action": action, "name": name},
        n_clicks=0,
        size="compact-xs",
        variant="light",
        color=color,
        **{"aria-label": f"{t(f'usr.{action}', lang)} {name}"},
    )


def _actions(row: StaffRow, lang: str) -> dmc.Group:
    buttons = [_button("edit", row.username, lang)]
    if row.active:
        buttons += [
            _button("reset", row.username, lang, "orange"),
            _button("deactivate", row.username, lang, "red"),
        ]
    else:
        buttons.append(_button("reactivate", row.username, lang, "teal"))
    return dmc.Group(buttons, gap=4, wrap="nowrap")


def users_table(rows: Sequence[StaffRow], lang: str) -> Any:
    if not rows:
        return html.P(t("usr.empty", lang), className="usr-empty")
    head = html.Thead(html.Tr([html.Th(t(f"usr.col.{c}", lang), scope="col") for c in COLUMNS]))
    body = html.Tbody(
        [
            html.Tr(
                className="usr-row" if r.active else "usr-row usr-inactive",
                **{"data-username": r.username},  # type: ignore[arg-type]
                children=[
                    html.Td(html.Code(r.username)),
                    html.Td(r.display_name),
                    html.Td(t(f"wb.role.{r.role}", lang)),
                    html.Td(scope_text(r, lang)),
                    html.Td(_state(r, lang)),
                    html.Td(
                        f"{r.last_signin.astimezone(TZ):%Y-%m-%d %H:%M}"
                        if r.last_signin
                        else t("usr.never", lang)
                    ),
                    html.Td(_actions(r, lang)),
                ],
            )
            for r in rows
        ]
    )
    return html.Table([head, body], className="usr-table")


def _options(rows: Sequence[Any], lang: str) -> list[dict[str, str]]:
    return [{"value": r.code, "label": f"{_name(r.name_zh, r.name_en, lang)} ({r.code})"} for r in rows]


def user_form(
    lang: str, row: StaffRow | None, districts: Sequence[Any], departments: Sequence[Any]
) -> list[Any]:
    """The form: add (``row`` None: user name and initial password asked) or edit ``row`` (role, scope, name)."""
    title = t("usr.form.edit", lang, name=row.username) if row else t("usr.form.add", lang)
    role = row.role if row else "dispatcher"
    username = dmc.TextInput(
        id=uid.USERNAME,
        label=t("usr.form.username", lang),
        required=row is None,
        n_submit=0,
        value=row.username if row else "",
        inputProps={"maxLength": 64, "autoComplete": "off"},
    )
    password = dmc.PasswordInput(
        id=uid.PASSWORD,
        label=t("usr.form.password", lang),
        required=row is None,
        n_submit=0,
        inputProps={"autoComplete": "new-password"},
    )
    submit = t("usr.form.submit_edit" if row else "usr.form.submit_add", lang)
    cancel = dmc.Button(t("usr.form.cancel", lang), id=uid.CANCEL, n_clicks=0, variant="default")
    return [
        html.H3(title, id=uid.FORM_TITLE),
        html.Div(username, hidden=row is not None),  # the form for an edit: the name is fixed
        dmc.TextInput(
            id=uid.DISPLAY_NAME,
            label=t("usr.form.display_name", lang),
            value=row.display_name if row else "",
            n_submit=0,
            inputProps={"maxLength": 80},
        ),
        dmc.Select(
            id=uid.ROLE,
            label=t("usr.form.role", lang),
            value=role,
            allowDeselect=False,
            data=[{"value": r, "label": t(f"wb.role.{r}", lang)} for r in STAFF_ROLES],
        ),
        dmc.Select(
            id=uid.DISTRICT,
            label=t("usr.form.district", lang),
            value=row.district_code if row else None,
            data=_options(districts, lang),
            clearable=True,
            searchable=True,
        ),
        dmc.Select(
            id=uid.DEPARTMENT,
            label=t("usr.form.department", lang),
            value=row.department_code if row else None,
            data=_options(departments, lang),
            clearable=True,
            searchable=True,
        ),
        html.Div(
            [password, html.P(t("usr.rules", lang), id=uid.RULES, className="usr-rules")],
            hidden=row is not None,
        ),
        dmc.Group(
            [dmc.Button(submit, id=uid.SUBMIT, n_clicks=0), html.Div(cancel, hidden=row is None)],
            gap="xs",
            mt="sm",
        ),
    ]
