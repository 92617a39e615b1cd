"""The OGC API's documents drawn as HTML pages (conformance class "HTML"): plain, server-rendered, escaped,
no script (the Content-Security-Policy holds), in zh-CN or English (``lang``), each with its JSON twin linked."""

from __future__ import annotations

from html import escape
from typing import Any

from dashboard.api.ogc_docs import HTML, Links
from dashboard.i18n import t

#: the app's own CJK font (``--gy-font``), then this page's styles
CSS = ("/assets/font.css", "/assets/admin_partners.css")


def _a(href: str, text: str, **attrs: str) -> str:
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<a href="{escape(href)}"{extra}>{escape(text)}</a>'


def _json_link(doc: dict[str, Any]) -> str | None:
    return next((lk["href"] for lk in doc.get("links", ()) if lk.get("rel") == "self"), None)


def page(title: str, body: str, links: Links, lang: str, *, doc: dict[str, Any] | None = None,
         crumbs: list[tuple[str, str]] = ()) -> str:  # type: ignore[assignment]  # fmt: skip
    """A whole page: header (home, breadcrumbs, JSON twin, language switch), then ``body`` (HTML)."""
    other = "en" if lang == "zh" else "zh"
    nav = [_a(links.href("/", f="html", lang=lang), t("prt.ogc.home", lang))]
    nav += [_a(links.href(path, f="html", lang=lang), label) for path, label in crumbs]
    tools = []
    if doc is not None and (href := _json_link(doc)):
        tools.append(_a(href, t("prt.ogc.json", lang), class_="ogc-json", type="application/json"))
    tools.append(_a(links.other_language(other), t("prt.ogc.lang", lang), class_="ogc-lang", hreflang=other))
    sheets = "".join(f'<link rel="stylesheet" href="{href}">' for href in CSS)
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · {escape(t('prt.ogc.title', lang))}</title>"
        f'{sheets}</head><body class="ogc-body">'
        f'<header class="ogc-header"><nav class="ogc-crumbs" aria-label="breadcrumb">{" › ".join(nav)}</nav>'
        f'<span class="ogc-tools">{" ".join(tools)}</span></header>'
        f'<main class="ogc-main"><h1>{escape(title)}</h1>{body}</main></body></html>'
    )


def _links_list(doc: dict[str, Any], skip: tuple[str, ...] = ("self", "alternate")) -> str:
    """The document's links, to their HTML pages where they have one (the OpenAPI document has none)."""
    items = [
        f"<li>{_a(lk['href'].replace('f=json', 'f=html'), lk.get('title') or lk['rel'])} <code>{escape(lk['rel'])}</code> "
        f"<code>{escape(lk.get('type', ''))}</code></li>"
        for lk in doc.get("links", ())
        if lk.get("rel") not in skip
    ]
    return f'<ul class="ogc-links">{"".join(items)}</ul>'


def landing(doc: dict[str, Any], links: Links, lang: str) -> str:
    body = f'<p class="ogc-desc">{escape(doc["description"])}</p>{_links_list(doc)}'
    return page(doc["title"], body, links, lang, doc=doc)


def conformance(doc: dict[str, Any], links: Links, lang: str) -> str:
    items = "".join(f"<li><code>{escape(c)}</code></li>" for c in doc["conformsTo"])
    return page(t("prt.ogc.conformance", lang), f'<ul class="ogc-links">{items}</ul>', links, lang)


def _collection_block(c: dict[str, Any], links: Links, lang: str) -> str:
    items_html = next(lk["href"] for lk in c["links"] if lk["rel"] == "items" and lk["type"] == HTML)
    badge = (
        f' <span class="ogc-badge">{escape(t("prt.ogc.partner_only", lang))}</span>'
        if c["partnersOnly"]
        else ""
    )
    cid = c["id"]
    home = _a(links.href(f"/collections/{cid}", f="html", lang=lang), c["title"])
    return (
        f'<section class="ogc-coll" data-collection="{escape(cid)}"><h2>{home}{badge}</h2>'
        f'<p>{escape(c["description"])}</p><p>{_a(items_html, t("prt.ogc.items", lang))} · <code>{escape(c["id"])}</code></p>'
        "</section>"
    )  # fmt: skip


def collections(doc: dict[str, Any], links: Links, lang: str) -> str:
    body = "".join(_collection_block(c, links, lang) for c in doc["collections"])
    return page(t("prt.ogc.collections", lang), body, links, lang, doc=doc,
                crumbs=[("/collections", t("prt.ogc.collections", lang))])  # fmt: skip


def collection(doc: dict[str, Any], links: Links, lang: str) -> str:
    body = _collection_block(doc, links, lang) + _links_list(doc)
    return page(doc["title"], body, links, lang, doc=doc,
                crumbs=[("/collections", t("prt.ogc.collections", lang))])  # fmt: skip


def _value(v: Any) -> str:
    if v is None:
        return '<span class="ogc-null">—</span>'
    if isinstance(v, str) and v.startswith("/media/photo/"):
        return _a(v, v.rsplit("/", 1)[-1])
    return escape(str(v))


def items(cid: str, title: str, doc: dict[str, Any], offset: int, links: Links, lang: str) -> str:
    feats = doc["features"]
    cols: list[str] = list(dict.fromkeys(k for f in feats for k in f["properties"]))
    head = "".join(f"<th scope='col'>{escape(c)}</th>" for c in cols)
    rows = []
    for f in feats:
        fid = str(f["id"])
        cells = "".join(f"<td>{_value(f['properties'].get(c))}</td>" for c in cols)
        lon, lat = f["geometry"]["coordinates"]
        href = links.href(f"/collections/{cid}/items/{fid}", f="html", lang=lang)
        rows.append(f'<tr data-fid="{escape(fid)}"><td>{_a(href, fid)}</td><td>{lon}, {lat}</td>{cells}</tr>')
    n = doc["numberReturned"]
    summary = t("prt.ogc.matched", lang, matched=doc["numberMatched"], returned=n,
                first=offset + 1 if n else 0, last=offset + n)  # fmt: skip
    pager = " ".join(
        _a(lk["href"].replace("f=json", "f=html"), lk["title"], rel=lk["rel"], class_=f"ogc-{lk['rel']}")
        for lk in sorted(doc["links"], key=lambda lk: lk["rel"], reverse=True)  # prev, then next
        if lk["rel"] in ("prev", "next")
    )
    table = (
        f'<div class="ogc-scroll"><table class="ogc-table"><thead><tr><th scope="col">{escape(t("prt.ogc.id", lang))}'
        f'</th><th scope="col">{escape(t("prt.ogc.position", lang))}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        if feats
        else f'<p class="ogc-empty">{escape(t("prt.ogc.none", lang))}</p>'
    )  # fmt: skip
    body = f'<p class="ogc-summary" role="status">{escape(summary)}</p>{table}<nav class="ogc-pager">{pager}</nav>'
    crumbs = [("/collections", t("prt.ogc.collections", lang)), (f"/collections/{cid}", title)]
    return page(f"{title} · {t('prt.ogc.items', lang)}", body, links, lang, doc=doc, crumbs=crumbs)


def item(cid: str, title: str, doc: dict[str, Any], links: Links, lang: str) -> str:
    lon, lat = doc["geometry"]["coordinates"]
    rows = "".join(
        f"<tr><th scope='row'>{escape(k)}</th><td>{_value(v)}</td></tr>" for k, v in doc["properties"].items()
    )
    rows = f"<tr><th scope='row'>{escape(t('prt.ogc.position', lang))}</th><td>{lon}, {lat}</td></tr>" + rows
    crumbs = [
        ("/collections", t("prt.ogc.collections", lang)),
        (f"/collections/{cid}", title),
        (f"/collections/{cid}/items", t("prt.ogc.items", lang)),
    ]
    body = f'<table class="ogc-table ogc-item">{rows}</table>'
    return page(f"{title} · {doc['id']}", body, links, lang, doc=doc, crumbs=crumbs)


def error(status: int, message: str, links: Links, lang: str) -> str:
    body = f'<p class="ogc-error" role="alert"><strong>{status}</strong> {escape(message)}</p>'
    return page(t("prt.ogc.error", lang), body, links, lang)
