"""``GET /admin/audit/export.csv``: the audit viewer's filtered view as CSV (admins only), streamed a page at a
time (bounded memory whatever the size), UTF-8 with a byte-order mark so spreadsheet programs read the Chinese,
formula-safe cells. Query parameters as the page's filters: ``user``, ``kinds`` (comma-separated groups or one
audit kind), ``since``, ``until`` (YYYY-MM-DD), ``lang``. The export is recorded (``audit_export``, with its
filter) and committed before the first row goes out."""

from __future__ import annotations

import csv
import functools
import io
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy import Connection

from dashboard import auth
from dashboard.components.admin_audit import csv_cells, csv_header
from dashboard.ratelimit import client_key, parse_networks
from dashboard.runtime import Services
from db.accounts import StaffIdentity
from db.errors import DomainError, Forbidden
from db.queries.audit_view import Cursor
from geo.crs import TZ
from ops import audit_view
from ops.policy import Screen, reach

log = logging.getLogger("guiyang_ops.audit")
PATH = "/admin/audit/export.csv"
BATCH = 2000


def _error(exc: DomainError, lang: str) -> JSONResponse:
    return JSONResponse({"error": exc.code, "message": exc.message(lang)}, status_code=exc.status)


def _lines(rows: Sequence[Sequence[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def _page(flt: audit_view.Filter, after: Cursor | None, conn: Connection) -> audit_view.Page:
    return audit_view.read_page(conn, flt, after, BATCH)


def make_router(ops: Services) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    trusted = parse_networks(ops.settings.trusted_proxies)

    @router.get(PATH)
    async def export(
        request: Request,
        user: str | None = None,
        kinds: str | None = None,
        since: str | None = None,
        until: str | None = None,
        lang: str = "zh",
    ) -> Response:
        lang = "en" if lang == "en" else "zh"
        who: StaffIdentity | None = await auth.acurrent_user()
        if who is None:
            return _error(Forbidden("请先登录。", "Please sign in first."), lang)
        if reach(who.role, Screen.ADMIN) is None:
            return _error(
                Forbidden("只有管理员可以导出审计日志。", "Only administrators export the audit log."), lang
            )
        try:
            flt = audit_view.parse_filter(user, kinds, since, until)
        except DomainError as exc:
            return _error(exc, lang)
        client = client_key(
            request.client.host if request.client else None,
            request.headers.getlist("x-forwarded-for"),
            trusted,
        )
        await anyio.to_thread.run_sync(
            ops.write,
            lambda c: audit_view.record_export(c, flt, user_id=who.id, username=who.username, client=client),
        )
        log.info("audit export by %s: %s", who.username, flt.as_detail())

        async def body() -> AsyncIterator[bytes]:
            yield "\ufeff".encode() + _lines([csv_header(lang)])
            after: Cursor | None = None
            while True:
                page = await anyio.to_thread.run_sync(ops.read, functools.partial(_page, flt, after))
                if page.rows:
                    yield _lines([csv_cells(r, lang) for r in page.rows])
                if page.next is None:
                    return
                after = page.next

        name = f"guiyang-audit-{datetime.now(TZ):%Y%m%d-%H%M}.csv"
        return StreamingResponse(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
        )

    return router


def export_href(
    user: str | None, kinds: Sequence[str] | None, since: str | None, until: str | None, lang: str
) -> str:
    """The export link of a filter (the page's CSV button)."""
    params = {
        "user": user or "",
        "kinds": ",".join(kinds or []),
        "since": since or "",
        "until": until or "",
        "lang": lang,
    }
    return PATH + "?" + urlencode({k: v for k, v in params.items() if v})
