"""What every Open311 view shares: the route class that turns every refusal into the spec's error form (in
the format of the path), the API's context, the jurisdiction check, reading uploads, registering a view for
both formats."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException  # FastAPI's is a subclass; form parsing raises this one
from starlette.types import Message, Receive

from dashboard import runtime
from dashboard.api.open311_formats import error, language, output_format
from dashboard.api.open311_settings import Open311Settings
from dashboard.settings import Settings
from db.errors import DomainError, NotFound, ValidationError
from db.media import CleanPhoto, clean_photos
from ops.citizen.intake import check_declared_type
from ops.citizen.keys import check_key

log = logging.getLogger("guiyang_ops.open311")
SPEC_STATUSES = (400, 403, 404)
PASSED_ON = (*SPEC_STATUSES, 503)  # 503: busy, try again (with Retry-After)


@dataclass(frozen=True)
class Api:
    settings: Settings
    cfg: Open311Settings

    @property
    def media_dir(self) -> Path:
        return self.settings.media_path

    @property
    def max_body(self) -> int:
        return self.settings.image_max_photos * self.cfg.max_photo_bytes + 2_000_000

    def check_jurisdiction(self, jurisdiction_id: str | None) -> None:
        """Accepted when it is ours; required only if configured (400), another one is not found (404)."""
        if jurisdiction_id is None or not jurisdiction_id.strip():
            if self.cfg.require_jurisdiction:
                raise ValidationError(
                    "未提供 jurisdiction_id。", "jurisdiction_id was not provided.", field="jurisdiction_id"
                )
            return
        if jurisdiction_id.strip() != self.cfg.jurisdiction_id:
            raise NotFound(
                f"未找到 jurisdiction_id {jurisdiction_id}。",
                f"jurisdiction_id {jurisdiction_id} was not found.",
                field="jurisdiction_id",
            )

    async def read_photos(
        self, uploads: Sequence[UploadFile] | None, api_key: str | None, *, field: str = "media"
    ) -> list[CleanPhoto]:
        """The uploaded photos, at most ``GUIYANG_IMAGE_MAX_PHOTOS``, each read no further than the size limit and checked
        for its declared type; then, for a client with a valid key only, checked from their headers (pixels,
        the request's pixels together) and decoded once each in a worker thread, outside any transaction."""
        files = [u for u in uploads or () if u is not None]
        most = self.settings.image_max_photos
        if len(files) > most:
            raise ValidationError(f"最多 {most} 张照片。", f"At most {most} photos.", field=field)
        limit = self.cfg.max_photo_bytes
        out = []
        for f in files:
            data = await f.read(limit + 1)
            if len(data) > limit:
                raise ValidationError(
                    f"照片过大（最大 {limit // 1_000_000} MB）。",
                    f"The photo is too large (max {limit // 1_000_000} MB).",
                    field=field,
                )
            check_declared_type(data, f.content_type, f.filename)
            out.append(data)
        if not out:
            return []
        limits = self.settings.image_limits()
        await runtime.aread(lambda c: check_key(c, api_key))  # decoding is work: only for a known client
        return await anyio.to_thread.run_sync(lambda: clean_photos(out, limit, limits))


class BodyTooLarge(Exception):
    pass


def _limited(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message

    return wrapped


def _describe(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        name = ".".join(loc) or "request"
        if err.get("type") == "missing" and name in ("lat", "long"):
            parts.append(
                f"{name} was not provided (a report needs lat/long; an address alone cannot be located)"
            )
        elif err.get("type") == "missing":
            parts.append(f"{name} was not provided")
        else:
            parts.append(f"{name}: {err.get('msg', 'not valid')}")
    return "; ".join(parts) or "The request is not valid."


def open311_route_class(max_body: int) -> type[APIRoute]:
    """A route class answering every refusal in the Open311 error form: parameter errors (FastAPI's 422) and
    :class:`DomainError` 400/403/404 as the spec assigns, a too large body 413."""

    class Open311Route(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            original = super().get_route_handler()

            async def handler(request: Request) -> Response:
                fmt = output_format(request)
                lang = language(request, request.query_params.get("locale"))
                length = request.headers.get("content-length", "")
                if length.isdigit() and int(length) > max_body:
                    return error(413, "The request is too large.", fmt)
                if not length.isdigit() and request.method in ("POST", "PUT", "PATCH"):  # chunked: count it
                    request = Request(request.scope, _limited(request.receive, max_body))
                try:
                    return await original(request)
                except RequestValidationError as exc:
                    return error(400, _describe(exc), fmt)
                except DomainError as exc:
                    log.info("open311 refused %s: %s (%s)", request.url.path, exc.en, exc.detail)
                    status = exc.status if exc.status in PASSED_ON else 400
                    retry = {"Retry-After": "5"} if status == 503 else None
                    return error(status, exc.message(lang), fmt, retry)
                except HTTPException as exc:
                    if isinstance(exc.__cause__, BodyTooLarge):
                        return error(413, "The request is too large.", fmt)
                    status = exc.status_code if 400 <= exc.status_code < 500 else 400
                    return error(status, str(exc.detail), fmt)
                except BodyTooLarge:
                    return error(413, "The request is too large.", fmt)

            return handler

    return Open311Route


def both(
    router: APIRouter, path: str, endpoint: Callable[..., Any], *, methods: list[str], **doc: Any
) -> None:
    """Register ``endpoint`` at ``path.json`` (in the OpenAPI document, with ``doc``) and ``path.xml``."""
    router.add_api_route(f"{path}.json", endpoint, methods=methods, **doc)
    status = doc.get("status_code")
    router.add_api_route(
        f"{path}.xml",
        endpoint,
        methods=methods,
        include_in_schema=False,
        **({"status_code": status} if status else {}),
    )
