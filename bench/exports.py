"""Case exports: rows per second and the peak memory (RSS) of a CSV export of the whole city, through the command
line (``guiyang-ops export cases --format csv --window all --as lead``: the path of ``/export/cases.csv`` too,
``ops.exports.open_export`` → a server-side cursor → ``csv_chunks``), in its own process so its peak RSS is its
own (``os.wait4``). The lead's export holds the reporters' contact data (the widest rows). The export's audit
row stays (an export happened); the file is removed.

Run alone on the current database: ``python -m bench.exports`` (``DATABASE_URL`` or the project's cluster).
"""

from __future__ import annotations

import os
import subprocess  # nosec B404 # runs our own command, never through a shell
import sys
import tempfile
import time
from pathlib import Path

from bench.common import BenchContext, Figure

#: the memory an export may take whatever the city's size (the interpreter and the app's modules included)
RSS_TARGET_MB = 400


def export_csv(url: str) -> tuple[int, float, float, int]:
    """(rows, seconds, peak RSS in MB, bytes) of one CSV export of every case, as the lead."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cases.csv"
        env = {**os.environ, "DATABASE_URL": url, "GUIYANG_LOG_LEVEL": "WARNING"}
        cmd = [sys.executable, "-m", "cli", "export", "cases", "--format", "csv", "--window", "all"]
        t0 = time.perf_counter()
        proc = subprocess.Popen(  # nosec B603 # our own argument list, no shell, no user input
            [*cmd, "--as", "lead", "--out", str(out)], env=env, stderr=subprocess.DEVNULL
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        secs = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"export cases exited with {proc.returncode}")
        with out.open("rb") as fh:
            rows = sum(1 for _ in fh) - 1  # the header; descriptions hold no line breaks in the demo city
        return rows, secs, usage.ru_maxrss / 1024, out.stat().st_size


def stream_rate(url: str) -> tuple[int, float]:
    """(rows, seconds) of the export itself, in this process: count, audit row, cursor, CSV bytes (discarded)."""
    from dashboard.components.exports import file_layout
    from db.engine import make_engine
    from db.queries.case_export import staff_by_username
    from ops.exports import csv_chunks, open_export, parse_filter

    engine = make_engine(url, pool_size=2)
    try:
        with engine.connect() as conn:
            lead = staff_by_username(conn, "lead")
        assert lead is not None  # nosec B101 # the demo city's shift lead
        t0 = time.perf_counter()
        opened = open_export(engine, lead, parse_filter({"window": "all"}, lead), fmt="csv", client="bench")
        for _chunk in csv_chunks(opened.batches(), file_layout("zh", contact=True)):
            pass
        return opened.rows, time.perf_counter() - t0
    finally:
        engine.dispose()


def run(ctx: BenchContext) -> list[Figure]:
    rows, secs, rss, size = export_csv(ctx.url)
    streamed, stream_secs = stream_rate(ctx.url)
    return [
        Figure(
            "export: CSV of the whole city, rows/s",
            streamed / stream_secs,
            "rows/s",
            note=f"{streamed:,} rows in {stream_secs:.1f} s (the command: {secs:.1f} s with its start, "
            f"{size / 1e6:,.0f} MB)",
        ),
        Figure(
            "export: CSV of the whole city, peak RSS",
            rss,
            "MB",
            f"≤ {RSS_TARGET_MB} MB",
            rss <= RSS_TARGET_MB,
            note="server-side cursor, 2,000 rows a batch",
        ),
    ]


def main() -> int:
    from dashboard.database import database_url
    from dashboard.settings import get_settings

    url = database_url(get_settings())
    rows, secs, rss, size = export_csv(url)
    streamed, stream_secs = stream_rate(url)
    print(
        f"command: {rows:,} rows, {size / 1e6:,.1f} MB in {secs:.1f} s (start included), peak RSS {rss:,.0f} MB; "
        f"the export itself: {streamed / stream_secs:,.0f} rows/s ({stream_secs:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
