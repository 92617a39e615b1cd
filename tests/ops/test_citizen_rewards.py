"""ops.citizen rewards on the real test database (one rolled-back transaction per test): points by rules kept
as data, awarded once to the first valid reporter and for verification done; verification tasks (我来核实) to
nearby citizens and the supervisors, answered through the workflow."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from db.errors import Forbidden, NotFound, ValidationError
from db.seed.reference import seed_rules
from ops import workflow as wf
from ops.citizen import points, verification, verification_round
from ops.citizen.persons import ReporterIdentity, person_for_reporter
from ops.states import CaseStatus
from ops.workflow import Actor
from tests.support.cases import CATEGORY as C
from tests.support.cases import MON, YUNYAN, citizen, jpeg_with_exif, new_case, png

S = CaseStatus

# --- points ---------------------------------------------------------------------------------------------------


def close(conn: Connection, staff: dict[str, Actor], case: wf.CaseResult) -> wf.CaseResult:
    return wf.verify(conn, staff["lead"], case.id, case.version, passed=True, now=MON + timedelta(days=1))


def ledger(conn: Connection, person: int) -> list[tuple[str, str, int]]:
    rows = conn.execute(
        text("SELECT reason, ref, points FROM points_ledger WHERE person_id = :p ORDER BY id"), {"p": person}
    )
    return [(r.reason, r.ref, r.points) for r in rows]


def test_first_valid_reporter_earns_the_rule_points_once_on_close(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    pid = citizen(conn, "acct-points")
    case = new_case(conn, staff, S.HANDLED, reporter=Actor.citizen(pid))
    assert ledger(conn, pid) == []  # nothing before the close
    closed = close(conn, staff, case)
    catalog = conn.execute(text("SELECT points FROM category WHERE code = :c"), {"c": C}).scalar_one()
    assert ledger(conn, pid) == [("report", f"case:{case.id}", catalog)]
    assert points.balance(conn, pid) == catalog
    # the same act cannot be rewarded twice: the unique constraint, not hope
    assert points.award(conn, pid, "report", f"case:{case.id}", 99, case_id=case.id) is False
    assert ledger(conn, pid) == [("report", f"case:{case.id}", catalog)]
    assert points.history(conn, pid)[0].ticket == closed.ticket


@pytest.mark.as_owner  # changes reference data, an admin operation
def test_rules_are_data(conn: Connection, staff: dict[str, Actor]) -> None:
    assert seed_rules(conn) >= 0
    rule = conn.execute(
        text("SELECT r.points, c.points FROM points_rule r JOIN category c ON c.code = r.category_code "
             "WHERE r.reason = 'report' AND r.category_code = :c"),
        {"c": C},
    ).one()  # fmt: skip
    assert rule[0] == rule[1]  # seeded from the catalog
    points.set_rule(conn, "report", C, 42)
    assert points.points_for(conn, "report", C) == 42
    assert points.points_for(conn, "verification", C) == 5  # the default rule
    points.set_rule(conn, "verification", C, 7)
    assert points.points_for(conn, "verification", C) == 7
    pid = citizen(conn, "acct-rules")
    close(conn, staff, new_case(conn, staff, S.HANDLED, reporter=Actor.citizen(pid)))
    assert [p for _, _, p in ledger(conn, pid)] == [42]
    with pytest.raises(ValidationError):
        points.set_rule(conn, "report", C, -1)


def test_rejected_merged_duplicate_and_unregistered_reports_earn_nothing(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    lead = staff["lead"]
    first_pid, dup_pid, rejected_pid, merged_pid = (citizen(conn, f"acct-n{i}") for i in range(4))
    first = new_case(conn, staff, S.REPORTED, reporter=Actor.citizen(first_pid))
    # a second report of the same problem while the first is open: a duplicate, even if it gets closed
    dup = new_case(conn, staff, S.HANDLED, reporter=Actor.citizen(dup_pid), start=MON + timedelta(minutes=5))
    assert first.id in wf.history(conn, dup.id)[0].payload["duplicates"]
    close(conn, staff, dup)
    rejected = new_case(conn, staff, S.REPORTED, reporter=Actor.citizen(rejected_pid), point=(106.6, 26.5))
    wf.reject(conn, lead, rejected.id, rejected.version, reason="无效", now=MON + timedelta(hours=1))
    merged = new_case(conn, staff, S.REPORTED, reporter=Actor.citizen(merged_pid), point=(106.62, 26.52))
    target = new_case(conn, staff, S.REPORTED, point=(106.62, 26.52), start=MON + timedelta(minutes=1))
    wf.merge(conn, lead, merged.id, merged.version, into_case_id=target.id, now=MON + timedelta(hours=1))
    anonymous = person_for_reporter(conn, ReporterIdentity(phone="13700000000"))
    assert anonymous is not None
    close(
        conn, staff, new_case(conn, staff, S.HANDLED, reporter=Actor.citizen(anonymous), point=(106.7, 26.6))
    )
    for pid in (dup_pid, rejected_pid, merged_pid, anonymous):
        assert ledger(conn, pid) == []


# --- verification ---------------------------------------------------------------------------------------------

NEAR = (YUNYAN[0] + 0.001, YUNYAN[1] + 0.001)  # ~150 m away
FAR = (YUNYAN[0] + 0.05, YUNYAN[1])  # ~5 km away


def handled_case(conn: Connection, staff: dict[str, Actor], reporter: int | None = None) -> wf.CaseResult:
    actor = Actor.citizen(reporter) if reporter else None
    return new_case(conn, staff, S.HANDLED, reporter=actor)


def test_tasks_go_to_near_citizens_and_supervisors(conn: Connection, staff: dict[str, Actor]) -> None:
    reporter = citizen(conn, "acct-rep", home=YUNYAN)
    near = citizen(conn, "acct-near", home=NEAR)
    far = citizen(conn, "acct-far", home=FAR)
    case = handled_case(conn, staff, reporter)
    assert verification_round.create_tasks(conn, case.id, radius_m=500) >= 2
    assert verification_round.create_tasks(conn, case.id, radius_m=500) == 0  # once per round
    rows = conn.execute(
        text("SELECT person_id, state FROM verification_task WHERE case_id = :c"), {"c": case.id}
    ).all()
    people = {r.person_id for r in rows}
    assert None in people and near in people  # the supervisors and the neighbour
    assert reporter not in people and far not in people  # never the reporter; not 5 km away
    assert [t.ticket for t in verification.tasks_for(conn, near, radius_m=500)] == [case.ticket]
    assert verification.tasks_for(conn, far, radius_m=500) == []
    assert verification.tasks_for(conn, reporter, radius_m=500) == []


def test_pull_offers_handled_cases_without_a_push(conn: Connection, staff: dict[str, Actor]) -> None:
    near = citizen(conn, "acct-pull", home=NEAR)
    case = handled_case(conn, staff)
    tasks = verification.tasks_for(conn, near, radius_m=500)
    assert [t.ticket for t in tasks] == [case.ticket]
    assert tasks == verification.tasks_for(conn, near, radius_m=500)  # asking again creates nothing new


def test_private_cases_are_not_offered_to_citizens(conn: Connection, staff: dict[str, Actor]) -> None:
    near = citizen(conn, "acct-private", home=NEAR)
    case = handled_case(conn, staff)
    conn.execute(text('UPDATE "case" SET public = false WHERE id = :i'), {"i": case.id})
    verification_round.create_tasks(conn, case.id, radius_m=500)
    assert verification.tasks_for(conn, near, radius_m=500) == []


def test_first_answer_closes_the_case_and_awards_points(
    conn: Connection, staff: dict[str, Actor], tmp_path: Path
) -> None:
    reporter = citizen(conn, "acct-r2")
    a, b = citizen(conn, "acct-a", home=NEAR), citizen(conn, "acct-b", home=NEAR)
    case = handled_case(conn, staff, reporter)
    verification_round.create_tasks(conn, case.id, radius_m=500)
    (task_a,) = verification.tasks_for(conn, a, radius_m=500)
    (task_b,) = verification.tasks_for(conn, b, radius_m=500)
    with pytest.raises(ValidationError):  # a photo is required
        verification.answer(
            conn, a, task_a.id, passed=True, note=None, photos=[], media_dir=tmp_path, max_photo_bytes=10**7
        )
    done = verification.answer(
        conn,
        a,
        task_a.id,
        passed=True,
        note="已修好",
        photos=[jpeg_with_exif()],
        media_dir=tmp_path,
        max_photo_bytes=10**7,
        now=MON + timedelta(days=1),
    )
    assert done.status is S.CLOSED and done.points == 5
    assert ledger(conn, a) == [("verification", f"verify:{case.id}:{wf.history(conn, case.id)[-2].id}", 5)]
    assert [r for r, _, _ in ledger(conn, reporter)] == ["report"]  # the close paid the reporter too
    ev = wf.history(conn, case.id)[-1]
    assert (ev.action, ev.actor_role, ev.actor_person_id) == ("verify_pass", "citizen", a)
    rows = conn.execute(
        text("SELECT person_id, state FROM verification_task WHERE case_id = :c"), {"c": case.id}
    )
    states = {r.person_id: r.state for r in rows}
    assert states == {a: "answered", b: "closed", None: "closed"}
    kinds = conn.execute(text("SELECT kind FROM photo WHERE case_id = :c"), {"c": case.id}).scalars().all()
    assert kinds == ["verification"]
    with pytest.raises(ValidationError):  # the round is over for b
        verification.answer(
            conn,
            b,
            task_b.id,
            passed=True,
            note=None,
            photos=[png()],
            media_dir=tmp_path,
            max_photo_bytes=10**7,
        )
    with pytest.raises(NotFound):  # someone else's task
        verification.answer(
            conn,
            b,
            task_a.id,
            passed=True,
            note=None,
            photos=[png()],
            media_dir=tmp_path,
            max_photo_bytes=10**7,
        )


def test_refuted_fix_goes_back_for_rework(conn: Connection, staff: dict[str, Actor], tmp_path: Path) -> None:
    a = citizen(conn, "acct-refute", home=NEAR)
    case = handled_case(conn, staff)
    (task,) = verification.tasks_for(conn, a, radius_m=500)
    with pytest.raises(ValidationError):  # refuting needs a note
        verification.answer(
            conn,
            a,
            task.id,
            passed=False,
            note=" ",
            photos=[png()],
            media_dir=tmp_path,
            max_photo_bytes=10**7,
        )
    done = verification.answer(
        conn,
        a,
        task.id,
        passed=False,
        note="井盖仍然缺失",
        photos=[png()],
        media_dir=tmp_path,
        max_photo_bytes=10**7,
        now=MON + timedelta(days=1),
    )
    assert done.status is S.DISPATCHED and wf.get_case(conn, case.id).rework_count == 1
    assert [r for r, _, _ in ledger(conn, a)] == ["verification"]
    assert verification.tasks_for(conn, a, radius_m=500) == []  # no open round until it is handled again


def test_a_citizen_cannot_verify_their_own_report(conn: Connection, staff: dict[str, Actor]) -> None:
    me = citizen(conn, "acct-own", home=YUNYAN)
    case = handled_case(conn, staff, me)
    assert verification.tasks_for(conn, me, radius_m=500) == []
    with pytest.raises(Forbidden):
        wf.verify(conn, Actor.citizen(me), case.id, case.version, passed=True, now=MON + timedelta(days=1))
