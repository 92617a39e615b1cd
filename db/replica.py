"""A streaming-replication standby of the project's cluster, as a real replica would run on a second machine.

``var/pg-replica`` holds its data directory (a physical copy made by ``pg_basebackup -R``), its own Unix socket
(``var/pg-replica/run``, port = the primary's + 1 by default) and log. Being a physical copy it has the same
roles and passwords: the password files of ``var/pg/auth`` work on it unchanged.

It streams from the primary through a replication slot (``guiyang_replica``) as the superuser (the only role
allowed ``REPLICATION``; pg_hba's ``local replication`` line, see :data:`db.cluster_auth.HBA`), with
``hot_standby_feedback = on`` so long reads on the standby are not cancelled by the primary's vacuum. The slot
keeps the WAL a stopped standby still needs, at most ``max_slot_wal_keep_size`` (2 GB; past that the standby
needs ``--rebuild``). Nothing here needs a restart of the primary: ``wal_level = replica`` and
``max_wal_senders = 10`` are PostgreSQL's defaults, and the primary's ``db up`` applies the pg_hba line.
"""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404 # runs PostgreSQL's own tools, never through a shell
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.cluster import ClusterError, LocalCluster, pg_bin_dir

SLOT = "guiyang_replica"
#: WAL the primary keeps for a stopped standby at most (a reload-only setting of the primary)
SLOT_WAL_KEEP = "2GB"
#: what the standby's own postgresql.auto.conf says, after the primary's copied settings
_OWN_KEYS = (
    "port",
    "unix_socket_directories",
    "primary_conninfo",
    "primary_slot_name",
    "hot_standby",
    "hot_standby_feedback",
    "archive_mode",
    "archive_command",
)


@dataclass(frozen=True)
class StandbyCluster(LocalCluster):
    """The standby: a LocalCluster of its own directory and port whose roles sign in with the primary's
    password files (a physical copy has the same passwords)."""

    primary_auth: Path = Path("var/pg/auth")

    @property
    def auth_dir(self) -> Path:
        return self.primary_auth


def standby_of(primary: LocalCluster, root: Path | None = None, port: int | None = None) -> StandbyCluster:
    """The standby of ``primary``: by default ``<var>/pg-replica`` beside ``<var>/pg``, port + 1."""
    return StandbyCluster(
        root=root or primary.root.parent / "pg-replica",
        port=port or primary.port + 1,
        superuser=primary.superuser,
        owner=primary.owner,
        app=primary.app,
        primary_auth=primary.auth_dir,
    )


@dataclass
class Replica:
    """``guiyang-ops db replica up|down|status|url`` on the project's cluster."""

    primary: LocalCluster
    standby: StandbyCluster

    @property
    def passfile(self) -> Path:
        """The standby server's own copy of the superuser's password file (its OS user reads it to stream)."""
        return self.standby.root / "replication.pgpass"

    def _run(
        self, args: list[str | Path], env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", self.primary.superuser, "--", *cmd]
        return subprocess.run(  # nosec B603 # our own argument list, no shell, no user input
            cmd, capture_output=True, text=True, check=False, env={**os.environ, **(env or {})}
        )

    def _chown(self, path: Path) -> None:
        ids = self.primary._owner_ids()
        if ids:
            os.chown(path, *ids)

    def conninfo(self) -> str:
        p = self.primary
        return (
            f"host={p.socket_dir.resolve()} port={p.port} user={p.superuser} "
            f"passfile={self.passfile.resolve()} application_name={SLOT}"
        )

    # --- lifecycle ---------------------------------------------------------------------------------------------
    def up(self, rebuild: bool = False, on_step: Any = None) -> str:
        """Start the standby, taking a base backup first when there is none (or ``rebuild``). Returns what was
        done: ``created``, ``started`` or ``running``."""
        step = on_step or (lambda _msg: None)
        if not self.primary.running():
            raise ClusterError("the primary cluster is not running: guiyang-ops db up")
        if rebuild:
            self.destroy()
        if self.standby.initialized():
            return "started" if self.standby.start() else "running"
        step("primary settings")
        self._prepare_primary()
        step("base backup")
        self._base_backup()
        step("start")
        self.standby.start(timeout_s=60)
        return "created"

    def _prepare_primary(self) -> None:
        """pg_hba's replication line (``db up`` writes it), the slot and its WAL bound, then a reload."""
        self.primary.up()  # rewrites an older pg_hba.conf (without the replication line) and reloads
        self.primary._psql(f"ALTER SYSTEM SET max_slot_wal_keep_size = '{SLOT_WAL_KEEP}'")
        self.primary._psql("SELECT pg_reload_conf()")
        self.primary._psql(
            f"SELECT pg_drop_replication_slot('{SLOT}') FROM pg_replication_slots "  # nosec B608 # a constant
            f"WHERE slot_name = '{SLOT}' AND NOT active"
        )
        self.primary._psql(f"SELECT pg_create_physical_replication_slot('{SLOT}', true)")

    def _base_backup(self) -> None:
        sb = self.standby
        sb.root.mkdir(parents=True, exist_ok=True)
        self._chown(sb.root)
        for d in (sb.socket_dir,):
            d.mkdir(parents=True, exist_ok=True)
            d.chmod(0o700)
            self._chown(d)
        # the standby's OS user reads this to stream (and pg_basebackup to copy): 0600, its own
        fd = os.open(self.passfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.primary.passfile(self.primary.superuser).read_text(encoding="utf-8"))
        self._chown(self.passfile)
        p = self.primary
        res = self._run(
            [
                pg_bin_dir() / "pg_basebackup",
                "-h",
                p.socket_dir.resolve(),
                "-p",
                str(p.port),
                "-U",
                p.superuser,
                "-D",
                sb.data_dir,
                "-X",
                "stream",
                "-S",
                SLOT,
                "-R",
                "-c",
                "fast",
                "-w",
            ],
            env={"PGPASSFILE": str(self.passfile.resolve())},
        )
        if res.returncode != 0:
            raise ClusterError(f"pg_basebackup failed: {res.stderr.strip()[-400:]}")
        self._write_standby_conf()

    def _write_standby_conf(self) -> None:
        sb = self.standby
        conf = sb.data_dir / "postgresql.auto.conf"
        kept = [
            line
            for line in conf.read_text(encoding="utf-8").splitlines()
            if line.split("=", 1)[0].strip() not in _OWN_KEYS
        ]
        own = {
            "port": str(sb.port),
            "unix_socket_directories": f"'{sb.socket_dir.resolve()}'",
            "primary_conninfo": f"'{self.conninfo()}'",
            "primary_slot_name": f"'{SLOT}'",
            "hot_standby": "on",
            "hot_standby_feedback": "on",
            "archive_mode": "off",  # the primary archives (see db.backup); a copy of its setting must not
        }
        conf.write_text("\n".join([*kept, *(f"{k} = {v}" for k, v in own.items())]) + "\n", encoding="utf-8")
        self._chown(conf)

    def down(self) -> bool:
        return self.standby.stop()

    def destroy(self) -> None:
        """Stop the standby, remove its directory and its slot on the primary (for ``--rebuild``)."""
        self.standby.stop()
        if self.standby.root.exists():
            shutil.rmtree(self.standby.root)
        if self.primary.running():
            self.primary._psql(
                f"SELECT pg_drop_replication_slot('{SLOT}') FROM pg_replication_slots "  # nosec B608 # a constant
                f"WHERE slot_name = '{SLOT}' AND NOT active"
            )

    def url(self, dbname: str, user: str | None = None) -> str:
        """The URL of ``dbname`` on the standby (default: the app role)."""
        return self.standby.url(dbname, user or self.standby.app)

    def status(self) -> dict[str, Any]:
        """State, whether it streams, replay lag in bytes and seconds (read as the superuser on both sides)."""
        out: dict[str, Any] = {"directory": str(self.standby.data_dir), "port": self.standby.port}
        if not self.standby.initialized():
            return {**out, "state": "absent"}
        if not self.standby.running():
            return {**out, "state": "stopped"}
        row = self.standby._psql(
            "SELECT pg_is_in_recovery(), coalesce((SELECT status FROM pg_stat_wal_receiver), 'none'), "
            "pg_last_wal_replay_lsn(), pg_is_wal_replay_paused(), "
            "coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)"
        ).split("|")
        recovery, receiver, replay, paused, since_xact = row
        out.update(
            state="standby" if recovery == "t" else "promoted",
            streaming=receiver == "streaming",
            receiver=receiver,
            replay_paused=paused == "t",
            replay_lsn=replay,
        )
        if self.primary.running() and replay:
            lag = self.primary._psql(
                f"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '{replay}'::pg_lsn), "  # nosec B608 # an LSN read just now
                "coalesce(extract(epoch FROM (SELECT replay_lag FROM pg_stat_replication "
                f"WHERE application_name = '{SLOT}' LIMIT 1)), 0)"
            ).split("|")
            behind = max(0, int(float(lag[0])))
            out["lag_bytes"] = behind
            # the primary's own measure while the standby streams and replays (a long transaction, e.g. a bulk
            # load, replays no commit for minutes and is not lag); behind while paused or cut off: the age of the
            # last transaction it replayed
            stuck = behind > 0 and (paused == "t" or receiver != "streaming")
            out["lag_seconds"] = round(max(float(lag[1]), float(since_xact)) if stuck else float(lag[1]), 3)
        return out
