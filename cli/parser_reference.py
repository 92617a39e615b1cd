"""``guiyang-ops reference ...``: reference data changed from the shell, effective from a date, like
/admin/reference (handlers in :mod:`cli.commands.reference`)."""

from __future__ import annotations

import argparse

from cli import args as a

_HANDLER = "cli.commands.reference:cmd_reference"
UNITS = ("natural_hours", "working_hours", "working_days")


def add_reference_commands(sub: argparse._SubParsersAction) -> None:
    """The ``reference`` command and its subcommands."""

    parser = a.command
    ref = parser(sub, "reference", "基础数据: 小类 rules, responsibility and holidays, effective from a date")
    rsub = ref.add_subparsers(dest="reference_command", required=True)
    ap = parser(
        rsub, "apply", "bring scheduled changes whose day has come into force (safe to run from cron)"
    )
    ap.set_defaults(handler=_HANDLER)
    lim = parser(
        rsub, "time-limit", "change a 小类's time limit from a date (cases reported before keep theirs)"
    )
    lim.add_argument("code", help="the 小类 code, e.g. C0101")
    lim.add_argument("limit", type=float, help="the new time limit, > 0")
    lim.add_argument("unit", choices=UNITS, help="its unit")
    lim.add_argument(
        "--from", dest="effective", required=True, help="effective date YYYY-MM-DD (today or later)"
    )
    lim.set_defaults(handler=_HANDLER)
    resp = parser(rsub, "responsibility", "from a date, a 小类 in a district goes to a department")
    resp.add_argument("code", help="the 小类 code")
    resp.add_argument("district", help="a district code with grids, or 'city' for the city-wide row")
    resp.add_argument("department", help="a department code, or 'none' to remove the row")
    resp.add_argument("--from", dest="effective", required=True, help="effective date YYYY-MM-DD")
    resp.set_defaults(handler=_HANDLER)
    hol = parser(rsub, "holiday", "from a date, a day is a public holiday, a make-up working day, or neither")
    hol.add_argument("day", help="the day, YYYY-MM-DD")
    hol.add_argument("kind", choices=("holiday", "workday", "none"), help="none removes the entry")
    hol.add_argument("--name-zh", default=None, help="e.g. 春节")
    hol.add_argument("--name-en", default=None, help="e.g. Spring Festival")
    hol.add_argument("--from", dest="effective", required=True, help="effective date YYYY-MM-DD")
    hol.set_defaults(handler=_HANDLER)
