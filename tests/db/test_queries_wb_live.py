"""The workbench's catch-up after a doorbell (db/queries/wb_live.py) on a real database: the cases within a
reader's reach changed since the page's snapshot, whether someone else changed them, a returned case still
reaching the department that returned it, and an event committed after a newer one still found. Each step is
committed (a snapshot sees other transactions only), so the module works on a database of its own."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Connection, Engine

from db import snapshots
from db.queries.wb_live import changed_in_reach
from db.scope import RowScope
from ops import workflow as wf
from ops.workflow import Actor
from tests.support.cases import staff_actors
from tests.support.db import committed

NANMING = (106.7119, 26.5716)  # 南明区 520102
YUNYAN = (106.7135, 26.5838)  # 云岩区 520103
CGJ = RowScope(department="CGJ")
T = TypeVar("T")


def _filed(conn: Connection, where: tuple[float, float], k: int, category: str = "C0102") -> wf.CaseResult:
    lead = staff_actors(conn)["lead"]
    r = wf.report(
        conn,
        Actor.system(),
        category_code=category,
        lon=where[0] + 0.0003 * k,
        lat=where[1],
        description=f"wb live {k}",
        source="inspector",
    )
    return wf.file_case(conn, lead, r.id, r.version)


def test_only_the_cases_in_reach_and_who_changed_them(private_engine: Engine) -> None:
    staff = committed(private_engine, staff_actors)
    lead, cgj = staff["lead"], staff["cgj"]
    nanming = committed(private_engine, lambda c: _filed(c, NANMING, 1))
    yunyan = committed(private_engine, lambda c: _filed(c, YUNYAN, 2))
    seen = committed(private_engine, snapshots.current)
    nanming = committed(
        private_engine, lambda c: wf.dispatch(c, lead, nanming.id, nanming.version, department_code="CGJ")
    )
    yunyan = committed(
        private_engine, lambda c: wf.dispatch(c, lead, yunyan.id, yunyan.version, department_code="CGJ")
    )

    with private_engine.connect() as conn:
        officer = changed_in_reach(conn, RowScope(district="520103"), seen, staff["yunyan"].user_id)
        assert officer.cases == [yunyan.id] and officer.others == [yunyan.id]
        dept = changed_in_reach(conn, CGJ, seen, cgj.user_id)
        assert dept.cases == sorted([nanming.id, yunyan.id])
        city = changed_in_reach(conn, RowScope.city(), seen, lead.user_id)
        assert set(city.cases) == {nanming.id, yunyan.id} and not set(city.others) & {nanming.id, yunyan.id}
        assert changed_in_reach(conn, RowScope(), seen, None).cases == []  # reaches nothing
        assert changed_in_reach(conn, CGJ, dept.cursor, cgj.user_id).cases == []  # nothing new
        seen = dept.cursor

    # the department's own step: in reach, not someone else's; its return still reaches it (the case's
    # department is cleared, the event's is the returning department)
    committed(
        private_engine, lambda c: wf.return_case(c, cgj, nanming.id, nanming.version, reason="不属于本部门")
    )
    with private_engine.connect() as conn:
        got = changed_in_reach(conn, CGJ, seen, cgj.user_id)
        assert got.cases == [nanming.id] and got.others == []
        assert changed_in_reach(conn, RowScope(district="520103"), seen, None).cases == []


def test_an_event_committed_after_a_newer_one_is_found(private_engine: Engine) -> None:
    seen = committed(private_engine, snapshots.current)
    with private_engine.connect() as slow:
        tx = slow.begin()
        # takes its event ids first, commits last (another district and category: no rollup row in common)
        early = _filed(slow, YUNYAN, 3)
        late = committed(private_engine, lambda c: _filed(c, NANMING, 4, "C0201"))
        with private_engine.connect() as conn:
            first = changed_in_reach(conn, RowScope.city(), seen, None)
        assert first.cases == [late.id]
        tx.commit()
    assert early.event_id < late.event_id  # an id cursor "after the newest seen" would have passed it
    with private_engine.connect() as conn:
        then = changed_in_reach(conn, RowScope.city(), first.cursor, None)
        assert then.cases == [early.id]
        assert changed_in_reach(conn, RowScope.city(), then.cursor, None).cases == []


def test_a_long_gap_asks_for_a_full_reload(private_engine: Engine) -> None:
    seen = committed(private_engine, snapshots.current)
    for k in range(3):
        committed(private_engine, lambda c, k=k: _filed(c, NANMING, 10 + k))
    with private_engine.connect() as conn:
        got = changed_in_reach(conn, CGJ, seen, None, limit=5)  # 3 cases × report + file = 6 events
        assert got.overflow and got.cases == []
        assert changed_in_reach(conn, RowScope.city(), seen, None, limit=6).cases != []
