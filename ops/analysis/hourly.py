"""The hourly read model of the alert cycle (table ``analysis_hourly``), kept up to date incrementally.

:func:`top_up` adds the cases the ``analysis_cursor`` row ``'hourly'`` has not counted and moves the cursor, in the
caller's transaction, holding the cursor row locked so two cycles never count a case twice. The cursor holds the
newest case id and the snapshot its last count read in (``seen``, as the live screens hold one, :mod:`db.snapshots`);
a count takes, in one statement with the snapshot it reads in, the cases above that id and the ones below it whose
``report`` event (``case_event.tx``, the transaction that created the case) that snapshot did not see: a case
committed after one with a higher id is counted all the same (by id alone it was missed for good).
The table then answers every baseline of :mod:`ops.analysis.anomaly_step` and :mod:`ops.analysis.trend_step`
without reading history from ``case``.

What it does not follow: a case whose category is corrected after it was counted stays counted under its first
小类 (reports are counted as they arrived). :func:`rebuild` recounts everything; the cycle does it by itself when
the newest case id is below the cursor's (the cases were replaced).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from db.snapshots import LATE_REPORTS

CURSOR = "hourly"
#: A case's 1 km square key from its grid cell (``''`` outside the grid), SQL over ``g`` = grid_cell.
AREA_SQL = "CASE WHEN g.id IS NULL THEN '' ELSE '1km:' || div(g.i, 10) || ':' || div(g.j, 10) END"
HOUR_SQL = "date_trunc('hour', c.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"

#: The hourly counts of the cases ``{cases}`` (a table or a subquery, alias ``c``), with ``{extra}`` columns.
_COUNT_SQL = """
    SELECT {hour} AS hour, {area} AS area_key, COALESCE(c.district_code, '') AS district_code,
           c.category_code, count(*) AS n{extra}
      FROM {cases} c LEFT JOIN grid_cell g ON g.id = c.cell_id
     GROUP BY 1, 2, 3, 4
"""
_COUNT = _COUNT_SQL.format(hour=HOUR_SQL, area=AREA_SQL, cases='"case"', extra="")  # nosec B608 # this module's constants only
#: One step, in one statement (one snapshot): the cases not counted yet (above id ``:after``, and below it those
#: created by a transaction snapshot ``:seen`` did not see) grouped and added to the hourly counts; returns the
#: statement's snapshot, how many were added, the oldest of them and the newest case id. Only the groups are
#: materialized (a rebuild reads every case once).
_STEP_SQL = """
    WITH s AS (SELECT pg_current_snapshot() AS now_s),
    grouped AS MATERIALIZED ({count}),
    added AS (
        INSERT INTO analysis_hourly (hour, area_key, district_code, category_code, n)
        SELECT hour, area_key, district_code, category_code, n FROM grouped
        ON CONFLICT (hour, area_key, district_code, category_code) DO UPDATE SET n = analysis_hourly.n + EXCLUDED.n
    )
    SELECT (SELECT now_s::text FROM s) AS seen, COALESCE(sum(n), 0) AS added, min(oldest) AS oldest,
           (SELECT COALESCE(max(id), 0) FROM "case") AS upto
      FROM grouped
"""
#: the cases a step counts: above the last id, and below it the late ones (:data:`db.snapshots.LATE_REPORTS`)
_NOT_COUNTED = f"""(SELECT c.created_at, c.cell_id, c.district_code, c.category_code FROM "case" c WHERE c.id > :after
      UNION ALL
      SELECT c.created_at, c.cell_id, c.district_code, c.category_code FROM "case" c
       WHERE c.id <= :after AND c.id = ANY ({LATE_REPORTS}))"""  # nosec B608 # constants of db.snapshots
_STEP = text(
    _STEP_SQL.format(
        count=_COUNT_SQL.format(
            hour=HOUR_SQL, area=AREA_SQL, cases=_NOT_COUNTED, extra=", min(c.created_at) AS oldest"
        )
    )
)  # nosec B608 # this module's constants only
_LOCK = text("INSERT INTO analysis_cursor (name, last_id) VALUES (:name, 0) ON CONFLICT (name) DO NOTHING")
_READ = text("SELECT last_id, seen FROM analysis_cursor WHERE name = :name FOR UPDATE")
_NEWEST = text('SELECT COALESCE(max(id), 0) FROM "case"')
_MOVE = text(
    "UPDATE analysis_cursor SET last_id = :last, seen = :seen, last_at = :now, updated_at = :now WHERE name = :name"
)


def top_up(conn: Connection, now: datetime) -> int:
    """Count the cases added since the last top-up into ``analysis_hourly``; returns how many were added."""
    conn.execute(_LOCK, {"name": CURSOR})
    last, seen = conn.execute(_READ, {"name": CURSOR}).one()
    if int(conn.execute(_NEWEST).scalar_one()) < int(last):  # the cases were replaced: start again
        conn.execute(text("DELETE FROM analysis_hourly"))
        last, seen = 0, None
    step = conn.execute(_STEP, {"seen": seen, "after": int(last)}).one()
    conn.execute(_MOVE, {"last": int(step.upto), "seen": step.seen, "now": now, "name": CURSOR})
    cache = LEVEL_CACHE.get()
    if cache is not None and step.oldest is not None:
        cache.added(step.oldest)
    return int(step.added)


class LevelCache:
    """What the baselines read from history (the areas' levels, which end a day before ``now``; the shifted
    windows, a week or more back) changes only when the clock hour changes or a case older than that is added (a
    backfill, a seeded history). A long-running cycle keeps them here between cycles; :func:`top_up` drops an
    entry when a case older than its newest hour arrives. Per process, per database."""

    def __init__(self) -> None:
        self.entries: dict[tuple[Any, ...], tuple[pd.DataFrame, datetime]] = {}

    def get(self, key: tuple[Any, ...]) -> pd.DataFrame | None:
        got = self.entries.get(key)
        return got[0] if got is not None else None

    def put(self, key: tuple[Any, ...], frame: pd.DataFrame, newest: datetime) -> None:
        """Keep ``frame`` under ``key``; it holds nothing newer than ``newest``. Entries of other hours go."""
        self.entries = {k: v for k, v in self.entries.items() if k[0] != key[0]}
        self.entries[key] = (frame, newest)

    def added(self, oldest: datetime) -> None:
        self.entries = {k: v for k, v in self.entries.items() if oldest >= v[1]}


#: The cache the current cycle may use (set by :func:`ops.analysis.cycle.run_forever`; none by default).
LEVEL_CACHE: ContextVar[LevelCache | None] = ContextVar("level_cache", default=None)


def rebuild(conn: Connection, now: datetime) -> int:
    """Forget the hourly counts and count every case again."""
    conn.execute(text("DELETE FROM analysis_hourly"))
    conn.execute(_LOCK, {"name": CURSOR})
    conn.execute(_READ, {"name": CURSOR})
    conn.execute(_MOVE, {"last": 0, "seen": None, "now": now, "name": CURSOR})
    return top_up(conn, now)


def full_recount(conn: Connection) -> pd.DataFrame:
    """What ``analysis_hourly`` should hold, counted from every case (tests and checks)."""
    rows = conn.execute(text(_COUNT)).all()
    return _frame(rows, ["hour", "area_key", "district_code", "category_code", "n"])


def table(conn: Connection) -> pd.DataFrame:
    rows = conn.execute(
        text("SELECT hour, area_key, district_code, category_code, n FROM analysis_hourly")
    ).all()
    return _frame(rows, ["hour", "area_key", "district_code", "category_code", "n"])


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    return df.sort_values(columns[:-1]).reset_index(drop=True)


def copy_frame(conn: Connection, sql: str, params: dict[str, Any], columns: dict[str, str]) -> pd.DataFrame:
    """Run ``sql`` (psycopg ``%(name)s`` parameters) through ``COPY ... TO STDOUT`` into a frame with ``columns``
    (name -> dtype): several times faster than building a row object per result row."""
    buf = io.BytesIO()
    raw = conn.connection.driver_connection
    if raw is None:
        raise RuntimeError("no database connection")
    statement = f"COPY ({sql}) TO STDOUT"  # nosec B608 # sql is one of this module's constant statements
    with raw.cursor() as cur, cur.copy(statement, params) as copy:
        for chunk in copy:
            buf.write(chunk)
    buf.seek(0)
    if not buf.getbuffer().nbytes:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    return pd.read_csv(
        buf,
        sep="\t",
        header=None,
        names=list(columns),
        dtype=columns,
        keep_default_na=False,
        na_values=[r"\N"],
    )


KEYS = {"area_key": "str", "district_code": "str", "category_code": "str"}


def floor_hour(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


_RECENT_SQL = """
    SELECT {area} AS area_key, COALESCE(c.district_code, '') AS district_code, c.category_code, c.created_at
      FROM "case" c LEFT JOIN grid_cell g ON g.id = c.cell_id
     WHERE c.created_at >= :since AND c.created_at < :now
"""
_RECENT = text(_RECENT_SQL.format(area=AREA_SQL))  # nosec B608 # this module's constants only


def recent_cases(conn: Connection, now: datetime, hours: int) -> pd.DataFrame:
    """The cases of the last ``hours`` before ``now`` (the windows being tested), by area and 小类."""
    rows = conn.execute(_RECENT, {"since": now - timedelta(hours=hours), "now": now}).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["area_key", "district_code", "category_code", "created_at"]
    )


_SHIFTED = """
    SELECT w.h, a.area_key, a.district_code, a.category_code,
           COALESCE(sum(a.n) FILTER (WHERE a.hour = w.first), 0) AS first,
           COALESCE(sum(a.n) FILTER (WHERE a.hour > w.first AND a.hour < w.last), 0) AS inner,
           COALESCE(sum(a.n) FILTER (WHERE a.hour = w.last), 0) AS last
      FROM unnest(CAST(%(hs)s AS int[]), CAST(%(firsts)s AS timestamptz[]), CAST(%(lasts)s AS timestamptz[]))
           AS w(h, first, last)
      JOIN analysis_hourly a ON a.hour >= w.first AND a.hour <= w.last
     GROUP BY 1, 2, 3, 4
"""


def shifted_parts(conn: Connection, hour: datetime, windows: tuple[int, ...], weeks: int) -> pd.DataFrame:
    """For a cycle in the clock hour starting at ``hour``: each area × 小类's counts in the windows ``h`` shifted
    back 1…``weeks`` weeks, summed over the weeks, in three parts: the first (partial) hour, the whole hours, the
    last (partial) hour. A window ending at ``hour + f`` hours takes ``(1 − f)·first + inner + f·last``
    (:func:`shifted_windows`); the parts change only with the hour, so they are cached with the levels."""
    hs, firsts, lasts = [], [], []
    for h in windows:
        for k in range(1, weeks + 1):
            last = hour - timedelta(days=7 * k)
            hs.append(h)
            firsts.append(last - timedelta(hours=h))
            lasts.append(last)
    cols = {"h": "int64", **KEYS, "first": "float64", "inner": "float64", "last": "float64"}
    return copy_frame(conn, _SHIFTED, {"hs": hs, "firsts": firsts, "lasts": lasts}, cols)


def shifted_windows(conn: Connection, now: datetime, windows: tuple[int, ...], weeks: int) -> pd.DataFrame:
    """Counts of each area × 小类 in each window ``[now − h, now)`` shifted back by 1…``weeks`` weeks, summed over
    the weeks, partial hours at the edges weighted by their overlap: columns ``h``, the keys, ``n``."""
    hour = floor_hour(now)
    key = ("shifted", hour, windows, weeks)
    cache = LEVEL_CACHE.get()
    parts = cache.get(key) if cache is not None else None
    if parts is None:
        parts = shifted_parts(conn, hour, windows, weeks)
        if cache is not None:
            cache.put(key, parts, hour - timedelta(days=7) + timedelta(hours=1))
    f = (now - hour).total_seconds() / 3600.0
    out = parts[["h", *KEYS]].copy()
    out["n"] = (1.0 - f) * parts["first"] + parts["inner"] + f * parts["last"]
    return out


_LEVEL = """
    SELECT area_key, district_code, category_code, sum(n) AS n FROM analysis_hourly
     WHERE hour >= %(b0)s AND hour < %(b1)s GROUP BY 1, 2, 3
"""


def levels(conn: Connection, start: datetime, end: datetime) -> pd.DataFrame:
    """Each area × 小类's count over ``[start, end)`` (whole hours); from :data:`LEVEL_CACHE` when it has them."""
    key = ("levels", start, end)
    cache = LEVEL_CACHE.get()
    got = cache.get(key) if cache is not None else None
    if got is not None:
        return got
    frame = copy_frame(conn, _LEVEL, {"b0": start, "b1": end}, {**KEYS, "n": "float64"})
    if cache is not None:
        cache.put(key, frame, end)
    return frame


_WEEKLY = """
    SELECT area_key, district_code, category_code,
           CAST(floor(EXTRACT(EPOCH FROM (%(end)s - hour)) / 604800.0) AS int) AS age, sum(n) AS n
      FROM analysis_hourly WHERE hour >= %(start)s AND hour < %(end)s GROUP BY 1, 2, 3, 4
"""


def weekly(conn: Connection, end: datetime, weeks: int) -> pd.DataFrame:
    """Each area × 小类's count per week before ``end`` (``age`` 0 = the last 7 days)."""
    params = {"end": end, "start": end - timedelta(days=7 * weeks)}
    return copy_frame(conn, _WEEKLY, params, {**KEYS, "age": "int64", "n": "float64"})
