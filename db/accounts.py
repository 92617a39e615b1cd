"""Staff accounts: argon2 password hashes, validated creation, sign-in check."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, text

from db.errors import ValidationError
from db.vocabulary import STAFF_ROLES

_hasher = PasswordHasher()
MIN_PASSWORD = 8


@dataclass(frozen=True)
class StaffIdentity:
    """Who is acting: what every write re-checks on the server."""

    id: int
    username: str
    display_name: str
    role: str
    district_code: str | None
    department_code: str | None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_staff_user(
    conn: Connection,
    username: str,
    role: str,
    password: str,
    *,
    display_name: str | None = None,
    district: str | None = None,
    department: str | None = None,
    demo: bool = False,
) -> int:
    """Validate and insert a staff user; raises :class:`ValidationError` (nothing written) on bad input."""
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise ValidationError(
            "用户名不能为空且不能含空格。", "The user name must be non-empty without spaces."
        )
    if role not in STAFF_ROLES:
        raise ValidationError(
            f"未知角色 {role}，可选：{', '.join(STAFF_ROLES)}。",
            f"Unknown role {role}; choose one of {', '.join(STAFF_ROLES)}.",
        )
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"密码至少 {MIN_PASSWORD} 位。", f"The password needs at least {MIN_PASSWORD} characters."
        )
    if role == "officer" and not district:
        raise ValidationError(
            "区县执法人员必须指定所属区县 (--district)。", "An officer needs a district (--district)."
        )
    if role == "department" and not department:
        raise ValidationError(
            "部门人员必须指定所属部门 (--department)。", "Department staff need a department (--department)."
        )
    if district and not conn.execute(text("SELECT 1 FROM district WHERE code = :c"), {"c": district}).first():
        raise ValidationError(f"没有区县代码 {district}。", f"No district with code {district}.")
    if (
        department
        and not conn.execute(text("SELECT 1 FROM department WHERE code = :c"), {"c": department}).first()
    ):
        raise ValidationError(f"没有部门代码 {department}。", f"No department with code {department}.")
    if conn.execute(text("SELECT 1 FROM staff_user WHERE username = :u"), {"u": username}).first():
        raise ValidationError(f"用户 {username} 已存在。", f"User {username} already exists.")
    return int(
        conn.execute(
            text(
                "INSERT INTO staff_user (username, display_name, role, district_code, department_code, "
                "password_hash, demo) VALUES (:u, :n, :r, :d, :dep, :h, :demo) RETURNING id"
            ),
            {
                "u": username,
                "n": display_name or username,
                "r": role,
                "d": district,
                "dep": department,
                "h": hash_password(password),
                "demo": demo,
            },
        ).scalar_one()
    )


def authenticate(conn: Connection, username: str, password: str, *, allow_demo: bool) -> StaffIdentity | None:
    row = conn.execute(
        text(
            "SELECT id, username, display_name, role, district_code, department_code, password_hash, demo "
            "FROM staff_user WHERE username = :u AND active"
        ),
        {"u": username.strip()},
    ).first()
    if row is None:
        _hasher.hash(password)  # same time whether or not the user exists
        return None
    if row.demo and not allow_demo:
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return StaffIdentity(
        row.id, row.username, row.display_name, row.role, row.district_code, row.department_code
    )


def load_identity(conn: Connection, user_id: int) -> StaffIdentity | None:
    row = conn.execute(
        text(
            "SELECT id, username, display_name, role, district_code, department_code FROM staff_user "
            "WHERE id = :i AND active"
        ),
        {"i": user_id},
    ).first()
    return StaffIdentity(*row) if row else None


def load_session_identity(conn: Connection, user_id: int) -> tuple[StaffIdentity, int] | None:
    """An active user and the version every session of theirs must carry (see ``staff_user.session_version``)."""
    row = conn.execute(
        text(
            "SELECT id, username, display_name, role, district_code, department_code, session_version "
            "FROM staff_user WHERE id = :i AND active"
        ),
        {"i": user_id},
    ).first()
    return (StaffIdentity(*row[:6]), int(row[6])) if row else None
