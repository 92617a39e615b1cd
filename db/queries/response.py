"""Department response times for the wall's panel: median and p90 dispatch→handled, on-time rate, rework rate.

Population: the cases reported in the last ``days`` days that were dispatched, grouped by the department that
holds them (the same cohort as the wall's KPI rates; it uses the ``created_at`` index, so the panel stays fast on
a 1M-case city):

- ``median_h`` / ``p90_h``: hours from ``dispatched_at`` to ``handled_at`` of the handled ones;
- ``on_time_rate`` 按期处置率 = handled by the deadline / due (handled, or past the deadline): the conditions of
  ``/stats`` (:data:`db.queries.stats_sql.CONDITIONS`), so a department's rate here is its 按期处置率 there over
  the same cases;
- ``rework_rate`` = handled cases sent back at least once (``rework_count > 0``) / handled.

Ranked best first by on-time rate, then by median; departments with fewer than ``min_due`` cases due are left
out (their rates say nothing yet). The last row is the worst.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from db.queries.stats_sql import CONDITIONS
from geo.crs import TZ

_PANEL = text(
    f"""
    SELECT g.*, d.name_zh, d.name_en, d.short_name_zh, d.short_name_en
      FROM (SELECT c.department_code AS code,
                   count(*) FILTER (WHERE c.handled_at IS NOT NULL) AS handled,
                   count(*) FILTER (WHERE {CONDITIONS["handled_on_time"]}) AS on_time,
                   count(*) FILTER (WHERE {CONDITIONS["due_handle"]}) AS due,
                   count(*) FILTER (WHERE c.handled_at IS NOT NULL AND c.rework_count > 0) AS reworked,
                   percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP
                       (ORDER BY extract(epoch FROM c.handled_at - c.dispatched_at))
                       FILTER (WHERE c.handled_at >= c.dispatched_at) AS spans
              FROM "case" c
             WHERE c.created_at >= :since AND c.created_at <= :now AND c.dispatched_at IS NOT NULL
               AND c.department_code IS NOT NULL
             GROUP BY c.department_code) g
      JOIN department d ON d.code = g.code
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)


@dataclass(frozen=True)
class DepartmentRow:
    rank: int
    code: str
    name_zh: str
    name_en: str
    handled: int
    due: int
    median_h: float | None
    p90_h: float | None
    on_time_rate: float | None
    rework_rate: float | None
    short_zh: str | None = None
    short_en: str | None = None

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    def short_name(self, lang: str) -> str:
        """The short name (departments.yaml) where space is tight, the full name when it has none."""
        return (self.short_en if lang == "en" else self.short_zh) or self.name(lang)


def response_panel(
    conn: Connection, now: datetime | None = None, days: int = 30, min_due: int = 5
) -> list[DepartmentRow]:
    at = (now or datetime.now(TZ)).astimezone(TZ)
    rows = conn.execute(_PANEL, {"now": at, "since": at - timedelta(days=days)}).all()
    out = []
    for r in rows:
        handled, due = int(r.handled), int(r.due)
        if due < min_due:
            continue
        out.append(
            DepartmentRow(
                rank=0,
                code=r.code,
                name_zh=r.name_zh,
                name_en=r.name_en,
                handled=handled,
                due=due,
                median_h=None if r.spans is None else float(r.spans[0]) / 3600,
                p90_h=None if r.spans is None else float(r.spans[1]) / 3600,
                on_time_rate=int(r.on_time) / due,
                rework_rate=(int(r.reworked) / handled) if handled else None,
                short_zh=r.short_name_zh,
                short_en=r.short_name_en,
            )
        )
    out.sort(
        key=lambda d: (
            -(d.on_time_rate or 0.0),
            d.median_h if d.median_h is not None else float("inf"),
            d.code,
        )
    )
    return [dataclasses.replace(d, rank=k + 1) for k, d in enumerate(out)]
