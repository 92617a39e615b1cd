"""db.cluster against the real local cluster: databases are created once, dropped, and only plain names pass."""

from __future__ import annotations

import os

import pytest

from dashboard.database import local_cluster
from dashboard.settings import Settings
from db.cluster import ClusterError, LocalCluster


@pytest.fixture
def cluster(settings: Settings) -> LocalCluster:
    if settings.database_url:
        pytest.fail("this test needs the project's own local cluster (DATABASE_URL is set)")
    c = local_cluster(settings)
    c.init()
    c.start()
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
