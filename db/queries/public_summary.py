"""The city's recent performance for the public page: counts and rates only, never a case or a person.

Part of :mod:`db.queries.public`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from db.queries.public_common import no_jit, statuses_sql
from geo.crs import TZ

_SUMMARY = text(
    f"""
    SELECT
      (SELECT count(*) FROM "case" WHERE created_at >= :month) AS reports_month,
      (SELECT count(*) FROM "case" WHERE created_at >= :since30) AS reports_30d,
      (SELECT count(*) FROM "case" WHERE status IN ({statuses_sql("received")}, {statuses_sql("progress")}))
          AS open_now,
      x.closed_month, x.on_time_month, x.with_deadline_month, x.median_hours
    FROM (
      SELECT count(*) AS closed_month,
             count(*) FILTER (WHERE deadline IS NOT NULL AND closed_at <= deadline) AS on_time_month,
             count(*) FILTER (WHERE deadline IS NOT NULL) AS with_deadline_month,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - created_at) / 3600)
                 AS median_hours
        -- closed_at <= updated_at always: the redundant updated_at bound lets the planner use its index
        FROM "case" WHERE updated_at >= :month AND status = 'closed' AND closed_at >= :month) x
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)


def summary(conn: Connection, now: datetime | None = None) -> dict[str, Any]:
    """The city's recent performance, counts only: reports this month and in the last 30 days, open now,
    closed this month, the share of those closed by their deadline (按期结案率), median hours to close."""
    at = (now or datetime.now(TZ)).astimezone(TZ)
    month = at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    no_jit(conn)
    row = conn.execute(_SUMMARY, {"month": month, "since30": at - timedelta(days=30)}).one()
    due = int(row.with_deadline_month or 0)
    return {
        "month": month.strftime("%Y-%m"),
        "reports_month": int(row.reports_month),
        "reports_30d": int(row.reports_30d),
        "open_now": int(row.open_now),
        "closed_month": int(row.closed_month),
        "on_time_rate": round(int(row.on_time_month) / due, 4) if due else None,
        "median_hours_to_close": round(float(row.median_hours), 1) if row.median_hours is not None else None,
        "as_of": at.isoformat(timespec="minutes"),
    }
