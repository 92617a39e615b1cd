"""``guiyang-ops api-key create NAME | list | revoke ID``: keys of the Open311 API's clients. A new key is
printed once and never again (only its hash is kept)."""

from __future__ import annotations

import argparse

from dashboard import cli_args as a
from dashboard.database import database_url
from dashboard.progress import ok
from dashboard.settings import Settings
from db.engine import make_engine
from ops.citizen.keys import create_key, list_keys, revoke_key


def cmd_api_key(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(database_url(settings, role="owner"), pool_size=1)
    try:
        with engine.begin() as conn:
            if args.api_key_command == "create":
                info, key = create_key(conn, args.name)
                ok(f"API key {info.id} for {info.name} created. It is shown only this once:")
                print(key, flush=True)
            elif args.api_key_command == "list":
                for k in list_keys(conn):
                    state = f"revoked {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "active"
                    print(f"{k.id:>4}  {k.prefix}…  {k.name}  created {k.created_at:%Y-%m-%d %H:%M}  {state}")
            else:
                info = revoke_key(conn, args.id)
                ok(f"API key {info.id} ({info.name}) revoked")
    finally:
        engine.dispose()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("api-key", help="API keys of the Open311 API's clients")
    sub = p.add_subparsers(dest="api_key_command", required=True)
    c = sub.add_parser("create", help="create a key for a client and print it once")
    c.add_argument("name", help="who the key is for, e.g. 百姓拍 app")
    sub.add_parser("list", help="list the keys (never the keys themselves)")
    r = sub.add_parser("revoke", help="revoke a key at once")
    r.add_argument("id", type=a.int_range(1))
    p.set_defaults(func=cmd_api_key)
