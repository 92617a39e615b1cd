"""History retention on a schedule: ``guiyang-ops db partitions retain --every HOURS`` runs
:func:`db.partitions.retain` at once and then every ``HOURS`` until stopped, as the owner role (detaching and dropping
a partition is the owner's; the app's role may not), beside the server and the other workers.

Each round is a transaction of its own (a partition in a savepoint of it, archived before it is dropped). A database
outage is one log line and a retry after ``retry_s`` (a daily round does not wait a day for the next try); any
other failure is logged with its traceback at debug level and retried the same way: the loop survives both.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from db import partitions
from db.unavailable import is_unavailable, summary

log = logging.getLogger("guiyang_ops.retention")

#: seconds before a failed round is tried again
RETRY_S = 300.0


@dataclass(frozen=True, slots=True)
class Policy:
    keep_months: int  # whole months kept online (0: everything)
    archive_dir: Path | None  # where a partition is written before it goes (None: nothing goes)
    audit_keep_days: int


def retain_once(
    engine: Engine,
    policy: Policy,
    now: datetime | None = None,
    progress: partitions.Progress | None = None,
) -> list[partitions.Retained]:
    """One round, committed: what went and what stayed (with why)."""
    with engine.begin() as conn:
        return partitions.retain(
            conn,
            policy.keep_months,
            policy.archive_dir,
            audit_keep_days=policy.audit_keep_days,
            now=now or datetime.now(UTC),
            progress=progress,
        )


def run_forever(
    engine: Engine,
    policy: Policy,
    every_s: float,
    should_stop: Callable[[], bool],
    on_round: Callable[[list[partitions.Retained]], None],
    retry_s: float = RETRY_S,
) -> int:
    """A round now and every ``every_s`` seconds until ``should_stop()``; returns the rounds that completed."""
    done = 0
    while not should_stop():
        started, wait = time.monotonic(), every_s
        try:
            on_round(retain_once(engine, policy))
            done += 1
        except Exception as exc:  # noqa: BLE001 - the loop survives anything; an outage is expected
            wait = min(every_s, retry_s)
            if is_unavailable(exc):
                log.warning("database unavailable, retention retried in %.0f s: %s", wait, summary(exc))
            else:
                log.error("retention round failed, retried in %.0f s: %s", wait, summary(exc))
                log.debug("retention round failed", exc_info=exc)
        while not should_stop() and time.monotonic() - started < wait:
            time.sleep(min(0.2, wait))
    return done
