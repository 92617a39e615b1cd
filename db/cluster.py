"""A private PostgreSQL cluster owned by the project, under ``./var/pg``.

It listens only on its own Unix socket (``var/pg/run``; the port number names the socket file), so it can
never clash with a system cluster or another checkout's cluster. When the current user is root the server runs as the ``postgres`` user
(PostgreSQL refuses to run as root), so the data, socket and log directories are owned by that user.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess  # nosec B404 # runs our own tools, never through a shell
import time
from dataclasses import dataclass
from pathlib import Path

PG_BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")
POSTGIS_CONTROL = "/usr/share/postgresql/{major}/extension/postgis.control"


class ClusterError(RuntimeError):
    """The local cluster cannot be set up; the message says what to do."""


def pg_bin_dir() -> Path:
    for cand in PG_BIN_CANDIDATES:
        if Path(cand, "initdb").exists():
            return Path(cand)
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise ClusterError(
        "PostgreSQL server binaries not found. Install them: apt-get install postgresql-15 postgresql-15-postgis-3"
    )


def postgis_available(bindir: Path) -> bool:
    major = bindir.parent.name
    return Path(POSTGIS_CONTROL.format(major=major)).exists()


@dataclass(frozen=True)
class LocalCluster:
    """The project's own cluster: ``root`` is ``var/pg``; ``port`` names the socket file and the TCP port."""

    root: Path
    port: int = 54329
    superuser: str = "postgres"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.superuser}@/{dbname}?host={self.socket_dir.resolve()}&port={self.port}"

    # --- running commands -------------------------------------------------------------------------------
    def _as_owner(self, args: list[str | Path], check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", self.superuser, "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)  # nosec B603 # our own argument list, no shell, no user input

    def _owner_ids(self) -> tuple[int, int] | None:
        if os.geteuid() != 0:
            return None
        try:
            pw = pwd.getpwnam(self.superuser)
        except KeyError as exc:
            raise ClusterError(
                f"running as root needs the '{self.superuser}' system user (apt-get install postgresql-15)"
            ) from exc
        return pw.pw_uid, pw.pw_gid

    def _prepare_dirs(self) -> None:
        ids = self._owner_ids()
        for d in (self.root, self.socket_dir):
            d.mkdir(parents=True, exist_ok=True)
            if ids:
                os.chown(d, *ids)
        if ids:
            # the server user must be able to reach var/pg through the project's folders
            for parent in self.root.resolve().parents:
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    raise ClusterError(
                        f"{parent} is not searchable by the '{self.superuser}' user (chmod o+x)"
                    )

    # --- lifecycle ----------------------------------------------------------------------------------------
    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def running(self) -> bool:
        if not self.initialized():
            return False
        res = self._as_owner([pg_bin_dir() / "pg_ctl", "status", "-D", self.data_dir], check=False)
        return res.returncode == 0

    def init(self) -> bool:
        """Create the cluster if it does not exist. Returns True when it was created."""
        bindir = pg_bin_dir()
        if not postgis_available(bindir):
            raise ClusterError(
                "PostGIS is not installed. Install it: apt-get install postgresql-15-postgis-3 (make demo does this as root)"
            )
        if self.initialized():
            return False
        self._prepare_dirs()
        res = self._as_owner(
            [
                bindir / "initdb",
                "-D",
                self.data_dir,
                "-U",
                self.superuser,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            ],
            check=False,
        )
        if res.returncode != 0:
            raise ClusterError(f"initdb failed: {res.stderr.strip() or res.stdout.strip()}")
        conf = self.data_dir / "postgresql.auto.conf"
        extra = (
            f"\nlisten_addresses = ''\nport = {self.port}\n"
            f"unix_socket_directories = '{self.socket_dir.resolve()}'\n"
            "max_connections = 200\nshared_buffers = '512MB'\nwork_mem = '32MB'\nmaintenance_work_mem = '512MB'\n"
            "max_wal_size = '4GB'\ncheckpoint_timeout = '15min'\nsynchronous_commit = off\n"
            "timezone = 'Asia/Shanghai'\nlog_timezone = 'Asia/Shanghai'\n"
        )
        ids = self._owner_ids()
        with conf.open("a", encoding="utf-8") as fh:
            fh.write(extra)
        if ids:
            os.chown(conf, *ids)
        return True

    def start(self, timeout_s: float = 30.0) -> bool:
        """Start the server if it is not running. Returns True when it was started now."""
        if self.running():
            return False
        self._prepare_dirs()
        if self.log_file.exists() and self._owner_ids():
            os.chown(self.log_file, *self._owner_ids())  # type: ignore[misc]
        res = self._as_owner(
            [
                pg_bin_dir() / "pg_ctl",
                "start",
                "-D",
                self.data_dir,
                "-l",
                self.log_file,
                "-w",
                "-t",
                str(int(timeout_s)),
            ],
            check=False,
        )
        if res.returncode != 0:
            tail = self.log_file.read_text(errors="replace")[-1500:] if self.log_file.exists() else ""
            raise ClusterError(f"could not start PostgreSQL: {res.stderr.strip()}\n{tail}")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if (
                self._as_owner(
                    ["pg_isready", "-h", self.socket_dir.resolve(), "-p", str(self.port)], check=False
                ).returncode
                == 0
            ):
                return True
            time.sleep(0.1)
        raise ClusterError("PostgreSQL did not become ready in time; see " + str(self.log_file))

    def stop(self) -> bool:
        if not self.running():
            return False
        self._as_owner([pg_bin_dir() / "pg_ctl", "stop", "-D", self.data_dir, "-m", "fast", "-w"])
        return True

    def _psql(self, sql: str) -> str:
        """Run one SQL statement as the superuser in the ``postgres`` database; its unaligned output."""
        cmd = ["psql", "-h", str(self.socket_dir.resolve()), "-p", str(self.port), "-U", self.superuser]
        cmd += ["-v", "ON_ERROR_STOP=1", "-tAc", sql, "postgres"]
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()  # nosec B603 # our own argument list, no shell, no user input

    @staticmethod
    def _checked_name(dbname: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,63}", dbname):
            raise ClusterError(f"not a plain database name: {dbname!r}")
        return dbname

    def ensure_database(self, dbname: str) -> bool:
        """Create ``dbname`` if missing (the migrations add PostGIS). Returns True when it was created."""
        name = self._checked_name(dbname)
        if self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1":  # nosec B608 # the name passed _checked_name (a plain identifier)
            return False
        self._psql(f'CREATE DATABASE "{name}"')
        return True

    def drop_database(self, dbname: str) -> None:
        self._psql(f'DROP DATABASE IF EXISTS "{self._checked_name(dbname)}" WITH (FORCE)')
