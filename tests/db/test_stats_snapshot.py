"""The stats table reads one state of the rollup while the workflow writes: its counts, then the durations in the
bins those counts chose (:func:`db.queries.rollup_stats.duration_quantiles`), on a connection of its own as a
screen reads it (the wall's department panel once answered 500, "the durations … disagree with their bin counts",
when a case was handled between the two statements). Each step is committed, so the module works on a database
of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, text

from db.engine import one_snapshot
from db.period import Period
from db.scope import RowScope
from geo.crs import TZ
from ops import workflow as wf
from ops.states import CaseStatus
from ops.stats_table import StatsTable, stats_table
from tests.support.cases import NANMING, YUNYAN, new_case, staff_actors
from tests.support.db import committed

DAY = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 31))
NOW = datetime(2026, 3, 31, 20, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def handled(private_engine: Engine) -> list[wf.CaseResult]:
    """Two cases handled and a third dispatched, its handling left for the middle of a read."""
    staff = committed(private_engine, staff_actors)
    steps = ((CaseStatus.HANDLED, YUNYAN), (CaseStatus.HANDLED, NANMING), (CaseStatus.DISPATCHED, YUNYAN))
    out = []
    for k, (status, point) in enumerate(steps):
        with private_engine.begin() as c:
            out.append(new_case(c, staff, status, point=point, start=DAY + timedelta(hours=k)))
    return out


@pytest.fixture
def reader(private_engine: Engine) -> Iterator[Connection]:
    with private_engine.connect() as c:
        yield c


def _table(conn: Connection) -> StatsTable:
    return stats_table(conn, None, PERIOD, now=NOW, scope=RowScope.city(), min_cases=1)


def test_a_case_handled_between_the_counts_and_the_durations_changes_neither(
    private_engine: Engine, handled: list[wf.CaseResult], reader: Connection
) -> None:
    lead = committed(private_engine, staff_actors)["lead"]
    last = handled[-1]
    seen: list[str] = []

    def between(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "gy_duration_edges()" in statement and not seen:  # after the bin counts, before their durations
            seen.append(statement)
            committed(
                private_engine,
                lambda c: wf.handle(
                    c, lead, last.id, last.version, note="已处置", now=DAY + timedelta(hours=7)
                ),
            )

    event.listen(reader, "before_cursor_execute", between)
    before = _table(reader)
    assert seen, "the durations were not read: the test did not reach its race"
    assert (
        reader.execute(text("SELECT current_setting('transaction_isolation')")).scalar_one()
        == "repeatable read"
    )
    assert before.total.counts.handled_ever == 2
    assert before.total.handle_p50_h is not None
    reader.rollback()
    after = _table(reader)
    assert after.total.counts.handled_ever == 3
    assert after.total.handle_p50_h is not None


def test_one_snapshot_sets_a_transaction_that_has_not_begun_and_leaves_one_under_way(
    private_engine: Engine,
) -> None:
    def level(c: Connection) -> str:
        return str(c.execute(text("SELECT current_setting('transaction_isolation')")).scalar_one())

    with private_engine.begin() as c:  # a write's transaction (the monthly report's audit row joins it)
        one_snapshot(c)
        assert level(c) == "repeatable read"
    with private_engine.connect() as c:
        assert level(c) == "read committed"  # the level was this transaction's, not the pooled connection's
        one_snapshot(c)
        assert level(c) == "read committed"
