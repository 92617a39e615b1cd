"""The demo city's own rhythm, for the simulator: how many reports arrive, and how many workflow steps are taken,
in each hour of the week, as the city's history shows them.

A simulator far busier than the history it continues is not a live city: the analysis cycle compares the last
hours with the same hours of past weeks, so a simulator filing reports at a hundred times the history's rate
raised anomaly alerts all over the demo wall within minutes, and a 突发 case a minute would make the alarms ring
without end. The simulator therefore files reports and takes steps as two Poisson processes whose rate in each
hour of the week (local time, Monday 00–01 first) is the history's mean count in that hour over its last
:data:`WEEKS` weeks (ending now, or at the history's last report if that is older), times ``speed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Connection, Engine, text

from demo.simulate import SimContext, StepResult, file_report, simulate_steps
from geo.crs import TZ

WEEKS = 8
SLOTS = 7 * 24
#: While an hour of the week had nothing in the history, look again after this many seconds.
IDLE_RECHECK_S = 60.0

#: (table, time column, filter): where the history's reports and workflow steps are
_SOURCES = {
    "reports": ('"case"', "created_at", "TRUE"),
    "steps": ("case_event", "at", "action <> 'report'"),
}
_BOUNDS = "SELECT least(:now, max({col})), min({col}) FROM {table} WHERE {where}"
_COUNTS = """SELECT (extract(isodow FROM {col} AT TIME ZONE :tz)::int - 1) * 24
                    + extract(hour FROM {col} AT TIME ZONE :tz)::int AS slot, count(*) AS n
               FROM {table} WHERE {where} AND {col} >= :since AND {col} <= :until GROUP BY 1"""


def slot_of(at: datetime) -> int:
    """The hour of the week of ``at`` in local time: 0 = Monday 00–01, 167 = Sunday 23–24."""
    local = at.astimezone(TZ)
    return local.weekday() * 24 + local.hour


@dataclass(frozen=True)
class Rhythm:
    """Per hour of the week, the history's mean reports and workflow steps per hour."""

    reports: np.ndarray  # shape (168,)
    steps: np.ndarray  # shape (168,)

    @classmethod
    def load(cls, conn: Connection, now: datetime, weeks: int = WEEKS) -> Rhythm:
        return cls(*(_per_hour(conn, kind, now, weeks) for kind in ("reports", "steps")))

    def per_hour(self, kind: str, at: datetime) -> float:
        """Mean ``kind`` ("reports" or "steps") per hour in the hour of the week of ``at``."""
        return float(getattr(self, kind)[slot_of(at)])


def _per_hour(conn: Connection, kind: str, now: datetime, weeks: int) -> np.ndarray:
    table, col, where = _SOURCES[kind]
    parts = {"table": table, "col": col, "where": where}
    until, first = conn.execute(text(_BOUNDS.format(**parts)), {"now": now}).one()
    counts = np.zeros(SLOTS)
    if until is None:
        return counts
    since = max(until - timedelta(weeks=weeks), first)
    params = {"tz": str(TZ), "since": since, "until": until}
    for slot, n in conn.execute(text(_COUNTS.format(**parts)), params):  # constant SQL fragments only
        counts[int(slot)] = n
    # each hour of the week occurs once a week: the mean over the weeks the window covers (at least a day's worth)
    return counts / max((until - since) / timedelta(weeks=1), 1.0 / 7)


def next_gap(rng: np.random.Generator, per_hour: float, speed: float) -> tuple[float, bool]:
    """Seconds to the next arrival of a Poisson process with ``per_hour × speed`` arrivals an hour, and whether
    one arrives then (False: nothing arrives in this hour of the week; look again after a while)."""
    rate = per_hour * speed
    if rate <= 0:
        return IDLE_RECHECK_S, False
    return float(rng.exponential(3600.0 / rate)), True


class RhythmClocks:
    """The simulator's two clocks (monotonic seconds): the next report and the next workflow step."""

    def __init__(self, rhythm: Rhythm, speed: float, rng: np.random.Generator, start: float) -> None:
        self.rhythm, self.speed, self.rng = rhythm, speed, rng
        self._next = {kind: self._draw(kind, start) for kind in ("reports", "steps")}

    def _draw(self, kind: str, after: float) -> tuple[float, bool]:
        gap, arrives = next_gap(self.rng, self.rhythm.per_hour(kind, datetime.now(TZ)), self.speed)
        return after + gap, arrives

    def next_at(self) -> float:
        return min(at for at, _ in self._next.values())

    def due(
        self, now: float, engine: Engine, rng: np.random.Generator, context: SimContext
    ) -> list[StepResult]:
        """Run what is due at ``now`` (a report, a step of an open case) and draw each clock's next arrival."""
        out: list[StepResult] = []
        for kind, (at, arrives) in list(self._next.items()):
            if at > now:
                continue
            if arrives and kind == "reports":
                out.append(file_report(engine, rng, context=context))
            elif arrives:
                out += simulate_steps(engine, 1, rng, context=context, reports=False)
            self._next[kind] = self._draw(kind, now)
        return out
