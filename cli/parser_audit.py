"""``guiyang-ops audit list|purge``: the audit log from the shell (argparse definitions only; the handlers are in
:mod:`cli.commands.audit_log`). Light like :mod:`cli.parser`: the standard library and :mod:`cli.args` only."""

from __future__ import annotations

import argparse

from cli import args as a

_HANDLERS = "cli.commands.audit_log"
#: the groups of ``ops.audit_view.GROUPS`` (held equal by a test; not imported here, ``--help`` stays light)
GROUPS = ("signin", "case", "export", "admin", "moderation", "sharing")


def add_audit_commands(sub: argparse._SubParsersAction) -> None:
    """``audit list`` (the audit viewer's rows, newest first) and ``audit purge`` (the retention)."""

    au = sub.add_parser(
        "audit",
        help="the audit log: sign-ins, case actions, exports, administration, moderation, sharing",
        description="the audit log: sign-ins, case actions, exports, administration, moderation, sharing",
        formatter_class=a.HelpWithDefaults,
    )
    asub = au.add_subparsers(dest="audit_command", required=True)
    ls = asub.add_parser(
        "list",
        help="the audit viewer's rows, newest first",
        description="the audit viewer's rows, newest first",
        formatter_class=a.HelpWithDefaults,
    )
    ls.add_argument("--user", default=None, help="one person's rows (the exact user name)")
    ls.add_argument(
        "--kind",
        default=None,
        help=f"comma-separated groups among {','.join(GROUPS)}, or one audit kind such as signin_failed "
        "(default: every kind)",
    )
    ls.add_argument("--since", type=a.day, default=None, help="from this day on (YYYY-MM-DD, Asia/Shanghai)")
    ls.add_argument("--until", type=a.day, default=None, help="up to and with this day (YYYY-MM-DD)")
    ls.add_argument("--limit", type=a.int_range(1, 100_000), default=100, help="at most this many rows")
    ls.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    ls.set_defaults(handler=f"{_HANDLERS}:cmd_list")
    pg = asub.add_parser(
        "purge",
        help="delete audit_log rows older than GUIYANG_AUDIT_KEEP_DAYS (at least 183), as the owner role",
        description="delete audit_log rows older than GUIYANG_AUDIT_KEEP_DAYS (at least 183), as the owner role; "
        "the purge is recorded (kind audit_purge)",
        formatter_class=a.HelpWithDefaults,
    )
    pg.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    pg.set_defaults(handler=f"{_HANDLERS}:cmd_purge")
