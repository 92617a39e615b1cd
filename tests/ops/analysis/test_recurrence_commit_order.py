"""复发: a report committed after one with a higher case id is linked all the same (the step's cursor is the snapshot
it last read in, not the last id, by which such a report was skipped for good). Each step is committed (a snapshot
sees other transactions only), so the module works on a database of its own."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, Engine, text

from ops.analysis.recurrence import recurrence_step
from tests.support.cases import MON, staff_actors
from tests.support.db import committed, read
from tests.support.places import YUNYAN, closed, offset, report

NOW = MON + timedelta(days=20)


def _linked(conn: Connection) -> dict[int, int]:
    return dict(conn.execute(text("SELECT case_id, earlier_case_id FROM case_recurrence")).tuples().all())


def test_a_report_committed_after_a_newer_one_is_linked(private_engine: Engine) -> None:
    first, _ = committed(private_engine, lambda c: closed(c, staff_actors(c), YUNYAN, MON))
    assert committed(private_engine, lambda c: recurrence_step(c, NOW)) == 0
    with private_engine.connect() as late:  # a recurrence whose transaction is still open...
        tx = late.begin()
        again = report(late, offset(YUNYAN, 5), MON + timedelta(days=3))
        # elsewhere, another 小类: the open report's duplicate check holds nothing this one waits for
        newer = committed(
            private_engine, lambda c: report(c, offset(YUNYAN, 3000), MON + timedelta(days=4), "C0201")
        )
        assert newer.id > again.id  # ...took the lower id
        assert committed(private_engine, lambda c: recurrence_step(c, NOW)) == 0  # read the newer one only
        tx.commit()
    assert committed(private_engine, lambda c: recurrence_step(c, NOW)) == 1  # by id it was never read
    assert committed(private_engine, lambda c: recurrence_step(c, NOW)) == 0
    assert read(private_engine, _linked) == {again.id: first.id}
