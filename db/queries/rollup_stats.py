"""``/stats`` read from the daily rollup (:mod:`db.rollups`): the rows :func:`db.queries.stats_sql.main_sql` and
the returns query give together, from ``stats_daily`` plus the now-dependent part read raw from the open cases.

- :func:`cohort_rows`: per (bucket, department, district) the additive counts of the period, ``due_close`` and
  ``due_handle`` completed with the open, not suspended cases of the cohort whose deadline has passed at ``now``
  (the only part of a count that changes without a write; found by ``ix_case_status``, so bounded by the open
  cases, not by the history), and ``dispatches``/``returns`` (the events of returned cases included).
- :func:`durations`: per (department, district) the handled/closed cases' durations in seconds, for the median
  and p90 (not additive: the rollup keeps the exact values).

Every query adds the reader's :class:`~db.scope.RowScope` on the rollup's own department and district columns
(the department of an event for the event counts, as the raw query's ``scope.and_where(event="e")``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from db.period import Period
from db.queries.stats_sql import COHORT
from db.scope import RowScope
from db.vocabulary import OPEN_STATUSES, S, sql_list

#: the rollup's additive columns as the raw query names them
COUNTS = (
    "cases",
    "closed",
    "closed_on_time",
    "handled_on_time",
    "handled_ever",
    "reworked",
    "dispatches",
    "returns",
)
#: open statuses whose "due" depends on now (a suspended case's clock stopped: settled in the rollup)
PENDING_SQL = sql_list(OPEN_STATUSES - {S.SUSPENDED})


def _bucket(unit: str | None, day: str) -> str:
    return f"date_trunc('{unit}', {day})::date" if unit else "NULL::date"


def _rollup_sql(scope: RowScope, unit: str | None) -> str:
    sums = ", ".join(f"sum(c.{k})::int AS {k}" for k in COUNTS)
    return f"""
        SELECT {_bucket(unit, "c.day")} AS bucket, nullif(c.department_code, '') AS department_code,
               nullif(c.district_code, '') AS district_code, {sums},
               sum(c.due_close_settled)::int AS due_close, sum(c.due_handle_settled)::int AS due_handle
          FROM stats_daily c
         WHERE c.day >= :d0 AND c.day < :d1{scope.and_where()}
         GROUP BY 1, 2, 3
        HAVING sum(c.cases) > 0 OR sum(c.dispatches) > 0 OR sum(c.returns) > 0"""  # nosec B608 # SQL from constant fragments; values are bound parameters


def _pending_sql(scope: RowScope, unit: str | None) -> str:
    day = "(c.created_at AT TIME ZONE 'Asia/Shanghai')"
    return f"""
        SELECT {_bucket(unit, day)} AS bucket, c.department_code, c.district_code,
               count(*) AS due_close, count(*) FILTER (WHERE c.status <> 'handled') AS due_handle
          FROM "case" c
         WHERE c.status IN {PENDING_SQL} AND c.deadline < :now AND {COHORT}{scope.and_where()}
         GROUP BY 1, 2, 3"""  # nosec B608 # SQL from constant fragments; values are bound parameters


def _params(period: Period, scope: RowScope, now: datetime) -> dict[str, Any]:
    return {
        "d0": period.start,
        "d1": period.end + timedelta(days=1),
        "start": period.start_at,
        "end": period.end_at,
        "now": now,
        **scope.params(),
    }


def cohort_rows(
    conn: Connection, scope: RowScope, period: Period, now: datetime, unit: str | None = None
) -> list[dict[str, Any]]:
    """The period's counts per (bucket, department, district) as the raw queries give them (``dispatches`` and
    ``returns`` included; a group with only event counts has ``cases = 0``)."""
    params = _params(period, scope, now)
    rows = {
        (r["bucket"], r["department_code"], r["district_code"]): dict(r)
        for r in conn.execute(text(_rollup_sql(scope, unit)), params).mappings()
    }
    for r in conn.execute(text(_pending_sql(scope, unit)), params).mappings():
        key = (r["bucket"], r["department_code"], r["district_code"])
        # a cohort case: its group is in the rollup (unless the rollup was not rebuilt after a bulk load)
        row = rows.setdefault(
            key,
            dict(zip(("bucket", "department_code", "district_code"), key, strict=True))
            | dict.fromkeys((*COUNTS, "due_close", "due_handle"), 0),
        )
        row["due_close"] += r["due_close"]
        row["due_handle"] += r["due_handle"]
    return list(rows.values())


#: the binary form of a one-dimensional float8[] without NULLs (``array_send``): a 20-byte header, then per value
#: its length (4 bytes) and the value (8 bytes, big-endian); an empty array is a 12-byte header
_ELEMENT = np.dtype([("n", ">i4"), ("v", ">f8")])


def _floats(data: bytes) -> np.ndarray:
    if len(data) <= 12:
        return np.empty(0)
    return np.frombuffer(data, dtype=_ELEMENT, offset=20)["v"]


def durations(
    conn: Connection, scope: RowScope, period: Period
) -> list[tuple[str | None, str | None, np.ndarray, np.ndarray]]:
    """Per (department, district) of the period: the handled cases' 派遣→处置 and the closed cases' 上报→结案
    durations in seconds (exactly the raw query's values). Sent in binary (``array_send``) and read by numpy:
    parsing them as text took most of the time of a year's table."""
    sql = f"""
        SELECT nullif(c.department_code, '') AS department_code, nullif(c.district_code, '') AS district_code,
               array_send(c.handle_s) AS handle_s, array_send(c.close_s) AS close_s
          FROM stats_daily c
         WHERE c.day >= :d0 AND c.day < :d1 AND c.cases > 0{scope.and_where()}"""  # nosec B608 # SQL from constant fragments; values are bound parameters
    acc: dict[tuple[str | None, str | None], tuple[list[np.ndarray], list[np.ndarray]]] = {}
    params = {"d0": period.start, "d1": period.end + timedelta(days=1), **scope.params()}
    for dep, dis, h, c in conn.execute(text(sql), params):
        lists = acc.setdefault((dep, dis), ([], []))
        lists[0].append(_floats(h))
        lists[1].append(_floats(c))
    return [
        (dep, dis, np.concatenate(h).astype(np.float64), np.concatenate(c).astype(np.float64))
        for (dep, dis), (h, c) in acc.items()
    ]
