"""Sign-in attempts: throttling per account and per client address, locks, the audit log, alerts for admins.

All state lives in the append-only ``audit_log`` (migration 0006), so it holds across worker processes and
restarts, and nothing is ever updated or deleted there:

- An account's **failures** are its ``signin_failed`` rows after its last reset (a good sign-in, an unlock, or a
  lock) and within the last ``window``. After ``delay_after`` failures every further try waits
  ``delay_seconds × 2^(failures − delay_after)`` seconds from the last failure (2, 4, 8, 16, 32 s by default)
  and is refused unseen (the password is not even checked) until then; at ``lock_after`` the account is locked
  for ``lock_minutes`` (a ``signin_locked`` row with ``detail.until``): refused even with the right password,
  until the time is over or an admin unlocks it (an ``unlock`` row).
- A **client address** is counted the same way with its own (higher: many staff may share one office address)
  thresholds; a good sign-in does not reset it.
- Tries of one account (and of one client) are serialised by transaction-scoped advisory locks, so parallel
  requests cannot all slip through between the count and the record.
- An **alert** (an ``alert`` row and one WARNING log line) when an account, or the whole city, sees
  ``alert_account`` / ``alert_city`` failed or refused tries within ``alert_minutes``; at most one per account (or
  for the city) in that time.

The password typed is never stored nor logged, not even a wrong one.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.accounts import StaffIdentity, authenticate
from ops.audit import USERNAME_MAX, record

log = logging.getLogger("guiyang_ops.signin")


@dataclass(frozen=True)
class Limits:
    """The throttle's numbers (the app builds them from its settings)."""

    delay_after: int = 5
    delay_seconds: float = 2.0
    lock_after: int = 10
    lock_minutes: float = 15.0
    client_delay_after: int = 10
    client_lock_after: int = 30
    window_minutes: float = 60.0
    alert_account: int = 10
    alert_city: int = 30
    alert_minutes: float = 10.0


@dataclass(frozen=True)
class KeyState:
    """What the audit log says about one account or one client address."""

    failures: int = 0
    since_last_failure: float = math.inf  # seconds
    locked_for: float = 0.0  # seconds until the lock ends (0: not locked)


@dataclass(frozen=True)
class Outcome:
    """``ok`` (``user`` set), ``failed`` (wrong password or unknown account) or ``refused`` (throttled/locked:
    the password was not checked). ``retry_after``: whole seconds until a try may be checked again; ``locked``:
    that wait is a lock."""

    status: str
    user: StaffIdentity | None = None
    retry_after: int = 0
    locked: bool = False


def wait_seconds(state: KeyState, delay_after: int, delay_seconds: float) -> float:
    """Seconds a new try must still wait: the lock's rest, or the growing delay after ``delay_after`` failures.

    >>> wait_seconds(KeyState(4, 0.0), 5, 2.0)
    0.0
    >>> [wait_seconds(KeyState(n, 1.0), 5, 2.0) for n in (5, 6, 7)]
    [1.0, 3.0, 7.0]
    """
    if state.locked_for > 0:
        return state.locked_for
    if state.failures < delay_after:
        return 0.0
    return max(0.0, delay_seconds * 2 ** (state.failures - delay_after) - state.since_last_failure)


def short_name(username: str | None) -> str:
    """A user name for a log line: the first three characters only."""
    name = username or ""
    return name[:3] + "…" if len(name) > 3 else name


# -- the audit log ------------------------------------------------------------------------------------------------


_RESETS = {
    "username": "username = :k AND (kind = 'signin_ok' OR (kind IN ('unlock', 'signin_locked') "
    "AND detail->>'scope' = 'account'))",
    "client": "client = :k AND kind IN ('unlock', 'signin_locked') AND detail->>'scope' = 'client'",
}


def key_state(conn: Connection, column: str, key: str, window_minutes: float) -> KeyState:
    """Failures of an account (``column="username"``) or a client (``"client"``) since its last reset."""
    row = conn.execute(
        text(
            f"""
            WITH r AS (
                SELECT id, kind, detail FROM audit_log WHERE {_RESETS[column]}
                ORDER BY at DESC, id DESC LIMIT 1
            )
            SELECT count(*) AS failures,
                   extract(epoch FROM clock_timestamp() - max(a.at)) AS since,
                   (SELECT extract(epoch FROM (detail->>'until')::timestamptz - clock_timestamp())
                      FROM r WHERE kind = 'signin_locked') AS locked_for
            FROM audit_log a
            WHERE a.{column} = :k AND a.kind = 'signin_failed'
              AND a.at > clock_timestamp() - make_interval(secs => :w)
              AND a.id > coalesce((SELECT id FROM r), 0)
            """  # noqa: S608  # nosec B608 # the column and its condition come from _RESETS, never from input
        ),
        {"k": key, "w": window_minutes * 60},
    ).one()
    return KeyState(
        int(row.failures),
        float(row.since) if row.since is not None else math.inf,
        max(0.0, float(row.locked_for or 0.0)),
    )


def _serialise(conn: Connection, *keys: str) -> None:
    for key in keys:  # always account before client: no two tries wait for each other in a circle
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 7))"), {"k": key})


def _tries_within(conn: Connection, minutes: float, username: str | None = None) -> int:
    who = "AND username = :u" if username is not None else ""
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE kind IN ('signin_failed', 'signin_refused') "
                f"AND at > clock_timestamp() - make_interval(secs => :s) {who}"  # noqa: S608  # nosec B608 # "who" is one of two constant fragments; values are bound
            ),
            {"s": minutes * 60, "u": username},
        ).scalar_one()
    )


def _maybe_alert(conn: Connection, limits: Limits, username: str, client: str) -> None:
    """One alert per account (and one for the city) per ``alert_minutes`` when the tries reach the limits."""
    _serialise(conn, "signin:alert")
    recent = {
        (r.scope, r.who)
        for r in conn.execute(
            text(
                "SELECT detail->>'scope' AS scope, coalesce(username, '') AS who FROM audit_log "
                "WHERE kind = 'alert' AND at > clock_timestamp() - make_interval(secs => :s)"
            ),
            {"s": limits.alert_minutes * 60},
        )
    }
    n = _tries_within(conn, limits.alert_minutes, username)
    if n >= limits.alert_account and ("account", username) not in recent:
        detail = {"scope": "account", "tries": n, "minutes": limits.alert_minutes}
        record(conn, "alert", username=username, client=client, detail=detail)
        log.warning(
            "sign-in alert: %d failed or refused tries for account %s in %g min",
            n,
            short_name(username),
            limits.alert_minutes,
        )
    city = _tries_within(conn, limits.alert_minutes)
    if city >= limits.alert_city and ("city", "") not in recent:
        record(conn, "alert", client=client, detail={"scope": "city", "tries": city})
        log.warning(
            "sign-in alert: %d failed or refused tries city-wide in %g min", city, limits.alert_minutes
        )


def attempt(
    conn: Connection, username: str, password: str, client: str, limits: Limits, *, allow_demo: bool
) -> Outcome:
    """One sign-in try, throttled and recorded (call inside one transaction; commit it whatever comes out)."""
    name = username.strip()[:USERNAME_MAX]
    _serialise(conn, "signin:u:" + name, "signin:c:" + client)
    account = key_state(conn, "username", name, limits.window_minutes)
    by_client = key_state(conn, "client", client, limits.window_minutes)
    wait_account = wait_seconds(account, limits.delay_after, limits.delay_seconds)
    wait_client = wait_seconds(by_client, limits.client_delay_after, limits.delay_seconds)
    wait = max(wait_account, wait_client)
    if wait > 0:
        locked = account.locked_for > 0 or by_client.locked_for > 0
        scope = "account" if wait_account >= wait_client else "client"
        detail = {"reason": "locked" if locked else "delay", "scope": scope, "wait_s": math.ceil(wait)}
        record(conn, "signin_refused", username=name, client=client, detail=detail)
        _maybe_alert(conn, limits, name, client)
        return Outcome("refused", retry_after=math.ceil(wait), locked=locked)
    user = authenticate(conn, name, password, allow_demo=allow_demo)
    if user is not None:
        record(conn, "signin_ok", user_id=user.id, username=user.username, client=client)
        return Outcome("ok", user=user)
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": name}).scalar()
    record(conn, "signin_failed", user_id=uid, username=name, client=client)
    lock_s = limits.lock_minutes * 60
    outcome = Outcome("failed")
    for scope, state, limit in (
        ("account", account, limits.lock_after),
        ("client", by_client, limits.client_lock_after),
    ):
        if state.failures + 1 >= limit:
            until = conn.execute(
                text("SELECT clock_timestamp() + make_interval(secs => :s)"), {"s": lock_s}
            ).scalar_one()
            detail = {"scope": scope, "until": until.isoformat(), "failures": state.failures + 1}
            record(conn, "signin_locked", user_id=uid, username=name, client=client, detail=detail)
            outcome = Outcome("failed", retry_after=math.ceil(lock_s), locked=True)
    _maybe_alert(conn, limits, name, client)
    return outcome


def unlock(conn: Connection, username: str, *, by: str = "admin") -> bool:
    """Clear an account's lock and failure count (an ``unlock`` row); False if there is no such account."""
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).scalar()
    if uid is None:
        return False
    record(conn, "unlock", user_id=uid, username=username, detail={"scope": "account", "by": by})
    return True


# -- sessions -----------------------------------------------------------------------------------------------------


def session_version(conn: Connection, user_id: int) -> int | None:
    return conn.execute(text("SELECT session_version FROM staff_user WHERE id = :i"), {"i": user_id}).scalar()


def end_sessions(conn: Connection, user_id: int, kind: str, client: str | None = None, **detail: Any) -> None:
    """End every session of a user (logout, or revoked by an admin) and record it."""
    name = conn.execute(
        text("UPDATE staff_user SET session_version = session_version + 1 WHERE id = :i RETURNING username"),
        {"i": user_id},
    ).scalar()
    record(conn, kind, user_id=user_id, username=name, client=client, detail=detail)


@dataclass(frozen=True)
class AlertSummary:
    count: int
    last: datetime | None


def recent_alerts(conn: Connection, hours: float = 24.0) -> AlertSummary:
    """Alerts of the last ``hours``: how many, and the time of the last (for the admins' header badge)."""
    row = conn.execute(
        text(
            "SELECT count(*) AS n, max(at) AS last FROM audit_log "
            "WHERE kind = 'alert' AND at > clock_timestamp() - make_interval(secs => :s)"
        ),
        {"s": hours * 3600},
    ).one()
    return AlertSummary(int(row.n), row.last)
