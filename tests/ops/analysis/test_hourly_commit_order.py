"""The alert cycle's hourly counts (:mod:`ops.analysis.hourly`) count a report committed after one with a higher
case id: the cursor is the snapshot its last count read in, not the last id (which missed such a report for good).
Each step is committed (a snapshot sees other transactions only), so the module works on a database of its own."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from geo.crs import TZ
from ops.analysis import hourly
from tests.support.cases import live_report
from tests.support.db import committed, read

NOW = datetime(2026, 3, 11, 15, 20, tzinfo=TZ)


def _counted(engine: Engine) -> int:
    return int(read(engine, hourly.table)["n"].sum())


def test_a_report_committed_after_a_newer_one_is_counted(private_engine: Engine) -> None:
    committed(private_engine, lambda c: live_report(c, 1, NOW - timedelta(minutes=30)))
    assert committed(private_engine, lambda c: hourly.rebuild(c, NOW)) == 1
    with private_engine.connect() as late:  # a report whose transaction is still open...
        tx = late.begin()
        first = live_report(late, 2, NOW - timedelta(minutes=20))
        # another category and place: the open report's duplicate check holds nothing this one waits for
        newer = committed(private_engine, lambda c: live_report(c, 30, NOW - timedelta(minutes=10), "C0201"))
        assert newer.id > first.id  # ...took the lower id
        assert committed(private_engine, lambda c: hourly.top_up(c, NOW)) == 1  # the newer one
        tx.commit()
    assert committed(private_engine, lambda c: hourly.top_up(c, NOW)) == 1  # by id it was never counted
    assert committed(private_engine, lambda c: hourly.top_up(c, NOW)) == 0
    assert _counted(private_engine) == 3
    full = read(private_engine, hourly.full_recount)
    assert read(private_engine, hourly.table).equals(full)


def test_a_report_of_the_counting_transaction_is_counted_once(conn: Connection) -> None:
    """The reading transaction's own report is not 'late': its snapshot lists it as running, yet it read it."""
    live_report(conn, 1, NOW - timedelta(minutes=30))
    hourly.rebuild(conn, NOW)
    live_report(conn, 2, NOW - timedelta(minutes=20))
    assert hourly.top_up(conn, NOW) == 1
    assert hourly.top_up(conn, NOW) == 0
    assert hourly.table(conn).equals(hourly.full_recount(conn))
