"""``guiyang-ops partner-key create|list|revoke``: the data-sharing partners' keys of the OGC API (/ogc/).
Light like :mod:`cli.parser`: the standard library and :mod:`cli.args` only."""

from __future__ import annotations

import argparse
import re

from cli import args as a

_HANDLER = "cli.commands.ogc_partners:cmd_partner_key"
#: most requests a minute (``db.models.partner.MAX_PER_MINUTE``, not imported: --help stays light)
MAX_PER_MINUTE = 10_000


def code_list(value: str) -> list[str]:
    """``C0101,C0102`` or ``all``: comma-separated codes (whether they exist is the database's to say)."""
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items or not all(re.fullmatch(r"[A-Za-z0-9_-]{1,40}", v) for v in items):
        raise argparse.ArgumentTypeError(
            f"须为以逗号分隔的代码或 all / comma-separated codes or all expected: {value!r}"
        )
    return items


def add_ogc_commands(sub: argparse._SubParsersAction) -> None:
    """``partner-key create|list|revoke``."""
    _parser = a.command
    p = _parser(
        sub, "partner-key", "data-sharing partners' keys of the OGC API (/ogc/): create, list, revoke"
    )
    ksub = p.add_subparsers(dest="partner_key_command", required=True, metavar="{create,list,revoke}")
    c = _parser(ksub, "create", "create a key for a partner and print it once")
    c.add_argument("name", help="who the key is for, e.g. 市公安局交警支队")
    c.add_argument(
        "--categories",
        type=code_list,
        required=True,
        help="小类 codes the key grants (comma-separated), or all",
    )
    c.add_argument(
        "--districts",
        type=code_list,
        required=True,
        help="district codes the key grants (comma-separated), or all",
    )
    c.add_argument(
        "--per-minute", type=a.int_range(1, MAX_PER_MINUTE), default=60, help="requests a minute, at most"
    )
    ls = _parser(ksub, "list", "list the keys with their grants (never the keys themselves)")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    r = _parser(ksub, "revoke", "revoke a key at once")
    r.add_argument("id", type=a.int_range(1), help="the key's number, as partner-key list shows it")
    p.set_defaults(handler=_HANDLER)
