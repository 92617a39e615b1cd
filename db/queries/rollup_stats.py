"""``/stats`` read from the daily rollup (:mod:`db.rollups`): the rows :func:`db.queries.stats_sql.main_sql` and
the returns query give together, from ``stats_daily`` plus the now-dependent part read raw from the open cases.

- :func:`cohort_rows`: per (bucket, department, district) the additive counts of the period, ``due_close`` and
  ``due_handle`` completed with the open, not suspended cases of the cohort whose deadline has passed at ``now``
  (the only part of a count that changes without a write; found by ``ix_case_status``, so bounded by the open
  cases, not by the history), and ``dispatches``/``returns`` (the events of returned cases included).
- :func:`duration_quantiles`: per department, district and the total, the exact median and p90 of the handled
  and closed cases' durations. Not additive, so the rollup keeps every value (sorted, counted per bin, migration
  0036); the query sums the bin counts, finds the bins holding the ranks each figure needs and reads only those
  slices (at 10M cases, a year: 1.5M of 6.4M values).

Every query adds the reader's :class:`~db.scope.RowScope` on the rollup's own department and district columns
(the department of an event for the event counts, as the raw query's ``scope.and_where(event="e")``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from db.engine import pyformat
from db.models.stats_rollup import BINS, CLOSE_BINS, HANDLE_BINS
from db.period import Period
from db.quantiles import SHOWN, from_order_statistics, positions
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


#: the values of a one-dimensional float8[] without NULLs in binary (``array_send`` after its 20-byte header):
#: per value its length (4 bytes) and the value (8 bytes, big-endian)
_ELEMENT = np.dtype([("n", ">i4"), ("v", ">f8")])


def _floats(data: bytes | None) -> np.ndarray:
    return np.frombuffer(data, dtype=_ELEMENT)["v"].astype(np.float64) if data else np.empty(0)


Group = tuple[str, str | None]  # ("department" | "district" | "total", code)
#: the durations' metrics, as (cumulative count columns, sorted array)
METRICS = ((HANDLE_BINS, "handle_s"), (CLOSE_BINS, "close_s"))
#: per metric and shown quantile, a slice of each row: (metric, quantile's index)
SLICES = tuple((m, qi) for m in range(len(METRICS)) for qi in range(len(SHOWN)))


def _bins_sql(scope: RowScope) -> str:
    sums = ", ".join(f"sum(c.{name})::int" for names, _ in METRICS for name in names)
    return f"""
        SELECT c.department_code, c.district_code, {sums}
          FROM stats_daily c
         WHERE c.day >= :d0 AND c.day < :d1 AND c.cases > 0{scope.and_where()}
         GROUP BY 1, 2"""  # nosec B608 # SQL from constant fragments; values are bound parameters


def _binary_rows(conn: Connection, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """``sql`` (``:name`` parameters) with its results in PostgreSQL's binary format: bytea as it is, not as hex
    text to decode (half the time of the slices' query)."""
    raw = conn.connection.driver_connection
    if raw is None:
        raise RuntimeError("no database connection")
    with raw.cursor(binary=True) as cur:
        return cur.execute(pyformat(sql, params), params).fetchall()


def _slices_sql(scope: RowScope) -> str:
    """Per row of the pairs in the parameters (their index): per slice of :data:`SLICES` the values of the row's bins
    ``lo``…``hi`` (element k + 1 of ``[0, cumulative counts…]`` is where bin k starts in the sorted array). Row by
    row, so the parallel workers slice them."""

    def at(m: int, bound: str) -> str:
        return f"(ARRAY[0, {', '.join(f'c.{n}' for n in METRICS[m][0])}])[{bound}]"

    cols = ", ".join(
        f"substr(array_send(c.{METRICS[m][1]}[{at(m, f'w.lo{m}{qi} + 1')} + 1 : {at(m, f'w.hi{m}{qi} + 2')}]), 21)"
        for m, qi in SLICES
    )
    names = ", ".join(f"lo{m}{qi}, hi{m}{qi}" for m, qi in SLICES)
    arrays = ", ".join(f"CAST(:lo{m}{qi} AS int[]), CAST(:hi{m}{qi} AS int[])" for m, qi in SLICES)
    return f"""
        SELECT w.pair, {cols}
          FROM unnest(CAST(:deps AS text[]), CAST(:diss AS text[]), {arrays}) WITH ORDINALITY
               AS w(dep, dis, {names}, pair)
          JOIN stats_daily c ON c.department_code = w.dep AND c.district_code = w.dis
         WHERE c.day >= :d0 AND c.day < :d1 AND c.cases > 0{scope.and_where()}"""  # nosec B608 # SQL from constant fragments; values are bound parameters


Plan = dict[tuple[Group, int, int], tuple[int, int, int, int, int, float]]


def _plan(counts: np.ndarray, groups: dict[Group, np.ndarray]) -> tuple[Plan, np.ndarray, np.ndarray]:
    """Per group, metric and quantile (those with durations): the first and last bin holding its two ranks, the
    values below the first, the ranks and the weight; per slice and pair, the bins to read (``lo`` > ``hi``: none)."""
    pairs = counts.shape[0]
    plans: Plan = {}
    lo = np.full((len(SLICES), pairs), BINS, dtype=np.int64)
    hi = np.full((len(SLICES), pairs), -1, dtype=np.int64)
    for g, member in groups.items():
        for m in range(len(METRICS)):
            per_bin = counts[member, m].sum(axis=0)
            n = int(per_bin.sum())
            if n == 0:
                continue
            cum = np.cumsum(per_bin)
            for qi, q in enumerate(SHOWN):
                k, k1, t = positions(n, q)
                b0, b1 = (int(np.searchsorted(cum, r, side="right")) for r in (k, k1))
                plans[(g, m, qi)] = (b0, b1, int(cum[b0] - per_bin[b0]), k, k1, t)
                s = SLICES.index((m, qi))
                lo[s, member] = np.minimum(lo[s, member], b0)
                hi[s, member] = np.maximum(hi[s, member], b1)
    return plans, np.where(hi < 0, 0, lo), hi


def _read(
    conn: Connection, scope: RowScope, params: dict[str, Any], pairs: list[tuple[str, str]], lo: Any, hi: Any
) -> list[list[np.ndarray]]:
    """Per slice and pair: the values of the bins ``lo``…``hi`` of the pair's rows in the period."""
    params = dict(params, deps=[d for d, _ in pairs], diss=[d for _, d in pairs])
    for s, (m, qi) in enumerate(SLICES):
        params[f"lo{m}{qi}"], params[f"hi{m}{qi}"] = lo[s].tolist(), hi[s].tolist()
    pieces: list[list[list[bytes]]] = [[[] for _ in pairs] for _ in SLICES]
    for row in _binary_rows(conn, _slices_sql(scope), params):
        for s in range(len(SLICES)):
            if row[s + 1]:
                pieces[s][row[0] - 1].append(row[s + 1])
    return [[_floats(b"".join(p)) for p in per_pair] for per_pair in pieces]


def duration_quantiles(
    conn: Connection, scope: RowScope, period: Period
) -> dict[Group, tuple[tuple[float, ...] | None, ...]]:
    """Per department, district and the total of the period: the :data:`~db.quantiles.SHOWN` quantiles of the
    handled cases' 派遣→处置 and the closed cases' 上报→结案 durations in seconds (None without any), exactly as over
    all the values. Reads the per-bin counts, then of each row only the bins holding the ranks needed."""
    params: dict[str, Any] = {"d0": period.start, "d1": period.end + timedelta(days=1), **scope.params()}
    rows = conn.execute(text(_bins_sql(scope)), params).all()
    if not rows:
        return {}
    edges = np.asarray(conn.execute(text("SELECT gy_duration_edges()")).scalar_one(), dtype=np.float64)
    pairs = [(r[0], r[1]) for r in rows]
    running = np.asarray([r[2:] for r in rows], dtype=np.int64).reshape(len(rows), len(METRICS), BINS)
    counts = np.diff(running, axis=2, prepend=0)  # per bin
    groups: dict[Group, np.ndarray] = {}
    for i, (dep, dis) in enumerate(pairs):
        for g in (("department", dep or None), ("district", dis or None), ("total", None)):
            groups.setdefault(g, np.zeros(len(pairs), dtype=bool))[i] = True
    plans, lo, hi = _plan(counts, groups)
    got = _read(conn, scope, params, pairs, lo, hi)
    out: dict[Group, list[list[Any]]] = {}
    for (g, m, qi), (b0, b1, below, k, k1, t) in plans.items():
        values = np.concatenate([got[SLICES.index((m, qi))][i] for i in np.flatnonzero(groups[g])])
        low = edges[b0 - 1] if b0 > 0 else -np.inf
        high = edges[b1] if b1 < len(edges) else np.inf
        window = values[(values >= low) & (values < high)]
        if len(window) != int(counts[groups[g], m, b0 : b1 + 1].sum()):
            raise RuntimeError(f"stats_daily: the durations of {g} disagree with their bin counts")
        out.setdefault(g, [[None] * len(SHOWN) for _ in METRICS])[m][qi] = from_order_statistics(
            window, below, k, k1, t
        )
    return {g: tuple(None if qs[0] is None else tuple(qs) for qs in metrics) for g, metrics in out.items()}
