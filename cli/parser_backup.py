"""``guiyang-ops db backup`` and ``guiyang-ops db restore``: base backups with WAL archiving, and point-in-time
recovery into a new cluster (argparse definitions only; the handlers are in :mod:`cli.commands.backup`). Light
like :mod:`cli.parser`: the standard library and :mod:`cli.args` only."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli import args as a

_HANDLERS = "cli.commands.backup"


def add_backup_commands(dsub: argparse._SubParsersAction) -> None:
    """``db backup [--list | --prune]`` and ``db restore (--to TIME | --stop DIR)``, under ``db``."""
    bk = a.command(
        dsub,
        "backup",
        "a base backup of the project's cluster into GUIYANG_BACKUP_DIR/base (pg_basebackup, checked by "
        "pg_verifybackup; WAL archiving into GUIYANG_BACKUP_DIR/wal starts with the first one), then keep the "
        "newest GUIYANG_BACKUP_KEEP",
    )
    what = bk.add_mutually_exclusive_group()
    what.add_argument(
        "--list",
        action="store_true",
        help="list the base backups and the restorable time range; back up nothing",
    )
    what.add_argument(
        "--prune",
        action="store_true",
        help="only remove base backups beyond GUIYANG_BACKUP_KEEP and the WAL no kept backup needs",
    )
    bk.set_defaults(handler=f"{_HANDLERS}:cmd_backup")

    rs = a.command(
        dsub,
        "restore",
        "point-in-time recovery into a NEW cluster (never over the running one): the newest base backup before "
        "TIME, the archived WAL replayed up to TIME, started on its own socket and port",
    )
    how = rs.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--to",
        metavar="TIME",
        help="ISO 8601 (2026-12-06T18:30:00+08:00; without a zone: Asia/Shanghai time), or 'latest' "
        "(everything archived; the running cluster's current WAL segment is archived first)",
    )
    how.add_argument("--stop", metavar="DIR", type=Path, help="stop the restored cluster in DIR")
    rs.add_argument(
        "--target",
        type=Path,
        default=None,
        help="directory of the new cluster, empty or missing (default: var/restore/<UTC stamp>)",
    )
    rs.add_argument(
        "--port",
        type=a.int_range(1024, 65535),
        default=54339,
        help="port (and socket name) of the new cluster",
    )
    rs.add_argument(
        "--timeout",
        type=a.positive_float(86_400),
        default=1800.0,
        help="seconds the recovery may take at most",
    )
    rs.set_defaults(handler=f"{_HANDLERS}:cmd_restore")
