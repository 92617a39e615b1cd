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


def ensure_demo_users(conn: Connection) -> int:
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
