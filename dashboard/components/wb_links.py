"""The workbench's address and keyboard: the view in the URL (``?case=GY…&district=…&status=a,b&page=3``, read
here when the page is built, written back by ``wb_links.js`` as the view changes), the queue's page controls and
total, the deep link's message, and the keyboard shortcuts with their ``?`` overlay.

The shortcuts are data (:data:`SHORTCUTS`): a key opens the form of the first of its actions the open card offers
(the card offers only what the user may take), so the browser never decides who may do what."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import dash_mantine_components as dmc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components.case_link import PARAM
from dashboard.i18n import t
from dashboard.ids import wb_links as lid
from dashboard.ids import wb_live as live_ids
from dashboard.ids import workbench as wid
from db.light import LIGHTS
from db.queries.public_track import normalize_ticket
from db.queries.workbench import QUEUE_PAGE, WINDOWS
from db.vocabulary import SOURCES
from ops.states import ACTION_LABELS, Action, CaseStatus

A = Action
#: key → the actions it opens, the first the card offers wins (A: 受理立案 for the command center, 开始处置 for
#: a department).
SHORTCUTS: tuple[tuple[str, tuple[Action, ...]], ...] = (
    ("a", (A.FILE, A.START)),
    ("d", (A.DISPATCH,)),
    ("h", (A.HANDLE,)),
    ("v", (A.VERIFY_PASS,)),
    ("f", (A.VERIFY_FAIL,)),
    ("r", (A.RETURN,)),
    ("x", (A.REJECT,)),
    ("m", (A.MERGE,)),
)
#: keys of the queue and the panels: key(s) as shown → string key
MOVES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("J", "↓"), "wbl.k.next"),
    (("K", "↑"), "wbl.k.prev"),
    (("N",), "wbl.k.next_page"),
    (("P",), "wbl.k.prev_page"),
    (("Esc",), "wbl.k.esc"),
    (("?",), "wbl.k.help"),
)
#: The filters kept in the address, in the order they are written: (parameter, component id, property, many).
URL_FILTERS: tuple[tuple[str, str, str, bool], ...] = (
    ("district", wid.F_DISTRICT, "value", False),
    ("major", wid.F_MAJOR, "value", False),
    ("category", wid.F_CATEGORY, "value", False),
    ("status", wid.F_STATUS, "value", True),
    ("source", wid.F_SOURCE, "value", True),
    ("light", wid.F_LIGHT, "value", True),
    ("window", wid.F_WINDOW, "value", False),
    ("inview", wid.F_IN_VIEW, "checked", False),
    ("focus", wid.F_FOCUS, "value", False),
)
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_ALLOWED: dict[str, tuple[str, ...]] = {
    "status": tuple(s.value for s in CaseStatus),
    "source": SOURCES,
    "light": LIGHTS,
    "window": WINDOWS,
    "focus": ("all", "mine", "pending"),
}
MAX_PAGE = 100_000


def _one(query: dict[str, Any], name: str) -> str | None:
    value = query.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def url_state(query: dict[str, Any]) -> dict[str, Any]:
    """The view the address asks for, checked: only known values survive (anything else is as if absent).
    Keys: the parameters of :data:`URL_FILTERS` present, ``case`` (the typed ticket, ≤ 40 characters) and
    ``page`` (1…)."""
    out: dict[str, Any] = {}
    for name, _id, _prop, many in URL_FILTERS:
        raw = _one(query, name)
        if raw is None:
            continue
        if many:
            items = [x for x in raw.split(",") if x in _ALLOWED[name]]
            if items:
                out[name] = list(dict.fromkeys(items))
        elif name == "inview":
            out[name] = raw in ("1", "true", "yes")
        elif name in _ALLOWED:
            if raw in _ALLOWED[name]:
                out[name] = raw
        elif _CODE.match(raw):
            out[name] = raw
    case = _one(query, PARAM)
    if case:
        out["case"] = case[:40]
    page = _one(query, "page")
    if page and page.isdigit() and 1 <= int(page) <= MAX_PAGE:
        out["page"] = int(page)
    return out


def _sync_data() -> dict[str, Any]:
    """What ``wb_links.js`` needs to write the address and, on Back / Forward, to set the view from it."""
    return {
        "names": [name for name, *_ in URL_FILTERS],
        "targets": [[cid, prop, many] for _name, cid, prop, many in URL_FILTERS],
        "case": PARAM,
        "allowed": {k: list(v) for k, v in _ALLOWED.items()},
    }


def _walk(node: Any, parent: Any = None) -> Iterator[tuple[Any, Any]]:
    yield node, parent
    children = getattr(node, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            yield from _walk(child, node)
    elif isinstance(children, Component):
        yield from _walk(children, node)


def _by_id(root: Component) -> dict[str, tuple[Any, Any]]:
    return {
        getattr(node, "id"): (node, parent)  # noqa: B009 - Component declares no id
        for node, parent in _walk(root)
        if isinstance(node, Component) and isinstance(getattr(node, "id", None), str)
    }


def _after(parent: Any, anchor: Any, *new: Any) -> None:
    children = list(parent.children)
    at = next(i for i, c in enumerate(children) if c is anchor)
    parent.children = [*children[: at + 1], *new, *children[at + 1 :]]


def install(page: html.Div, query: dict[str, Any]) -> html.Div:
    """The workbench page with the view its address asks for (filters, page, case) and this module's parts:
    the deep link's message over the map, the page controls under the queue, the shortcuts' button and overlay.
    Called once where the page is built."""
    state = url_state(query)
    found = _by_id(page)
    for name, cid, prop, _many in URL_FILTERS:
        if name in state and cid in found:
            setattr(found[cid][0], prop, state[name])
    page.children = [
        *page.children,
        dcc.Store(id=lid.LINK, data={"ticket": state["case"]} if "case" in state else None),
        dcc.Store(id=lid.PAGE, data={"offset": (state.get("page", 1) - 1) * QUEUE_PAGE}),
        dcc.Store(id=lid.URL_SYNC, data=_sync_data()),
        dcc.Store(id=lid.PAGER_DRAWN),
        keys_overlay(),
    ]
    card, mapcol = found[wid.CARD]
    # Mantine's Alert is role="alert": read out when it appears
    _after(mapcol, card, dmc.Alert(id=lid.MESSAGE, hide=True, withCloseButton=True, color="orange",
                                   className="wbl-message"))  # fmt: skip
    queue, side = found[wid.QUEUE]
    _after(side, queue, html.Nav(id=lid.PAGER, className="wbl-pager"))
    count, head = found[wid.QUEUE_COUNT]
    _after(
        head,
        count,
        html.Button("?", id=lid.KEYS_OPEN, type="button", className="wbl-keys-open", n_clicks=0),
    )
    return page


def _data(attrs: dict[str, str]) -> dict[str, Any]:
    """``data-*`` / ``aria-*`` attributes for a Dash component (keyword names Python cannot spell)."""
    return attrs


def keys_overlay() -> html.Div:
    """The ``?`` overlay (texts filled per language by a callback); ``data-keys`` tells ``wb_links.js`` which
    actions each key opens."""
    keys = {k: [a.value for a in actions] for k, actions in SHORTCUTS}
    return html.Div(
        id=lid.KEYS,
        className="wbl-keys",
        hidden=True,
        role="dialog",
        **_data({"aria-modal": "true", "aria-labelledby": lid.KEYS_TITLE, "data-keys": json.dumps(keys)}),
        children=html.Div(
            className="wbl-keys-box",
            children=[
                html.Button("×", id=lid.KEYS_CLOSE, type="button", className="wbl-keys-x", n_clicks=0),
                html.Div(id=lid.KEYS_BODY),
            ],
        ),
    )


def _kbd(keys: tuple[str, ...], lang: str) -> list[Any]:
    out: list[Any] = []
    for i, k in enumerate(keys):
        if i:
            out.append(html.Span(f" {t('wbl.k.or', lang)} ", className="wbl-or"))
        out.append(html.Kbd(k))
    return out


def keys_body(lang: str) -> list[Any]:
    """The overlay's contents in ``lang``: the card's keys (their actions' own names) and the queue's."""

    def label(actions: tuple[Action, ...]) -> str:
        return " / ".join(ACTION_LABELS[a][1 if lang == "en" else 0] for a in actions)

    card_rows = [
        html.Tr(
            [html.Td(html.Kbd(k.upper())), html.Td(label(actions))],
            className="wbl-key",
            **_data({"data-k": k}),
        )
        for k, actions in SHORTCUTS
    ]
    move_rows = [html.Tr([html.Td(_kbd(keys, lang)), html.Td(t(text, lang))]) for keys, text in MOVES]
    return [
        html.H2(t("wbl.keys.title", lang), id=lid.KEYS_TITLE),
        html.Div(
            className="wbl-keys-cols",
            children=[
                html.Section([html.H3(t("wbl.keys.card", lang)), html.Table(html.Tbody(card_rows))]),
                html.Section([html.H3(t("wbl.keys.queue", lang)), html.Table(html.Tbody(move_rows))]),
            ],
        ),
        html.P(t("wbl.keys.hint", lang), className="wbl-keys-hint"),
    ]


def page_info(total: int, offset: int, shown: int, lang: str) -> dict[str, Any]:
    """What the page controls need (drawn by ``wb_links.js``): where this page is and the controls' words."""
    return {
        "total": total,
        "offset": offset,
        "limit": QUEUE_PAGE,
        "shown": shown,
        "strings": {k: t(f"wbl.page.{k}", lang) for k in ("first", "prev", "next", "last")}
        | {"of": t("wbl.page.of", lang, page="{page}", pages="{pages}"), "nav": t("wbl.pager", lang)},
    }


def queue_offset(triggers: set[str], page: Any, shown: Any, *, in_view: bool = False) -> int:
    """Where the queue's page starts: the page asked for (a page control, or the address on the page's first
    draw), the page shown when only a refresh, a push, the language or a map move the queue does not follow
    came in, and the first page when a filter changed (or the map moved with 只看地图范围内)."""

    def offset(data: Any) -> int:
        value = data.get("offset") if isinstance(data, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

    if lid.PAGE in triggers or not isinstance(shown, dict):
        return offset(page)
    if triggers <= {wid.REFRESH, live_ids.CHANGED, ids.LANG} | (set() if in_view else {wid.QUEUE_VIEW}):
        return offset(shown.get("page"))
    return 0


def count_text(total: int, offset: int, shown: int, lang: str) -> str:
    """共 2,431 件，第 1–50 件."""
    if not total or not shown:
        return (
            t("wbl.count_none", lang)
            if not total
            else t("wbl.count", lang, total=f"{total:,}", first="—", last="—")
        )
    return t("wbl.count", lang, total=f"{total:,}", first=f"{offset + 1:,}", last=f"{offset + shown:,}")


def link_target(ticket: str) -> str | None:
    """The ticket of a deep link as stored (``GY250908-1599``), or ``None`` if it is not one."""
    return normalize_ticket(ticket)
