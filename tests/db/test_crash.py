"""Acknowledged means durable: PostgreSQL killed with SIGKILL during Open311 intake at ~50 reports a second loses
no report that was answered 201, and the clients' retries with the same Idempotency-Key make no second case.

On a cluster of its own (a temporary folder, its own socket), loaded from a dump of the session's template:
killing the shared test cluster would break every other test. About 12 s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench.trust.durability import (
    crash_run,
    dump,
    private_cluster,
    restore,
    server_synchronous_commit,
)
from dashboard.database import local_cluster
from dashboard.settings import Settings
from db.cluster import LocalCluster
from tests.support.db import template_fingerprint

pytestmark = pytest.mark.process


@pytest.fixture
def crash_cluster(settings: Settings, db_url: str, tmp_path: Path) -> Iterator[LocalCluster]:
    if settings.database_url:
        pytest.fail("the crash test needs the project's own local cluster (DATABASE_URL is set)")
    shared = local_cluster(settings)
    out = tmp_path / "template.dump"
    host = str(make_url(db_url).query["host"])
    template = f"guiyang_ops_tmpl_{template_fingerprint()}"
    dump(host, shared.port, shared.passfile(shared.superuser), shared.superuser, template, out)
    with private_cluster() as cluster:
        restore(cluster, out)
        yield cluster


def test_sigkill_during_intake_loses_no_acknowledged_report_and_retries_duplicate_none(
    crash_cluster: LocalCluster, tmp_path: Path
) -> None:
    c = crash_cluster
    assert server_synchronous_commit(c) == "on"
    media = tmp_path / "media"
    media.mkdir()
    r = crash_run(c, app_url=c.url("crash", c.app), media=media, before_kill_s=2.0, after_restart_s=1.0)
    assert r.acknowledged >= 50, r  # the load really ran, before and after the crash
    assert r.retries > 0, r  # the crash really hit requests in flight
    assert r.unanswered == 0, r
    assert r.lost == 0, r
    assert r.duplicated == 0 and r.changed_ticket == 0, r
    assert r.cases == r.acknowledged, r
