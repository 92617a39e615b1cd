"""Staff accounts: argon2 password hashes, validated creation, sign-in check."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, text

from db.errors import ValidationError
from db.vocabulary import STAFF_ROLES

_hasher = PasswordHasher()
MIN_PASSWORD = 10


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


#: a few passwords anyone tries first (compared without case, spaces and punctuation)
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "1111111111",
        "0000000000",
        "password",
        "password1",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "qwertyuiop",
        "qwerty123456",
        "1q2w3e4r5t",
        "abcdefghij",
        "abc1234567",
        "abcd123456",
        "admin12345",
        "admin123456",
        "administrator",
        "iloveyou123",
        "woaini1314",
        "guiyang123",
        "guiyang2026",
        "changeme123",
        "welcome123",
    }
)


def _plain(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch.isalnum())


def check_password(password: str, username: str) -> None:
    """The password rules, everywhere a password is set: at least :data:`MIN_PASSWORD` characters, not the user
    name (nor the name with a few characters around it), not one of :data:`COMMON_PASSWORDS`. Raises
    :class:`ValidationError` (field ``password``) naming the rule broken; never logs the password."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"密码至少 {MIN_PASSWORD} 位。",
            f"The password needs at least {MIN_PASSWORD} characters.",
            field="password",
        )
    plain, name = _plain(password), _plain(username)
    if name and len(name) >= 3 and name in plain and len(plain) - len(name) <= 4:
        raise ValidationError(
            "密码不能是用户名。", "The password must not be the user name.", field="password"
        )
    if plain in COMMON_PASSWORDS or len(set(plain)) <= 2:
        raise ValidationError(
            "这个密码太常见，请换一个。", "That password is too common; choose another.", field="password"
        )


def check_scope(
    conn: Connection, role: str, district: str | None, department: str | None
) -> tuple[str | None, str | None]:
    """Validate a role and its scope; return the scope kept (an officer's district, department staff's
    department; other roles reach the whole city and keep neither)."""
    if role not in STAFF_ROLES:
        raise ValidationError(
            f"未知角色 {role}，可选：{', '.join(STAFF_ROLES)}。",
            f"Unknown role {role}; choose one of {', '.join(STAFF_ROLES)}.",
            field="role",
        )
    district = (district or "").strip() or None
    department = (department or "").strip() or None
    if role == "officer" and not district:
        raise ValidationError(
            "区县执法人员必须指定所属区县 (--district)。",
            "An officer needs a district (--district).",
            field="district",
        )
    if role == "department" and not department:
        raise ValidationError(
            "部门人员必须指定所属部门 (--department)。",
            "Department staff need a department (--department).",
            field="department",
        )
    if district and not conn.execute(text("SELECT 1 FROM district WHERE code = :c"), {"c": district}).first():
        raise ValidationError(
            f"没有区县代码 {district}。", f"No district with code {district}.", field="district"
        )
    if (
        department
        and not conn.execute(text("SELECT 1 FROM department WHERE code = :c"), {"c": department}).first()
    ):
        raise ValidationError(
            f"没有部门代码 {department}。", f"No department with code {department}.", field="department"
        )
    return (district if role == "officer" else None), (department if role == "department" else None)


def check_display_name(display_name: str | None, username: str) -> str:
    name = (display_name or "").strip() or username
    if len(name) > 80:
        raise ValidationError(
            "显示名称最多 80 个字符。", "The display name has at most 80 characters.", field="display_name"
        )
    return name


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
            "用户名不能为空且不能含空格。",
            "The user name must be non-empty without spaces.",
            field="username",
        )
    district, department = check_scope(conn, role, district, department)
    name = check_display_name(display_name, username)
    check_password(password, username)
    if conn.execute(text("SELECT 1 FROM staff_user WHERE username = :u"), {"u": username}).first():
        raise ValidationError(
            f"用户 {username} 已存在。", f"User {username} already exists.", field="username"
        )
    return int(
        conn.execute(
            text(
                "INSERT INTO staff_user (username, display_name, role, district_code, department_code, "
                "password_hash, demo) VALUES (:u, :n, :r, :d, :dep, :h, :demo) RETURNING id"
            ),
            {
                "u": username,
                "n": name,
                "r": role,
                "d": district,
                "dep": department,
                "h": hash_password(password),
                "demo": demo,
            },
        ).scalar_one()
    )


def verify_password(conn: Connection, user_id: int, password: str) -> bool:
    """Is ``password`` the (active) user's current password?"""
    stored = conn.execute(
        text("SELECT password_hash FROM staff_user WHERE id = :i AND active"), {"i": user_id}
    ).scalar()
    if stored is None:
        return False
    try:
        return bool(_hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


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


def load_session_identity(conn: Connection, user_id: int) -> tuple[StaffIdentity, int, bool] | None:
    """An active user, the version every session of theirs must carry (see ``staff_user.session_version``) and
    whether they must change their password before anything else (``staff_user.must_change_password``)."""
    row = conn.execute(
        text(
            "SELECT id, username, display_name, role, district_code, department_code, session_version, "
            "must_change_password FROM staff_user WHERE id = :i AND active"
        ),
        {"i": user_id},
    ).first()
    return (StaffIdentity(*row[:6]), int(row[6]), bool(row[7])) if row else None
