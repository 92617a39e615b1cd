"""``guiyang-ops stats rebuild-rollups``: the daily rollup of /stats recomputed from the cases (argparse
definitions only; the handler is in :mod:`cli.commands.rollups`). Light like :mod:`cli.parser`: the standard
library and :mod:`cli.args` only."""

from __future__ import annotations

import argparse

from cli import args as a

_HANDLERS = "cli.commands.rollups"


def add_rollups_commands(sub: argparse._SubParsersAction) -> None:
    """``stats rebuild-rollups [--since DAY]``."""
    st = a.command(sub, "stats", "the /stats figures' daily rollup (stats_daily)")
    ssub = st.add_subparsers(dest="stats_command", required=True)
    rb = a.command(
        ssub,
        "rebuild-rollups",
        "recompute the daily rollup of /stats from the cases (after a bulk load or a restore), as the owner role, "
        "in one transaction with a progress bar",
    )
    rb.add_argument(
        "--since",
        type=a.day,
        default=None,
        help="only the report days from this one on (YYYY-MM-DD; default: all)",
    )
    rb.set_defaults(handler=f"{_HANDLERS}:cmd_rebuild")
