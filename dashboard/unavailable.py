"""When the database is unavailable: 503 with ``Retry-After`` in the error format of the path's API, bilingual,
and ONE log line per failed request (the traceback only at DEBUG level). Installed on the FastAPI server for the
exception classes of :data:`db.unavailable.CLASSES`, so it covers the Open311 API, the public endpoints, photos,
sign-in and Dash callbacks alike; anything else of those classes is answered 500 with its traceback logged.

The engine pings pooled connections before use, so once the database is back the next request succeeds without
restarting the app."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from dashboard.api.open311_formats import error as open311_error
from dashboard.api.open311_formats import language, output_format
from db.unavailable import CLASSES, is_unavailable, summary

log = logging.getLogger("guiyang_ops.unavailable")
#: Seconds a client is asked to wait before trying again.
RETRY_AFTER_S = 5
MESSAGE = {
    "zh": "数据库暂时不可用，请稍后再试。",
    "en": "The database is temporarily unavailable; please try again shortly.",
}
BOTH = f"{MESSAGE['zh']} / {MESSAGE['en']}"
_OPEN311_PATHS = ("/open311", "/media/photo/")


def unavailable_response(request: Request) -> Response:
    """503 in the format of the API the path belongs to."""
    headers = {"Retry-After": str(RETRY_AFTER_S), "Cache-Control": "no-store"}
    path = request.url.path
    if path.startswith(_OPEN311_PATHS):
        lang = language(request, request.query_params.get("locale"))
        return open311_error(503, MESSAGE[lang], output_format(request), headers)
    body = {"error": "unavailable", "message": BOTH, "retry_after": RETRY_AFTER_S}
    return JSONResponse(body, status_code=503, headers=headers)


def log_unavailable(where: str, exc: BaseException) -> None:
    """The one line a failure caused by an unavailable database gets (the traceback at DEBUG only)."""
    log.warning("database unavailable: %s (%s)", where, summary(exc))
    log.debug("database unavailable: %s", where, exc_info=exc)


def log_failure(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """For code that shows its own message instead of failing: one line when the database is unavailable,
    the full traceback for anything else."""
    if is_unavailable(exc):
        log_unavailable(what, exc)
    else:
        logger.error("%s", what, exc_info=exc)


async def _handler(request: Request, exc: Exception) -> Response:
    where = f"{request.method} {request.url.path}"
    if not is_unavailable(exc):
        log.error("%s failed", where, exc_info=exc)
        body = {"error": "internal", "message": "服务器内部错误。 / Internal server error."}
        return JSONResponse(body, status_code=500)
    log_unavailable(where, exc)
    return unavailable_response(request)


def install(server: FastAPI) -> None:
    handler: Callable[[Request, Exception], Awaitable[Response]] = _handler
    for cls in CLASSES:
        server.add_exception_handler(cls, handler)
