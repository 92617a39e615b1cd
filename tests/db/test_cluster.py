"""db.cluster against the real local cluster: databases are created once, dropped, and only plain names pass;
nobody gets in without a password; a cluster made by older code is corrected."""

from __future__ import annotations

import os
import shutil
import stat

import pytest

from bench.trust.durability import private_cluster
from bench.trust.privileges import door
from dashboard.database import local_cluster
from dashboard.settings import Settings
from db.cluster import ClusterError, LocalCluster


@pytest.fixture
def cluster(settings: Settings) -> LocalCluster:
    if settings.database_url:
        pytest.fail("this test needs the project's own local cluster (DATABASE_URL is set)")
    c = local_cluster(settings)
    c.up()
    return c


def test_ensure_creates_once_and_drop_removes(cluster: LocalCluster) -> None:
    name = f"guiyang_ops_clustertest_{os.getpid()}"
    try:
        assert cluster.ensure_database(name) is True
        assert cluster.ensure_database(name) is False  # already there
        assert cluster._psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    finally:
        cluster.drop_database(name)
    assert cluster._psql(f"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == "0"
    cluster.drop_database(name)  # dropping what is gone is fine


@pytest.mark.parametrize("bad", ["x'; DROP DATABASE postgres; --", 'a"b', "", "a b", "名字", "x" * 64])
def test_only_plain_names(cluster: LocalCluster, bad: str) -> None:
    with pytest.raises(ClusterError):
        cluster.ensure_database(bad)
    with pytest.raises(ClusterError):
        cluster.drop_database(bad)


def test_nobody_gets_in_without_a_password(cluster: LocalCluster) -> None:
    """The shared cluster: socket directory 0700, only scram-sha-256, password files 0600, the app role refused
    without its password, another OS user refused, commits synchronous."""
    findings = door(cluster)
    assert [f for f in findings if not f.ok] == []
    assert len(findings) >= 4
    assert stat.S_IMODE(cluster.auth_dir.stat().st_mode) == 0o700
    assert cluster._psql("SHOW synchronous_commit") == "on"


@pytest.mark.process
def test_db_up_corrects_a_cluster_made_by_older_code() -> None:
    """A cluster as older code left it (trust on a world-enterable socket, synchronous_commit off, no project
    roles or password files, tables owned by the superuser) is put right by the next ``up()``."""
    with private_cluster() as c:
        c.ensure_database("old")
        c._psql("CREATE TABLE legacy (id serial PRIMARY KEY)", "old")
        c._psql("ALTER TABLE legacy OWNER TO postgres; ALTER DATABASE old OWNER TO postgres", "old")
        c._psql(f"DROP OWNED BY {c.owner}, {c.app} CASCADE", "old")
        c._psql(f"DROP ROLE {c.owner}; DROP ROLE {c.app}")
        c._psql("ALTER SYSTEM SET synchronous_commit = off")
        (c.data_dir / "pg_hba.conf").write_text("local all all trust\n")
        c._psql("SELECT pg_reload_conf()")
        shutil.rmtree(c.auth_dir)
        c.socket_dir.chmod(0o755)
        assert c._psql("SHOW synchronous_commit") == "off"

        c.up()
        c.ensure_database("old")
        assert [f.what for f in door(c) if not f.ok] == []
        assert c._psql("SHOW synchronous_commit") == "on"
        assert c._psql(f"SELECT count(*) FROM pg_roles WHERE rolname IN ('{c.owner}', '{c.app}')") == "2"
        owner = "SELECT tableowner FROM pg_tables WHERE tablename = 'legacy'"
        assert c._psql(owner, "old") == c.owner
        c.up()  # again: nothing to change, nothing breaks
        assert c._psql(owner, "old") == c.owner
