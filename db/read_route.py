"""Where the reads of read-only screens go: a read replica while it is up and close behind, else the primary.

One cheap check at most every :data:`CHECK_SECONDS` (whoever reads first after that runs it, the others use the
last answer): the primary's current WAL position, then the replica's replay position. A replica that cannot be
reached, is not in recovery (promoted: a different database now), or lags more than ``max_lag_s`` is left alone
until a later check finds it well again.

Lag in seconds without trusting two clocks: every check notes ``(time, primary WAL position)``; the replica is
as far behind as the oldest noted position it has not replayed yet (0 when it has replayed everything the
primary had at the last check). A primary idle for an hour and then written to does not look an hour behind
(``now() - pg_last_xact_replay_timestamp()`` would), and a replica whose replay is paused falls behind by the
second. When even the oldest position noted is not replayed (the first check of an app that finds the replica
already behind, or one behind for longer than the positions are kept), the lag is only known to be at least that
old: the replica is not read until it has replayed it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text

#: how often the replica's lag is read (at most)
CHECK_SECONDS = 1.0
#: how long positions of the primary are kept to measure a lag (at least twice the lag allowed; a replica behind
#: the oldest is not read)
HISTORY_SECONDS = 120.0

_PRIMARY_LSN = text("SELECT pg_current_wal_lsn()::text")
_REPLICA = text("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")


@dataclass(frozen=True)
class ReadState:
    """The last check: where views go (``replica`` or ``primary``), why, and the replica's lag."""

    configured: bool
    use_replica: bool
    reason: str  # "ok", "down", "lag", "not a standby", "off"
    lag_seconds: float | None = None
    lag_bytes: int | None = None
    checked_at: float = 0.0

    def as_json(self) -> dict[str, Any]:
        if not self.configured:
            return {"state": "off"}
        return {
            "state": "replica" if self.use_replica else "primary",
            "reason": self.reason,
            "lag_seconds": None if self.lag_seconds is None else round(self.lag_seconds, 1),
            "lag_bytes": self.lag_bytes,
        }


def _lsn(value: str) -> int:
    hi, lo = value.split("/")
    return (int(hi, 16) << 32) + int(lo, 16)


class ReadRoute:
    """Chooses the engine of a view: ``replica`` while :meth:`state` says so, else ``primary``."""

    def __init__(self, primary: Engine, replica: Engine | None, max_lag_s: float) -> None:
        self.primary = primary
        self.replica = replica
        self.max_lag_s = max_lag_s
        self._keep_s = max(HISTORY_SECONDS, 2 * max_lag_s)
        self._lock = threading.Lock()
        self._history: deque[tuple[float, int]] = deque()
        self._state = ReadState(configured=replica is not None, use_replica=False, reason="starting")

    def state(self, *, now: float | None = None) -> ReadState:
        """The current choice, checked again if the last check is older than a second."""
        if self.replica is None:
            return ReadState(configured=False, use_replica=False, reason="off")
        t = time.monotonic() if now is None else now
        if t - self._state.checked_at < CHECK_SECONDS or not self._lock.acquire(blocking=False):
            return self._state
        try:
            self._state = self._check(t)
        finally:
            self._lock.release()
        return self._state

    def engine(self) -> tuple[Engine, bool]:
        """The engine a view reads from now, and whether it is the replica."""
        st = self.state()
        if st.use_replica and self.replica is not None:
            return self.replica, True
        return self.primary, False

    def invalidate(self) -> None:
        """Check again at the next read (a read on the replica just failed)."""
        self._state = ReadState(
            configured=self.replica is not None, use_replica=False, reason="down", checked_at=time.monotonic()
        )

    def _check(self, t: float) -> ReadState:
        assert self.replica is not None  # nosec B101 # narrowing: state() returned before for no replica
        try:
            with self.primary.connect() as conn:
                head = str(conn.execute(_PRIMARY_LSN).scalar_one())
        except Exception:  # noqa: BLE001 - the primary is away: nothing to compare with; say the replica's state
            head = None
        try:
            with self.replica.connect() as conn:
                recovery, replay = conn.execute(_REPLICA).one()
        except Exception:  # noqa: BLE001 - unreachable replica: read from the primary
            return ReadState(True, False, "down", checked_at=t)
        if not recovery or replay is None:
            return ReadState(True, False, "not a standby", checked_at=t)
        replayed = _lsn(str(replay))
        if head is None:
            return ReadState(True, True, "ok", checked_at=t)
        self._history.append((t, _lsn(head)))
        while self._history and t - self._history[0][0] > self._keep_s:
            self._history.popleft()
        behind = max(0, _lsn(head) - replayed)
        pending = [at for at, pos in self._history if pos > replayed]
        lag_s = (t - pending[0]) if pending else 0.0
        # the oldest position noted is not replayed yet: the replica was already behind then, by an unknown time
        # (a replica found paused for hours when the app starts), so it is not read until it has replayed it
        ok = lag_s <= self.max_lag_s and self._history[0][1] <= replayed
        return ReadState(True, ok, "ok" if ok else "lag", lag_s, behind, checked_at=t)
