"""The analysis cycle (研判预警): the incremental steps that keep the analyses current, run one after the other.

:data:`STEPS` is a list of ``(name, fn(conn, now) -> int)``; each step runs in its own transaction (a failing step
rolls back alone, is logged in one line and reported, and the next steps still run) and returns how many rows it
wrote. Other steps (e.g. recurrences) are appended to the list. The order matters: ``hourly`` tops up the counts
the ``anomaly`` and ``trend`` steps read.

:func:`run_cycle` runs one cycle at ``now``; :func:`run_forever` repeats it every ``interval`` seconds until told
to stop, logging and retrying when the database is away (``guiyang-ops analyze run``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from db.unavailable import is_unavailable, summary
from ops.analysis import alert_config, correlation_snapshot, hourly
from ops.analysis.anomaly_step import anomaly_step
from ops.analysis.recurrence import recurrence_step
from ops.analysis.trend_step import trend_step

log = logging.getLogger("guiyang_ops.analysis")

Step = Callable[[Connection, datetime], int]


def hourly_step(conn: Connection, now: datetime) -> int:
    return hourly.top_up(conn, now)


def recurrences(conn: Connection, now: datetime) -> int:
    """复发督办 with the cycle's thresholds (:mod:`ops.analysis.recurrence`)."""
    c = alert_config.current()
    return recurrence_step(
        conn,
        now,
        radius_m=c.recurrence_radius_m,
        days=c.recurrence_days,
        escalate_at=c.recurrence_escalate_at,
    )


STEPS: list[tuple[str, Step]] = [
    ("hourly", hourly_step),
    ("recurrence", recurrences),
    ("anomaly", anomaly_step),
    ("trend", trend_step),
    # last: seconds every ten minutes, nothing in between; the alerts above never wait for it
    ("correlations", correlation_snapshot.refresh_step),
]


@dataclass(slots=True)
class StepResult:
    name: str
    count: int
    seconds: float
    error: str | None = None


@dataclass(slots=True)
class CycleReport:
    now: datetime
    seconds: float = 0.0
    steps: list[StepResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.error is None for s in self.steps)

    def count(self, name: str) -> int:
        return sum(s.count for s in self.steps if s.name == name)

    def as_json(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "seconds": round(self.seconds, 3),
            "ok": self.ok,
            "steps": {
                s.name: {"count": s.count, "seconds": round(s.seconds, 3), "error": s.error}
                for s in self.steps
            },
        }

    def summary(self) -> str:
        parts = ", ".join(f"{s.name} {s.count}" + (" FAILED" if s.error else "") for s in self.steps)
        return f"analysis cycle at {self.now.isoformat(timespec='seconds')}: {parts} in {self.seconds:.2f} s"


def _in_transaction(db: Engine | Connection, fn: Step, now: datetime) -> int:
    if isinstance(db, Engine):
        with db.begin() as conn:
            return int(fn(conn, now))
    with db.begin_nested():  # a caller's connection (tests, a replay): one savepoint per step
        return int(fn(db, now))


def run_cycle(
    db: Engine | Connection, now: datetime | None = None, config: alert_config.AlertConfig | None = None
) -> CycleReport:
    """Run every step of :data:`STEPS` once at ``now`` (default: the clock), each in its own transaction (on an
    engine) or savepoint (on a connection the caller holds and commits or rolls back)."""
    now = now or datetime.now(UTC)
    token = alert_config.use(config or alert_config.current())
    report = CycleReport(now=now)
    started = time.perf_counter()
    try:
        for name, fn in list(STEPS):
            t0 = time.perf_counter()
            try:
                count = _in_transaction(db, fn, now)
                report.steps.append(StepResult(name, count, time.perf_counter() - t0))
            except Exception as exc:  # noqa: BLE001 - one step's failure is reported, the cycle goes on
                if is_unavailable(exc):
                    raise
                log.warning("analysis step %s failed: %s", name, summary(exc))
                log.debug("analysis step %s failed", name, exc_info=exc)
                report.steps.append(StepResult(name, 0, time.perf_counter() - t0, summary(exc)))
    finally:
        alert_config.reset(token)
    report.seconds = time.perf_counter() - started
    return report


def run_forever(
    engine: Engine,
    interval: float,
    should_stop: Callable[[], bool],
    config: alert_config.AlertConfig | None = None,
    on_report: Callable[[CycleReport], None] | None = None,
) -> int:
    """Run a cycle every ``interval`` seconds until ``should_stop()``; a database outage is one log line and a
    retry at the next tick. Returns the number of cycles that completed."""
    done = 0
    hourly.LEVEL_CACHE.set(hourly.LevelCache())  # the levels change once an hour: kept between cycles
    while not should_stop():
        t0 = time.monotonic()
        try:
            report = run_cycle(engine, None, config)
            done += 1
            if on_report is not None:
                on_report(report)
        except Exception as exc:  # noqa: BLE001 - the loop survives anything; an outage is expected
            if is_unavailable(exc):
                log.warning("database unavailable, retrying in %.0f s: %s", interval, summary(exc))
            else:
                log.error("analysis cycle failed: %s", summary(exc))
                log.debug("analysis cycle failed", exc_info=exc)
        while not should_stop() and time.monotonic() - t0 < interval:
            time.sleep(min(0.2, interval))
    return done
