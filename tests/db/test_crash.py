"""Acknowledged means durable: PostgreSQL killed with SIGKILL during Open311 intake at ~50 reports a second loses
no report that was answered 201, and the clients' retries with the same Idempotency-Key make no second case. The
same app process answers ``/healthz`` 200 again within 10 s of the database accepting connections, and a shift
lead's /wall open in Chromium through the crash (push only, tiles answered 204) shows the last acknowledged
report in its ticker within 10 s of its acknowledgement, without a page error.

On a cluster of its own (a temporary folder, its own socket), loaded from a dump of the session's template:
killing the shared test cluster would break every other test. About 30 s."""

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
from tests.support.threads import off_the_loop

pytestmark = [pytest.mark.process, pytest.mark.browser]


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
    r = off_the_loop(  # a browser test before this one leaves Playwright's event loop in this thread
        crash_run,
        c,
        app_url=c.url("crash", c.app),
        media=media,
        before_kill_s=3.0,
        after_restart_s=2.0,
        wall=True,
        min_acknowledged=60,
    )
    print("\ncrash:", r.counts())
    assert r.acknowledged >= 50, r  # the load really ran, before and after the crash
    assert r.retries > 0, r  # the crash really hit requests in flight
    assert r.unanswered == 0, r
    assert r.lost == 0, r
    assert r.duplicated == 0 and r.changed_ticket == 0, r
    assert r.cases == r.acknowledged, r
    # the app recovers by itself: same process, healthy again soon after the database is back
    assert r.app_survived, r
    assert r.healthz_s is not None and r.healthz_s <= 10, r
    # the wall catches up by push: the last report acknowledged (after the restart) is in its ticker
    w = r.wall
    assert w is not None
    assert w.shown_s is not None and w.shown_s <= 10, (r.last_ticket, w)
    assert r.last_ticket in w.ticker and set(w.ticker) <= set(r.tickets.values()), (r.last_ticket, w.ticker)
    assert w.conn[-1] == "open", w.conn
    assert not w.page_errors, w.page_errors
