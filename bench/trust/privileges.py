"""Least privilege, measured as an attacker holding the app's database connection would try it.

Each bypass of the append-only history runs as the app role in a transaction of its own that is rolled back
(so even a bypass that succeeds changes nothing): switching the triggers off (``session_replication_role``,
``DISABLE TRIGGER``), deleting, updating or truncating an append-only table, creating a table, becoming
someone else. Then the local cluster's door: the socket directory's mode, the authentication methods of
pg_hba.conf, the password files' modes, and whether the app role gets in without its password.

``measure()`` makes a private database (migrations as the owner role, then the grants), tries everything as the
app role, and drops it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import time
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bench.trust import Finding
from db.privileges import APPEND_ONLY

PROBE_DB = "guiyang_ops_trust_privileges"
INSUFFICIENT_PRIVILEGE = "42501"


@dataclass(frozen=True)
class Attempt:
    what: str
    refused: bool
    detail: str


def _first_column(engine: Engine, table: str) -> str:
    with engine.connect() as c:
        return str(
            c.execute(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                    "AND table_name = :t ORDER BY ordinal_position LIMIT 1"
                ),
                {"t": table},
            ).scalar_one()
        )


def bypass_statements(engine: Engine) -> list[tuple[str, str]]:
    """(what, SQL) for every bypass to try; append-only tables that do not exist are left out."""
    with engine.connect() as c:
        present = set(
            c.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(:t)"),
                {"t": list(APPEND_ONLY)},
            ).scalars()
        )
    out = [
        ("SET session_replication_role = replica", "SET session_replication_role = replica"),
        ("CREATE TABLE", "CREATE TABLE trust_probe (x integer)"),
        ("ALTER ROLE itself SUPERUSER", "ALTER ROLE CURRENT_USER SUPERUSER"),
        ("ALTER ROLE itself CREATEDB CREATEROLE", "ALTER ROLE CURRENT_USER CREATEDB CREATEROLE"),
        ("SET ROLE postgres", "SET ROLE postgres"),
        ("COPY TO PROGRAM", "COPY (SELECT 1) TO PROGRAM 'cat > /dev/null'"),
    ]
    for t in sorted(present, key=APPEND_ONLY.index):
        col = _first_column(engine, t)
        out += [
            (f"ALTER TABLE {t} DISABLE TRIGGER USER", f"ALTER TABLE {t} DISABLE TRIGGER USER"),
            (f"DELETE FROM {t}", f"DELETE FROM {t}"),
            (f"UPDATE {t}", f'UPDATE {t} SET "{col}" = "{col}"'),
            (f"TRUNCATE {t}", f"TRUNCATE {t}"),
        ]
    return out


def try_bypasses(engine: Engine) -> list[Attempt]:
    """Try each bypass as the engine's role, each in a transaction that is rolled back."""
    attempts = []
    for what, sql in bypass_statements(engine):
        with engine.connect() as c:
            trans = c.begin()
            try:
                c.execute(text(sql))
                attempts.append(Attempt(what, False, "allowed"))
            except Exception as exc:  # noqa: BLE001 - the refusal is what we measure
                orig = getattr(exc, "orig", exc)
                first = str(orig).splitlines()[0][:90]
                # refused means refused for want of privilege (SQLSTATE 42501), not some other error
                denied = getattr(orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE
                attempts.append(Attempt(what, denied, first if denied else f"error: {first}"))
            finally:
                trans.rollback()
    with engine.connect() as c:
        su, owned = c.execute(
            text(
                "SELECT rolsuper, (SELECT count(*) FROM pg_class WHERE relowner = r.oid) "
                "FROM pg_roles r WHERE rolname = current_user"
            )
        ).one()
    attempts.append(Attempt("is superuser", not su, "superuser" if su else "not superuser"))
    attempts.append(Attempt("owns relations", owned == 0, f"owns {owned}"))
    return attempts


def _mode(path: os.PathLike[str] | str) -> str:
    return oct(stat.S_IMODE(os.stat(path).st_mode))


def hba_methods(hba_text: str) -> set[str]:
    """The authentication methods of a pg_hba.conf's lines."""
    methods = set()
    for line in hba_text.splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            # local DATABASE USER METHOD [options]; host DATABASE USER ADDRESS METHOD [options]
            methods.add(fields[3] if fields[0] == "local" else fields[4])
    return methods


def measure() -> list[Finding]:
    from dashboard.database import local_cluster
    from dashboard.settings import get_settings
    from db import migrate
    from db.engine import make_engine

    settings = get_settings()
    if settings.database_url:
        return [Finding("privileges", "DATABASE_URL is set", "the project's own cluster", False)]
    cluster = local_cluster(settings)
    cluster.up()
    cluster.drop_database(PROBE_DB)
    cluster.ensure_database(PROBE_DB)
    findings: list[Finding] = []
    try:
        t0 = time.perf_counter()
        migrate.upgrade(cluster.url(PROBE_DB, cluster.owner), app_role=cluster.app)
        engine = make_engine(cluster.url(PROBE_DB, cluster.app), pool_size=1)
        try:
            attempts = try_bypasses(engine)
        finally:
            engine.dispose()
        for a in attempts:
            findings.append(Finding(f"as the app role: {a.what}", a.detail, "refused", a.refused))
        refused = sum(a.refused for a in attempts)
        findings.append(
            Finding(
                "bypasses refused (app role)",
                f"{refused} of {len(attempts)} in {time.perf_counter() - t0:.1f} s",
                f"{len(attempts)} of {len(attempts)}",
                refused == len(attempts),
            )
        )
        findings += door(cluster)
    finally:
        cluster.drop_database(PROBE_DB)
    return findings


def door(cluster: object) -> list[Finding]:
    from db.cluster import LocalCluster

    assert isinstance(cluster, LocalCluster)
    sock = _mode(cluster.socket_dir)
    hba = (cluster.data_dir / "pg_hba.conf").read_text(encoding="utf-8")
    methods = hba_methods(hba)
    files = {u: _mode(cluster.passfile(u)) for u in cluster.users}
    url = make_url(cluster.url("postgres", cluster.app))
    # the app role without its password file (an empty one): must be refused
    env = {**os.environ, "PGPASSFILE": os.devnull, "PGPASSWORD": ""}
    env.pop("PGPASSWORD")
    res = subprocess.run(
        ["psql", "-h", str(url.query["host"]), "-p", str(cluster.port), "-U", cluster.app, "-w"]
        + ["-d", "postgres", "-tAc", "SELECT 1"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    findings = [
        Finding("socket directory mode", sock, "0o700", sock == "0o700"),
        Finding(
            "pg_hba.conf methods", ", ".join(sorted(methods)), "scram-sha-256", methods == {"scram-sha-256"}
        ),
        Finding(
            "password files' modes",
            ", ".join(f"{u} {m}" for u, m in files.items()),
            "0o600 each",
            all(m == "0o600" for m in files.values()),
        ),
        Finding(
            "app role without its password",
            "refused" if res.returncode else "let in",
            "refused",
            res.returncode != 0,
        ),
    ]
    if os.geteuid() == 0:  # another local OS user, with no password at all: must not get in
        other = subprocess.run(
            ["runuser", "-u", "nobody", "--", "psql", "-h", str(url.query["host"]), "-p", str(cluster.port)]
            + ["-U", cluster.superuser, "-w", "-d", "postgres", "-tAc", "SELECT 1"],
            capture_output=True,
            text=True,
            check=False,
        )
        seen = "refused" if other.returncode else "let in as the superuser"
        findings.append(Finding("OS user nobody as the superuser", seen, "refused", other.returncode != 0))
    return findings
