"""``guiyang-ops db backup [--list | --prune]`` and ``guiyang-ops db restore (--to TIME | --stop DIR)`` over
:mod:`db.backup` and :mod:`db.backup_restore`. Every refusal or failure is one line, exit code 2 (refused) or 1."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from cli.progress import console, fail, ok, progress_bars
from dashboard.database import local_cluster
from dashboard.settings import Settings
from db import backup as bk
from db import backup_restore as rs
from db.cluster import LocalCluster


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover - the loop returns


def _own_cluster(settings: Settings) -> LocalCluster | None:
    if settings.database_url:
        fail(
            "DATABASE_URL 已设置 / DATABASE_URL is set: backups cover the project's own cluster only "
            "(back up an external server with its own tooling)"
        )
        return None
    return local_cluster(settings)


def _backup_dir(settings: Settings) -> Path:
    return settings.backup_dir or settings.var_dir / "backup"  # the validator fills it in


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    cluster = _own_cluster(settings)
    if cluster is None:
        return 2
    bdir = _backup_dir(settings)
    try:
        if args.list:
            return _list(bdir)
        if args.prune:
            _prune(bdir, settings.backup_keep)
            return 0
        cluster.up()  # archiving configured (a restart when archive_mode was off: an older cluster)
        t0 = time.monotonic()
        with progress_bars() as bar:
            b = bk.base_backup(
                cluster, bdir, lambda done, total: bar("基础备份 base backup (kB)", done, total)
            )
        ok(
            f"基础备份 / base backup {b.name}: {_size(b.size)} in {time.monotonic() - t0:.1f} s, checked by "
            f"pg_verifybackup: {b.path}"
        )
        console.print(f"  restorable from {rs.fmt(b.stopped)} on (WAL archived into {bk.wal_dir(bdir)})")
        _prune(bdir, settings.backup_keep)
    except bk.BackupError as exc:
        fail(str(exc))
        return 1
    return 0


def _prune(bdir: Path, keep: int) -> None:
    removed, segments = bk.prune(bdir, keep)
    names = ", ".join(b.name for b in removed) or "none"
    ok(
        f"保留最近 {keep} 份 / kept the newest {keep}: removed base backups: {names}; WAL segments: {segments}"
    )


def _list(bdir: Path) -> int:
    backups = bk.list_backups(bdir)
    if not backups:
        console.print(f"no base backup in {bk.base_dir(bdir)} (guiyang-ops db backup makes one)")
        return 0
    print(f"{'base backup':<20} {'started (Asia/Shanghai)':<26} {'restorable from':<26} {'size':>10}")
    for b in backups:
        print(f"{b.name:<20} {rs.fmt(b.started):<26} {rs.fmt(b.stopped):<26} {_size(b.size):>10}")
    wr = bk.wal_range(bdir)
    latest = rs.fmt(wr.last_commit) if wr.last_commit else "none archived yet"
    print(f"WAL archive: {wr.segments} segments, {_size(wr.size)} ({wr.first or '-'} … {wr.last or '-'})")
    print(f"restorable: from {rs.fmt(backups[0].stopped)} to {latest} (the last archived commit)")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    source = _own_cluster(settings)
    if source is None:
        return 2
    try:
        if args.stop is not None:
            ok(f"stopped: {args.stop}" if rs.stop(args.stop) else f"not running: {args.stop}")
            return 0
        target = rs.parse_target(args.to)
    except bk.BackupError as exc:
        fail(str(exc))
        return 2
    dest = args.target or settings.var_dir / "restore" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        with console.status(
            f"恢复中 / recovering to {rs.fmt(target) if target else 'the latest archived commit'}…"
        ):
            r = rs.restore(source, _backup_dir(settings), target, dest, args.port, args.timeout)
    except bk.BackupError as exc:
        fail(str(exc))
        return 2 if exc.refused else 1
    where = rs.fmt(target) if target else "the latest archived commit"
    ok(f"恢复完成 / restored to {where} from base backup {r.backup.name} in {r.seconds:.1f} s: {dest}")
    console.print(f"  recovery: {r.stop_line}", soft_wrap=True)
    name = settings.database_name
    st = rs.state(r.cluster, name)
    if st:
        last = f"#{st[1]} at {rs.fmt(st[2])}" if st[1] is not None and st[2] else "none"
        console.print(f"  {name}: {st[0]:,} cases, last case event {last}")
    print(f"  app URL:   {r.url(name)}")
    print(
        f"  use it:    DATABASE_URL='{r.url(name)}' GUIYANG_OWNER_DATABASE_URL='{r.url(name, 'owner')}' "
        "guiyang-ops serve"
    )
    print(f"  stop it:   guiyang-ops db restore --stop {dest}")
    return 0
