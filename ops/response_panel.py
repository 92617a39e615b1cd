"""The wall's department response-time panel, read from the /stats rollup: per department, the median and p90 of
派遣→处置, 按期处置率 and the rework rate of the cases reported in the last ``days`` days (today included, days of
Beijing time), the figures of /stats's "近30天" by department (:func:`ops.stats_table.stats_table`), so the wall and
/stats agree by construction; at 10M cases the panel reads a month of daily rows instead of a month of cases.

- ``median_h`` / ``p90_h``: hours from dispatch to handling of the handled ones;
- ``on_time_rate`` 按期处置率 = handled by the deadline / due (handled, or past the deadline now);
- ``rework_rate`` = handled cases sent back at least once / handled.

Ranked best first by on-time rate, then by median; departments with fewer than ``min_due`` cases due are left
out (their rates say nothing yet). The last row is the worst.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from db.period import Period
from db.queries.stats_sql import resolve_now
from db.scope import RowScope
from geo.crs import TZ
from ops.stats_table import stats_table

_SHORT = text("SELECT code, short_name_zh, short_name_en FROM department")


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
    at = resolve_now(now).astimezone(TZ)
    period = Period(at.date() - timedelta(days=days - 1), at.date())
    table = stats_table(conn, None, period, now=at, scope=RowScope.city(), min_cases=1)
    short = {r.code: (r.short_name_zh, r.short_name_en) for r in conn.execute(_SHORT)}
    out = []
    for r in table.departments:
        c = r.counts
        if not r.key or c.due_handle < min_due:
            continue
        short_zh, short_en = short.get(r.key, (None, None))
        out.append(
            DepartmentRow(
                rank=0,
                code=r.key,
                name_zh=r.name_zh,
                name_en=r.name_en,
                handled=c.handled_ever,
                due=c.due_handle,
                median_h=r.handle_p50_h,
                p90_h=r.handle_p90_h,
                on_time_rate=c.handled_on_time / c.due_handle,
                rework_rate=(c.reworked / c.handled_ever) if c.handled_ever else None,
                short_zh=short_zh,
                short_en=short_en,
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
