"""``guiyang-ops partner-key create NAME --categories … --districts … [--per-minute N] | list [--json] |
revoke ID``: data-sharing partners' keys (:mod:`ops.partners`), connecting as the owner like ``api-key``. A new
key is printed once and never again; every change is in the audit log (``partner_key``, by ``command line``)."""

from __future__ import annotations

import argparse
import json

from cli.progress import ok
from dashboard.database import database_url
from dashboard.settings import Settings
from db.engine import make_engine
from geo.crs import TZ
from ops.partners import PartnerKeyInfo, create_key, list_keys, revoke_key

ACTOR = "command line"


def _row(k: PartnerKeyInfo) -> dict[str, object]:
    return {
        "id": k.id,
        "name": k.name,
        "prefix": k.prefix,
        "categories": list(k.categories),
        "districts": list(k.districts),
        "per_minute": k.per_minute,
        "active": k.active,
        "created_by": k.created_by,
        "created_at": k.created_at.astimezone(TZ).isoformat(timespec="seconds"),
        "revoked_at": k.revoked_at.astimezone(TZ).isoformat(timespec="seconds") if k.revoked_at else None,
    }


def _short(codes: tuple[str, ...]) -> str:
    return ",".join(codes) if len(codes) <= 4 else f"{','.join(codes[:3])}… ({len(codes)})"


def cmd_partner_key(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(database_url(settings, role="owner"), pool_size=1)
    try:
        with engine.begin() as conn:
            if args.partner_key_command == "create":
                info, key = create_key(
                    conn,
                    name=args.name,
                    categories=args.categories,
                    districts=args.districts,
                    per_minute=args.per_minute,
                    actor=ACTOR,
                )
                ok(f"partner key {info.id} for {info.name} created. It is shown only this once:")
                print(key, flush=True)
            elif args.partner_key_command == "list":
                keys = list_keys(conn)
                if args.json:
                    print(json.dumps([_row(k) for k in keys], ensure_ascii=False, indent=1))
                elif not keys:
                    print("还没有共享密钥。 No partner keys yet: guiyang-ops partner-key create --help")
                for k in [] if args.json else keys:
                    state = (
                        f"revoked {k.revoked_at.astimezone(TZ):%Y-%m-%d %H:%M}" if k.revoked_at else "active"
                    )
                    print(
                        f"{k.id:>4}  {k.prefix}…  {k.name}  categories {_short(k.categories)}  "
                        f"districts {_short(k.districts)}  {k.per_minute}/min  "
                        f"created {k.created_at.astimezone(TZ):%Y-%m-%d %H:%M}  {state}"
                    )
            else:
                info = revoke_key(conn, args.id, actor=ACTOR)
                ok(f"partner key {info.id} ({info.name}) revoked")
    finally:
        engine.dispose()
    return 0
