"""Staff accounts as an administrator sees them: the list (with the last good sign-in from ``audit_log``), one
account, and the updates behind :mod:`ops.staff_admin` (which validates and records them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from db.accounts import hash_password

LIST_LIMIT = 500


@dataclass(frozen=True)
class StaffRow:
    id: int
    username: str
    display_name: str
    role: str
    district_code: str | None
    district_zh: str | None
    district_en: str | None
    department_code: str | None
    department_zh: str | None
    department_en: str | None
    active: bool
    must_change_password: bool
    demo: bool
    last_signin: datetime | None


_SELECT = """
    SELECT u.id, u.username, u.display_name, u.role, u.district_code, d.name_zh, d.name_en,
           u.department_code, dep.name_zh, dep.name_en, u.active, u.must_change_password, u.demo,
           (SELECT max(a.at) FROM audit_log a WHERE a.username = u.username AND a.kind = 'signin_ok')
               AS last_signin
    FROM staff_user u
    LEFT JOIN district d ON d.code = u.district_code
    LEFT JOIN department dep ON dep.code = u.department_code
"""


def list_staff(conn: Connection, search: str = "", *, active: bool | None = None) -> list[StaffRow]:
    """Staff accounts whose user name, display name, role, district or department contains ``search`` (any
    case), active ones first, then by user name; at most :data:`LIST_LIMIT`."""
    rows = conn.execute(
        text(
            _SELECT
            + """
            WHERE (:q = '' OR u.username ILIKE :like OR u.display_name ILIKE :like OR u.role ILIKE :like
                   OR coalesce(d.name_zh, '') ILIKE :like OR coalesce(d.name_en, '') ILIKE :like
                   OR coalesce(dep.name_zh, '') ILIKE :like OR coalesce(dep.name_en, '') ILIKE :like
                   OR coalesce(u.district_code, '') ILIKE :like OR coalesce(u.department_code, '') ILIKE :like)
              AND (CAST(:active AS boolean) IS NULL OR u.active = :active)
            ORDER BY u.active DESC, u.username
            LIMIT :lim
            """
        ),
        {"q": search.strip(), "like": f"%{_escape(search.strip())}%", "active": active, "lim": LIST_LIMIT},
    )
    return [StaffRow(*r) for r in rows]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_staff(conn: Connection, username: str, *, lock: bool = False) -> StaffRow | None:
    """One account by user name (``lock``: FOR UPDATE of the account's row, for a change)."""
    if lock:
        conn.execute(text("SELECT 1 FROM staff_user WHERE username = :u FOR UPDATE"), {"u": username.strip()})
    row = conn.execute(text(_SELECT + " WHERE u.username = :u"), {"u": username.strip()}).first()
    return StaffRow(*row) if row else None


def active_admins(conn: Connection) -> list[str]:
    """The user names of the active admins, locked (FOR UPDATE) so two admins cannot remove each other at once."""
    return [
        r[0]
        for r in conn.execute(
            text("SELECT username FROM staff_user WHERE role = 'admin' AND active ORDER BY id FOR UPDATE")
        )
    ]


def update_profile(
    conn: Connection,
    user_id: int,
    *,
    role: str,
    display_name: str,
    district: str | None,
    department: str | None,
) -> None:
    """Role, scope and display name (a role or scope change ends the user's sessions: the 0006 trigger)."""
    conn.execute(
        text(
            "UPDATE staff_user SET role = :r, display_name = :n, district_code = :d, department_code = :dep "
            "WHERE id = :i"
        ),
        {"r": role, "n": display_name, "d": district, "dep": department, "i": user_id},
    )


def set_active(conn: Connection, user_id: int, active: bool) -> None:
    """Deactivate or reactivate (the 0006 trigger raises ``session_version``: every session ends)."""
    conn.execute(text("UPDATE staff_user SET active = :a WHERE id = :i"), {"a": active, "i": user_id})


def set_password(conn: Connection, user_id: int, password: str, *, must_change: bool) -> None:
    """A new password hash (sessions end: the 0006 trigger) and whether it must be changed at the next sign-in."""
    conn.execute(
        text("UPDATE staff_user SET password_hash = :h, must_change_password = :m WHERE id = :i"),
        {"h": hash_password(password), "m": must_change, "i": user_id},
    )


def is_system_account(conn: Connection, user_id: int) -> bool:
    """An account that never signs in (its hash is a marker starting with ``!``, like the demo simulator's)."""
    return bool(
        conn.execute(
            text("SELECT password_hash LIKE '!%' FROM staff_user WHERE id = :i"), {"i": user_id}
        ).scalar()
    )
