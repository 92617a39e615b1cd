"""Staff administration on real PostGIS: validation (scope, password rules), the last-admin and self rules,
sessions ended by deactivation and resets, the audit rows each act leaves (never a password), the forced change
after a reset, and one's own password change."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import Connection, text

from db import staff_users as su
from db.accounts import StaffIdentity, authenticate, check_password, load_identity, load_session_identity
from db.errors import NotFound, ValidationError
from ops import staff_admin as sa

GOOD = "a-long-enough-secret"


def _name(prefix: str = "sa") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def admin(conn: Connection) -> StaffIdentity:
    """The only active admin of the transaction (every other admin set inactive, rolled back after the test)."""
    conn.execute(text("UPDATE staff_user SET active = false WHERE role = 'admin'"))
    uid = sa.add_user(conn, None, _name("adm"), "admin", GOOD)
    who = load_identity(conn, uid)
    assert who is not None
    return who


def audit(conn: Connection, kind: str, target: str) -> list[dict[str, object]]:
    rows = conn.execute(
        text("SELECT detail FROM audit_log WHERE kind = :k AND detail->>'target' = :t ORDER BY id"),
        {"k": kind, "t": target},
    )
    return [r[0] for r in rows]


def version(conn: Connection, name: str) -> int:
    return int(
        conn.execute(
            text("SELECT session_version FROM staff_user WHERE username = :u"), {"u": name}
        ).scalar_one()
    )


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short-pw", "at least 10"),
        ("1234567890", "too common"),
        ("Password123", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("zhang-wei-01", "user name"),
        ("zhangwei2026", "user name"),
    ],
)
def test_password_rules_refuse_with_a_reason(password: str, why: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_password(password, "zhangwei")
    assert why in err.value.en and err.value.field == "password"
    assert password not in err.value.en and password not in err.value.zh


def test_password_rules_accept_a_good_one() -> None:
    check_password("correct-horse-battery", "zhangwei")
    check_password(sa.one_time_password(), "zhangwei")


def test_add_validates_scope_and_records_without_the_password(conn: Connection, admin: StaffIdentity) -> None:
    name = _name()
    with pytest.raises(ValidationError) as err:
        sa.add_user(conn, admin, name, "officer", GOOD)
    assert err.value.field == "district"
    with pytest.raises(ValidationError) as err:
        sa.add_user(conn, admin, name, "department", GOOD)
    assert err.value.field == "department"
    with pytest.raises(ValidationError):
        sa.add_user(conn, admin, name, "officer", GOOD, district="999999")
    with pytest.raises(ValidationError) as err:
        sa.add_user(conn, admin, name, "officer", "1234567890", district="520103")
    assert err.value.field == "password"
    assert su.find_staff(conn, name) is None and audit(conn, "user_add", name) == []
    # a dispatcher keeps no scope even when given one; an officer keeps only the district
    sa.add_user(conn, admin, name, "officer", GOOD, district="520103", department="CGJ", display_name="张三")
    row = su.find_staff(conn, name)
    assert row is not None
    assert (row.role, row.district_code, row.department_code, row.display_name) == (
        "officer",
        "520103",
        None,
        "张三",
    )
    assert row.district_zh and row.last_signin is None and row.active
    [detail] = audit(conn, "user_add", name)
    assert detail == {"target": name, "role": "officer", "district": "520103", "department": None}
    assert GOOD not in json.dumps(detail)
    with pytest.raises(ValidationError):
        sa.add_user(conn, admin, name, "dispatcher", GOOD)  # exists already


def test_edit_records_before_and_after_and_ends_sessions(conn: Connection, admin: StaffIdentity) -> None:
    name = _name()
    sa.add_user(conn, admin, name, "officer", GOOD, district="520103")
    v0 = version(conn, name)
    with pytest.raises(ValidationError) as err:
        sa.edit_user(conn, admin, name, role="department", display_name=None)
    assert err.value.field == "department"
    changed = sa.edit_user(conn, admin, name, role="department", department="CGJ", display_name="刘洋")
    assert changed == {
        "role": ["officer", "department"],
        "district": ["520103", None],
        "department": [None, "CGJ"],
        "display_name": [name, "刘洋"],
    }
    [detail] = audit(conn, "user_edit", name)
    assert detail["before"] == {
        "role": "officer",
        "district": "520103",
        "department": None,
        "display_name": name,
    }
    assert detail["after"] == {
        "role": "department",
        "district": None,
        "department": "CGJ",
        "display_name": "刘洋",
    }
    assert version(conn, name) > v0  # a role change ends the user's sessions
    with pytest.raises(ValidationError):
        sa.edit_user(conn, admin, name, role="department", department="CGJ", display_name="刘洋")  # nothing
    with pytest.raises(NotFound):
        sa.edit_user(conn, admin, "no-such-user-x", role="lead", display_name=None)


def test_last_admin_and_self_are_protected(conn: Connection, admin: StaffIdentity) -> None:
    with pytest.raises(ValidationError, match="own"):
        sa.deactivate(conn, admin, admin.username)
    with pytest.raises(ValidationError, match="last active administrator"):
        sa.deactivate(conn, None, admin.username)  # the shell too
    with pytest.raises(ValidationError, match="last active administrator"):
        sa.edit_user(conn, None, admin.username, role="lead", display_name=None)
    with pytest.raises(ValidationError, match="own role"):
        sa.edit_user(conn, admin, admin.username, role="lead", display_name=None)
    other = _name("adm")
    sa.add_user(conn, admin, other, "admin", GOOD)
    sa.deactivate(conn, admin, other)  # another admin remains: allowed
    assert audit(conn, "user_deactivate", other)
    with pytest.raises(ValidationError, match="last active administrator"):
        sa.deactivate(conn, None, admin.username)
    sa.reactivate(conn, admin, other)
    sa.deactivate(conn, None, admin.username)  # now there is another
    assert audit(conn, "user_deactivate", admin.username)[0]["by"] == "command line"


def test_deactivation_ends_sessions_and_refuses_sign_in(conn: Connection, admin: StaffIdentity) -> None:
    name = _name()
    uid = sa.add_user(conn, admin, name, "dispatcher", GOOD)
    v0 = version(conn, name)
    assert authenticate(conn, name, GOOD, allow_demo=False) is not None
    sa.deactivate(conn, admin, name)
    assert version(conn, name) > v0
    assert load_session_identity(conn, uid) is None  # no session of theirs is valid any more
    assert authenticate(conn, name, GOOD, allow_demo=False) is None
    with pytest.raises(ValidationError):
        sa.deactivate(conn, admin, name)
    sa.reactivate(conn, admin, name)
    assert authenticate(conn, name, GOOD, allow_demo=False) is not None
    with pytest.raises(ValidationError):
        sa.reactivate(conn, admin, name)
    assert len(audit(conn, "user_reactivate", name)) == 1


def test_reset_forces_a_change_and_the_change_clears_it(conn: Connection, admin: StaffIdentity) -> None:
    name = _name()
    uid = sa.add_user(conn, admin, name, "lead", GOOD)
    v0 = version(conn, name)
    otp = sa.reset_password(conn, admin, name)
    assert version(conn, name) > v0
    assert authenticate(conn, name, GOOD, allow_demo=False) is None
    assert authenticate(conn, name, otp, allow_demo=False) is not None
    found = load_session_identity(conn, uid)
    assert found is not None and found[2] is True  # must change before anything else
    [detail] = audit(conn, "password_reset", name)
    assert otp not in json.dumps(detail) and detail["must_change"] is True
    for current, new, repeat, field in (
        ("wrong-password-1", "my-new-password-9", "my-new-password-9", "current"),
        (otp, "my-new-password-9", "my-new-password-8", "repeat"),
        (otp, "1234567890", "1234567890", "password"),
        (otp, otp, otp, "password"),
    ):
        with pytest.raises(ValidationError) as err:
            sa.change_own_password(conn, uid, current, new, repeat)
        assert err.value.field == field
    assert load_session_identity(conn, uid)[2] is True  # type: ignore[index]
    before = version(conn, name)
    new_version = sa.change_own_password(
        conn, uid, otp, "my-new-password-9", "my-new-password-9", client="203.0.113.9"
    )
    assert new_version == version(conn, name) > before
    found = load_session_identity(conn, uid)
    assert found is not None and found[2] is False
    assert authenticate(conn, name, "my-new-password-9", allow_demo=False) is not None
    row = conn.execute(
        text(
            "SELECT username, client, detail FROM audit_log WHERE kind = 'password_change' AND user_id = :i"
        ),
        {"i": uid},
    ).one()
    assert (
        row.username == name
        and row.client == "203.0.113.9"
        and "my-new-password-9" not in json.dumps(row.detail)
    )


def test_list_searches_and_shows_the_last_sign_in(conn: Connection, admin: StaffIdentity) -> None:
    name = _name("listme")
    sa.add_user(conn, admin, name, "officer", GOOD, district="520103", display_name="搜索测试员")
    conn.execute(
        text(
            "INSERT INTO audit_log (kind, user_id, username, at) SELECT 'signin_ok', id, username, "
            "'2026-11-02T08:00:00+08' FROM staff_user WHERE username = :u"
        ),
        {"u": name},
    )
    assert [r.username for r in su.list_staff(conn, "搜索测试")] == [name]
    assert [r.username for r in su.list_staff(conn, name.upper())] == [name]
    [row] = su.list_staff(conn, name)
    assert row.last_signin is not None and row.last_signin.isoformat().startswith("2026-11-02T08:00:00+08")
    sa.deactivate(conn, admin, name)
    assert su.list_staff(conn, name, active=True) == []
    assert su.list_staff(conn, "no-such-words-zz") == []
    assert all(
        "%" in r.username + r.display_name for r in su.list_staff(conn, "%")
    )  # a character, not a wildcard


def test_a_system_account_gets_no_password(conn: Connection, admin: StaffIdentity) -> None:
    name = _name("sys")
    sa.add_user(conn, admin, name, "dispatcher", GOOD)
    conn.execute(text("UPDATE staff_user SET password_hash = '!no-sign-in' WHERE username = :u"), {"u": name})
    with pytest.raises(ValidationError, match="system account"):
        sa.reset_password(conn, admin, name)
    assert audit(conn, "password_reset", name) == []
