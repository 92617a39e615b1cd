"""``guiyang-ops report monthly``: the monthly assessment report (月度考核通报) as a PDF. Standard library only
(``--help`` stays light); the handler is :mod:`cli.commands.report`."""

from __future__ import annotations

import argparse
import re

from cli import args as a

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def month(value: str) -> str:
    if not _MONTH.match(value):
        raise argparse.ArgumentTypeError(f"月份格式应为 YYYY-MM / the month is YYYY-MM (got {value!r})")
    return value


def add_report_commands(sub: argparse._SubParsersAction) -> None:
    parser = a.command
    rp = parser(
        sub, "report", "reports made from the evaluation: the monthly assessment report (月度考核通报)"
    )
    rsub = rp.add_subparsers(dest="report_command", required=True)
    mo = parser(
        rsub,
        "monthly",
        "the monthly assessment report as a printable PDF (A4, Chinese), city-wide or one district",
    )
    mo.add_argument("--month", type=month, default=None, help="YYYY-MM (default: the last whole month)")
    mo.add_argument(
        "--district", type=a.code, default=None, help="a district code, e.g. 520103 (default: the whole city)"
    )
    mo.add_argument("--out", required=True, help="the PDF file to write, e.g. report-2026-11.pdf")
    mo.add_argument("--html", action="store_true", help="write the web page (HTML) instead of the PDF")
    mo.set_defaults(handler="cli.commands.report:cmd_report_monthly")
