"""The workbench's 导出 Export menu, and the words of an exported file.

The menu (:func:`menu`, placed once in the workbench's side column): a button opening a panel that says how many
cases the current filter will export (asked from ``/export/cases/count`` when it opens) and whether the file holds
personal data, three links (CSV, Excel, GeoJSON) whose address carries the filter, and a progress bar that
``assets/exports.js`` moves while it downloads the file (rows read against the ``X-Total-Rows`` header; a plain
link download without script).

:func:`file_layout` names the columns and coded values of a file in the reader's language (the HTTP route and
the command line both use it)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from dashboard.i18n import t
from dashboard.ids import exports as eid
from db.light import LIGHTS
from db.vocabulary import SOURCES, CaseStatus
from ops.exports import FORMATS, XLSX_MAX_ROWS, Layout
from ops.states import LABELS

ROUTE = "/export/cases"
_LINK_IDS = {"csv": eid.CSV, "xlsx": eid.XLSX, "geojson": eid.GEOJSON}
#: words exports.js shows while it downloads (filled per language)
JS_STRINGS = ("exp.preparing", "exp.progress", "exp.progress_bytes", "exp.done", "exp.failed")


def file_layout(lang: str, *, contact: bool) -> Layout:
    """Headers and labels of an exported file in ``lang`` (zh or en)."""
    en = 1 if lang == "en" else 0
    labels = {
        "status": {s.value: LABELS[s][en] for s in CaseStatus},
        "light": {x: t(f"wb.light.{x}", lang) for x in LIGHTS},
        "source": {x: t(f"wb.src.{x}", lang) for x in SOURCES},
        "urgency": {x: t(f"exp.urgency.{x}", lang) for x in ("normal", "urgent")},
    }
    return Layout.of(contact, lambda k: t(f"exp.col.{k}", lang), labels)


def link(fmt: str, query: dict[str, Any], lang: str) -> str:
    """The address of a download: ``/export/cases.csv?district=…&lang=zh``."""
    return f"{ROUTE}.{fmt}?{urlencode({**query, 'lang': lang})}"


def _attrs(attrs: dict[str, str]) -> dict[str, Any]:
    """``data-*`` / ``aria-*`` attributes for a Dash component (keyword names Python cannot spell)."""
    return attrs


def menu() -> html.Div:
    """The 导出 button and its panel (closed); texts come from :func:`texts`."""
    return html.Div(
        id=eid.MENU,
        className="exp-menu",
        children=[
            dcc.Store(id=eid.STRINGS),
            dcc.Store(id=eid.SINK),
            html.Button(
                id=eid.OPEN,
                type="button",
                className="exp-open",
                n_clicks=0,
                **_attrs({"aria-expanded": "false", "aria-controls": eid.PANEL}),
            ),
            html.Div(
                id=eid.PANEL,
                className="exp-panel",
                hidden=True,
                role="dialog",
                **_attrs({"aria-labelledby": eid.TITLE}),
                children=[
                    html.H3(id=eid.TITLE, className="exp-title"),
                    html.P(id=eid.COUNT, className="exp-count", role="status"),
                    html.P(id=eid.CONTACT, className="exp-contact"),
                    html.Div(
                        id=eid.LINKS,
                        className="exp-links",
                        children=[
                            html.A(id=_LINK_IDS[f], className="exp-link", href="#", **_attrs({"data-fmt": f}))
                            for f in FORMATS
                        ],
                    ),
                    html.Progress(
                        id=eid.PROGRESS, className="exp-progress", max="100", value="0", hidden=True
                    ),
                    html.P(
                        id=eid.STATUS,
                        className="exp-status",
                        role="status",
                        **_attrs({"aria-live": "polite"}),
                    ),
                ],
            ),
        ],
    )


def texts(lang: str) -> dict[str, Any]:
    """The menu's fixed words and the words exports.js needs, in ``lang``."""
    return {
        "button": f"⤓ {t('exp.button', lang)}",
        "title": t("exp.title", lang),
        "formats": [t(f"exp.{f}", lang) for f in FORMATS],
        "js": {
            k.removeprefix("exp."): t(
                k, lang, done="{done}", total="{total}", mb="{mb}", n="{n}", why="{why}"
            )
            for k in JS_STRINGS
        },  # fmt: skip
    }


def count_words(rows: int, contact: bool, lang: str) -> tuple[str, str, bool]:
    """(how many, personal data or not, whether Excel can hold it)."""
    text = t("exp.count", lang, n=f"{rows:,}") if rows else t("exp.count_none", lang)
    if rows > XLSX_MAX_ROWS:
        text += " · " + t("exp.xlsx_too_many", lang)
    return text, t("exp.contact_yes" if contact else "exp.contact_no", lang), rows <= XLSX_MAX_ROWS
