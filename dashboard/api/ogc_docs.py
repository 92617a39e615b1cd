"""The OGC API – Features documents (landing page, conformance, collections, items) as plain dicts with their
links, for :mod:`dashboard.api.ogc` to send as JSON or to draw as HTML (:mod:`dashboard.api.ogc_html`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from dashboard.i18n import t
from db.queries import ogc as q
from db.queries.public_reports import CITY_BBOX
from geo.crs import TZ
from ops.ogc import CRS84

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
]
JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


class Links:
    """Absolute links under ``base`` (``http://host/ogc``) that keep the request's ``lang`` and, when the key
    came as a query parameter, ``api_key`` (a client following ``next`` must be let in again)."""

    def __init__(
        self, base: str, keep: dict[str, str], here: str = "/", asked: dict[str, str] | None = None
    ) -> None:
        self.base = base.rstrip("/")
        self.keep = keep
        self.here = here  # the request's path under base and its parameters: the page in the other language
        self.asked = asked or {}

    def other_language(self, lang: str) -> str:
        return self.href(self.here, **{**self.asked, "f": "html", "lang": lang})

    def href(self, path: str, **params: Any) -> str:
        merged = {**self.keep, **{k: v for k, v in params.items() if v is not None}}
        query = urlencode(merged)
        return f"{self.base}{path}" + (f"?{query}" if query else "")

    def pair(self, path: str, json_type: str, title: str, **params: Any) -> list[dict[str, str]]:
        """``self`` as JSON and its ``alternate`` in HTML (``html=True``: the other way round)."""
        return [
            {"href": self.href(path, f="json", **params), "rel": "self", "type": json_type, "title": title},
            {"href": self.href(path, f="html", **params), "rel": "alternate", "type": HTML, "title": title},
        ]


def landing(links: Links, lang: str) -> dict[str, Any]:
    return {
        "title": t("prt.ogc.title", lang),
        "description": t("prt.ogc.description", lang),
        "links": [
            *links.pair("/", JSON, t("prt.ogc.title", lang)),
            {"href": links.href("/api"), "rel": "service-desc", "type": OPENAPI, "title": t("prt.ogc.api", lang)},
            {"href": links.href("/conformance", f="json"), "rel": "conformance", "type": JSON,
             "title": t("prt.ogc.conformance", lang)},
            {"href": links.href("/collections", f="json"), "rel": "data", "type": JSON,
             "title": t("prt.ogc.collections", lang)},
        ],
    }  # fmt: skip


def conformance() -> dict[str, Any]:
    return {"conformsTo": CONFORMANCE}


def collection(coll: q.Collection, links: Links, lang: str) -> dict[str, Any]:
    path = f"/collections/{coll.id}"
    title = t(f"prt.coll.{coll.id}", lang)
    return {
        "id": coll.id,
        "title": title,
        "description": t(f"prt.coll.{coll.id}.d", lang),
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": {
            "spatial": {"bbox": [list(CITY_BBOX)], "crs": CRS84},
            "temporal": {"interval": [[None, None]], "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"},
        },
        "partnersOnly": not coll.public,
        "links": [
            *links.pair(path, JSON, title),
            {"href": links.href(f"{path}/items", f="json"), "rel": "items", "type": GEOJSON, "title": title},
            {"href": links.href(f"{path}/items", f="html"), "rel": "items", "type": HTML, "title": title},
            {"href": links.href(f"{path}/queryables", f="json"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
             "type": "application/schema+json", "title": t("prt.ogc.queryables", lang)},
        ],
    }  # fmt: skip


def collections(colls: list[q.Collection], links: Links, lang: str) -> dict[str, Any]:
    return {
        "links": links.pair("/collections", JSON, t("prt.ogc.collections", lang)),
        "collections": [collection(c, links, lang) for c in colls],
    }


def queryables(coll: q.Collection, links: Links, lang: str) -> dict[str, Any]:
    props: dict[str, Any] = {"geometry": {"$ref": "https://geojson.org/schema/Point.json"}}
    for qb in coll.queryables:
        schema: dict[str, Any] = {"type": "string", "title": qb.name}
        if qb.values:
            schema["enum"] = list(qb.values)
        props[qb.name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": links.href(f"/collections/{coll.id}/queryables"),
        "type": "object",
        "title": t(f"prt.coll.{coll.id}", lang),
        "properties": props,
        "additionalProperties": False,
    }


def items(
    coll: q.Collection, page: q.Page, query: q.ItemQuery, params: dict[str, str], links: Links, lang: str
) -> dict[str, Any]:
    """The FeatureCollection of one page, with ``next``/``prev`` links that keep every other parameter."""
    path = f"/collections/{coll.id}/items"
    asked = {k: v for k, v in params.items() if k not in ("f", "offset", "limit", "lang", "api_key")}
    here = {**asked, "limit": query.limit}
    title = t(f"prt.coll.{coll.id}", lang)
    out = [
        *links.pair(path, GEOJSON, title, **here, offset=query.offset or None),
        {
            "href": links.href(f"/collections/{coll.id}", f="json"),
            "rel": "collection",
            "type": JSON,
            "title": title,
        },
    ]
    if query.offset + len(page.features) < page.matched:
        nxt = query.offset + query.limit
        out.append({"href": links.href(path, f="json", **here, offset=nxt), "rel": "next", "type": GEOJSON,
                    "title": t("prt.ogc.next", lang)})  # fmt: skip
    if query.offset > 0:
        prv = max(0, query.offset - query.limit)
        out.append({"href": links.href(path, f="json", **here, offset=prv or None), "rel": "prev",
                    "type": GEOJSON, "title": t("prt.ogc.prev", lang)})  # fmt: skip
    return {
        "type": "FeatureCollection",
        "features": page.features,
        "numberMatched": page.matched,
        "numberReturned": len(page.features),
        "timeStamp": datetime.now(TZ).isoformat(timespec="seconds"),
        "links": out,
    }


def feature(coll: q.Collection, found: dict[str, Any], links: Links, lang: str) -> dict[str, Any]:
    path = f"/collections/{coll.id}/items/{found['id']}"
    title = t(f"prt.coll.{coll.id}", lang)
    return {
        **found,
        "links": [
            *links.pair(path, GEOJSON, str(found["id"])),
            {"href": links.href(f"/collections/{coll.id}", f="json"), "rel": "collection", "type": JSON, "title": title},
        ],
    }  # fmt: skip
