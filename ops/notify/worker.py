"""The outbox's delivery worker (``guiyang-ops notify run``).

Each round delivers up to ``batch`` due rows, one transaction per row:

1. claim the oldest due pending row (``next_attempt_at <= now()``, ``ix_notify_outbox_due``) with
   ``FOR UPDATE OF o SKIP LOCKED``: another worker skips a row being sent, so two workers never send it twice;
2. send it (:func:`ops.notify.deliver.send`, bounded by the timeout) while the row stays locked;
3. in the same transaction, one UPDATE: ``delivered`` (``delivered_at``), or ``attempts + 1`` with the error and
   ``next_attempt_at`` pushed back (exponential, with jitter), or ``failed`` after the last attempt; commit.

At-least-once, and the window: a message is sent twice only if the worker dies (or loses the database) after the
receiver took it and before step 3's commit. That window is one UPDATE and a COMMIT (milliseconds): nothing else
happens between the send returning and the commit, and the batch never shares a transaction (a crash re-sends at
most the one row in flight, never the batch). A receiver that cannot tell is asked to dedupe by the message
(every message names its ticket and kind). A route removed or disabled while its row waited: the row is
``failed`` with that reason (admins may send it again), never sent.

Between rounds the worker waits for ``pg_notify('notify_outbox')`` (sent at the commit of every enqueue) or
``poll_s``, whichever comes first, and every ``light_interval_s`` it runs the lights' scan
(:func:`ops.notify.lights.scan`). A database outage is one log line and a retry.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, text

from db.unavailable import is_unavailable, summary
from geo.crs import TZ
from ops.notify import lights
from ops.notify.deliver import DeliveryError, send, warm
from ops.notify.messages import outgoing
from ops.subscriptions.channels import delivery_url

log = logging.getLogger(__name__)
CHANNEL = "notify_outbox"
Sender = Callable[..., None]

#: a row is a route's (``route_id``) or an area subscription's (``subscription_id``): the same columns of either
_CLAIM = text(
    """
    SELECT o.id, o.attempts, o.title, o.body, o.link, o.subscription_id,
           COALESCE(r.url, s.channel) AS url, COALESCE(r.lang, s.lang) AS lang,
           COALESCE(r.enabled, s.active) AS enabled, COALESCE(r.removed_at, s.removed_at) AS removed_at,
           COALESCE(s.channel_kind, 'url') AS channel_kind
      FROM notify_outbox o
      LEFT JOIN notify_route r ON r.id = o.route_id
      LEFT JOIN subscription s ON s.id = o.subscription_id
     WHERE o.status = 'pending' AND o.next_attempt_at <= now()
     ORDER BY o.next_attempt_at, o.id
     LIMIT 1
       FOR UPDATE OF o SKIP LOCKED
    """
)
_NEXT_DUE = text(
    "SELECT EXTRACT(epoch FROM min(next_attempt_at) - clock_timestamp()) FROM notify_outbox WHERE status = 'pending'"
)
_DELIVERED = text(
    "UPDATE notify_outbox SET status = 'delivered', delivered_at = clock_timestamp(), attempts = attempts + 1,"
    " last_error = NULL WHERE id = :id"
)
_RETRY = text(
    "UPDATE notify_outbox SET attempts = attempts + 1, last_error = :error,"
    " next_attempt_at = clock_timestamp() + make_interval(secs => :delay) WHERE id = :id"
)
_FAILED = text(
    "UPDATE notify_outbox SET status = 'failed', attempts = attempts + :counted, last_error = :error"
    " WHERE id = :id"
)


_OFF = {"route": "disabled", "subscription": "paused"}


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """The worker's numbers (``GUIYANG_NOTIFY_*`` and ``GUIYANG_BASE_URL``)."""

    base_url: str = "http://127.0.0.1:8050"
    max_attempts: int = 8
    backoff_s: float = 30.0
    backoff_max_s: float = 3600.0
    timeout_s: float = 10.0
    batch: int = 20
    poll_s: float = 5.0
    light_interval_s: float = 30.0
    #: the city's mail sender for area subscriptions to an e-mail address (``GUIYANG_SUBSCRIPTIONS_MAIL_URL``)
    mail_url: str = ""


@dataclass(slots=True)
class Round:
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.retried + self.failed

    def add(self, other: Round) -> None:
        self.delivered += other.delivered
        self.retried += other.retried
        self.failed += other.failed


def backoff(attempts: int, config: WorkerConfig, rng: random.Random | None = None) -> float:
    """Seconds before the next try after ``attempts`` failed ones: ``backoff_s × 2^(attempts-1)`` stretched by a
    random 0–50 % (so many rows failing together do not retry together), at most ``backoff_max_s``."""
    base = config.backoff_s * 2 ** max(0, attempts - 1)
    jitter = 1.0 + 0.5 * (rng or random).random()  # nosec B311 # spreading retries, not a secret
    return min(config.backoff_max_s, base * jitter)


def _one(conn: Connection, config: WorkerConfig, sender: Sender) -> str | None:
    """Claim, send and settle one due row; returns what became of it, None when nothing is due."""
    row = conn.execute(_CLAIM).first()
    if row is None:
        return None
    what = "subscription" if row.subscription_id is not None else "route"
    if row.removed_at is not None or not row.enabled:
        reason = f"{what} removed" if row.removed_at is not None else f"{what} {_OFF[what]}"
        conn.execute(_FAILED, {"id": row.id, "counted": 0, "error": reason})
        return "failed"
    try:
        url = delivery_url(row.channel_kind, row.url, config.mail_url)
    except ValueError as exc:
        conn.execute(_FAILED, {"id": row.id, "counted": 0, "error": str(exc)})
        return "failed"
    title, body = outgoing(row.title, row.body, row.link, config.base_url, row.lang)
    try:
        sender(url, title, body, timeout=config.timeout_s)
    except DeliveryError as exc:
        attempts = row.attempts + 1
        if attempts >= config.max_attempts:
            conn.execute(_FAILED, {"id": row.id, "counted": 1, "error": str(exc)})
            return "failed"
        conn.execute(_RETRY, {"id": row.id, "error": str(exc), "delay": backoff(attempts, config)})
        return "retried"
    conn.execute(_DELIVERED, {"id": row.id})
    return "delivered"


def deliver_due(engine: Engine, config: WorkerConfig, sender: Sender = send) -> Round:
    """One round: up to ``config.batch`` due rows, each claimed, sent and settled in its own transaction."""
    done = Round()
    for _ in range(config.batch):
        with engine.begin() as conn:
            what = _one(conn, config, sender)
        if what is None:
            break
        setattr(done, what, getattr(done, what) + 1)
    return done


def scan_lights(engine: Engine, now: datetime | None = None) -> int:
    with engine.begin() as conn:
        return lights.scan(conn, now or datetime.now(TZ))


class _Doorbell:
    """A LISTEN connection on :data:`CHANNEL`: :meth:`wait` returns at the first notification or the timeout."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conn: Any = None

    def open(self) -> None:
        if self.conn is None:
            url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
            self.conn.execute(f"LISTEN {CHANNEL}")
            log.info("notification worker: listening on %s", CHANNEL)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; True when the bell rang."""
        try:
            self.open()
            for _ in self.conn.notifies(timeout=timeout, stop_after=1):
                return True
            return False
        except Exception as exc:  # noqa: BLE001 - no doorbell: fall back to the poll, reconnect next time
            log.debug("notify doorbell lost: %s", summary(exc))
            self.close()
            time.sleep(timeout)
            return False

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001 # nosec B110 # closing a broken connection
                pass
            self.conn = None


def _until_due(engine: Engine, longest: float) -> float:
    """Seconds until the next pending row is due (a retry waiting out its backoff), at most ``longest``."""
    with engine.connect() as conn:
        secs = conn.execute(_NEXT_DUE).scalar()
    return longest if secs is None else min(longest, max(0.0, float(secs)))


def _sleep(bell: _Doorbell, seconds: float, should_stop: Callable[[], bool]) -> None:
    """Until the bell rings or ``seconds`` passed, looking at ``should_stop`` every second (a signal handler's
    flag: the wait itself is not interrupted by the signal)."""
    end = time.monotonic() + seconds
    while not should_stop():
        left = end - time.monotonic()
        if left <= 0 or bell.wait(min(1.0, left)):
            return


def run_once(engine: Engine, config: WorkerConfig, sender: Sender = send) -> Round:
    """``notify run --once``: the lights' scan, then rounds until nothing is due now."""
    scan_lights(engine)
    total = Round()
    while True:
        done = deliver_due(engine, config, sender)
        total.add(done)
        if done.handled < config.batch:
            return total


def run_forever(
    engine: Engine,
    config: WorkerConfig,
    should_stop: Callable[[], bool],
    sender: Sender = send,
    on_round: Callable[[Round], None] | None = None,
) -> Round:
    """Deliver until ``should_stop()``; returns the totals."""
    total = Round()
    bell = _Doorbell(engine)
    next_scan = 0.0
    if sender is send:
        warm()
    try:
        while not should_stop():
            wait = config.poll_s
            try:
                bell.open()  # listening before looking: an enqueue committed meanwhile rings
                if time.monotonic() >= next_scan:
                    next_scan = time.monotonic() + config.light_interval_s
                    scan_lights(engine)
                done = deliver_due(engine, config, sender)
                total.add(done)
                if done.handled and on_round is not None:
                    on_round(done)
                if done.handled == config.batch:
                    continue  # more may be due: no wait
                wait = _until_due(engine, config.poll_s)
            except Exception as exc:  # noqa: BLE001 - the loop survives anything; an outage is expected
                if is_unavailable(exc):
                    log.warning("database unavailable, retrying in %.0f s: %s", config.poll_s, summary(exc))
                else:
                    log.error("notification delivery failed: %s", summary(exc))
                    log.debug("notification delivery failed", exc_info=exc)
                bell.close()
            _sleep(bell, max(0.05, min(wait, next_scan - time.monotonic())), should_stop)
    finally:
        bell.close()
    return total
