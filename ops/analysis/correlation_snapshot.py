"""关联分析 computed ahead: the city-wide correlations of the last 30 days, kept in ``analysis_snapshot``.

The correlations' permutation test (:mod:`ops.analysis.correlation`) takes seconds on a large city (99
permutations over thousands of pairs of 小类): too slow for a page. The analysis cycle refreshes the view most
users open first — the whole city, every category, the last :data:`DEFAULT.days` days, the default ±3-day window
— every :data:`REFRESH` (:func:`refresh_step`, one of the cycle's steps, doing nothing between refreshes), and the
page shows that result with the time it was computed (:func:`read`) when the user asks for exactly that view and
the result is at most :data:`STALE` old. Any other view (a district, a category, another window, an officer's or a
department's scope) is computed live: it reads fewer reports.

The result stored is what the page shows: how many pairs were tested and the significant ones with their places.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from ops.analysis import correlation as co
from ops.analysis.filters import Filters
from ops.analysis.scope import AnalysisScope

NAME = "correlations"
DEFAULT = Filters()
REFRESH = timedelta(minutes=10)
#: Older than this (the cycle stopped), the page computes live again.
STALE = 3 * REFRESH

_READ = text("SELECT computed_at, result FROM analysis_snapshot WHERE name = :name")
_WRITE = text(
    """INSERT INTO analysis_snapshot (name, computed_at, seconds, result)
       VALUES (:name, :at, :seconds, CAST(:result AS jsonb))
       ON CONFLICT (name) DO UPDATE SET computed_at = EXCLUDED.computed_at, seconds = EXCLUDED.seconds,
                                       result = EXCLUDED.result"""
)


@dataclass(frozen=True)
class Snapshot:
    computed_at: datetime
    tested: int  # pairs tested
    pairs: list[co.Pair]  # the significant ones, strongest first


def covers(scope: AnalysisScope, filters: Filters, window_days: int) -> bool:
    """Whether the stored view is what ``scope`` asks for with ``filters`` and ``window_days``."""
    return scope.city_wide and filters == DEFAULT and window_days == co.WINDOW_DAYS


def _encode(tested: list[co.Pair]) -> str:
    return json.dumps({"tested": len(tested), "pairs": [asdict(p) for p in co.significant(tested)]})


def _decode(at: datetime, result: dict[str, Any]) -> Snapshot:
    pairs = [
        co.Pair(**{**p, "places": [co.Place(**pl) for pl in p["places"]]}) for p in result.get("pairs", [])
    ]
    return Snapshot(at, int(result.get("tested", 0)), pairs)


def read(conn: Connection, now: datetime) -> Snapshot | None:
    """The stored city-wide view when it is at most :data:`STALE` old, else None."""
    row = conn.execute(_READ, {"name": NAME}).first()
    if row is None or row.computed_at < now - STALE:
        return None
    return _decode(row.computed_at, row.result)


def refresh(conn: Connection, now: datetime) -> Snapshot:
    """Compute the city-wide view at ``now`` and store it (replacing the previous one)."""
    started = time.perf_counter()
    tested = co.correlations(conn, AnalysisScope.city(), DEFAULT, now)
    payload = _encode(tested)
    conn.execute(
        _WRITE, {"name": NAME, "at": now, "seconds": time.perf_counter() - started, "result": payload}
    )
    return _decode(now, json.loads(payload))


def refresh_step(conn: Connection, now: datetime) -> int:
    """The cycle's step: refresh when the stored view is :data:`REFRESH` old (or missing); the pairs found."""
    row = conn.execute(_READ, {"name": NAME}).first()
    if row is not None and row.computed_at > now - REFRESH:
        return 0
    return len(refresh(conn, now).pairs)
