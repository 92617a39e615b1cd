"""Open311 GeoReport v2 under ``/open311/v2/`` (JSON and XML by suffix): discovery, services, service
definitions, POST/GET requests; the citizens' extensions (:mod:`.open311_citizen`); photos with access control
(``/media/photo/{id}/{thumb|full}``, :mod:`.media_photo`); the OpenAPI document of the JSON endpoints; and a
catch-all answering 404 in the Open311 error form (Dash's own catch-all would answer 200 with a page).

Views are thin: parse, call ``ops.citizen`` in a worker thread (``runtime.aread``/``awrite``), format."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from dashboard import runtime
from dashboard.api import media_photo, open311_citizen, open311_subs
from dashboard.api.open311_formats import error, iso, language, output_format, render
from dashboard.api.open311_routing import Api, both, open311_route_class
from dashboard.api.open311_schemas import (
    Discovery,
    RequestCreated,
    Service,
    ServiceDefinition,
    ServiceRequest,
    build_openapi,
    errors_doc,
)
from dashboard.runtime import Services
from ops.citizen import requests as reqs
from ops.citizen import services as svc
from ops.citizen.intake import ReportRequest, submit_report
from ops.citizen.keys import check_key
from ops.citizen.persons import ReporterIdentity
from ops.states import OPEN_STATUSES, PUBLIC_STAGE, CaseStatus

BASE = "/open311/v2"
SPEC = "http://wiki.open311.org/GeoReport_v2"
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]{1,40})\](\[\])?$")
Fmt = Depends(output_format)


def make_router(ops: Services) -> APIRouter:
    api = Api(ops.settings, ops.open311)
    router = APIRouter(route_class=open311_route_class(api.max_body))
    _spec_routes(router, api)
    open311_citizen.add_routes(router, api)
    open311_subs.add_routes(router, api)
    media_photo.add_routes(router, api)
    _meta_routes(router, api)
    return router


#: case status -> (Open311 status, public stage zh, en): 已受理 / 处理中 / 已办结 / 不予受理
_STATUS = {s.value: ("open" if s in OPEN_STATUSES else "closed", *PUBLIC_STAGE[s]) for s in CaseStatus}


def status_of(status: str, lang: str) -> tuple[str, str]:
    """Open311's open/closed and the public stage in the user's language."""
    open_closed, zh, en = _STATUS[status]
    return open_closed, (en if lang == "en" else zh)


def _request_dict(r: reqs.RequestRow, lang: str, base_url: str) -> dict[str, Any]:
    status, notes = status_of(r.status, lang)
    en = lang == "en"
    return {
        "service_request_id": r.ticket,
        "status": status,
        "status_notes": notes,
        "service_name": r.service_name_en if en else r.service_name_zh,
        "service_code": r.service_code,
        "description": r.description,
        "agency_responsible": r.agency_en if en else r.agency_zh,
        "service_notice": None,
        "requested_datetime": iso(r.requested_at),
        "updated_datetime": iso(r.updated_at),
        "expected_datetime": iso(r.expected_at),
        "address": r.address,
        "address_id": None,
        "zipcode": None,
        "lat": round(r.lat, 7),
        "long": round(r.lon, 7),
        "media_url": f"{base_url}media/photo/{r.photo_id}/full" if r.photo_id else None,
    }


def _service_dict(s: svc.Service, lang: str) -> dict[str, Any]:
    en = lang == "en"
    return {
        "service_code": s.code,
        "service_name": s.name_en if en else s.name_zh,
        "description": s.description,
        "metadata": bool(s.questions),
        "type": "realtime",
        "keywords": ",".join(s.keywords),
        "group": s.group_en if en else s.group_zh,
    }


def _attribute_dict(q: dict[str, Any], order: int, lang: str) -> dict[str, Any]:
    en = lang == "en"
    datatype = str(q.get("datatype", "string"))
    lists = datatype in ("singlevaluelist", "multivaluelist")
    values = [
        {"key": str(v.get("key")), "name": str(v.get("name_en" if en else "name_zh", v.get("key")))}
        for v in q.get("values") or ()
        if isinstance(v, dict)
    ]
    describe = {
        "singlevaluelist": ("选择一项", "Choose one value"),
        "multivaluelist": (
            "可选择多项（attribute[code][]）",
            "Choose one or more values (attribute[code][])",
        ),
        "number": ("数字", "A number"),
        "datetime": ("ISO 8601 日期时间", "An ISO 8601 date-time"),
    }.get(datatype)
    return {
        "variable": True,
        "code": str(q.get("code")),
        "datatype": datatype,
        "required": bool(q.get("required")),
        "datatype_description": (describe[1] if en else describe[0]) if describe else None,
        "order": order,
        "description": str(q.get("name_en" if en else "name_zh", q.get("code"))),
        "values": values if lists else None,
    }


def _split(value: str | None, limit: int = 1000) -> tuple[str, ...]:
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    return tuple(dict.fromkeys(items))[:limit]


def _spec_routes(router: APIRouter, api: Api) -> None:
    async def discovery(request: Request, fmt: str = Fmt) -> Response:
        data = {
            "changeset": api.cfg.changeset,
            "contact": api.cfg.contact,
            "key_service": api.cfg.key_service,
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": f"{request.base_url}open311/v2",
                    "changeset": api.cfg.changeset,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        }
        return render(data, fmt, "discovery")

    async def services(
        request: Request,
        fmt: str = Fmt,
        jurisdiction_id: str | None = Query(None),
        locale: str | None = Query(None, description="zh or en (default: Accept-Language)."),
    ) -> Response:
        api.check_jurisdiction(jurisdiction_id)
        lang = language(request, locale, api.settings.default_lang)
        rows = await runtime.aread(svc.list_services)
        return render([_service_dict(s, lang) for s in rows], fmt, "services")

    async def definition(
        request: Request,
        service_code: str,
        fmt: str = Fmt,
        jurisdiction_id: str | None = Query(None),
        locale: str | None = Query(None, description="zh or en (default: Accept-Language)."),
    ) -> Response:
        api.check_jurisdiction(jurisdiction_id)
        lang = language(request, locale, api.settings.default_lang)
        s = await runtime.aread(lambda c: svc.get_service(c, service_code))
        attrs = [_attribute_dict(q, i + 1, lang) for i, q in enumerate(s.questions)]
        return render({"service_code": s.code, "attributes": attrs}, fmt, "service_definition")

    async def post_request(
        request: Request,
        fmt: str = Fmt,
        api_key: str | None = Form(None, description="Your API key (403 without a valid one)."),
        service_code: str = Form(..., max_length=40, examples=["C0102"]),
        lat: float = Form(..., ge=-90, le=90, examples=[26.5838]),
        long: float = Form(..., ge=-180, le=180, examples=[106.7135]),
        coordinate_system: Literal["wgs84", "gcj02"] = Form(
            "wgs84", description="Extension: gcj02 for points from AMap/Gaode, Tencent maps or WeChat."
        ),
        jurisdiction_id: str | None = Form(None),
        address_string: str | None = Form(None, max_length=500),
        address_id: str | None = Form(None, max_length=200),
        description: str = Form("", max_length=4000),
        media_url: str | None = Form(None, max_length=1000),
        email: str | None = Form(None, max_length=160),
        device_id: str | None = Form(None, max_length=64),
        account_id: str | None = Form(None, max_length=64),
        first_name: str | None = Form(None, max_length=40),
        last_name: str | None = Form(None, max_length=40),
        phone: str | None = Form(None, max_length=32),
        locale: str | None = Form(None, description="zh or en (default: Accept-Language)."),
        media: Annotated[
            list[UploadFile] | None,
            File(description="Extension: 1 to GUIYANG_IMAGE_MAX_PHOTOS photos (JPEG, PNG, WebP)."),
        ] = None,
        idempotency_key: str | None = Header(
            None, alias="Idempotency-Key", description="Retries with the same key create one request only."
        ),
    ) -> Response:
        api.check_jurisdiction(jurisdiction_id)
        lang = language(request, locale, api.settings.default_lang)
        photos = await api.read_photos(media, api_key)
        attributes: dict[str, list[str]] = {}
        for name, value in (await request.form()).multi_items():
            m = _ATTRIBUTE.match(name)
            if m and isinstance(value, str):
                attributes.setdefault(m.group(1), []).append(value)
        report = ReportRequest(
            service_code=service_code,
            lon=long,
            lat=lat,
            coordinate_system=coordinate_system,
            description=description,
            address=address_string,
            media_url=media_url,
            attributes=attributes,
            identity=ReporterIdentity(account_id, email, phone, first_name, last_name, device_id),
            photos=photos,
        )
        receipt = await runtime.awrite(
            lambda c: submit_report(
                c,
                report,
                api_key_id=check_key(c, api_key),
                media_dir=api.media_dir,
                max_photo_bytes=api.cfg.max_photo_bytes,
                idempotency_key=idempotency_key,
                limits=api.settings.image_limits(),
            )
        )
        notice = (
            f"Received. Follow its progress with number {receipt.ticket}."
            if lang == "en"
            else f"已受理，请凭编号 {receipt.ticket} 查询办理进度。"
        )
        body = [{"service_request_id": receipt.ticket, "service_notice": notice}]
        return render(body, fmt, "service_requests", 201)

    async def get_requests(
        request: Request,
        fmt: str = Fmt,
        jurisdiction_id: str | None = Query(None),
        service_request_id: str | None = Query(
            None, description="Comma-separated; overrides the other filters."
        ),
        service_code: str | None = Query(None, description="Comma-separated service codes."),
        start_date: Annotated[
            datetime | None, Query(description="Earliest requested_datetime (ISO 8601).")
        ] = None,
        end_date: Annotated[
            datetime | None, Query(description="Latest requested_datetime; default: now.")
        ] = None,
        status: str | None = Query(None, pattern=r"^(open|closed)(,(open|closed))*$"),
        page: int = Query(1, ge=1, le=100_000),
        page_size: int = Query(api.cfg.max_page_size, ge=1, le=api.cfg.max_page_size),
        locale: str | None = Query(None, description="zh or en (default: Accept-Language)."),
    ) -> Response:
        api.check_jurisdiction(jurisdiction_id)
        lang = language(request, locale, api.settings.default_lang)
        tickets = _split(service_request_id)
        start = end = None
        if not tickets:
            start, end = reqs.window(start_date, end_date)
        query = reqs.RequestQuery(
            tickets=tickets,
            service_codes=_split(service_code),
            start=start,
            end=end,
            open311_statuses=_split(status),
            page=page,
            page_size=page_size,
            public_exact=api.settings.public_exact_codes,
        )
        rows = await runtime.aread(lambda c: reqs.find_requests(c, query))
        base = str(request.base_url)
        return render([_request_dict(r, lang, base) for r in rows], fmt, "service_requests")

    async def get_request(
        request: Request,
        service_request_id: str,
        fmt: str = Fmt,
        jurisdiction_id: str | None = Query(None),
        locale: str | None = Query(None, description="zh or en (default: Accept-Language)."),
    ) -> Response:
        api.check_jurisdiction(jurisdiction_id)
        lang = language(request, locale, api.settings.default_lang)
        exact = api.settings.public_exact_codes
        row = await runtime.aread(lambda c: reqs.get_request(c, service_request_id, exact))
        return render([_request_dict(row, lang, str(request.base_url))], fmt, "service_requests")

    both(router, f"{BASE}/discovery", discovery, methods=["GET"], response_model=Discovery,
         summary="Service discovery")  # fmt: skip
    both(router, f"{BASE}/services", services, methods=["GET"], response_model=list[Service],
         responses=errors_doc(400, 404), summary="Services: the 小类 of the catalog")  # fmt: skip
    both(router, f"{BASE}/services/{{service_code}}", definition, methods=["GET"],
         response_model=ServiceDefinition, responses=errors_doc(400, 404),
         summary="Service definition: the attributes a 小类 asks for")  # fmt: skip
    both(router, f"{BASE}/requests", post_request, methods=["POST"], status_code=201,
         response_model=list[RequestCreated], responses=errors_doc(400, 403, 404),
         summary="Report a problem (form-encoded, or multipart with photos)")  # fmt: skip
    both(router, f"{BASE}/requests", get_requests, methods=["GET"], response_model=list[ServiceRequest],
         responses=errors_doc(400, 404), summary="Public service requests (newest first)")  # fmt: skip
    both(router, f"{BASE}/requests/{{service_request_id}}", get_request, methods=["GET"],
         response_model=list[ServiceRequest], responses=errors_doc(400, 404),
         summary="One public service request")  # fmt: skip


ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _meta_routes(router: APIRouter, api: Api) -> None:
    cache: dict[str, Any] = {}

    @router.get(f"{BASE}/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        if "doc" not in cache:
            cache["doc"] = build_openapi(
                router.routes,
                title="guiyang-ops Open311 GeoReport v2",
                version="2.0",
                description="贵阳城市管理 Open311 GeoReport v2 (JSON endpoints; every path also answers in XML "
                "with the suffix .xml) and the 百姓拍 extensions: verification tasks (我来核实), points (积分), "
                "feedback (意见反馈), account, area subscriptions (区域订阅). Errors: [{code, description}].",
            )
        return JSONResponse(cache["doc"])

    async def not_found(request: Request) -> Response:
        """Unknown paths: 404 in the Open311 form; a known path with another method: 405."""
        fmt = output_format(request)
        allowed = sorted(
            {
                m
                for r in router.routes
                if isinstance(r, APIRoute)
                and r.endpoint is not not_found
                and r.path_regex.match(request.url.path)
                for m in r.methods or ()
            }
        )
        if allowed:
            return error(405, "Method not allowed.", fmt, {"Allow": ", ".join(allowed)})
        return error(404, "Not found.", fmt)

    # /media/photo/ is ours; other /media/ paths belong to other routers mounted after this one
    for path in ("/open311", "/open311/{rest:path}", "/media/photo/{rest:path}"):
        router.add_api_route(path, not_found, methods=ALL_METHODS, include_in_schema=False)
