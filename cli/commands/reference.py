"""``guiyang-ops reference apply|time-limit|responsibility|holiday``: through :mod:`ops.reference` (validated,
one transaction, audited as the command line), connecting as the owner like the other admin commands."""

from __future__ import annotations

import argparse

from cli.progress import ok
from dashboard.database import database_url
from dashboard.settings import Settings
from db.engine import make_engine
from ops import reference as ref

EDITOR = ref.Editor(user_id=None, username="cli")


def cmd_reference(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(database_url(settings, role="owner"), pool_size=1)
    try:
        with engine.begin() as conn:
            what = args.reference_command
            if what == "apply":
                n = ref.apply_due(conn)
                ok(f"已生效 {n} 处更改 / {n} row(s) brought into force")
                return 0
            if what == "time-limit":
                ref.change_category(
                    conn,
                    EDITOR,
                    args.code,
                    args.effective,
                    {"time_limit": args.limit, "time_unit": args.unit},
                )
                key = args.code
            elif what == "responsibility":
                district = None if args.district == "city" else args.district
                dept = None if args.department == "none" else args.department
                ref.set_responsibility(conn, EDITOR, args.code, district, dept, args.effective)
                key = f"{args.code}×{args.district}"
            else:
                ref.set_holiday(conn, EDITOR, args.day, args.kind, args.name_zh, args.name_en, args.effective)
                key = args.day
        ok(f"已保存 {key}：自 {args.effective} 起生效 / saved {key}: in force from {args.effective}")
    finally:
        engine.dispose()
    return 0
