"""OGC API – Features under ``/ogc/`` (数据共享): landing page, conformance, collections, queryables, items and
one item, as JSON/GeoJSON or HTML (``f=json|html``, else the Accept header), with the API's OpenAPI document at
``/ogc/api`` and a catch-all answering 404 in the OGC error form ``{"code", "description"}``.

Implemented here rather than by mounting pygeoapi or tipg: one process and one port with the rest of the app,
our own keys, per-key rate limits and audit rows written in the same transaction as the read, the public map's
coarsening rules reused as they are (:mod:`db.queries.public_position`), and no second server to run and secure.

Views are thin: parse, call :mod:`ops.ogc` in a worker thread, format (:mod:`.ogc_docs`, :mod:`.ogc_html`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response

from dashboard import runtime
from dashboard.api import ogc_docs as docs
from dashboard.api import ogc_html as pages
from dashboard.api.ogc_keys import PARAM, client_of, key_of
from dashboard.api.open311_formats import language
from dashboard.i18n import t
from db.errors import DomainError, NotFound, ValidationError
from geo.crs import TZ
from ops import ogc
from ops.partners import PartnerGrant, check_key

BASE = "/ogc"
log = logging.getLogger("guiyang_ops.ogc")
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"请求过于频繁：此密钥每分钟的请求数已用完，请 {retry_after} 秒后再试。",
            f"Too many requests for this key this minute: try again in {retry_after} s.",
        )
        self.retry_after = retry_after


def wants_html(request: Request) -> bool:
    """``f=html|json`` decides; else HTML only when the client asks for text/html (browsers do, OGC clients
    such as OWSLib do not)."""
    f = request.query_params.get("f")
    if f is not None:
        if f not in ("json", "geojson", "html"):
            raise ValidationError("f 只能是 json 或 html。", "f is json or html.", field="f")
        return f == "html"
    return "text/html" in request.headers.get("accept", "")


class Ctx:
    """What every view needs of a request: language, format, links, the key's grant (or None), the client."""

    def __init__(self, request: Request, grant: PartnerGrant | None, client: str) -> None:
        self.request = request
        self.lang = language(
            request, request.query_params.get("lang"), runtime.services().settings.default_lang
        )
        self.html = wants_html(request)
        keep = {"lang": request.query_params["lang"]} if "lang" in request.query_params else {}
        if PARAM in request.query_params:
            keep[PARAM] = request.query_params[PARAM]
        here = request.url.path.removeprefix(BASE) or "/"
        asked = {k: v for k, v in request.query_params.items() if k not in ("f", "lang", PARAM)}
        self.links = docs.Links(f"{str(request.base_url).rstrip('/')}{BASE}", keep, here, asked)
        self.grant = grant
        self.client = client

    def params(self) -> dict[str, str]:
        return dict(self.request.query_params.items())


def _error(request: Request, exc: DomainError) -> Response:
    lang = language(request, request.query_params.get("lang"), "zh")
    headers: dict[str, str] = {"Cache-Control": "no-store"}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'ApiKey header="X-API-Key"'
    try:
        html = wants_html(request)
    except ValidationError:
        html = False
    if html:
        links = docs.Links(f"{str(request.base_url).rstrip('/')}{BASE}", {})
        return HTMLResponse(pages.error(exc.status, exc.message(lang), links, lang), exc.status, headers)
    body = {"code": exc.code, "description": exc.message(lang)}
    return JSONResponse(body, exc.status, headers)


def make_router(ops: runtime.Services) -> APIRouter:
    router = APIRouter()
    trusted = ops.track_limit.trusted

    View = Callable[[Ctx], Awaitable[Response]]

    def view(fn: View) -> Callable[[Request], Awaitable[Response]]:
        """Key check, rate limit and error form around a view."""

        async def run(request: Request) -> Response:
            try:
                key = key_of(request)
                grant = await runtime.aread(lambda c: check_key(c, key)) if key else None
                if grant is not None:
                    decision = await ops.limit_key(  # every worker together; a new rate, a new bucket
                        "partner", f"{grant.key_id}:{grant.per_minute}", grant.per_minute, grant.per_minute
                    )
                    if not decision.allowed:
                        log.info("partner key %s over its rate (%s/min)", grant.key_id, grant.per_minute)
                        raise RateLimited(decision.retry_after)
                return await fn(Ctx(request, grant, client_of(request, trusted)))
            except DomainError as exc:
                return _error(request, exc)

        return run

    def send(ctx: Ctx, doc: dict[str, Any], html: Callable[[], str], media: str = docs.JSON) -> Response:
        # a partner's answer is for that partner only; every answer depends on the format and the key asked with
        headers = {"Vary": "Accept, Accept-Language, X-API-Key"}
        if ctx.grant is not None:
            headers["Cache-Control"] = "no-store"
        if ctx.html:
            return HTMLResponse(html(), headers=headers)
        return JSONResponse(doc, media_type=media, headers=headers)

    async def landing(ctx: Ctx) -> Response:
        doc = docs.landing(ctx.links, ctx.lang)
        return send(ctx, doc, lambda: pages.landing(doc, ctx.links, ctx.lang))

    async def conformance(ctx: Ctx) -> Response:
        doc = docs.conformance()
        return send(ctx, doc, lambda: pages.conformance(doc, ctx.links, ctx.lang))

    async def collections(ctx: Ctx) -> Response:
        doc = docs.collections(ogc.collections_for(ctx.grant), ctx.links, ctx.lang)
        return send(ctx, doc, lambda: pages.collections(doc, ctx.links, ctx.lang))

    async def collection(ctx: Ctx) -> Response:
        coll = ogc.collection(ctx.request.path_params["cid"], ctx.grant)
        doc = docs.collection(coll, ctx.links, ctx.lang)
        return send(ctx, doc, lambda: pages.collection(doc, ctx.links, ctx.lang))

    async def queryables(ctx: Ctx) -> Response:
        coll = ogc.collection(ctx.request.path_params["cid"], ctx.grant)
        doc = docs.queryables(coll, ctx.links, ctx.lang)
        return JSONResponse(doc, media_type="application/schema+json")

    async def items(ctx: Ctx) -> Response:
        coll = ogc.collection(ctx.request.path_params["cid"], ctx.grant)
        params = ctx.params()
        query = ogc.parse_query(
            coll, params, tz=TZ, public_exact=ops.settings.public_exact_codes, grant=ctx.grant
        )
        # a partner's read is recorded with it (one transaction on the primary); a public read is a view
        page = await (runtime.awrite if ctx.grant else runtime.aview)(
            lambda c: ogc.read_items(c, coll, query, ctx.grant, ctx.client)
        )
        doc = docs.items(coll, page, query, params, ctx.links, ctx.lang)
        title = t(f"prt.coll.{coll.id}", ctx.lang)
        return send(
            ctx,
            doc,
            lambda: pages.items(coll.id, title, doc, query.offset, ctx.links, ctx.lang),
            docs.GEOJSON,
        )

    async def one(ctx: Ctx) -> Response:
        coll = ogc.collection(ctx.request.path_params["cid"], ctx.grant)
        fid = ctx.request.path_params["fid"]
        extra = sorted(set(ctx.params()) - {"f", "lang", PARAM})
        if extra:
            raise ValidationError(
                f"未知的参数：{', '.join(extra)}。", f"Unknown parameter: {', '.join(extra)}."
            )
        query = ogc.parse_query(
            coll, {}, tz=TZ, public_exact=ops.settings.public_exact_codes, grant=ctx.grant
        )
        found = await (runtime.awrite if ctx.grant else runtime.aview)(
            lambda c: ogc.read_item(c, coll, fid, query, ctx.grant, ctx.client)
        )
        doc = docs.feature(coll, found, ctx.links, ctx.lang)
        title = t(f"prt.coll.{coll.id}", ctx.lang)
        return send(ctx, doc, lambda: pages.item(coll.id, title, doc, ctx.links, ctx.lang), docs.GEOJSON)

    routes: list[tuple[str, View, str]] = [
        (BASE, landing, "Landing page"),
        (f"{BASE}/", landing, "Landing page"),
        (f"{BASE}/conformance", conformance, "Conformance classes"),
        (f"{BASE}/collections", collections, "Collections (cases only with a partner key)"),
        (f"{BASE}/collections/{{cid}}", collection, "A collection"),
        (f"{BASE}/collections/{{cid}}/queryables", queryables, "The properties items may be filtered on"),
        (
            f"{BASE}/collections/{{cid}}/items",
            items,
            "Items: bbox, datetime, property filters, limit, offset",
        ),
        (f"{BASE}/collections/{{cid}}/items/{{fid}}", one, "One item"),
    ]
    for path, fn, summary in routes:
        router.add_api_route(path, view(fn), methods=["GET"], summary=summary, include_in_schema=path != BASE)

    cache: dict[str, Any] = {}

    @router.get(f"{BASE}/api", include_in_schema=False)
    async def openapi() -> JSONResponse:
        if "doc" not in cache:
            cache["doc"] = get_openapi(
                title="guiyang-ops OGC API – Features", version="1.0", openapi_version="3.0.3",
                description="数据共享 / data sharing. Partner key: header X-API-Key or parameter api_key.",
                routes=[r for r in router.routes if getattr(r, "path", "").startswith(BASE)],
            )  # fmt: skip
        return JSONResponse(cache["doc"], media_type=docs.OPENAPI)

    async def missing(request: Request) -> Response:
        return _error(request, NotFound("没有这个地址。", "Not found."))

    router.add_api_route(f"{BASE}/{{rest:path}}", missing, methods=ALL_METHODS, include_in_schema=False)
    return router
