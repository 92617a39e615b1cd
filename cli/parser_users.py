"""``guiyang-ops user ...``: staff accounts from the shell (add, list, deactivate, reactivate, reset-password,
unlock, revoke). Light like :mod:`cli.parser`: the standard library and :mod:`cli.args` only; the handlers
(``cli.commands.users``) are imported when the command runs."""

from __future__ import annotations

import argparse

from cli import args as a
from db.vocabulary import STAFF_ROLES

_USERS = "cli.commands.users"


def add_users_commands(sub: argparse._SubParsersAction) -> None:
    parser = a.command
    u = parser(sub, "user", "staff accounts")
    usub = u.add_subparsers(
        dest="user_command",
        required=True,
        metavar="{add,list,deactivate,reactivate,reset-password,unlock,revoke}",
    )
    ua = parser(usub, "add", "add a staff user; the password is read from standard input")
    ua.add_argument("name", help="the user name to sign in with")
    ua.add_argument("--role", required=True, choices=STAFF_ROLES, help="what the user may do")
    ua.add_argument("--district", type=a.adcode, default=None, help="GB/T 2260 code, required for officers")
    ua.add_argument(
        "--department", type=a.code, default=None, help="department code, required for department staff"
    )
    ua.add_argument("--display-name", default=None, help="the name shown in the app (default: the user name)")
    ua.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from standard input (at least 10 characters, not the user name, not a common one)",
    )
    ua.set_defaults(handler=f"{_USERS}:cmd_user_add")
    ls = parser(usub, "list", "list staff users: role, scope, active, last sign-in")
    ls.add_argument(
        "search", nargs="?", default="", help="only users whose names, role or scope contain this"
    )
    ls.add_argument("--active-only", action="store_true", help="leave out deactivated users")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ls.set_defaults(handler=f"{_USERS}:cmd_user_list")
    for name, help, handler in (
        (
            "deactivate",
            "deactivate a staff user: no sign-in, every session ends at once",
            "cmd_user_deactivate",
        ),
        ("reactivate", "let a deactivated staff user sign in again", "cmd_user_reactivate"),
        (
            "reset-password",
            "set a one-time password (printed once) that must be changed at the next sign-in",
            "cmd_user_reset_password",
        ),
        ("unlock", "end a sign-in lock and clear the failure count of a staff user", "cmd_user_unlock"),
        ("revoke", "end every session of a staff user (all devices, at once)", "cmd_user_revoke"),
    ):
        p = parser(usub, name, help)
        p.add_argument("name", help="the staff user's name")
        p.set_defaults(handler=f"{_USERS}:{handler}")
