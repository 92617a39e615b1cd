"""``guiyang-ops db partitions status|ensure|retain``: the history tables' monthly partitions (argparse
definitions only; the handlers are in :mod:`cli.commands.partitions`). Light like :mod:`cli.parser`."""

from __future__ import annotations

import argparse

from cli import args as a

_HANDLERS = "cli.commands.partitions"
ACTIONS = ("status", "ensure", "retain")


def add_partitions_commands(dsub: argparse._SubParsersAction) -> None:
    """``db partitions [status|ensure|retain]``, under ``db``."""
    pt = a.command(dsub, "partitions", "the history tables' monthly partitions")
    pt.add_argument(
        "partitions_action",
        nargs="?",
        choices=ACTIONS,
        default="status",
        help="show them, make the months ahead (or --from/--to), or archive and drop those older than "
        "GUIYANG_HISTORY_KEEP_MONTHS",
    )
    pt.add_argument("--from", dest="p_from", type=a.day, default=None, help="ensure: first day (YYYY-MM-DD)")
    pt.add_argument("--to", dest="p_to", type=a.day, default=None, help="ensure: last day (YYYY-MM-DD)")
    pt.add_argument(
        "--keep-months",
        type=a.int_range(0, 1200),
        default=None,
        help="retain: whole months kept (default GUIYANG_HISTORY_KEEP_MONTHS; 0 keeps everything)",
    )
    pt.add_argument(
        "--every",
        dest="p_every",
        type=a.positive_float(24 * 366),
        default=None,
        metavar="HOURS",
        help="retain: run now and then every HOURS until SIGTERM/Ctrl-C (a worker beside the server, e.g. 24)",
    )
    pt.add_argument("--json", dest="p_json", action="store_true", help="status: print JSON")
    pt.set_defaults(handler=f"{_HANDLERS}:cmd_partitions")
