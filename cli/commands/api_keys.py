"""``guiyang-ops api-key create NAME | list | revoke ID``: keys of the Open311 API's clients. A new key is
printed once and never again (only its hash is kept)."""

from __future__ import annotations

import argparse

from cli.progress import ok
from dashboard.database import database_url
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
