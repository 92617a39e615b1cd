"""The parts of /admin/partners: the create form (drawn in the user's language) and the keys table. Pure
rendering of :mod:`ops.partners` rows (never a key or its hash)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_mantine_components as dmc
from dash import html

from dashboard.i18n import t
from dashboard.ids import admin_partners as pid
from geo.crs import TZ
from ops.partners import DEFAULT_PER_MINUTE, MAX_NAME, PartnerKeyInfo

Choice = tuple[str, str]  # (code, name)


def form(lang: str, categories: Sequence[Choice], districts: Sequence[Choice]) -> list[Any]:
    """The create form's fields."""
    return [
        html.H3(t("prt.form", lang), id=pid.FORM_TITLE),
        dmc.TextInput(
            id=pid.NAME,
            label=t("prt.name", lang),
            placeholder=t("prt.name.ph", lang),
            inputProps={"maxLength": MAX_NAME},
            autoComplete="off",
            n_submit=0,
        ),
        dmc.Checkbox(id=pid.ALL_CATEGORIES, label=t("prt.categories.all", lang), checked=False, mt="sm"),
        dmc.MultiSelect(
            id=pid.CATEGORIES,
            label=t("prt.categories", lang),
            data=[{"value": c, "label": f"{n} ({c})"} for c, n in categories],
            searchable=True,
            clearable=True,
            value=[],
        ),
        dmc.MultiSelect(
            id=pid.DISTRICTS,
            label=t("prt.districts", lang),
            data=[{"value": c, "label": f"{n} ({c})"} for c, n in districts],
            searchable=True,
            clearable=True,
            value=[],
        ),
        dmc.NumberInput(
            id=pid.RATE,
            label=t("prt.rate", lang),
            value=DEFAULT_PER_MINUTE,
            min=1,
            max=10_000,
            allowDecimal=False,
        ),
        dmc.Button(t("prt.create", lang), id=pid.CREATE, n_clicks=0, mt="sm"),
    ]


def created(info: PartnerKeyInfo, key: str, lang: str) -> dmc.Alert:
    """The new key, shown this once, selectable for copying."""
    return dmc.Alert(
        [
            html.Div(t("prt.created", lang, name=info.name, id=info.id)),
            html.Code(key, id=pid.NEW_KEY, className="prt-key"),
        ],
        color="teal",
        variant="light",
        mt=6,
    )


def _codes(codes: tuple[str, ...], lang: str, many: int = 4) -> str:
    return ", ".join(codes) if len(codes) <= many else t("prt.n_categories", lang, n=len(codes))


def keys_table(rows: Sequence[PartnerKeyInfo], lang: str) -> Any:
    if not rows:
        return html.P(t("prt.empty", lang), className="prt-empty")
    head = html.Thead(
        html.Tr(
            [html.Th(t(f"prt.col.{c}", lang), scope="col") for c in
             ("id", "name", "prefix", "categories", "districts", "rate", "created", "state")] + [html.Th("")]
        )
    )  # fmt: skip
    body = []
    for k in rows:
        state = (
            t("prt.active", lang)
            if k.active
            else t(
                "prt.revoked",
                lang,
                at=f"{k.revoked_at.astimezone(TZ):%Y-%m-%d %H:%M}" if k.revoked_at else "",
            )
        )
        action = (
            dmc.Button(t("prt.revoke", lang), id={"type": pid.REVOKE, "id": k.id}, n_clicks=0, size="xs",
                       color="red", variant="light")
            if k.active
            else None
        )  # fmt: skip
        body.append(
            html.Tr(
                [
                    html.Td(str(k.id)),
                    html.Td(k.name),
                    html.Td(html.Code(f"{k.prefix}…")),
                    html.Td(_codes(k.categories, lang), title=", ".join(k.categories)),
                    html.Td(", ".join(k.districts)),
                    html.Td(str(k.per_minute)),
                    html.Td(f"{k.created_at.astimezone(TZ):%Y-%m-%d %H:%M} {k.created_by or ''}".strip()),
                    html.Td(state, className="prt-active" if k.active else "prt-revoked"),
                    html.Td(action),
                ],
                **{"data-key": str(k.id)},  # type: ignore[arg-type]
            )
        )
    return html.Table([head, html.Tbody(body)], className="prt-table")
