"""The monthly assessment report on the web: ``GET /reports/monthly`` (the printable page) and
``GET /reports/monthly.pdf`` (the PDF download), both with ``month=YYYY-MM`` (default the last whole month),
``district=ADCODE`` (default the user's whole reach) and ``lang``.

Staff with the reach of /stats (:func:`ops.reports.scope.report_scope`: an officer only their own district,
department staff their department). Each report made is recorded in the audit log in the same transaction
(:func:`ops.reports.make.make_monthly`). A refusal is a short page in the user's language with the reason.
"""

from __future__ import annotations

import logging
from html import escape
from urllib.parse import quote, urlencode

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dashboard import auth, runtime
from dashboard.i18n import t
from dashboard.ratelimit import client_key, parse_networks
from dashboard.runtime import Services
from db.accounts import StaffIdentity
from db.errors import DomainError
from ops.reports.make import Made, make_monthly

log = logging.getLogger("guiyang_ops.reports")


def _refusal(message: str, lang: str, status: int) -> HTMLResponse:
    title = t("rpt.refused", lang)
    body = (
        f'<!DOCTYPE html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body style=\"font-family: 'Noto Sans CJK SC', sans-serif; "
        f'margin: 3em auto; max-width: 40em"><h1>{escape(title)}</h1>'
        f'<p id="rpt-refusal" role="alert">{escape(message)}</p>'
        f'<p><a href="/stats">{escape(t("rpt.back", lang))}</a></p></body></html>'
    )
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def make_router(ops: Services) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    trusted = parse_networks(ops.settings.trusted_proxies)

    async def made(
        request: Request, fmt: str, month: str | None, district: str | None, lang: str
    ) -> Made | Response:
        user: StaffIdentity | None = await auth.acurrent_user()
        if user is None:
            return RedirectResponse(f"/login?next={quote(str(request.url.path))}", status_code=303)
        peer = request.client.host if request.client else None
        client = client_key(peer, request.headers.getlist("x-forwarded-for"), trusted)
        settings = runtime.services().settings
        query = urlencode({k: v for k, v in (("month", month), ("district", district)) if v})
        try:
            return await anyio.to_thread.run_sync(
                lambda: runtime.write(
                    lambda conn: make_monthly(
                        conn,
                        user,
                        month or None,
                        district or None,
                        fmt=fmt,
                        min_cases=settings.stats_min_cases,
                        radius_m=settings.places_radius_m,
                        min_reports=settings.places_min_reports,
                        client=client,
                        pdf_href=f"/reports/monthly.pdf?{query}",
                    )
                )
            )
        except DomainError as exc:
            log.info("monthly report refused for %s: %s", user.username, exc)
            return _refusal(exc.message(lang), lang, exc.status)

    @router.get("/reports/monthly")
    async def page(
        request: Request, month: str | None = None, district: str | None = None, lang: str = "zh"
    ) -> Response:
        lang = "en" if lang == "en" else "zh"
        got = await made(request, "html", month, district, lang)
        if isinstance(got, Response):
            return got
        return HTMLResponse(got.body.decode("utf-8"), headers={"Cache-Control": "no-store"})

    @router.get("/reports/monthly.pdf")
    async def pdf(
        request: Request, month: str | None = None, district: str | None = None, lang: str = "zh"
    ) -> Response:
        lang = "en" if lang == "en" else "zh"
        got = await made(request, "pdf", month, district, lang)
        if isinstance(got, Response):
            return got
        log.info("monthly report %s made (%d bytes)", got.filename, len(got.body))
        return Response(
            got.body,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{got.filename}"',
                "Cache-Control": "no-store",
            },
        )

    return router
