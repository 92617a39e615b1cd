"""``guiyang-ops db partitions status|ensure|retain``: the history tables' monthly partitions (argparse
definitions only; the handlers are in :mod:`cli.commands.partitions`). Light like :mod:`cli.parser`."""

from __future__ import annotations

import argparse

from cli import args as a

_HANDLERS = "cli.commands.partitions"
ACTIONS = ("status", "ensure", "retain")


def add_partitions_commands(sub: argparse._SubParsersAction) -> None:
    """Adds ``partitions`` to the actions of the existing ``db`` command, with its own action and options; the
    ``db`` command's other actions still reach their handler (kept as ``db_fallback``)."""
    db: argparse.ArgumentParser = sub.choices["db"]
    for action in db._actions:  # the db command's positional "action"
        if action.dest == "action" and action.choices is not None:
            action.choices = [*action.choices, "partitions"]
    db.add_argument(
        "partitions_action",
        nargs="?",
        choices=ACTIONS,
        default="status",
        help="with `partitions`: show them, make the months ahead (or --from/--to), or archive and drop those "
        "older than GUIYANG_HISTORY_KEEP_MONTHS",
    )
    db.add_argument("--from", dest="p_from", type=a.day, default=None, help="ensure: first day (YYYY-MM-DD)")
    db.add_argument("--to", dest="p_to", type=a.day, default=None, help="ensure: last day (YYYY-MM-DD)")
    db.add_argument(
        "--keep-months",
        type=a.int_range(0, 1200),
        default=None,
        help="retain: whole months kept (default GUIYANG_HISTORY_KEEP_MONTHS; 0 keeps everything)",
    )
    db.add_argument("--json", dest="p_json", action="store_true", help="status: print JSON")
    db.set_defaults(handler=f"{_HANDLERS}:cmd_db", db_fallback=db.get_default("handler"))
