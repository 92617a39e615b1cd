"""Demo staff accounts: created by ``setup --demo``, usable only while the app runs in demo mode."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from db.accounts import create_staff_user


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    display_name: str
    district: str | None = None
    department: str | None = None


DEMO_USERS = (
    DemoUser("lead", "demo-lead-2026", "lead", "值班长 王敏"),
    DemoUser("dispatcher", "demo-dispatch-2026", "dispatcher", "派遣员 李强"),
    DemoUser("yunyan", "demo-yunyan-2026", "officer", "云岩区执法 张伟", district="520103"),
    DemoUser("cgj", "demo-cgj-2026", "department", "市城管局 刘洋", department="CGJ"),
    DemoUser("admin", "demo-admin-2026", "admin", "系统管理员"),
    DemoUser("moderator", "demo-moderator-2026", "moderator", "内容审核 陈静"),
)


#: The simulator's own account (``guiyang-ops simulate``): every simulated step is recorded as its act, so the
#: history never credits a demo staff member with what the simulator did. It cannot sign in: its password hash
#: is not a hash at all, so no password verifies against it (and no sign-in, no session).
SIMULATOR_USERNAME = "simulator"
SIMULATOR_DISPLAY_NAME = "模拟器 Simulator"
SIMULATOR_ROLE = "dispatcher"  # a valid staff role for the table; the role acted as is recorded per event
_NO_PASSWORD = "!no-sign-in"  # nosec B105 # not a password: a marker no password verifies against


def ensure_simulator_account(conn: Connection) -> int:
    """The simulator's account, created once (idempotent); returns its id."""
    conn.execute(
        text(
            "INSERT INTO staff_user (username, display_name, role, password_hash, active, demo) "
            "VALUES (:u, :n, :r, :h, true, true) ON CONFLICT (username) DO NOTHING"
        ),
        {"u": SIMULATOR_USERNAME, "n": SIMULATOR_DISPLAY_NAME, "r": SIMULATOR_ROLE, "h": _NO_PASSWORD},
    )
    return int(
        conn.execute(
            text("SELECT id FROM staff_user WHERE username = :u"), {"u": SIMULATOR_USERNAME}
        ).scalar_one()
    )


def simulator_account_id(conn: Connection) -> int | None:
    """The simulator account's id, or None when setup has not created it."""
    v = conn.execute(
        text("SELECT id FROM staff_user WHERE username = :u"), {"u": SIMULATOR_USERNAME}
    ).scalar()
    return None if v is None else int(v)


def ensure_demo_users(conn: Connection) -> int:
    """The demo staff accounts and the simulator's account, each created once; returns how many staff were made."""
    ensure_simulator_account(conn)
    made = 0
    for u in DEMO_USERS:
        if conn.execute(text("SELECT 1 FROM staff_user WHERE username = :u"), {"u": u.username}).first():
            continue
        create_staff_user(
            conn,
            u.username,
            u.role,
            u.password,
            display_name=u.display_name,
            district=u.district,
            department=u.department,
            demo=True,
        )
        made += 1
    return made
