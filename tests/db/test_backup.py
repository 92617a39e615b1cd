"""Backups: the archive command's durability rules, and the drill (base backup, two batches of cases around a
moment T, point-in-time recovery into new clusters: at T exactly the state at T, at latest everything).

The drill runs on a cluster of its own (a temporary folder, its own socket and WAL archive), loaded from a dump
of the session's template, never on the shared test cluster. About 40 s."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench.backup import drill
from bench.trust.durability import dump, restore
from dashboard.database import local_cluster
from dashboard.settings import Settings
from db import backup as bk
from db import backup_restore as rs
from db.archiving import ARCHIVE_SCRIPT
from db.cluster import LocalCluster
from tests.support.db import template_fingerprint

pytestmark = pytest.mark.process
DRILL_DB = "drill"


def _archive(tmp: Path, src: Path, name: str, dest: Path) -> subprocess.CompletedProcess[str]:
    script = tmp / "archive_wal.sh"
    script.write_text(ARCHIVE_SCRIPT)
    return subprocess.run(["/bin/sh", str(script), str(src), name, str(dest)], capture_output=True, text=True)


def test_archive_script_copies_durably_and_never_overwrites_another_file(tmp_path: Path) -> None:
    seg = tmp_path / "000000010000000000000001"
    seg.write_bytes(b"wal" * 1000)
    wal = tmp_path / "wal"
    # no archive directory yet (no backup taken): nothing to keep, success, nothing written
    assert _archive(tmp_path, seg, seg.name, wal).returncode == 0
    assert not wal.exists()
    wal.mkdir()
    assert _archive(tmp_path, seg, seg.name, wal).returncode == 0
    copy = wal / seg.name
    assert copy.read_bytes() == seg.read_bytes()
    assert (copy.stat().st_mode & 0o777) == 0o600
    assert _archive(tmp_path, seg, seg.name, wal).returncode == 0  # a retry of the same segment: fine
    other = tmp_path / "other"
    other.write_bytes(b"xyz" * 1000)
    res = _archive(tmp_path, other, seg.name, wal)
    assert res.returncode != 0 and "not overwritten" in res.stderr
    assert copy.read_bytes() == seg.read_bytes()
    assert sorted(p.name for p in wal.iterdir()) == [seg.name]  # no temporary file left behind


def test_restore_refuses_times_outside_the_archive_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(bk.BackupError) as exc:
        rs.parse_target("yesterday-ish")
    assert exc.value.refused and "\n" not in str(exc.value)
    assert rs.parse_target("2026-12-06 18:30") == rs.parse_target("2026-12-06T10:30:00Z")  # no zone: Shanghai
    assert rs.parse_target("latest") is None
    with pytest.raises(bk.BackupError, match="no base backup"):
        rs.choose_backup([], rs.parse_target("2026-12-06T10:30:00Z"), None)


@pytest.fixture
def archiving_cluster(settings: Settings, db_url: str, tmp_path: Path) -> Iterator[tuple[LocalCluster, Path]]:
    if settings.database_url:
        pytest.fail("the backup drill needs the project's own local cluster (DATABASE_URL is set)")
    shared = local_cluster(settings)
    out = tmp_path / "template.dump"
    host = str(make_url(db_url).query["host"])
    dump(
        host,
        shared.port,
        shared.passfile(shared.superuser),
        shared.superuser,
        f"guiyang_ops_tmpl_{template_fingerprint()}",
        out,
    )
    base = Path(tempfile.mkdtemp(prefix="guiyang-backup-"))
    base.chmod(0o711)
    cluster = LocalCluster(base / "pg", port=56000 + (os.getpid() + 500) % 1000, backup_dir=base / "backup")
    try:
        cluster.up()
        restore(cluster, out, DRILL_DB)
        yield cluster, base
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(base, ignore_errors=True)


@pytest.mark.timeout(240)  # the drill takes ~40 s; building the session template first can take longer
def test_drill_restores_the_moment_exactly_and_latest_everything(
    archiving_cluster: tuple[LocalCluster, Path],
) -> None:
    cluster, base = archiving_cluster
    bdir = base / "backup"
    # before any backup: refused in one line
    with pytest.raises(bk.BackupError, match="no base backup") as exc:
        rs.restore(cluster, bdir, None, base / "none", 57999)
    assert exc.value.refused
    r = drill(cluster, bdir, DRILL_DB, base / "restored", batch=4)
    print("\n".join(r.lines))
    assert r.at_t[1] is not None and r.latest[0] == r.at_t[0] + 4
    assert (
        r.restored_t == r.at_t
    )  # case count, last event id and time exactly as at T: the second batch absent
    assert r.restored_latest == r.latest
    assert r.ok
    # privacy: the backup directory and everything in it is private to the server's user / us
    for p in [bdir, *bdir.rglob("*")]:
        mode = p.stat().st_mode & 0o777
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))
    # the range: restorable from the backup's stop on; before it and after the last commit are refused
    backups = bk.list_backups(bdir)
    latest = bk.last_commit(bdir)
    assert len(backups) == 1 and latest is not None and latest > r.target
    for t in (backups[0].started, latest.replace(year=latest.year + 1)):
        with pytest.raises(bk.BackupError) as exc:
            rs.choose_backup(backups, t, latest)
        assert exc.value.refused
    # retention: a second backup, keep 1: the first and the WAL only it needed go
    second = bk.base_backup(cluster, bdir)
    removed, _segments = bk.prune(bdir, keep=1)
    assert [b.name for b in removed] == [backups[0].name]
    assert [b.name for b in bk.list_backups(bdir)] == [second.name]
    assert min(p.name for p in bdir.joinpath("wal").iterdir() if len(p.name) == 24) >= second.start_wal


def test_restore_command_refuses_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main

    assert main(["db", "restore", "--to", "not a time"]) == 2
    err = capsys.readouterr().err.strip()
    assert "not a time" in err and "\n" not in err and "Traceback" not in err
