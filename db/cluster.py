"""A private PostgreSQL cluster owned by the project, under ``./var/pg``.

It listens only on its own Unix socket (``var/pg/run``; the port number names the socket file), so it can
never clash with a system cluster or another checkout's cluster. When the current user is root the server runs as the ``postgres`` user
(PostgreSQL refuses to run as root), so the data, socket and log directories are owned by that user.

Nobody else gets in: the socket directory is 0700 and every role signs in with its generated password
(``scram-sha-256``; see :mod:`db.cluster_auth`). Commits are synchronous: an acknowledged write survives a crash.
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

from db import cluster_auth

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
    owner: str = "guiyang_owner"
    app: str = "guiyang_app"
    #: where WAL is archived and base backups go (:mod:`db.backup`); None: no archiving (private test clusters)
    backup_dir: Path | None = None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    @property
    def auth_dir(self) -> Path:
        """The roles' password files (0700, files 0600, owned by the user running the commands)."""
        return self.root / "auth"

    @property
    def users(self) -> tuple[str, str, str]:
        return (self.superuser, self.owner, self.app)

    def passfile(self, user: str) -> Path:
        return cluster_auth.passfile(self.auth_dir, user).resolve()

    def url(self, dbname: str, user: str | None = None) -> str:
        """The URL of ``dbname`` as ``user`` (default: the superuser); the password comes from the role's file."""
        user = user or self.superuser
        return (
            f"postgresql+psycopg://{user}@/{dbname}?host={self.socket_dir.resolve()}&port={self.port}"
            f"&passfile={self.passfile(user)}"
        )

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
        cluster_auth.ensure_passwords(self.auth_dir, self.users)
        # initdb reads the superuser's password from a file the server's OS user can read; removed right after
        pwfile = self.root / ".initdb-pw"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(cluster_auth.password(self.auth_dir, self.superuser) + "\n")
        ids = self._owner_ids()
        if ids:
            os.chown(pwfile, *ids)
        try:
            res = self._as_owner(
                [
                    bindir / "initdb",
                    "-D",
                    self.data_dir,
                    "-U",
                    self.superuser,
                    "-A",
                    "scram-sha-256",
                    f"--pwfile={pwfile}",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-instructions",
                ],
                check=False,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if res.returncode != 0:
            raise ClusterError(f"initdb failed: {res.stderr.strip() or res.stdout.strip()}")
        conf = self.data_dir / "postgresql.auto.conf"
        extra = (
            f"\nlisten_addresses = ''\nport = {self.port}\n"
            f"unix_socket_directories = '{self.socket_dir.resolve()}'\n"
            "max_connections = 200\nshared_buffers = '512MB'\nwork_mem = '32MB'\nmaintenance_work_mem = '512MB'\n"
            "max_wal_size = '4GB'\ncheckpoint_timeout = '15min'\n"
            "timezone = 'Asia/Shanghai'\nlog_timezone = 'Asia/Shanghai'\n"
        )
        with conf.open("a", encoding="utf-8") as fh:
            fh.write(extra)
        self._write_hba()
        if ids:
            os.chown(conf, *ids)
        return True

    def _write_hba(self) -> None:
        hba = self.data_dir / "pg_hba.conf"
        hba.write_text(cluster_auth.HBA, encoding="utf-8")
        hba.chmod(0o600)
        ids = self._owner_ids()
        if ids:
            os.chown(hba, *ids)

    def secure(self) -> None:
        """Make a running cluster what this code expects, whatever made it: the socket directory 0700, every role
        with its password, the project's roles, synchronous commit, and only ``scram-sha-256`` in pg_hba.conf
        (a cluster initialised with ``trust`` by older code is switched over here, then reloaded). Idempotent."""
        self.socket_dir.chmod(0o700)
        cluster_auth.ensure_passwords(self.auth_dir, self.users)
        self._psql(cluster_auth.roles_sql(self.auth_dir, self.owner, self.app, self.superuser), stdin=True)
        if not cluster_auth.hba_is_current(self.data_dir / "pg_hba.conf"):
            self._write_hba()
            self._psql("SELECT pg_reload_conf()")

    def start(self, timeout_s: float = 30.0) -> bool:
        """Start the server if it is not running. Returns True when it was started now."""
        if self.running():
            return False
        self._prepare_dirs()
        self.socket_dir.chmod(0o700)
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

    def up(self) -> tuple[bool, bool]:
        """Create (if needed), start (if needed) and secure the cluster: (created now, started now). A cluster
        that was already running is secured again only when its pg_hba.conf is not ours (made by older code):
        every command calls this, and setting three passwords each time is work for nothing."""
        created = self.init()
        if (
            self.backup_dir is not None
        ):  # WAL archiving; a restart when archive_mode changes (db/archiving.py)
            from db.archiving import configure_archiving

            configure_archiving(self, self.backup_dir)
        started = self.start()
        if created or started or not cluster_auth.hba_is_current(self.data_dir / "pg_hba.conf"):
            self.secure()
        return created, started

    def stop(self) -> bool:
        if not self.running():
            return False
        self._as_owner([pg_bin_dir() / "pg_ctl", "stop", "-D", self.data_dir, "-m", "fast", "-w"])
        return True

    def _psql(self, sql: str, dbname: str = "postgres", *, stdin: bool = False) -> str:
        """Run SQL as the superuser in ``dbname``; its unaligned output. With ``stdin`` the SQL (which may hold
        passwords) goes through standard input rather than the command line."""
        cmd = ["psql", "-h", str(self.socket_dir.resolve()), "-p", str(self.port), "-U", self.superuser]
        cmd += ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", "-d", dbname]
        cmd += ["-f", "-"] if stdin else ["-c", sql]
        env = {**os.environ, "PGPASSFILE": str(self.passfile(self.superuser))}
        res = subprocess.run(
            cmd, capture_output=True, text=True, env=env, input=sql if stdin else None, check=False
        )  # nosec B603 # our own psql argument list, no shell
        if res.returncode != 0:
            hint = ""
            if "password authentication failed" in res.stderr:
                hint = (
                    f"\nThe password files in {self.auth_dir} do not match the cluster: restore them, or stop the "
                    f"cluster and remove {self.root} to start a fresh one."
                )
            raise ClusterError(f"psql as {self.superuser} failed: {res.stderr.strip()}{hint}")
        return res.stdout.strip()

    @staticmethod
    def _checked_name(dbname: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,63}", dbname):
            raise ClusterError(f"not a plain database name: {dbname!r}")
        return dbname

    def ensure_database(self, dbname: str) -> bool:
        """Create ``dbname`` if missing, owned by the owner role and with PostGIS (which only a superuser may
        add); hand a database made by older code, and its tables, to the owner role. Returns True when it was
        created."""
        name = self._checked_name(dbname)
        dba = self._psql(f"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{name}'")  # nosec B608 # the name passed _checked_name (a plain identifier)
        if not dba:
            self._psql(f'CREATE DATABASE "{name}" OWNER {self.owner}')
        self._psql("CREATE EXTENSION IF NOT EXISTS postgis", name)  # also for an empty one made by the owner
        if dba and dba != self.owner:  # made by older code: hand it over, with the app role's grants
            from db.migrate import grant  # alembic: imported only for this once-per-database repair

            self._psql(cluster_auth.adopt_sql(self.owner, name), name, stdin=True)
            grant(self.url(name, self.owner), self.app)
        return not dba

    def drop_database(self, dbname: str) -> None:
        self._psql(f'DROP DATABASE IF EXISTS "{self._checked_name(dbname)}" WITH (FORCE)')
