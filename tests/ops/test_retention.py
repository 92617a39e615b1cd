"""Retention on a schedule (:mod:`ops.retention`, ``db partitions retain --every``): a round archives and drops the
old months and is committed; an outage is logged and retried soon, not a whole period later. On a database of its
own (the rounds commit)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db import partitions
from db.engine import make_engine
from ops import retention
from tests.support.db import committed, read


@pytest.fixture
def owner_private(private_owner_db_url: str) -> Iterator[Engine]:
    eng = make_engine(private_owner_db_url, pool_size=1)
    yield eng
    eng.dispose()


def test_a_round_archives_and_drops_the_old_months_and_commits(owner_private: Engine, tmp_path: Path) -> None:
    committed(owner_private, lambda c: partitions.ensure(c, date(2018, 1, 1), date(2018, 2, 1)))
    rounds: list[list[partitions.Retained]] = []
    policy = retention.Policy(24, tmp_path, 183)
    done = retention.run_forever(owner_private, policy, 3600, lambda: len(rounds) >= 1, rounds.append)
    assert done == 1
    dropped = {r.partition for r in rounds[0] if r.dropped}
    assert {"case_event_p201801", "audit_log_p201802", "notify_outbox_p201801"} <= dropped
    assert (tmp_path / "case_event_p201801.csv.gz").exists()
    names = {p.name for p in read(owner_private, partitions.partitions)}
    assert not names & dropped  # committed: another connection no longer sees them
    assert retention.retain_once(owner_private, policy) == [r for r in rounds[0] if not r.dropped]


def test_an_outage_is_logged_and_retried_soon(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    gone = make_engine(f"postgresql+psycopg://nobody@/nowhere?host={tmp_path}&port=1", pool_size=1)
    until = time.monotonic() + 1.0
    with caplog.at_level(logging.WARNING, logger="guiyang_ops.retention"):
        done = retention.run_forever(
            gone,
            retention.Policy(24, tmp_path, 183),
            3600,
            lambda: time.monotonic() > until,
            print,
            retry_s=0.2,
        )
    gone.dispose()
    assert done == 0
    tries = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(tries) >= 3  # retried every 0.2 s, not once an hour
