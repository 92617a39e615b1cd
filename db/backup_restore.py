"""Point-in-time recovery of the project's cluster into a NEW cluster (never over the running one).

The newest base backup that was complete before the target is copied into a new data directory, which gets
``recovery.signal``, a ``restore_command`` reading the WAL archive, ``recovery_target_time`` (+
``recovery_target_action = 'promote'``), its own socket directory and port, and ``archive_mode = off`` (its WAL
must never mix with the source's archive). It is started, replays the archive up to the target and is promoted;
it is then an ordinary cluster with the same roles and passwords (the password files are copied beside it).

Times: PostgreSQL compares ``recovery_target_time`` with each commit's timestamp (a timestamptz: an instant).
We hand it UTC. A time written without a zone is read in Asia/Shanghai, the zone the staff and the app's pages
use (the database stores instants: ``timestamptz``).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from db.archiving import conf_literal
from db.backup import (
    BackupError,
    BaseBackup,
    last_commit,
    list_backups,
    switch_wal,
    wal_dir,
)
from db.cluster import ClusterError, LocalCluster

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def parse_target(value: str) -> datetime | None:
    """``latest`` (None) or an ISO 8601 time; without a zone it is Asia/Shanghai time. UTC out."""
    v = value.strip()
    if v.lower() == "latest":
        return None
    try:
        t = datetime.fromisoformat(v.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", v) else v)
    except ValueError:
        raise BackupError(
            f"不是时间 / not a time: {value!r} (ISO 8601, e.g. 2026-12-06T18:30:00+08:00; no zone = Asia/Shanghai)",
            refused=True,
        ) from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=LOCAL_TZ)
    return t.astimezone(UTC)


@dataclass(frozen=True)
class Restored:
    cluster: LocalCluster
    backup: BaseBackup
    target: datetime | None  # UTC; None: the end of the archive
    stop_line: str  # the server's own words where recovery stopped
    seconds: float

    def url(self, dbname: str, role: str = "app") -> str:
        c = self.cluster
        return c.url(dbname, c.app if role == "app" else c.owner)


def choose_backup(backups: list[BaseBackup], target: datetime | None, latest: datetime | None) -> BaseBackup:
    """The newest base backup complete before ``target`` (None: the newest), or a one-line refusal."""
    if not backups:
        raise BackupError("没有基础备份 / no base backup yet: run guiyang-ops db backup first", refused=True)
    if target is None:
        return backups[-1]
    if target < backups[0].stopped:
        raise BackupError(
            f"早于最早的备份 / {fmt(target)} is before the oldest base backup: the earliest restorable time is "
            f"{fmt(backups[0].stopped)}",
            refused=True,
        )
    if latest is None or target > latest:
        raise BackupError(
            f"晚于已归档的日志 / {fmt(target)} is after the last archived commit "
            f"({fmt(latest) if latest else 'none'}): use --to latest",
            refused=True,
        )
    return [b for b in backups if b.stopped <= target][-1]


def fmt(t: datetime) -> str:
    """An instant as the staff read it: Asia/Shanghai, with its offset."""
    return t.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def _copy_private(src: Path, dst: Path, ids: tuple[int, int] | None) -> None:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("backup.json"))
    for root, dirs, files in os.walk(dst):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o700)
        for f in files:
            os.chmod(os.path.join(root, f), 0o600)
        if ids:
            for name in (*dirs, *files):
                os.lchown(os.path.join(root, name), *ids)
    dst.chmod(0o700)
    if ids:
        os.chown(dst, *ids)


def _recovery_conf(target: datetime | None, cluster: LocalCluster, backup_dir: Path) -> str:
    wal = str(wal_dir(backup_dir).resolve())
    lines = {
        "port": str(cluster.port),
        "unix_socket_directories": str(cluster.socket_dir.resolve()),
        "archive_mode": "off",
        "restore_command": f'cp "{wal}/%f" "%p"',
    }
    if target is not None:
        lines["recovery_target_time"] = target.isoformat(sep=" ")
        lines["recovery_target_action"] = "promote"
    return "\n# guiyang-ops db restore\n" + "".join(f"{k} = {conf_literal(v)}\n" for k, v in lines.items())


def _conninfo(cluster: LocalCluster, dbname: str = "postgres") -> str:
    return (
        f"host={cluster.socket_dir.resolve()} port={cluster.port} user={cluster.superuser} dbname={dbname} "
        f"passfile={cluster.passfile(cluster.superuser)}"
    )


def _log_tail(cluster: LocalCluster, pattern: str) -> str:
    if not cluster.log_file.exists():
        return ""
    found = [ln for ln in cluster.log_file.read_text(errors="replace").splitlines() if re.search(pattern, ln)]
    return found[-1].split(":  ", 1)[-1].strip() if found else ""


def restore(
    source: LocalCluster,
    backup_dir: Path,
    target: datetime | None,
    dest: Path,
    port: int,
    timeout_s: float = 600.0,
) -> Restored:
    """Recover the cluster as it was at ``target`` (UTC; None: everything archived) into the new cluster
    ``dest`` (``dest/data``, socket ``dest/run``, passwords ``dest/auth``) on ``port``, started and promoted."""
    t0 = time.monotonic()
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} exists and is not empty: choose another --target", refused=True)
    if dest.resolve() == source.root.resolve() or source.root.resolve() in dest.resolve().parents:
        raise BackupError(
            f"{dest} is inside the running cluster's directory: choose another --target", refused=True
        )
    if source.running():
        switch_wal(source)  # commits up to now become restorable (the open segment is archived)
    chosen = choose_backup(list_backups(backup_dir), target, last_commit(backup_dir))
    cluster = LocalCluster(dest, port=port)
    ids = source._owner_ids()
    dest.mkdir(parents=True, exist_ok=True)
    dest.chmod(0o711)
    if ids:
        os.chown(dest, *ids)
    _copy_private(chosen.path, cluster.data_dir, ids)
    shutil.copytree(source.auth_dir, cluster.auth_dir)  # same roles, same passwords (0700 / 0600, ours)
    cluster.auth_dir.chmod(0o700)
    with (cluster.data_dir / "postgresql.auto.conf").open("a", encoding="utf-8") as fh:
        fh.write(_recovery_conf(target, cluster, backup_dir))
    signal = cluster.data_dir / "recovery.signal"
    signal.touch(mode=0o600)
    if ids:
        os.chown(signal, *ids)
    try:
        cluster.start(timeout_s=timeout_s)
    except ClusterError:
        why = _log_tail(cluster, r"FATAL|PANIC") or "see " + str(cluster.log_file)
        raise BackupError(f"恢复失败 / recovery failed: {why}") from None
    deadline = time.monotonic() + timeout_s
    with psycopg.connect(_conninfo(cluster), autocommit=True) as conn:
        while conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,):
            if time.monotonic() > deadline:
                raise BackupError(f"recovery did not end within {timeout_s:.0f} s; see {cluster.log_file}")
            time.sleep(0.1)
    stop = next(
        (
            ln
            for pat in ("recovery stopping", "redo done", "archive recovery complete")
            if (ln := _log_tail(cluster, pat))
        ),
        "",
    )
    return Restored(cluster, chosen, target, stop, time.monotonic() - t0)


def state(cluster: LocalCluster, dbname: str) -> tuple[int, int | None, datetime | None] | None:
    """(cases, last case_event id, its time) in ``dbname`` of ``cluster``; None when there is no such database."""
    try:
        with psycopg.connect(_conninfo(cluster, dbname)) as conn:
            cases = conn.execute('SELECT count(*) FROM "case"').fetchone()
            last = conn.execute("SELECT id, at FROM case_event ORDER BY id DESC LIMIT 1").fetchone()
    except psycopg.OperationalError:
        return None
    except psycopg.errors.UndefinedTable:
        return None
    n = int(cases[0]) if cases else 0
    return (n, last[0], last[1]) if last else (n, None, None)


def stop(dest: Path) -> bool:
    """Stop a restored cluster (``guiyang-ops db restore --stop DIR``); False when it was not running."""
    cluster = LocalCluster(dest)
    if not cluster.initialized():
        raise BackupError(f"{dest} holds no cluster (its data directory would be {cluster.data_dir})")
    return cluster.stop()
