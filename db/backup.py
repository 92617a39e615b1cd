"""Backups of the project's own cluster: continuous WAL archiving plus base backups (PostgreSQL's own machinery).

Layout of the backup directory (``GUIYANG_BACKUP_DIR``, default ``var/backup``; 0700, every file 0600: a backup
holds the citizens' personal data like the database does):

- ``wal/``: every finished WAL segment, copied there by the cluster's ``archive_command``;
- ``base/<UTC stamp>/``: base backups (``pg_basebackup``, plain format, checked by ``pg_verifybackup``), each with
  our ``backup.json`` (start and stop time, first WAL segment, size).

The archiving itself (the archive script, ``archive_mode``/``archive_command``) is in :mod:`db.archiving`.

Point-in-time recovery into a new cluster is in :mod:`db.backup_restore`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess  # nosec B404 # runs PostgreSQL's own tools with our argument lists, never through a shell
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from db.archiving import wal_dir
from db.cluster import pg_bin_dir

if TYPE_CHECKING:
    from db.cluster import LocalCluster

META = "backup.json"
_SEGMENT = re.compile(r"^[0-9A-F]{24}$")
_PROGRESS = re.compile(rb"(\d+)/(\d+) kB")
_COMMIT = re.compile(r"desc: COMMIT (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) UTC")


class BackupError(RuntimeError):
    """A backup or restore failed, or was ``refused`` (a time outside the archive, no backup...): the message
    is one line for the user."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class BaseBackup:
    path: Path
    started: datetime  # UTC
    stopped: datetime  # UTC: restorable from this moment on (the backup is consistent at its stop)
    start_wal: str  # the first WAL segment it needs
    timeline: int
    size: int  # bytes

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class WalRange:
    segments: int
    size: int
    first: str | None
    last: str | None
    last_commit: datetime | None  # UTC: the latest moment a restore can reach


# --- paths and modes ------------------------------------------------------------------------------------------
def base_dir(backup_dir: Path) -> Path:
    return backup_dir / "base"


def _server_ids(cluster: LocalCluster) -> tuple[int, int] | None:
    return cluster._owner_ids()  # the server's OS user when we are root, else None (we are the server's user)


def _private_dir(path: Path, ids: tuple[int, int] | None) -> None:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    if ids:
        os.chown(path, *ids)


def prepare_dir(cluster: LocalCluster, backup_dir: Path) -> None:
    """The backup directory, ``wal/`` and ``base/``, 0700 and owned by the server's OS user (its archiver writes
    ``wal/``). Making ``wal/`` is what starts the copying of WAL segments."""
    ids = _server_ids(cluster)
    if ids:
        for parent in backup_dir.resolve().parents:
            if not parent.stat().st_mode & 0o001:
                raise BackupError(f"{parent} is not searchable by the server's OS user (chmod o+x)")
    for d in (backup_dir, wal_dir(backup_dir), base_dir(backup_dir)):
        _private_dir(d, ids)


def archiving_state(cluster: LocalCluster) -> tuple[str, str, int, str]:
    """(archive_mode, last archived segment, failures, last failed segment) from the running server."""
    row = cluster._psql(
        "SELECT current_setting('archive_mode'), coalesce(last_archived_wal, ''), failed_count, "
        "coalesce(last_failed_wal, '') FROM pg_stat_archiver"
    ).split("|")
    return row[0], row[1], int(row[2]), row[3]


def switch_wal(cluster: LocalCluster, timeout_s: float = 30.0) -> str:
    """Close the current WAL segment and wait until the archiver has copied it: every commit until now is then
    in the archive. Returns the segment's name."""
    seg = cluster._psql("SELECT pg_walfile_name(pg_switch_wal())")
    deadline = time.monotonic() + timeout_s
    while True:
        mode, last, _failed, last_failed = archiving_state(cluster)
        if mode != "on":
            raise BackupError(
                "WAL archiving is off on the cluster: run guiyang-ops db up (it restarts the server)"
            )
        if last and last[8:] >= seg[8:]:
            return seg
        if time.monotonic() > deadline:
            raise BackupError(
                f"WAL segment {seg} was not archived within {timeout_s:.0f} s (last failed: {last_failed or 'none'})"
            )
        time.sleep(0.1)


# --- base backups -----------------------------------------------------------------------------------------------
def _tool(name: str) -> str:
    return str(pg_bin_dir() / name)


def _superuser_args(cluster: LocalCluster) -> tuple[list[str], dict[str, str]]:
    args = ["-h", str(cluster.socket_dir.resolve()), "-p", str(cluster.port), "-U", cluster.superuser, "-w"]
    return args, {**os.environ, "PGPASSFILE": str(cluster.passfile(cluster.superuser))}


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _label(path: Path) -> tuple[str, int]:
    text = (path / "backup_label").read_text(encoding="utf-8")
    seg = re.search(r"START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)", text)
    tli = re.search(r"START TIMELINE: (\d+)", text)
    if not seg:
        raise BackupError(f"{path}/backup_label names no start WAL segment")
    return seg.group(1), int(tli.group(1)) if tli else 1


def base_backup(
    cluster: LocalCluster, backup_dir: Path, on_progress: Callable[[int, int], None] | None = None
) -> BaseBackup:
    """A base backup of the running cluster into ``base/<UTC stamp>``: ``pg_basebackup`` (plain format, fast
    checkpoint, ``-X none``: the archive holds the WAL, and pg_basebackup waits until the backup's last segment
    is archived), then ``pg_verifybackup`` against the manifest and the archived WAL. ``on_progress(kB done,
    kB total)`` follows pg_basebackup's own ``-P`` count."""
    if not cluster.running():
        raise BackupError("the cluster is not running: guiyang-ops db up")
    prepare_dir(cluster, backup_dir)
    if archiving_state(cluster)[0] != "on":
        raise BackupError(
            "WAL archiving is off on the cluster: run guiyang-ops db up (it restarts the server)"
        )
    started = datetime.now(UTC)
    final = base_dir(backup_dir) / started.strftime("%Y%m%dT%H%M%SZ")
    part = final.with_name(final.name + ".partial")
    if final.exists() or part.exists():
        raise BackupError(f"{final} exists already: wait a second and try again")
    args, env = _superuser_args(cluster)
    cmd = [_tool("pg_basebackup"), *args, "-D", str(part), "-Fp", "-X", "none", "-c", "fast", "-P"]
    cmd += ["--label", f"guiyang-ops {final.name}"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)  # nosec B603 # our own argument list
    if proc.stderr is None:  # pragma: no cover - stderr=PIPE sets it
        raise BackupError("pg_basebackup: no output pipe")
    messages: list[str] = []
    buf = b""
    while chunk := proc.stderr.read1(4096):  # type: ignore[attr-defined]
        buf += chunk
        *lines, buf = re.split(rb"[\r\n]", buf)
        for line in lines:
            m = _PROGRESS.search(line)
            if m and on_progress:
                on_progress(int(m.group(1)), int(m.group(2)))
            elif line.strip() and not m:
                messages.append(line.decode(errors="replace").strip())
    if proc.wait() != 0:
        shutil.rmtree(part, ignore_errors=True)
        raise BackupError("pg_basebackup failed: " + (" ".join(messages[-2:]) or f"exit {proc.returncode}"))
    res = subprocess.run(
        [_tool("pg_verifybackup"), "-q", "-w", str(wal_dir(backup_dir)), str(part)],
        capture_output=True,
        text=True,
        check=False,
    )  # nosec B603 # our own argument list
    if res.returncode != 0:
        shutil.rmtree(part, ignore_errors=True)
        raise BackupError("pg_verifybackup refused the backup: " + " ".join(res.stderr.split())[:300])
    stopped = datetime.now(UTC)  # at or after the server's stop of the backup: restorable from here on
    start_wal, timeline = _label(part)
    meta = {
        "started": started.isoformat(),
        "stopped": stopped.isoformat(),
        "start_wal": start_wal,
        "timeline": timeline,
        "size": tree_size(part),
    }
    path = part / META
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(meta, fh)
        fh.flush()
        os.fsync(fh.fileno())
    part.chmod(0o700)
    part.rename(final)
    return read_backup(final)


def read_backup(path: Path) -> BaseBackup:
    meta = json.loads((path / META).read_text(encoding="utf-8"))
    return BaseBackup(
        path=path,
        started=datetime.fromisoformat(meta["started"]),
        stopped=datetime.fromisoformat(meta["stopped"]),
        start_wal=meta["start_wal"],
        timeline=int(meta["timeline"]),
        size=int(meta["size"]),
    )


def list_backups(backup_dir: Path) -> list[BaseBackup]:
    """The finished base backups, oldest first (an interrupted one, ``*.partial``, is not one)."""
    root = base_dir(backup_dir)
    if not root.is_dir():
        return []
    return sorted(
        (read_backup(p) for p in root.iterdir() if p.is_dir() and (p / META).exists()),
        key=lambda b: b.stopped,
    )


def _segments(backup_dir: Path) -> list[Path]:
    root = wal_dir(backup_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if _SEGMENT.match(p.name))


def last_commit(backup_dir: Path, look_back: int = 8) -> datetime | None:
    """The time of the last commit in the archived WAL (``pg_waldump`` of the newest segments, read in UTC)."""
    segs = _segments(backup_dir)
    for seg in reversed(segs[-look_back:]):
        res = subprocess.run(
            [_tool("pg_waldump"), "-p", str(seg.parent), "-r", "Transaction", seg.name, seg.name],
            capture_output=True,
            text=True,
            env={**os.environ, "TZ": "UTC"},
            check=False,
        )  # nosec B603 # our own argument list; the end of a segment ends in an error line: its output counts
        found = _COMMIT.findall(res.stdout)
        if found:
            return datetime.fromisoformat(found[-1]).replace(tzinfo=UTC)
    return None


def wal_range(backup_dir: Path) -> WalRange:
    segs = _segments(backup_dir)
    return WalRange(
        segments=len(segs),
        size=sum(p.stat().st_size for p in segs),
        first=segs[0].name if segs else None,
        last=segs[-1].name if segs else None,
        last_commit=last_commit(backup_dir),
    )


def prune(backup_dir: Path, keep: int) -> tuple[list[BaseBackup], int]:
    """Keep the newest ``keep`` base backups and the WAL they need (``pg_archivecleanup`` from the oldest kept
    one's first segment): returns (the removed backups, WAL segments removed)."""
    backups = list_backups(backup_dir)
    if keep < 1 or len(backups) <= keep:
        removed: list[BaseBackup] = []
    else:
        removed = backups[: len(backups) - keep]
    for b in removed:
        shutil.rmtree(b.path)
    for p in base_dir(backup_dir).glob("*.partial") if base_dir(backup_dir).is_dir() else []:
        shutil.rmtree(p, ignore_errors=True)  # a backup interrupted earlier
    kept = backups[len(removed) :]
    if not kept:
        return removed, 0
    before = len(_segments(backup_dir))
    subprocess.run(
        [_tool("pg_archivecleanup"), str(wal_dir(backup_dir)), kept[0].start_wal],
        check=True,
        capture_output=True,
    )  # nosec B603 # our own argument list
    return removed, before - len(_segments(backup_dir))
