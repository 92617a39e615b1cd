"""The backup drill: a base backup, cases written in two batches with a noted moment T between them, the WAL
switched so it is archived, then point-in-time recovery into NEW clusters: restored to T, the case count and the
last case event (id and time) are exactly those at T and the second batch is absent; restored to the latest
archived commit, everything is there.

``drill()`` runs it on any cluster with WAL archiving (``tests/db/test_backup.py`` on a private cluster loaded
from the test template; ``run()`` here, in ``make bench``, on the cluster holding the bench city). ``python -m
bench.backup`` runs it on the project's own cluster (its ``GUIYANG_DATABASE_NAME`` database) and prints the
drill's output.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg
from sqlalchemy import text

from bench.common import BenchContext, Figure
from db import backup as bk
from db import backup_restore as rs
from db.cluster import LocalCluster
from db.engine import make_engine
from ops import workflow as wf
from ops.workflow import Actor

YUNYAN = (106.7135, 26.5838)  # 云岩区, inside a grid cell
State = tuple[int, int | None, datetime | None]


@dataclass
class DrillResult:
    at_t: State
    restored_t: State
    latest: State
    restored_latest: State
    target: datetime
    backup_s: float
    backup_size: int
    restore_t_s: float
    restore_latest_s: float
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.restored_t == self.at_t and self.restored_latest == self.latest and self.latest != self.at_t
        )


def write_batch(cluster: LocalCluster, dbname: str, n: int, tag: str) -> None:
    """``n`` citizens' reports, each through the report command and committed on its own (as the owner role)."""
    engine = make_engine(cluster.url(dbname, cluster.owner), pool_size=1)
    try:
        for i in range(n):
            with engine.begin() as conn:
                wf.report(
                    conn,
                    Actor.system(),
                    category_code="C0101",
                    lon=YUNYAN[0] + i * 1e-5,
                    lat=YUNYAN[1],
                    description=f"备份演练 {tag} {i}",
                    source="app",
                )
    finally:
        engine.dispose()


def _clock(cluster: LocalCluster) -> datetime:
    with psycopg.connect(rs._conninfo(cluster)) as conn:
        row = conn.execute("SELECT clock_timestamp()").fetchone()
    assert row is not None  # noqa: S101 - one row
    t: datetime = row[0]
    return t


def _restore(
    cluster: LocalCluster, bdir: Path, target: datetime | None, dest: Path, port: int, dbname: str
) -> tuple[rs.Restored, State]:
    r = rs.restore(cluster, bdir, target, dest, port, timeout_s=120)
    try:
        got = rs.state(r.cluster, dbname)
    finally:
        r.cluster.stop()
    assert got is not None  # noqa: S101 - the database is in every backup of this cluster
    return r, got


def drill(cluster: LocalCluster, bdir: Path, dbname: str, workdir: Path, batch: int = 5) -> DrillResult:
    """The drill on ``cluster`` (running, archiving into ``bdir``); new clusters under ``workdir``, stopped after."""
    say: list[str] = []
    t0 = time.monotonic()
    b = bk.base_backup(cluster, bdir)
    backup_s = time.monotonic() - t0
    say.append(f"base backup {b.name}: {b.size / 2**20:,.1f} MiB in {backup_s:.1f} s (pg_verifybackup ok)")
    write_batch(cluster, dbname, batch, "first")
    at_t = rs.state(cluster, dbname)
    target = _clock(cluster)
    write_batch(cluster, dbname, batch, "second")
    latest = rs.state(cluster, dbname)
    assert at_t is not None and latest is not None  # noqa: S101 - the database exists
    bk.switch_wal(cluster)
    say.append(
        f"T = {rs.fmt(target)}: {at_t[0]:,} cases, last event #{at_t[1]}; latest: {latest[0]:,}, #{latest[1]}"
    )
    port = 57000 + cluster.port % 1000
    r1, got_t = _restore(cluster, bdir, target, workdir / "at-t", port, dbname)
    say.append(
        f"restored to T in {r1.seconds:.1f} s: {got_t[0]:,} cases, last event #{got_t[1]} ({r1.stop_line})"
    )
    r2, got_latest = _restore(cluster, bdir, None, workdir / "latest", port + 1, dbname)
    say.append(
        f"restored to latest in {r2.seconds:.1f} s: {got_latest[0]:,} cases, last event #{got_latest[1]}"
    )
    return DrillResult(at_t, got_t, latest, got_latest, target, backup_s, b.size, r1.seconds, r2.seconds, say)


def run(ctx: BenchContext) -> list[Figure]:
    """The drill on the cluster of the bench city (the project's own cluster; its WAL archive and backups go to
    ``GUIYANG_BACKUP_DIR``; the backup taken here is pruned like any other)."""
    from dashboard.database import local_cluster
    from dashboard.settings import get_settings

    settings = get_settings()
    cluster = local_cluster(settings)
    cluster.up()
    assert settings.backup_dir is not None  # noqa: S101 - filled in by the settings' validator
    with ctx.engine.connect() as conn:
        dbname = str(conn.execute(text("SELECT current_database()")).scalar_one())
    work = Path(tempfile.mkdtemp(prefix="guiyang-drill-", dir=settings.var_dir))
    work.chmod(0o711)
    try:
        r = drill(cluster, settings.backup_dir, dbname, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        bk.prune(settings.backup_dir, settings.backup_keep)
    for line in r.lines:
        print("  drill:", line)
    city = f"{ctx.cases:,}-case city"
    return [
        Figure(f"backup: base backup ({city})", r.backup_s, "s", "none set (recorded)"),
        Figure(f"backup: base backup size ({city})", r.backup_size / 2**30, "GiB", "none set (recorded)"),
        Figure(f"backup: restore to a moment ({city})", r.restore_t_s, "s", "none set (recorded)"),
        Figure(f"backup: restore to latest ({city})", r.restore_latest_s, "s", "none set (recorded)"),
        Figure(
            "backup: drill matches (count + last event at T, all at latest)", float(r.ok), "", "= 1", r.ok
        ),
    ]


def main() -> int:
    from dashboard.database import local_cluster
    from dashboard.settings import get_settings

    settings = get_settings()
    cluster = local_cluster(settings)
    cluster.up()
    assert settings.backup_dir is not None  # noqa: S101 - filled in by the settings' validator
    work = Path(tempfile.mkdtemp(prefix="guiyang-drill-", dir=settings.var_dir))
    work.chmod(0o711)
    try:
        r = drill(cluster, settings.backup_dir, settings.database_name, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(r.lines))
    print("drill:", "OK" if r.ok else "MISMATCH")
    return 0 if r.ok else 1


if __name__ == "__main__":
    sys.exit(main())
