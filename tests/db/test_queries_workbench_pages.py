"""The workbench's queue in pages (issue 14): every matching case, each exactly once across the pages, in the
order of urgency (red, then yellow, then green, each by stage deadline; suspended and finished cases after),
with the exact total; the reader's scope on every page; and a case found by ticket for a deep link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text

from db.accounts import StaffIdentity, load_identity
from db.queries import workbench as q
from db.queries.case_locate import locate
from ops import workflow as wf
from ops.policy import actionable_statuses, workbench_scope
from ops.states import CaseStatus
from ops.workflow import Actor
from tests.support.cases import MON, NANMING, YUNYAN, new_case

S = CaseStatus
NOW = MON + timedelta(days=1)
#: A 小类 of its own for these tests (路灯不亮), so that the known answers are not mixed with other cases.
CATEGORY = "C0102"
RANK = {"red": 0, "yellow": 1, "green": 2, None: 3}


@pytest.fixture
def people(conn: Connection) -> dict[str, StaffIdentity]:
    out = {}
    for (uid,) in conn.execute(text("SELECT id FROM staff_user")).all():
        ident = load_identity(conn, uid)
        assert ident is not None
        out[ident.username] = ident
    return out


def _clock(conn: Connection, case_id: int, yellow: timedelta, deadline: timedelta) -> None:
    """Set the case's stage clock relative to NOW (the light follows from it)."""
    conn.execute(
        text('UPDATE "case" SET stage_yellow_at = :y, stage_deadline = :d WHERE id = :id'),
        {"y": NOW + yellow, "d": NOW + deadline, "id": case_id},
    )


def _report(conn: Connection, point: tuple[float, float], minute: int) -> int:
    r = wf.report(
        conn,
        Actor.system(),
        category_code=CATEGORY,
        lon=point[0] + minute * 1e-5,
        lat=point[1],
        description="路灯不亮",
        source="app",
        now=MON + timedelta(minutes=minute),
    )
    return r.id


def _all_pages(conn: Connection, scope: Any, f: q.Filters, limit: int, **kw: Any) -> tuple[list[Any], int]:
    rows: list[Any] = []
    offset, total = 0, None
    while True:
        page = q.queue(conn, scope, f, now=NOW, limit=limit, offset=offset, **kw)
        assert page.offset == offset
        total = page.total if total is None else total
        assert page.total == total  # the same total on every page
        rows.extend(page.rows)
        if len(page.rows) < limit:
            break
        offset += limit
    assert total is not None
    return rows, total


def test_pages_hold_every_case_once_most_urgent_first(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    made = [_report(conn, YUNYAN, i) for i in range(230)]
    # known lights: 40 red (overdue by 1..40 h), 60 yellow, the rest green; the greens' deadlines come BEFORE
    # the yellows' (a short limit nearly used up can still be green): urgency, not the deadline alone, ranks
    for i, cid in enumerate(made):
        if i < 40:
            _clock(conn, cid, -timedelta(hours=50 + i), -timedelta(hours=1 + i))
        elif i < 100:
            _clock(conn, cid, -timedelta(minutes=5), timedelta(days=3, minutes=i))
        else:
            _clock(conn, cid, timedelta(minutes=10 + i), timedelta(hours=1, minutes=i))
    f = q.Filters(category=CATEGORY)
    scope = workbench_scope(people["lead"])
    rows, total = _all_pages(conn, scope, f, limit=50)
    count = conn.execute(
        text("SELECT count(*) FROM \"case\" WHERE category_code = :c AND status IN "
             "('reported', 'filed', 'dispatched', 'in_progress', 'handled', 'suspended')"),
        {"c": CATEGORY},
    ).scalar_one()  # fmt: skip
    assert total == count >= 230 and len(rows) == total  # all of them, not the first 200
    ids = [r.id for r in rows]
    assert len(set(ids)) == len(ids)  # none twice across the pages
    assert set(made) <= set(ids)
    # the order is the rule, computed here from each row's light and deadline
    expected = sorted(rows, key=lambda r: (RANK[r.light], r.stage_deadline, -r.created_at.timestamp(), r.id))
    assert ids == [r.id for r in expected]
    lights = [r.light for r in rows if r.id in set(made)]
    assert lights == ["red"] * 40 + ["yellow"] * 60 + ["green"] * 130


def test_an_offset_past_the_end_gives_the_last_page_and_the_light_filter_counts_exactly(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    made = [_report(conn, YUNYAN, i) for i in range(12)]
    for i, cid in enumerate(made):
        _clock(conn, cid, -timedelta(hours=3), -timedelta(hours=1 + i))  # all red
    scope = workbench_scope(people["lead"])
    f = q.Filters(category=CATEGORY, lights=("red",))
    full = q.queue(conn, scope, f, now=NOW, limit=10_000)
    page = q.queue(conn, scope, f, now=NOW, limit=5, offset=10_000)
    assert page.total == full.total >= 12
    assert page.offset == (full.total - 1) // 5 * 5
    assert [r.id for r in page.rows] == [r.id for r in full.rows][page.offset :]
    assert {r.light for r in full.rows} == {"red"}
    assert not {r.id for r in q.queue(conn, scope, q.Filters(category=CATEGORY, lights=("green",)), now=NOW,
                                      limit=10_000).rows} & set(made)  # fmt: skip


def test_every_page_of_an_officer_stays_in_the_district_and_puts_their_work_first(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    yun = [_report(conn, YUNYAN, i) for i in range(60)]
    nan = [_report(conn, NANMING, i) for i in range(30)]
    officer = people["yunyan"]
    mine = actionable_statuses(officer.role) or ()
    work = new_case(conn, staff, S.DISPATCHED, category=CATEGORY, start=MON + timedelta(hours=2))
    f = q.Filters(category=CATEGORY)
    rows, total = _all_pages(conn, workbench_scope(officer), f, limit=7, first=mine)
    ids = [r.id for r in rows]
    assert {r.district_code for r in rows} == {"520103"}
    assert set(yun) <= set(ids) and not set(nan) & set(ids)
    assert ids[0] == work.id or rows[0].status in mine  # their own work leads the first page
    assert ids.index(work.id) < min(ids.index(i) for i in yun)
    assert total == len(ids) == len(set(ids))
    # the command center sees both districts on its pages
    everyone, _ = _all_pages(conn, workbench_scope(people["lead"]), f, limit=40)
    assert set(nan) <= {r.id for r in everyone}
    # someone without the workbench sees nothing, on any page
    assert q.queue(conn, workbench_scope(people["moderator"]), f, now=NOW, offset=50).total == 0


def test_locate_finds_a_ticket_and_tells_only_whether_it_is_in_reach(
    conn: Connection, staff: dict[str, Actor], people: dict[str, StaffIdentity]
) -> None:
    yun = new_case(conn, staff, S.FILED, point=YUNYAN)
    nan = new_case(conn, staff, S.FILED, point=NANMING)
    officer = workbench_scope(people["yunyan"])
    seen = locate(conn, officer, yun.ticket)
    assert seen is not None and seen.visible and seen.id == yun.id
    assert seen.lat == pytest.approx(YUNYAN[1]) and seen.lon == pytest.approx(YUNYAN[0])
    other = locate(conn, officer, nan.ticket)
    assert other is not None and not other.visible
    assert (other.id, other.lat, other.lon) == (None, None, None)  # nothing of it beyond "not yours"
    lead = locate(conn, workbench_scope(people["lead"]), nan.ticket)
    assert lead is not None and lead.visible and lead.id == nan.id
    assert locate(conn, officer, "GY000101-999999999") is None
    assert locate(conn, workbench_scope(people["moderator"]), yun.ticket).visible is False  # type: ignore[union-attr]
