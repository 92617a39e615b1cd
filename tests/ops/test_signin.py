"""Sign-in throttling and the audit log on real PostGIS: the delay arithmetic, the rows every try leaves (never a
password), the lock at the limit (even the right password refused), unlock, reset by a good sign-in, the
append-only triggers, and the session version raised by a password change."""

from __future__ import annotations

import json
import uuid
from itertools import count

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from db.accounts import create_staff_user, hash_password
from ops import signin
from ops.signin import KeyState, Limits, wait_seconds

LIMITS = Limits(delay_after=3, delay_seconds=2.0, lock_after=5, lock_minutes=15, alert_account=4)
RIGHT = "the-right-password-1"


@pytest.fixture
def user(conn: Connection) -> str:
    name = "signin-" + uuid.uuid4().hex[:10]
    create_staff_user(conn, name, "dispatcher", RIGHT)
    return name


_ADDRESSES = count(1)


def client() -> str:
    return f"198.51.100.{next(_ADDRESSES)}"  # its own address: no other test's tries count against it


def rows(conn: Connection, name: str) -> list[tuple[str, dict[str, object]]]:
    return [
        (r.kind, r.detail)
        for r in conn.execute(
            text("SELECT kind, detail FROM audit_log WHERE username = :u ORDER BY id"), {"u": name}
        )
    ]


def test_the_delay_grows_from_the_limit_and_counts_down() -> None:
    assert wait_seconds(KeyState(2, 0.0), 3, 2.0) == 0.0
    assert [wait_seconds(KeyState(n, 0.0), 3, 2.0) for n in (3, 4, 5, 6)] == [2.0, 4.0, 8.0, 16.0]
    assert wait_seconds(KeyState(4, 3.5), 3, 2.0) == pytest.approx(0.5)
    assert wait_seconds(KeyState(4, 10.0), 3, 2.0) == 0.0
    assert wait_seconds(KeyState(0, 0.0, locked_for=90.0), 3, 2.0) == 90.0


def test_failures_then_delay_refuse_without_checking_and_no_password_is_stored(
    conn: Connection, user: str
) -> None:
    ip = client()
    outcomes = [signin.attempt(conn, user, f"wrong-{i}", ip, LIMITS, allow_demo=False) for i in range(5)]
    assert [o.status for o in outcomes] == ["failed", "failed", "failed", "refused", "refused"]
    assert outcomes[3].retry_after == 2 and not outcomes[3].locked
    # during the delay even the right password is not checked
    assert signin.attempt(conn, user, RIGHT, ip, LIMITS, allow_demo=False).status == "refused"
    kinds = [k for k, _ in rows(conn, user)]
    assert [k for k in kinds if k != "alert"] == ["signin_failed"] * 3 + ["signin_refused"] * 3
    assert kinds.count("alert") == 1  # at 4 failed or refused tries against one account, once
    dump = json.dumps(rows(conn, user))
    assert "wrong-" not in dump and RIGHT not in dump


def test_lock_at_the_limit_then_unlock_then_the_right_password(conn: Connection, user: str) -> None:
    ip = client()
    limits = Limits(delay_after=100, lock_after=5, lock_minutes=15)  # no delay: straight to the lock
    outs = [signin.attempt(conn, user, f"wrong-{i}", ip, limits, allow_demo=False) for i in range(5)]
    assert outs[-1].locked and outs[-1].retry_after == 15 * 60
    refused = signin.attempt(conn, user, RIGHT, ip, limits, allow_demo=False)
    assert refused.status == "refused" and refused.locked and 800 < refused.retry_after <= 900
    lock = next(d for k, d in rows(conn, user) if k == "signin_locked")
    assert lock["scope"] == "account" and "until" in lock
    assert signin.unlock(conn, user)
    ok = signin.attempt(conn, user, RIGHT, ip, limits, allow_demo=False)
    assert ok.status == "ok" and ok.user is not None and ok.user.username == user
    # the good sign-in reset the count: one more failure is just a failure
    assert signin.attempt(conn, user, "wrong-again", ip, limits, allow_demo=False).status == "failed"
    assert signin.key_state(conn, "username", user, 60).failures == 1


def test_a_client_is_throttled_across_accounts(conn: Connection) -> None:
    ip = client()
    limits = Limits(client_delay_after=4, client_lock_after=50)
    outs = [signin.attempt(conn, f"nobody-{i}-{ip}", "x", ip, limits, allow_demo=False) for i in range(5)]
    assert [o.status for o in outs] == ["failed"] * 4 + ["refused"]


@pytest.mark.as_owner  # the app role is refused before the trigger (no privilege; tests/db/test_privileges.py)
def test_the_audit_log_is_append_only(conn: Connection, user: str) -> None:
    signin.record(conn, "signin_failed", username=user, client="t")
    for stmt in ("UPDATE audit_log SET kind = 'signin_ok'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), conn.begin_nested():
            conn.execute(text(stmt))


def test_a_password_change_or_deactivation_raises_the_session_version(conn: Connection, user: str) -> None:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": user}).scalar_one()
    v0 = signin.session_version(conn, uid)
    conn.execute(text("UPDATE staff_user SET display_name = 'x' WHERE id = :i"), {"i": uid})
    assert signin.session_version(conn, uid) == v0
    conn.execute(
        text("UPDATE staff_user SET password_hash = :h WHERE id = :i"),
        {"h": hash_password("n" * 9), "i": uid},
    )
    conn.execute(text("UPDATE staff_user SET active = false WHERE id = :i"), {"i": uid})
    assert signin.session_version(conn, uid) == (v0 or 0) + 2
    signin.end_sessions(conn, uid, "session_revoked")
    assert signin.session_version(conn, uid) == (v0 or 0) + 3
    assert rows(conn, user)[-1][0] == "session_revoked"
