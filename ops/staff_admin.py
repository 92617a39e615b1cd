"""Staff administration: add, edit, deactivate, reactivate, reset a password (an administrator, from /admin or
the shell), and change one's own password. Each act validates first, runs in the caller's transaction and
records one ``audit_log`` row in it (``user_add``, ``user_edit`` with before/after, ``user_deactivate``,
``user_reactivate``, ``password_reset``, ``password_change``; never a password).

``actor`` is the signed-in administrator, or None for the command line (recorded as ``by: command line``). Two
rules protect the city from locking itself out: an admin cannot deactivate themselves (nor change their own
role), and the last active admin can be neither deactivated nor given another role.

Sessions: a changed password, role, scope or active flag raises the account's ``session_version`` (the trigger
of migration 0006), so every session of the account ends at its next request.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Connection

from db import staff_users as su
from db.accounts import (
    StaffIdentity,
    check_display_name,
    check_password,
    check_scope,
    create_staff_user,
    load_identity,
    verify_password,
)
from db.errors import NotFound, ValidationError
from ops.audit import record
from ops.signin import session_version

#: one-time passwords: no 0/O, 1/l/I, in groups of four
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
OTP_GROUPS = 4


def one_time_password() -> str:
    """A random password to hand over once (``xxxx-xxxx-xxxx-xxxx``, ~80 bits)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(OTP_GROUPS))


def _record(
    conn: Connection, kind: str, actor: StaffIdentity | None, client: str | None, **detail: Any
) -> None:
    if actor is None:
        detail["by"] = "command line"
    record(
        conn,
        kind,
        user_id=actor.id if actor else None,
        username=actor.username if actor else None,
        client=client,
        detail=detail,
    )


def _target(conn: Connection, username: str) -> su.StaffRow:
    row = su.find_staff(conn, username, lock=True)
    if row is None:
        raise NotFound(f"没有用户 {username}。", f"No user {username}.", field="username")
    return row


def _scope(row: su.StaffRow) -> dict[str, str | None]:
    return {"role": row.role, "district": row.district_code, "department": row.department_code}


def add_user(
    conn: Connection,
    actor: StaffIdentity | None,
    username: str,
    role: str,
    password: str,
    *,
    display_name: str | None = None,
    district: str | None = None,
    department: str | None = None,
    client: str | None = None,
) -> int:
    """A new account (validated by :func:`db.accounts.create_staff_user`); returns its id."""
    uid = create_staff_user(
        conn, username, role, password, display_name=display_name, district=district, department=department
    )
    row = su.find_staff(conn, username)
    assert row is not None  # noqa: S101  # nosec B101 # just inserted in this transaction
    _record(conn, "user_add", actor, client, target=row.username, **_scope(row))
    return uid


def edit_user(
    conn: Connection,
    actor: StaffIdentity | None,
    username: str,
    *,
    role: str,
    display_name: str | None,
    district: str | None = None,
    department: str | None = None,
    client: str | None = None,
) -> dict[str, Any]:
    """Change role, scope and display name; returns the changed fields (``{field: [before, after]}``)."""
    row = _target(conn, username)
    district, department = check_scope(conn, role, district, department)
    name = check_display_name(display_name, row.username)
    before = {**_scope(row), "display_name": row.display_name}
    after = {"role": role, "district": district, "department": department, "display_name": name}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changed:
        raise ValidationError("没有任何修改。", "Nothing was changed.")
    if "role" in changed:
        if actor is not None and actor.id == row.id:
            raise ValidationError(
                "不能修改自己的角色，请由另一位管理员修改。",
                "You cannot change your own role; ask another administrator.",
                field="role",
            )
        if row.role == "admin" and row.active and su.active_admins(conn) == [row.username]:
            raise ValidationError(
                "这是最后一位启用的管理员，不能改为其他角色。",
                "This is the last active administrator: the role cannot change.",
                field="role",
            )
    su.update_profile(conn, row.id, role=role, display_name=name, district=district, department=department)
    _record(
        conn,
        "user_edit",
        actor,
        client,
        target=row.username,
        before={k: v[0] for k, v in changed.items()},
        after={k: v[1] for k, v in changed.items()},
    )
    return changed


def deactivate(
    conn: Connection, actor: StaffIdentity | None, username: str, *, client: str | None = None
) -> None:
    """Deactivate an account: it cannot sign in, and every session of it ends at its next request."""
    row = _target(conn, username)
    if not row.active:
        raise ValidationError(f"用户 {row.username} 已停用。", f"User {row.username} is already inactive.")
    if actor is not None and actor.id == row.id:
        raise ValidationError("不能停用自己的账号。", "You cannot deactivate your own account.")
    if row.role == "admin" and su.active_admins(conn) == [row.username]:
        raise ValidationError(
            "这是最后一位启用的管理员，不能停用。",
            "This is the last active administrator: it cannot be deactivated.",
        )
    su.set_active(conn, row.id, False)
    _record(conn, "user_deactivate", actor, client, target=row.username, sessions_ended=True)


def reactivate(
    conn: Connection, actor: StaffIdentity | None, username: str, *, client: str | None = None
) -> None:
    row = _target(conn, username)
    if row.active:
        raise ValidationError(
            f"用户 {row.username} 已是启用状态。", f"User {row.username} is already active."
        )
    su.set_active(conn, row.id, True)
    _record(conn, "user_reactivate", actor, client, target=row.username)


def reset_password(
    conn: Connection, actor: StaffIdentity | None, username: str, *, client: str | None = None
) -> str:
    """A one-time password for the account (returned once, never stored in clear nor recorded); the user must
    change it at the next sign-in, and every session of theirs ends now."""
    row = _target(conn, username)
    if su.is_system_account(conn, row.id):
        raise ValidationError(
            f"{row.username} 是不登录的系统账号，不能设置密码。",
            f"{row.username} is a system account that never signs in: it gets no password.",
        )
    password = one_time_password()
    su.set_password(conn, row.id, password, must_change=True)
    _record(conn, "password_reset", actor, client, target=row.username, must_change=True)
    return password


def change_own_password(
    conn: Connection, user_id: int, current: str, new: str, repeat: str, *, client: str | None = None
) -> int:
    """A user sets their own password (the current one checked, the rules applied, the two copies equal); ends
    every other session of theirs and returns the new session version (for the session that made the change)."""
    user = load_identity(conn, user_id)
    if user is None:
        raise NotFound("账号不存在或已停用。", "The account does not exist or is inactive.")
    if not verify_password(conn, user_id, current):
        raise ValidationError("当前密码不正确。", "The current password is wrong.", field="current")
    if new != repeat:
        raise ValidationError("两次输入的新密码不一致。", "The two new passwords differ.", field="repeat")
    if new == current:
        raise ValidationError(
            "新密码不能与当前密码相同。",
            "The new password must differ from the current one.",
            field="password",
        )
    check_password(new, user.username)
    su.set_password(conn, user_id, new, must_change=False)
    record(conn, "password_change", user_id=user_id, username=user.username, client=client)
    return session_version(conn, user_id) or 0
