"""``guiyang-ops user add|list|deactivate|reactivate|reset-password|unlock|revoke``: staff accounts from the
shell, through the same :mod:`ops.staff_admin` rules (and audit rows, ``by: command line``) as /admin."""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy import text

from cli.progress import console, fail, ok
from dashboard.database import database_url
from dashboard.settings import Settings
from db import staff_users
from db.engine import make_engine
from ops import staff_admin


def cmd_user_add(settings: Settings, args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    if not password:
        fail("give the password on standard input with --password-stdin")
        return 2
    engine = make_engine(database_url(settings, role="owner"))
    with engine.begin() as conn:
        uid = staff_admin.add_user(
            conn,
            None,
            args.name,
            args.role,
            password,
            display_name=args.display_name,
            district=args.district,
            department=args.department,
        )
    ok(f"user {args.name} ({args.role}) created, id {uid}")
    return 0


def cmd_user_list(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(database_url(settings))
    with engine.connect() as conn:
        rows = staff_users.list_staff(conn, args.search, active=True if args.active_only else None)
    if args.json:
        out = [
            {
                "username": r.username,
                "display_name": r.display_name,
                "role": r.role,
                "district": r.district_code,
                "department": r.department_code,
                "active": r.active,
                "must_change_password": r.must_change_password,
                "last_signin": r.last_signin.isoformat() if r.last_signin else None,
            }
            for r in rows
        ]
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        console.print("没有符合条件的用户。 No user matches.")
        return 0
    for r in rows:
        scope = r.district_code or r.department_code or "city"
        state = "active" if r.active else "INACTIVE"
        if r.must_change_password:
            state += ",must-change"
        last = f"{r.last_signin:%Y-%m-%d %H:%M}" if r.last_signin else "never"
        console.print(
            f"{r.username:<20} {r.role:<11} {scope:<8} {state:<20} {last:<16} {r.display_name}",
            markup=False,
            highlight=False,
        )
    return 0


def cmd_user_deactivate(settings: Settings, args: argparse.Namespace) -> int:
    with make_engine(database_url(settings)).begin() as conn:
        staff_admin.deactivate(conn, None, args.name)
    ok(f"user {args.name} deactivated; every session of theirs ended")
    return 0


def cmd_user_reactivate(settings: Settings, args: argparse.Namespace) -> int:
    with make_engine(database_url(settings)).begin() as conn:
        staff_admin.reactivate(conn, None, args.name)
    ok(f"user {args.name} reactivated")
    return 0


def cmd_user_reset_password(settings: Settings, args: argparse.Namespace) -> int:
    with make_engine(database_url(settings)).begin() as conn:
        password = staff_admin.reset_password(conn, None, args.name)
    ok(f"one-time password for {args.name} (shown once; it must be changed at the next sign-in):")
    print(password)  # alone on its line, for a script; after the commit only
    return 0


def cmd_user_unlock(settings: Settings, args: argparse.Namespace) -> int:
    from ops.signin import unlock

    engine = make_engine(database_url(settings))
    with engine.begin() as conn:
        found = unlock(conn, args.name, by="command line")
    if not found:
        fail(f"没有用户 {args.name}。 No user {args.name}.")
        return 2
    ok(f"user {args.name} unlocked")
    return 0


def cmd_user_revoke(settings: Settings, args: argparse.Namespace) -> int:
    from ops.signin import end_sessions

    engine = make_engine(database_url(settings))
    with engine.begin() as conn:
        uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": args.name}).scalar()
        if uid is not None:
            end_sessions(conn, uid, "session_revoked", by="command line")
    if uid is None:
        fail(f"没有用户 {args.name}。 No user {args.name}.")
        return 2
    ok(f"every session of {args.name} ended")
    return 0
