"""The workbench's catch-up after a doorbell (db/queries/wb_live.py) on the real test database: the cases within a
reader's reach changed after an event id, whether someone else changed them, and a returned case still reaching
the department that returned it."""

from __future__ import annotations

from sqlalchemy import Connection, text

from db.queries.wb_live import GAP_LIMIT, changed_in_reach
from db.scope import RowScope
from ops import workflow as wf
from ops.workflow import Actor
from tests.support.cases import staff_actors

NANMING = (106.7119, 26.5716)  # 南明区 520102
YUNYAN = (106.7135, 26.5838)  # 云岩区 520103
CGJ = RowScope(department="CGJ")


def _latest(conn: Connection) -> int:
    return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM case_event")).scalar_one())


def _filed(conn: Connection, where: tuple[float, float], lead: Actor, k: int) -> wf.CaseResult:
    r = wf.report(
        conn,
        Actor.system(),
        category_code="C0102",
        lon=where[0] + 0.0003 * k,
        lat=where[1],
        description=f"wb live {k}",
        source="inspector",
    )
    return wf.file_case(conn, lead, r.id, r.version)


def test_only_the_cases_in_reach_and_who_changed_them(conn: Connection) -> None:
    staff = staff_actors(conn)
    lead, cgj = staff["lead"], staff["cgj"]
    nanming = _filed(conn, NANMING, lead, 1)
    yunyan = _filed(conn, YUNYAN, lead, 2)
    cursor = _latest(conn)
    nanming = wf.dispatch(conn, lead, nanming.id, nanming.version, department_code="CGJ")
    yunyan = wf.dispatch(conn, lead, yunyan.id, yunyan.version, department_code="CGJ")
    upto = _latest(conn)

    officer = changed_in_reach(conn, RowScope(district="520103"), cursor, upto, staff["yunyan"].user_id)
    assert officer.cases == [yunyan.id] and officer.others == [yunyan.id] and officer.last_id == upto
    dept = changed_in_reach(conn, CGJ, cursor, upto, cgj.user_id)
    assert dept.cases == sorted([nanming.id, yunyan.id])
    city = changed_in_reach(conn, RowScope.city(), cursor, upto, lead.user_id)
    assert set(city.cases) >= {nanming.id, yunyan.id} and not set(city.others) & {nanming.id, yunyan.id}
    assert changed_in_reach(conn, RowScope(), cursor, upto, None).cases == []  # reaches nothing
    assert changed_in_reach(conn, CGJ, upto, upto, cgj.user_id).cases == []  # nothing new

    # the department's own step: in reach, not someone else's; its return still reaches it (the case's
    # department is cleared, the event's is the returning department)
    cursor = upto
    wf.return_case(conn, cgj, nanming.id, nanming.version, reason="不属于本部门")
    upto = _latest(conn)
    got = changed_in_reach(conn, CGJ, cursor, upto, cgj.user_id)
    assert got.cases == [nanming.id] and got.others == []
    assert changed_in_reach(conn, RowScope(district="520103"), cursor, upto, None).cases == []


def test_a_long_gap_asks_for_a_full_reload(conn: Connection) -> None:
    got = changed_in_reach(conn, CGJ, 10, 10 + GAP_LIMIT + 1, None)
    assert got.overflow and got.cases == [] and got.last_id == 10 + GAP_LIMIT + 1
