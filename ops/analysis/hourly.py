"""The hourly read model of the alert cycle (table ``analysis_hourly``), kept up to date incrementally.

:func:`top_up` adds the cases with an id above the ``analysis_cursor`` row ``'hourly'`` (at most up to the
largest id it saw when it started) and moves the cursor, in the caller's transaction, holding the cursor row
locked so two cycles never count a case twice. The table then answers every baseline of
:mod:`ops.analysis.anomaly_step` and :mod:`ops.analysis.trend_step` without reading history from ``case``.

What it does not follow: a case whose category is corrected after it was counted stays counted under its first
小类 (reports are counted as they arrived); a case inserted by a transaction that commits after a later id was
already counted is missed (the app writes one case per short transaction, so this is rare and only lowers a count
by one). :func:`rebuild` recounts everything; the cycle does it by itself when the cursor is ahead of the case
table (the cases were replaced).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

CURSOR = "hourly"
#: A case's 1 km square key from its grid cell (``''`` outside the grid), SQL over ``g`` = grid_cell.
AREA_SQL = "CASE WHEN g.id IS NULL THEN '' ELSE '1km:' || div(g.i, 10) || ':' || div(g.j, 10) END"
HOUR_SQL = "date_trunc('hour', c.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"

_COUNT = f"""
    SELECT {HOUR_SQL} AS hour, {AREA_SQL} AS area_key, COALESCE(c.district_code, '') AS district_code,
           c.category_code, count(*) AS n
      FROM "case" c LEFT JOIN grid_cell g ON g.id = c.cell_id
     WHERE c.id > :after AND c.id <= :upto
     GROUP BY 1, 2, 3, 4
"""
_UPSERT = text(
    "INSERT INTO analysis_hourly (hour, area_key, district_code, category_code, n) "
    + _COUNT
    + " ON CONFLICT (hour, area_key, district_code, category_code) DO UPDATE SET n = analysis_hourly.n + EXCLUDED.n"
)
_LOCK = text("INSERT INTO analysis_cursor (name, last_id) VALUES (:name, 0) ON CONFLICT (name) DO NOTHING")
_READ = text("SELECT last_id FROM analysis_cursor WHERE name = :name FOR UPDATE")
_MOVE = text(
    "UPDATE analysis_cursor SET last_id = :last, last_at = :now, updated_at = :now WHERE name = :name"
)


def top_up(conn: Connection, now: datetime) -> int:
    """Count the cases added since the last top-up into ``analysis_hourly``; returns how many were added."""
    conn.execute(_LOCK, {"name": CURSOR})
    last = int(conn.execute(_READ, {"name": CURSOR}).scalar_one())
    upto = int(conn.execute(text('SELECT COALESCE(max(id), 0) FROM "case"')).scalar_one())
    if upto < last:  # the cases were replaced: start again
        conn.execute(text("DELETE FROM analysis_hourly"))
        last = 0
    if upto == last:
        conn.execute(_MOVE, {"last": last, "now": now, "name": CURSOR})
        return 0
    added = int(
        conn.execute(
            text('SELECT count(*) FROM "case" WHERE id > :a AND id <= :u'), {"a": last, "u": upto}
        ).scalar_one()
    )
    conn.execute(_UPSERT, {"after": last, "upto": upto})
    conn.execute(_MOVE, {"last": upto, "now": now, "name": CURSOR})
    return added


def rebuild(conn: Connection, now: datetime) -> int:
    """Forget the hourly counts and count every case again."""
    conn.execute(text("DELETE FROM analysis_hourly"))
    conn.execute(_LOCK, {"name": CURSOR})
    conn.execute(_READ, {"name": CURSOR})
    conn.execute(_MOVE, {"last": 0, "now": now, "name": CURSOR})
    return top_up(conn, now)


def full_recount(conn: Connection) -> pd.DataFrame:
    """What ``analysis_hourly`` should hold, counted from every case (tests and checks)."""
    rows = conn.execute(text(_COUNT), {"after": 0, "upto": 2**62}).all()
    return _frame(rows, ["hour", "area_key", "district_code", "category_code", "n"])


def table(conn: Connection) -> pd.DataFrame:
    rows = conn.execute(
        text("SELECT hour, area_key, district_code, category_code, n FROM analysis_hourly")
    ).all()
    return _frame(rows, ["hour", "area_key", "district_code", "category_code", "n"])


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    return df.sort_values(columns[:-1]).reset_index(drop=True)


def floor_hour(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


_RECENT = text(
    f"""
    SELECT {AREA_SQL} AS area_key, COALESCE(c.district_code, '') AS district_code, c.category_code,
           c.created_at
      FROM "case" c LEFT JOIN grid_cell g ON g.id = c.cell_id
     WHERE c.created_at >= :since AND c.created_at < :now
    """
)


def recent_cases(conn: Connection, now: datetime, hours: int) -> pd.DataFrame:
    """The cases of the last ``hours`` before ``now`` (the windows being tested), by area and 小类."""
    rows = conn.execute(_RECENT, {"since": now - timedelta(hours=hours), "now": now}).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["area_key", "district_code", "category_code", "created_at"]
    )


_SHIFTED = text(
    """
    SELECT w.h, w.k, a.area_key, a.district_code, a.category_code,
           sum(a.n * GREATEST(0.0, EXTRACT(EPOCH FROM LEAST(a.hour + interval '1 hour', w.we)
                                                   - GREATEST(a.hour, w.ws)) / 3600.0)) AS n
      FROM unnest(CAST(:hs AS int[]), CAST(:ks AS int[]), CAST(:wss AS timestamptz[]), CAST(:wes AS timestamptz[]))
           AS w(h, k, ws, we)
      JOIN analysis_hourly a ON a.hour > w.ws - interval '1 hour' AND a.hour < w.we
     GROUP BY 1, 2, 3, 4, 5
    """
)


def shifted_windows(conn: Connection, now: datetime, windows: tuple[int, ...], weeks: int) -> pd.DataFrame:
    """Counts of each area × 小类 in each window shifted back by 1…``weeks`` weeks (``h``, ``k``), partial hours
    at the edges weighted by their overlap."""
    hs, ks, wss, wes = [], [], [], []
    for h in windows:
        for k in range(1, weeks + 1):
            end = now - timedelta(days=7 * k)
            hs.append(h)
            ks.append(k)
            wss.append(end - timedelta(hours=h))
            wes.append(end)
    rows = conn.execute(_SHIFTED, {"hs": hs, "ks": ks, "wss": wss, "wes": wes}).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["h", "k", "area_key", "district_code", "category_code", "n"]
    ).astype({"n": float})


_LEVEL = text(
    """
    SELECT area_key, district_code, category_code, sum(n) AS n FROM analysis_hourly
     WHERE hour >= :b0 AND hour < :b1 GROUP BY 1, 2, 3
    """
)


def levels(conn: Connection, start: datetime, end: datetime) -> pd.DataFrame:
    """Each area × 小类's count over ``[start, end)`` (whole hours)."""
    rows = conn.execute(_LEVEL, {"b0": start, "b1": end}).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["area_key", "district_code", "category_code", "n"]
    ).astype({"n": float})


_WEEKLY = text(
    """
    SELECT area_key, district_code, category_code,
           CAST(floor(EXTRACT(EPOCH FROM (:end - hour)) / 604800.0) AS int) AS age, sum(n) AS n
      FROM analysis_hourly WHERE hour >= :start AND hour < :end GROUP BY 1, 2, 3, 4
    """
)


def weekly(conn: Connection, end: datetime, weeks: int) -> pd.DataFrame:
    """Each area × 小类's count per week before ``end`` (``age`` 0 = the last 7 days)."""
    rows = conn.execute(_WEEKLY, {"end": end, "start": end - timedelta(days=7 * weeks)}).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["area_key", "district_code", "category_code", "age", "n"]
    ).astype({"n": float})
