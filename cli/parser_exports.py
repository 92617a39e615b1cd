"""Arguments of ``guiyang-ops export cases`` (handler: :mod:`cli.commands.exports`)."""

from __future__ import annotations

import argparse
import re

from cli import args as a

_STATUSES = (
    "reported",
    "filed",
    "dispatched",
    "in_progress",
    "handled",
    "suspended",
    "closed",
    "rejected",
    "merged",
)


def _day(value: str) -> str:
    return a.day(value).isoformat()


def _list(value: str) -> str:
    if not re.fullmatch(r"[a-z_]+(,[a-z_]+)*", value.strip()):
        raise argparse.ArgumentTypeError(
            f"应为逗号分隔的值 / comma-separated values expected (got {value!r})"
        )
    return value.strip()


def add_exports_commands(sub: argparse._SubParsersAction) -> None:
    """``export cases``: the cases a filter selects, as a CSV, Excel or GeoJSON file."""
    formatter = a.HelpWithDefaults
    ex = sub.add_parser(
        "export",
        help="export data to a file",
        description="export data to a file",
        formatter_class=formatter,
    )
    esub = ex.add_subparsers(dest="export_command", required=True)
    help_ = (
        "cases (workbench filters) as CSV, Excel or GeoJSON, with a progress bar; recorded in the audit log"
    )
    c = esub.add_parser("cases", help=help_, description=help_, formatter_class=formatter)
    c.add_argument("--format", choices=("csv", "xlsx", "geojson"), default="csv", help="the file's format")
    c.add_argument("--out", required=True, help="the file to write (replaced when complete)")
    c.add_argument(
        "--district", type=a.adcode, default=None, help="a district code (default: the whole city)"
    )
    c.add_argument("--major", type=a.code, default=None, help="a 大类 code")
    c.add_argument("--category", type=a.code, default=None, help="a 小类 code")
    c.add_argument("--status", type=_list, default=None, help=f"comma-separated, among {','.join(_STATUSES)}")
    c.add_argument("--source", type=_list, default=None, help="comma-separated: app,inspector,hotline,...")
    c.add_argument("--light", type=_list, default=None, help="comma-separated: green,yellow,red")
    c.add_argument(
        "--window",
        choices=("all", "open", "today", "7d", "30d"),
        default="all",
        help="all = every case; open = open cases only; or reported today / in the last 7 or 30 days",
    )
    c.add_argument("--since", type=_day, default=None, help="reported on or after this day (YYYY-MM-DD)")
    c.add_argument("--until", type=_day, default=None, help="reported on or before this day (YYYY-MM-DD)")
    c.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="the language of the headers and labels"
    )
    c.add_argument(
        "--as",
        dest="as_user",
        default=None,
        help="export as this staff user (their scope; personal data only if their role may see it); "
        "default: the whole city without personal data",
    )
    c.set_defaults(handler="cli.commands.exports:cmd_export_cases")
