"""The trend of ``/stats``: per day or per week of report, 立案数, closed and on-time handling counts for every
department, district and the total of the user's scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.period import Period
from db.queries import rollup_stats
from db.queries.stats_sql import main_sql, query_params, resolve_now, tune
from db.scope import RowScope


def period_unit(period: Period) -> str:
    """The trend's bucket: a day for periods up to 31 days, else a week."""
    return "day" if period.days <= 31 else "week"


def trend_of(cohort: Sequence[Mapping[str, Any]], unit: str, period: Period) -> dict[str, Any]:
    """The trend from the rows of :func:`~db.queries.stats_sql.main_sql` split by ``unit`` (see :func:`trend`)."""
    acc: dict[tuple[str, str, str], list[int]] = {}
    for row in cohort:
        values = (row["cases"], row["closed"], row["due_handle"], row["handled_on_time"])
        for kind, key in (
            ("department", row["department_code"]),
            ("district", row["district_code"]),
            ("total", ""),
        ):
            if key is not None:
                sums = acc.setdefault((row["bucket"].isoformat(), kind, key), [0, 0, 0, 0])
                for i, v in enumerate(values):
                    sums[i] += v
    points = [
        {
            "bucket": b,
            "kind": kind,
            "key": key,
            **dict(zip(("cases", "closed", "due_handle", "handled_on_time"), v, strict=True)),
        }
        for (b, kind, key), v in sorted(acc.items())
    ]
    return {"unit": unit, "start": period.start.isoformat(), "end": period.end.isoformat(), "points": points}


def trend(
    conn: Connection, scope: RowScope, period: Period, *, now: datetime | None = None, source: str = "rollup"
) -> dict[str, Any]:
    """Per day (periods up to 31 days) or per week (Monday) of report: 立案数, of which closed, and the on-time
    handling counts, for every department, district and the total of ``scope`` (JSON-ready); from the daily
    rollup, or with ``source="raw"`` from the cases (the same result)."""
    tune(conn)
    unit = period_unit(period)
    if source == "raw":
        result = conn.execute(text(main_sql(scope, unit)), query_params(period, scope, resolve_now(now)))
        cohort: Sequence[Mapping[str, Any]] = [dict(r) for r in result.mappings()]
    else:
        rows = rollup_stats.cohort_rows(conn, scope, period, resolve_now(now), unit)
        cohort = [r for r in rows if r["cases"] > 0]
    return trend_of(cohort, unit, period)
