"""``export cases``: the cases a filter selects into a file (CSV, Excel, GeoJSON), with a progress bar, in
bounded memory (a server-side cursor, one batch at a time), recorded in the audit log like a download from the
workbench. ``--as USER`` exports as that staff user (their scope; personal data only if their role may see it);
without it, the whole city without personal data, recorded as the command line's operating-system user."""

from __future__ import annotations

import argparse
import getpass
import os
import tempfile
from pathlib import Path

from cli.progress import ok, progress_bars
from dashboard.components.exports import file_layout
from dashboard.database import database_url
from dashboard.i18n import t
from dashboard.settings import Settings
from db.accounts import StaffIdentity
from db.engine import make_engine
from db.errors import ValidationError
from db.queries.case_export import staff_by_username
from ops.exports import XLSX_MAX_ROWS, csv_chunks, geojson_chunks, open_export, parse_filter, write_xlsx

_FILTERS = ("district", "major", "category", "status", "source", "light", "window", "since", "until")


def _operator() -> StaffIdentity:
    """The command line without ``--as``: city-wide, no personal data (the dispatcher's reach)."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return StaffIdentity(0, f"cli:{who}", "command line", "dispatcher", None, None)


def cmd_export_cases(settings: Settings, args: argparse.Namespace) -> int:
    out = Path(args.out)
    if not out.parent.is_dir():
        raise ValidationError(
            f"目录不存在：{out.parent}", f"No such directory: {out.parent}", detail=str(out.parent)
        )
    params = {k: getattr(args, k) for k in _FILTERS if getattr(args, k) is not None}
    engine = make_engine(database_url(settings), pool_size=2, working_periods=settings.working_periods)
    try:
        if args.as_user:
            with engine.connect() as conn:
                user = staff_by_username(conn, args.as_user)
            if user is None:
                raise ValidationError(
                    f"没有这个在职用户：{args.as_user}",
                    f"No active staff user {args.as_user}",
                    detail=args.as_user,
                )
        else:
            user = _operator()
        f = parse_filter(params, user)
        opened = open_export(
            engine,
            user,
            f,
            fmt=args.format,
            lang=args.lang,
            client="cli",
            max_rows=XLSX_MAX_ROWS if args.format == "xlsx" else None,
        )
        layout = file_layout(args.lang, contact=opened.contact)
        fd, tmp = tempfile.mkstemp(prefix=".export-", dir=out.parent)
        os.close(fd)
        try:
            with progress_bars() as update:
                done = 0
                step = t("exp.cli.rows", args.lang)
                update(step, 0, opened.rows)

                def on_rows(n: int) -> None:
                    nonlocal done
                    done += n
                    update(step, done, opened.rows)

                if args.format == "xlsx":
                    write_xlsx(
                        opened.batches(), layout, Path(tmp), sheet=t("exp.sheet", args.lang), on_rows=on_rows
                    )
                else:
                    write = csv_chunks if args.format == "csv" else geojson_chunks
                    with open(tmp, "wb") as fh:
                        for chunk in write(opened.batches(), layout, on_rows):
                            fh.write(chunk)
            os.replace(tmp, out)
        finally:
            opened.close()
            Path(tmp).unlink(missing_ok=True)
        ok(t("exp.cli.done", args.lang, n=f"{opened.rows:,}", path=str(out)))
        return 0
    finally:
        engine.dispose()
