"""Case exports: ``GET /export/cases.csv``, ``/export/cases.xlsx`` and ``/export/cases.geojson``.

Query parameters: the workbench's filter, with the names its address uses (``district``, ``major``,
``category``, ``status=a,b``, ``source``, ``light``, ``window``, ``focus``, ``inview`` with ``bbox=w,s,e,n``),
plus ``since`` / ``until`` (report dates, YYYY-MM-DD) and ``lang`` (zh|en, the headers' language). Staff with a
workbench only (session cookie): 401 without one, 403 for a role without a workbench, 400 with a zh/en message
for a wrong filter value. Scope, personal data and the audit row are :mod:`ops.exports`' rules.

CSV and GeoJSON stream from a server-side cursor as they are read (one batch in memory); XLSX is written to a
temporary file in openpyxl's write-only mode, then sent. ``X-Total-Rows`` says how many cases the file holds
(the page's progress bar reads it).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from dashboard import auth
from dashboard.components.exports import ROUTE, file_layout
from dashboard.i18n import t
from dashboard.ratelimit import client_key, parse_networks
from dashboard.runtime import Services
from db.errors import DomainError
from geo.crs import TZ
from ops.exports import (
    FORMATS,
    XLSX_MAX_ROWS,
    Opened,
    csv_chunks,
    geojson_chunks,
    open_export,
    parse_filter,
    write_xlsx,
)

log = logging.getLogger("guiyang_ops.exports")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


async def _drain(chunks: Iterator[bytes], opened: Opened) -> AsyncIterator[bytes]:
    """The chunks, each made in a worker thread (the cursor blocks); closed (cursor and connection) when the
    download ends or the client goes away."""
    try:
        while True:
            chunk = await anyio.to_thread.run_sync(next, chunks, None)
            if chunk is None:
                return
            if chunk:
                yield chunk
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(opened.close)


def _xlsx(opened: Opened, lang: str) -> Path:
    fd, name = tempfile.mkstemp(prefix="guiyang-export-", suffix=".xlsx")
    os.close(fd)
    path = Path(name)
    try:
        write_xlsx(
            opened.batches(), file_layout(lang, contact=opened.contact), path, sheet=t("exp.sheet", lang)
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        opened.close()
    return path


def make_router(ops: Services) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    trusted = parse_networks(ops.settings.trusted_proxies)

    @router.get(ROUTE + ".{fmt}")
    async def export_cases(request: Request, fmt: str, lang: str = "zh") -> Response:
        lang = "en" if lang == "en" else "zh"
        if fmt not in FORMATS:
            return _error(404, "not_found", "csv, xlsx or geojson")
        user = await auth.acurrent_user()
        if user is None:
            return _error(401, "unauthorized", t("exp.signin", lang))
        peer = request.client.host if request.client else None
        client = client_key(peer, request.headers.getlist("x-forwarded-for"), trusted)
        params = {k: v for k, v in request.query_params.items() if k != "lang"}

        def start() -> Opened:
            f = parse_filter(params, user)
            return open_export(
                ops.engine,
                user,
                f,
                fmt=fmt,
                lang=lang,
                client=client,
                max_rows=XLSX_MAX_ROWS if fmt == "xlsx" else None,
            )

        try:
            opened = await anyio.to_thread.run_sync(start)
        except DomainError as exc:
            log.info("export %s refused for %s: %s", fmt, user.username, exc.detail or exc.en)
            return _error(exc.status, exc.code, exc.message(lang))
        name = f"guiyang-cases-{datetime.now(TZ):%Y%m%d-%H%M}.{fmt}"
        headers = {
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Total-Rows": str(opened.rows),
            "X-Personal-Data": "1" if opened.contact else "0",
            "Access-Control-Expose-Headers": "X-Total-Rows, X-Personal-Data",
        }
        log.info(
            "export %s by %s: %s rows (personal data: %s)", fmt, user.username, opened.rows, opened.contact
        )
        if fmt == "xlsx":
            path = await anyio.to_thread.run_sync(_xlsx, opened, lang)
            return FileResponse(
                path, media_type=MEDIA[fmt], headers=headers, background=BackgroundTask(path.unlink, True)
            )
        layout = file_layout(lang, contact=opened.contact)
        write = csv_chunks if fmt == "csv" else geojson_chunks
        return StreamingResponse(
            _drain(write(opened.batches(), layout), opened), media_type=MEDIA[fmt], headers=headers
        )

    return router
