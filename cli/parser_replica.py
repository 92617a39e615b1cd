"""``guiyang-ops db replica up|down|status|url [--rebuild] [--json]``: a streaming-replication standby of the
project's cluster. Light like :mod:`cli.parser`: the standard library and :mod:`cli.args` only.

Adds the subcommand ``replica`` to ``db`` (beside up, down, backup, restore, partitions); the handler is
:func:`cli.commands.replica.cmd_replica`."""

from __future__ import annotations

import argparse

from cli import args as a

REPLICA_ACTIONS = ("up", "down", "status", "url")


def add_replica_commands(dsub: argparse._SubParsersAction) -> None:
    """``db replica ...``, under ``db``."""
    rp = a.command(
        dsub, "replica", "the streaming-replication standby of the project's cluster (var/pg-replica)"
    )
    rp.add_argument(
        "replica_action",
        choices=REPLICA_ACTIONS,
        help="start (a base backup first if there is none), stop, show lag, or print the app's URL on it",
    )
    rp.add_argument("--rebuild", action="store_true", help="up: take a fresh base backup")
    rp.add_argument("--json", action="store_true", help="status: as JSON")
    rp.set_defaults(handler="cli.commands.replica:cmd_replica")
