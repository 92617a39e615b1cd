"""Downloads of the /stats evaluation table: ``GET /stats/export.csv`` and ``GET /stats/export.xlsx``.

Same query parameters as the page (``start``, ``end`` as YYYY-MM-DD, default the last 30 days; ``lang`` zh|en) and
the same table: :func:`ops.stats_table.stats_table` within the signed-in user's scope, flattened by
:mod:`dashboard.components.stats_columns`. Staff only (a session from ``/auth/login``), 403 otherwise. Indicators
only: no personal data.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from dashboard import auth, runtime
from dashboard.components.stats_columns import COLUMNS, export_header, export_rows
from dashboard.i18n import t
from dashboard.runtime import Services
from db.accounts import StaffIdentity
from db.errors import DomainError, Forbidden
from db.period import parse_period
from geo.crs import TZ
from ops.stats_table import StatsTable, stats_table

log = logging.getLogger("guiyang_ops.exports")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _error(exc: DomainError, lang: str) -> JSONResponse:
    return JSONResponse({"error": exc.code, "message": exc.message(lang)}, status_code=exc.status)


def to_csv(table: StatsTable, lang: str) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese names correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(export_header(lang))
    for row in export_rows(table, lang):
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(table: StatsTable, lang: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # nosec B101 # type narrowing for mypy, not a security check
    ws.title = t("stats.nav", lang)[:31]
    p = table.period
    ws.append([t("stats.title", lang)])
    ws.append(
        [
            t(
                "stats.as_of",
                lang,
                start=p.start.isoformat(),
                end=p.end.isoformat(),
                days=p.days,
                now=table.as_of.astimezone(TZ).strftime("%Y-%m-%d %H:%M"),
            )
        ]
    )
    ws.append(export_header(lang))
    head = ws.max_row
    for row in export_rows(table, lang):
        ws.append(row)
    ws["A1"].font = Font(bold=True, size=13)
    for cell in ws[head]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE8F3")
    ws.freeze_panes = ws.cell(row=head + 1, column=4)
    widths = [8, 12, 28] + [12] * (len(COLUMNS) - 1)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=head, column=i).column_letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def make_router(ops: Services) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/stats/export.{fmt}")
    async def export(
        request: Request, fmt: str, start: str | None = None, end: str | None = None, lang: str = "zh"
    ) -> Response:
        lang = "en" if lang == "en" else "zh"
        if fmt not in MEDIA:
            return JSONResponse({"error": "not_found", "message": "csv or xlsx"}, status_code=404)
        user: StaffIdentity | None = await auth.acurrent_user()  # the session version checked too
        if user is None:
            return _error(Forbidden("请先登录。", "Please sign in first."), lang)
        today = datetime.now(TZ).date()

        def build() -> StatsTable:
            period = parse_period(start, end, today)
            min_cases = runtime.services().settings.stats_min_cases
            return runtime.services().view(lambda c: stats_table(c, user, period, min_cases=min_cases))

        try:
            table = await anyio.to_thread.run_sync(build)
        except DomainError as exc:
            return _error(exc, lang)
        body = to_csv(table, lang) if fmt == "csv" else await anyio.to_thread.run_sync(to_xlsx, table, lang)
        name = f"guiyang-stats-{table.period.start:%Y%m%d}-{table.period.end:%Y%m%d}.{fmt}"
        log.info("export %s by %s: %s", fmt, user.username, name)
        return Response(
            body,
            media_type=MEDIA[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
        )

    return router
