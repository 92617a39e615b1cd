"""Make one monthly report and record it in the audit log, in one transaction (the record says who made which
report: month, scope, format; never a figure about a person)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from db.accounts import StaffIdentity
from geo.crs import TZ
from ops import audit
from ops.analysis.places import MIN_REPORTS, RADIUS_M
from ops.evaluation import DEFAULT_MIN_CASES
from ops.reports.monthly import MonthlyReport, gather
from ops.reports.render import to_html, to_pdf
from ops.reports.scope import parse_month, report_scope

FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class Made:
    report: MonthlyReport
    body: bytes
    filename: str


def filename(report: MonthlyReport, fmt: str) -> str:
    where = report.scope.district or report.scope.department or "city"
    return f"guiyang-monthly-{report.period.start:%Y-%m}-{where}.{fmt}"


def make_monthly(
    conn: Connection,
    user: StaffIdentity | None,
    month: str | None,
    district: str | None,
    *,
    fmt: str = "pdf",
    now: datetime | None = None,
    min_cases: int = DEFAULT_MIN_CASES,
    radius_m: float = RADIUS_M,
    min_reports: int = MIN_REPORTS,
    actor: str | None = None,
    client: str | None = None,
    pdf_href: str = "",
) -> Made:
    """The report of ``month`` (``YYYY-MM``, default the last whole month) for ``user`` (``None``: the command
    line, city-wide) narrowed to ``district``, as PDF or HTML; raises ``Forbidden`` / ``ValidationError`` before
    reading anything when the user may not have it. Call inside a transaction (the audit row joins it)."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: one of {FORMATS}")
    now = now or datetime.now(TZ)
    scope = report_scope(user, district)
    period = parse_month(month, now.astimezone(TZ).date())
    report = gather(
        conn, scope, period, now=now, min_cases=min_cases, radius_m=radius_m, min_reports=min_reports
    )
    body = to_pdf(report) if fmt == "pdf" else to_html(report, web=True, pdf_href=pdf_href).encode("utf-8")
    audit.record(
        conn,
        "report",
        user_id=user.id if user else None,
        username=user.username if user else actor,
        client=client,
        detail={
            "report": "monthly",
            "month": f"{period.start:%Y-%m}",
            "district": scope.district,
            "department": scope.department,
            "format": fmt,
            "bytes": len(body),
        },
    )
    return Made(report, body, filename(report, fmt))
