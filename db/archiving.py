"""WAL archiving of the project's cluster: the archive script and the settings (``archive_mode``,
``archive_command``), applied by :meth:`db.cluster.LocalCluster.up` (its hook) when the cluster has a backup
directory. The backups themselves are in :mod:`db.backup`.

The archive command is a small POSIX shell script (``var/pg/archive_wal.sh``, written here): the archiver runs it
as the server's OS user (``postgres`` when the commands run as root), whose environment holds no Python, and
``cp`` + ``sync`` + ``mv`` is all the durability rule of the PostgreSQL manual asks for (a temporary name, fsync,
rename, fsync of the directory; an existing file of the same name with other bytes is never overwritten). Until
the first ``guiyang-ops db backup`` makes ``wal/`` the script copies nothing and says yes (WAL older than every
base backup restores nothing), so a seed of millions of cases does not fill the disk with segments nobody needs.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Protocol


class Cluster(Protocol):
    """What archiving needs of :class:`db.cluster.LocalCluster` (not imported: the cluster imports this module)."""

    @property
    def root(self) -> Path: ...
    @property
    def data_dir(self) -> Path: ...
    def running(self) -> bool: ...
    def stop(self) -> bool: ...
    def start(self, timeout_s: float = 30.0) -> bool: ...
    def _owner_ids(self) -> tuple[int, int] | None: ...
    def _psql(self, sql: str, dbname: str = "postgres", *, stdin: bool = False) -> str: ...


ARCHIVE_SCRIPT = """\
#!/bin/sh
# guiyang-ops: the archive_command of the project's cluster (written by db/backup.py; edits are overwritten).
# archive_wal.sh PATH NAME DIR: copy the finished WAL segment PATH to DIR/NAME durably: a temporary name, fsync,
# rename, fsync of the directory. DIR/NAME already there with the same bytes: success (a retry after a crash);
# with other bytes: failure, never an overwrite. No DIR: backups are not set up yet, nothing to keep: success.
set -u
src=$1
name=$2
dir=$3
[ -d "$dir" ] || exit 0
dest="$dir/$name"
if [ -e "$dest" ]; then
  cmp -s "$src" "$dest" && exit 0
  echo "archive_wal: $dest exists with other content, not overwritten" >&2
  exit 1
fi
tmp="$dir/.$name.$$.tmp"
umask 077
if cp "$src" "$tmp" && sync "$tmp" && mv "$tmp" "$dest" && sync "$dir"; then
  exit 0
fi
rm -f "$tmp"
exit 1
"""


def wal_dir(backup_dir: Path) -> Path:
    return backup_dir / "wal"


def archive_command(cluster: Cluster, backup_dir: Path) -> str:
    script = (cluster.root / "archive_wal.sh").resolve()
    return f"/bin/sh {shlex.quote(str(script))} %p %f {shlex.quote(str(wal_dir(backup_dir).resolve()))}"


def _auto_conf(data_dir: Path) -> dict[str, str]:
    """The settings of ``postgresql.auto.conf`` (the last line of a key wins, as for the server)."""
    out: dict[str, str] = {}
    path = data_dir / "postgresql.auto.conf"
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*(\w+)\s*=\s*'(.*)'\s*$", line) or re.match(r"\s*(\w+)\s*=\s*(\S+)\s*$", line)
        if m:
            out[m.group(1)] = m.group(2).replace("''", "'")
    return out


def conf_literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def configure_archiving(cluster: Cluster, backup_dir: Path) -> bool:
    """Make the cluster archive its WAL into ``backup_dir/wal``: the script, ``archive_mode = on`` and the
    ``archive_command``. A stopped cluster gets them in ``postgresql.auto.conf``; a running one by ``ALTER
    SYSTEM``, then a reload (a new command) or a fast restart (``archive_mode`` itself: a clean shutdown, no
    data lost). Cheap when nothing changes (one file read). Returns True when the server was restarted."""
    ids = cluster._owner_ids()
    script = cluster.root / "archive_wal.sh"
    if not script.exists() or script.read_text(encoding="utf-8") != ARCHIVE_SCRIPT:
        tmp = script.with_name(f".{script.name}.{os.getpid()}")
        tmp.write_text(ARCHIVE_SCRIPT, encoding="utf-8")
        tmp.chmod(0o755)
        tmp.replace(script)
    want = {"archive_mode": "on", "archive_command": archive_command(cluster, backup_dir)}
    have = _auto_conf(cluster.data_dir)
    if all(have.get(k) == v for k, v in want.items()):
        return False
    if not cluster.running():
        conf = cluster.data_dir / "postgresql.auto.conf"
        with conf.open("a", encoding="utf-8") as fh:
            fh.write("".join(f"{k} = {conf_literal(v)}\n" for k, v in want.items()))
        if ids:
            os.chown(conf, *ids)
        return False
    sql = "".join(f"ALTER SYSTEM SET {k} = {conf_literal(v)};\n" for k, v in want.items())
    cluster._psql(sql + "SELECT pg_reload_conf();", stdin=True)
    if have.get("archive_mode") == "on":
        return False
    cluster.stop()  # fast shutdown: a clean checkpoint, nothing lost; then started with its log file
    cluster.start()
    return True
