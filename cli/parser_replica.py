"""``guiyang-ops db replica up|down|status|url [--rebuild] [--json]``: a streaming-replication standby of the
project's cluster. Light like :mod:`cli.parser`: the standard library only.

``db`` is one command with a positional action (``up``, ``down``, ...); this adds the action ``replica`` and
its own second word; ``cli.commands.setup.cmd_db`` hands ``db replica`` to :mod:`cli.commands.replica`."""

from __future__ import annotations

import argparse

REPLICA_ACTIONS = ("up", "down", "status", "url")


def add_replica_commands(sub: argparse._SubParsersAction) -> None:
    """``db replica ...`` on the existing ``db`` command."""
    db: argparse.ArgumentParser = sub.choices["db"]
    for act in db._actions:
        if act.dest == "action" and act.choices is not None:
            act.choices = [*act.choices, "replica"]
            act.help = (act.help or "") + "; replica: the streaming standby (see replica_action)"
    db.add_argument(
        "replica_action",
        nargs="?",
        choices=REPLICA_ACTIONS,
        default=None,
        help="db replica: start (a base backup first if there is none), stop, show lag, or print the app's URL on it",
    )
    db.add_argument("--rebuild", action="store_true", help="db replica up: take a fresh base backup")
    db.add_argument("--json", action="store_true", help="db replica status: as JSON")
