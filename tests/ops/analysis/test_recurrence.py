"""复发督办: a report near a recently closed case of the same 小类 is linked to it; the third recurrence at a place
is escalated through the workflow with a history row; the step is incremental and idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text

from ops import workflow as wf
from ops.analysis.recurrence import recurrence_step
from ops.workflow import Actor
from tests.support.cases import MON
from tests.support.places import YUNYAN, closed, offset, report

pytestmark = pytest.mark.db

NOW = MON + timedelta(days=20)


def _links(conn: Connection) -> dict[int, Any]:
    rows = conn.execute(text("SELECT * FROM case_recurrence ORDER BY id")).all()
    return {r.case_id: r for r in rows}


def _escalations(conn: Connection, case_id: int) -> list[Any]:
    return list(
        conn.execute(
            text("SELECT * FROM case_event WHERE case_id = :id AND action = 'escalate' ORDER BY id"),
            {"id": case_id},
        ).all()
    )


def test_links_chain_and_third_escalates(conn: Connection, staff: dict[str, Actor]) -> None:
    c0, _ = closed(conn, staff, YUNYAN, MON)
    n1, _ = closed(conn, staff, offset(YUNYAN, 10), MON + timedelta(days=2))
    n2 = report(conn, offset(YUNYAN, 12), MON + timedelta(days=4))  # nearest closed: n1 (2 m)
    n3 = report(conn, offset(YUNYAN, 0, 1), MON + timedelta(days=6))  # nearest closed: c0 (1 m)
    assert recurrence_step(conn, NOW) == 3
    links = _links(conn)
    assert set(links) == {n1.id, n2.id, n3.id}
    assert (links[n1.id].earlier_case_id, links[n1.id].place_case_id, links[n1.id].number) == (
        c0.id,
        c0.id,
        1,
    )
    assert (links[n2.id].earlier_case_id, links[n2.id].place_case_id, links[n2.id].number) == (
        n1.id,
        c0.id,
        2,
    )
    assert (links[n3.id].earlier_case_id, links[n3.id].number) == (c0.id, 3)
    assert links[n1.id].distance_m == pytest.approx(10, abs=0.5)
    assert links[n2.id].distance_m == pytest.approx(2, abs=0.5)
    assert links[n1.id].days_after_close == pytest.approx(2 - 0.25, abs=1e-6)
    # only the third is escalated, by the system, with the place's tickets in the reason
    assert not _escalations(conn, n1.id) and not _escalations(conn, n2.id)
    (ev,) = _escalations(conn, n3.id)
    assert ev.actor_role == "system" and ev.actor_user_id is None
    for ticket in (c0.ticket, n1.ticket, n2.ticket):
        assert ticket in ev.note
    assert "第 3 次复发" in ev.note
    assert conn.execute(text('SELECT escalated FROM "case" WHERE id = :id'), {"id": n3.id}).scalar() is True
    # the step again: nothing new; with the cursor moved back: still nothing, no second escalation
    before = conn.execute(text("SELECT count(*) FROM case_event")).scalar()
    assert recurrence_step(conn, NOW) == 0
    conn.execute(text("UPDATE analysis_cursor SET last_id = 0 WHERE name = 'recurrence'"))
    assert recurrence_step(conn, NOW) == 0
    assert conn.execute(text("SELECT count(*) FROM case_event")).scalar() == before
    assert len(_links(conn)) == 3
    # incremental: a fourth recurrence later is linked (number 4) and escalated too
    n4 = report(conn, offset(YUNYAN, 0, -2), MON + timedelta(days=8))
    assert recurrence_step(conn, NOW) == 1
    assert _links(conn)[n4.id].number == 4 and len(_escalations(conn, n4.id)) == 1


def test_no_link_outside_radius_period_or_category(conn: Connection, staff: dict[str, Actor]) -> None:
    c0, _ = closed(conn, staff, YUNYAN, MON)
    far = report(conn, offset(YUNYAN, 40), MON + timedelta(days=1))  # 40 m > 30 m
    other = report(conn, YUNYAN, MON + timedelta(days=1), category="C0102")
    late = report(conn, offset(YUNYAN, 5), MON + timedelta(days=91))  # closed 90.75 days before
    before = report(conn, offset(YUNYAN, 3), MON + timedelta(hours=2))  # c0 not yet closed then
    assert recurrence_step(conn, MON + timedelta(days=100)) == 0
    assert _links(conn) == {}
    # the same reports with a wider radius and period: the far and the late one are linked
    conn.execute(text("UPDATE analysis_cursor SET last_id = 0 WHERE name = 'recurrence'"))
    assert recurrence_step(conn, MON + timedelta(days=100), radius_m=50, days=120) == 2
    assert set(_links(conn)) == {far.id, late.id}
    assert other.id not in _links(conn) and before.id not in _links(conn) and c0.id not in _links(conn)


def test_a_refused_escalation_does_not_break_the_step(conn: Connection, staff: dict[str, Actor]) -> None:
    c0, _ = closed(conn, staff, YUNYAN, MON)
    n1, _ = closed(conn, staff, offset(YUNYAN, 1), MON + timedelta(days=1))
    n2, _ = closed(conn, staff, offset(YUNYAN, 2), MON + timedelta(days=2))
    n3 = report(conn, offset(YUNYAN, 3), MON + timedelta(days=3))
    n3 = wf.reject(
        conn, staff["lead"], n3.id, n3.version, reason="重复", now=MON + timedelta(days=3, hours=1)
    )
    # n3 (rejected) is left out; n4 is the third recurrence but already closed when the step runs
    n4, _ = closed(conn, staff, offset(YUNYAN, 0, 2), MON + timedelta(days=4))
    n5 = report(conn, offset(YUNYAN, 0, 3), MON + timedelta(days=5))
    assert recurrence_step(conn, NOW) == 4
    links = _links(conn)
    assert set(links) == {n1.id, n2.id, n4.id, n5.id}
    assert [links[i].number for i in (n1.id, n2.id, n4.id, n5.id)] == [1, 2, 3, 4]
    assert _escalations(conn, n4.id) == []  # refused: closed
    assert len(_escalations(conn, n5.id)) == 1  # the step went on
    assert c0.id not in links


def test_the_analysis_cycle_links_with_its_thresholds(conn: Connection, staff: dict[str, Actor]) -> None:
    from ops.analysis import alert_config, cycle

    c0, _ = closed(conn, staff, YUNYAN, MON)
    n1 = report(conn, offset(YUNYAN, 40), MON + timedelta(days=1))  # 40 m: only with a 50 m radius
    assert cycle.run_cycle(conn, NOW).count("recurrence") == 0
    conn.execute(text("UPDATE analysis_cursor SET last_id = 0 WHERE name = 'recurrence'"))
    wide = alert_config.AlertConfig(recurrence_radius_m=50)
    assert cycle.run_cycle(conn, NOW, wide).count("recurrence") == 1
    assert _links(conn)[n1.id].earlier_case_id == c0.id
