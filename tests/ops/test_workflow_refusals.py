"""Refused commands: wrong role, wrong district or department, bad input. Each gives a clear zh/en message and
changes nothing (the case row and the table counts are compared before and after)."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Connection, text

from db.errors import DomainError, Forbidden, OutsideServiceArea, ValidationError
from ops import workflow as wf
from ops.states import CaseStatus
from ops.workflow import Actor, CaseResult
from tests.support.cases import CATEGORY, MON, NANMING, YUNYAN, at, new_case, new_person, snapshot

S = CaseStatus
T = at("2026-03-02", "16:00")


def refused(
    conn: Connection, case_id: int | None, error: type[DomainError], call: Callable[[], Any]
) -> DomainError:
    before = snapshot(conn, case_id)
    with pytest.raises(error) as info:
        call()
    assert info.value.zh and info.value.en and info.value.zh != info.value.en
    assert snapshot(conn, case_id) == before
    return info.value


def _report(conn: Connection, actor: Actor | None = None, **kw: Any) -> CaseResult:
    args: dict[str, Any] = {
        "category_code": CATEGORY,
        "lon": YUNYAN[0],
        "lat": YUNYAN[1],
        "description": "井盖",
        "source": "app",
        "now": MON,
    }
    args.update(kw)
    return wf.report(conn, actor or Actor.system(), **args)


# --- report: bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "error", "field"),
    [
        ({"category_code": "Z9999"}, ValidationError, "category_code"),
        ({"category_code": "C01"}, ValidationError, "category_code"),  # a major class
        ({"category_code": "  "}, ValidationError, "category_code"),
        ({"description": "井" * 4001}, ValidationError, "description"),
        ({"description": "a\x00b"}, ValidationError, "description"),
        ({"address": "a\x00b"}, ValidationError, "address"),
        ({"lon": math.nan}, ValidationError, "lon"),
        ({"lat": math.inf}, ValidationError, "lat"),
        ({"lon": "106.7"}, ValidationError, "lon"),
        ({"source": "fax"}, ValidationError, "source"),
        ({"address": "路" * 501}, ValidationError, "address"),
        ({"reporter_id": -5}, ValidationError, "reporter_id"),
        ({"lon": 106.97, "lat": 27.06}, OutsideServiceArea, "location"),  # 开阳县: no grid
        ({"lon": 0.0, "lat": 0.0}, OutsideServiceArea, "location"),
        ({"lon": 200.0, "lat": 26.5}, OutsideServiceArea, "location"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_report_bad_input(conn: Connection, kw: dict[str, Any], error: type[DomainError], field: str) -> None:
    err = refused(conn, None, error, lambda: _report(conn, **kw))
    assert err.field == field


def test_report_description_of_exactly_4000_is_fine(conn: Connection) -> None:
    assert _report(conn, description="井" * 4000).status is S.REPORTED


@pytest.mark.as_owner  # changes reference data, an admin operation
def test_report_inactive_category(conn: Connection) -> None:
    conn.execute(text("UPDATE category SET active = false WHERE code = 'C0102'"))
    err = refused(conn, None, ValidationError, lambda: _report(conn, category_code="C0102"))
    assert "C0102" in err.en


def test_citizen_reports_in_own_name_only(conn: Connection) -> None:
    me, other = new_person(conn), new_person(conn)
    refused(conn, None, Forbidden, lambda: _report(conn, Actor.citizen(me), reporter_id=other))
    assert wf.get_case(conn, _report(conn, Actor.citizen(me)).id).reporter_id == me


def test_report_roles(conn: Connection, staff: dict[str, Actor]) -> None:
    refused(conn, None, Forbidden, lambda: _report(conn, staff["moderator"]))
    refused(conn, None, Forbidden, lambda: _report(conn, staff["cgj"]))
    # an officer reports in their own district only
    assert _report(conn, staff["yunyan"]).district_code == "520103"
    refused(conn, None, Forbidden, lambda: _report(conn, staff["yunyan"], lon=NANMING[0], lat=NANMING[1]))


# --- wrong role -----------------------------------------------------------------------------------------------

ROLE_CASES = [
    # (who, status of the case, command)
    ("cgj", S.REPORTED, lambda c, a, r: wf.file_case(c, a, r.id, r.version, now=T)),
    ("yunyan", S.REPORTED, lambda c, a, r: wf.reject(c, a, r.id, r.version, reason="x", now=T)),
    ("moderator", S.FILED, lambda c, a, r: wf.dispatch(c, a, r.id, r.version, now=T)),
    ("dispatcher", S.DISPATCHED, lambda c, a, r: wf.start(c, a, r.id, r.version, now=T)),
    ("dispatcher", S.DISPATCHED, lambda c, a, r: wf.handle(c, a, r.id, r.version, note="x", now=T)),
    ("dispatcher", S.DISPATCHED, lambda c, a, r: wf.return_case(c, a, r.id, r.version, reason="x", now=T)),
    ("yunyan", S.HANDLED, lambda c, a, r: wf.verify(c, a, r.id, r.version, passed=True, now=T)),
    ("dispatcher", S.DISPATCHED, lambda c, a, r: wf.suspend(c, a, r.id, r.version, reason="x", now=T)),
    ("dispatcher", S.SUSPENDED, lambda c, a, r: wf.resume(c, a, r.id, r.version, now=T)),
    (
        "dispatcher",
        S.DISPATCHED,
        lambda c, a, r: wf.extend(c, a, r.id, r.version, amount=1, reason="x", now=T),
    ),
    ("cgj", S.FILED, lambda c, a, r: wf.escalate(c, a, r.id, r.version, now=T)),
    ("citizen", S.FILED, lambda c, a, r: wf.dispatch(c, a, r.id, r.version, now=T)),
]


@pytest.mark.parametrize(
    ("who", "status", "command"), ROLE_CASES, ids=[f"{w}-{s.value}" for w, s, _ in ROLE_CASES]
)
def test_wrong_role_is_forbidden(
    conn: Connection, staff: dict[str, Actor], who: str, status: CaseStatus, command: Any
) -> None:
    actor = Actor.citizen(new_person(conn)) if who == "citizen" else staff[who]
    case = new_case(conn, staff, status)
    err = refused(conn, case.id, Forbidden, lambda: command(conn, actor, case))
    assert actor.role.value in err.en


# --- wrong district or department -------------------------------------------------------------------------------


def test_officer_of_yunyan_cannot_act_on_a_nanming_case(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.DISPATCHED, point=NANMING)
    officer = staff["yunyan"]
    err = refused(conn, case.id, Forbidden, lambda: wf.start(conn, officer, case.id, case.version, now=T))
    assert case.ticket in err.zh
    refused(conn, case.id, Forbidden, lambda: wf.escalate(conn, officer, case.id, case.version, now=T))
    # and may act in 云岩区
    own = new_case(conn, staff, S.DISPATCHED)
    assert wf.start(conn, officer, own.id, own.version, now=T).status is S.IN_PROGRESS


def test_department_acts_only_on_its_own_cases(conn: Connection, staff: dict[str, Actor]) -> None:
    dept = staff["cgj"]  # CGJ, the city bureau
    other = new_case(conn, staff, S.DISPATCHED)  # dispatched to 520103-CGJ
    refused(
        conn, other.id, Forbidden, lambda: wf.handle(conn, dept, other.id, other.version, note="x", now=T)
    )
    refused(
        conn,
        other.id,
        Forbidden,
        lambda: wf.return_case(conn, dept, other.id, other.version, reason="x", now=T),
    )
    own = new_case(conn, staff, S.DISPATCHED, department="CGJ")
    assert wf.handle(conn, dept, own.id, own.version, note="x", now=T).status is S.HANDLED


# --- bad input on transitions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", None, "因" * 501])
def test_reasons_are_required_and_bounded(conn: Connection, staff: dict[str, Actor], reason: Any) -> None:
    lead = staff["lead"]
    reported = new_case(conn, staff)
    refused(
        conn,
        reported.id,
        ValidationError,
        lambda: wf.reject(conn, lead, reported.id, 1, reason=reason, now=T),
    )
    dispatched = new_case(conn, staff, S.DISPATCHED)
    v = dispatched.version
    calls = [
        lambda: wf.return_case(conn, lead, dispatched.id, v, reason=reason, now=T),
        lambda: wf.suspend(conn, lead, dispatched.id, v, reason=reason, now=T),
        lambda: wf.extend(conn, lead, dispatched.id, v, amount=1, reason=reason, now=T),
    ]
    if not reason or not reason.strip():  # a note may be longer than a reason (4000)
        calls.append(lambda: wf.handle(conn, lead, dispatched.id, v, note=reason, now=T))
    for call in calls:
        err = refused(conn, dispatched.id, ValidationError, call)
        assert err.field in ("reason", "note")


def test_verify_fail_needs_a_note(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.HANDLED)
    refused(
        conn,
        case.id,
        ValidationError,
        lambda: wf.verify(conn, staff["lead"], case.id, case.version, passed=False),
    )


def test_file_urgency_must_be_known(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff)
    refused(
        conn,
        case.id,
        ValidationError,
        lambda: wf.file_case(conn, staff["lead"], case.id, case.version, urgency="asap", now=T),
    )


def test_dispatch_to_an_unknown_department(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.FILED)
    err = refused(
        conn,
        case.id,
        ValidationError,
        lambda: wf.dispatch(conn, staff["lead"], case.id, case.version, department_code="NOPE", now=T),
    )
    assert "NOPE" in err.en


@pytest.mark.parametrize("amount", [0, -1, math.nan, 41, "2"])
def test_extend_amount_bounds(conn: Connection, staff: dict[str, Actor], amount: Any) -> None:
    case = new_case(conn, staff, S.DISPATCHED)  # C0101: 4 working hours, so at most 40
    refused(
        conn,
        case.id,
        ValidationError,
        lambda: wf.extend(
            conn, staff["lead"], case.id, case.version, amount=amount, reason="等待配件", now=T
        ),
    )


def test_merge_refusals(conn: Connection, staff: dict[str, Actor]) -> None:
    lead = staff["lead"]
    case = new_case(conn, staff)
    other_category = new_case(conn, staff, category="C0102")
    closed = new_case(conn, staff)
    wf.reject(conn, lead, closed.id, closed.version, reason="无效", now=MON)
    for into in (case.id, other_category.id, closed.id, -1):
        err = refused(
            conn,
            case.id,
            ValidationError,
            partial(wf.merge, conn, lead, case.id, case.version, into_case_id=into, now=T),
        )
        assert err.field == "into_case_id"


def test_handle_refuses_foreign_photos(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff, S.DISPATCHED)
    other = new_case(conn, staff, S.DISPATCHED)
    pid = conn.execute(
        text(
            "INSERT INTO photo (case_id, kind, sha256, path, mime, size_bytes, width, height) "
            "VALUES (:c, 'handled', repeat('a', 64), 'x.jpg', 'image/jpeg', 1, 1, 1) RETURNING id"
        ),
        {"c": other.id},
    ).scalar_one()
    for ids in ([pid], [10**12], list(range(1, 11))):
        refused(
            conn,
            case.id,
            ValidationError,
            partial(wf.handle, conn, staff["lead"], case.id, case.version, note="ok", photo_ids=ids, now=T),
        )


def test_naive_now_is_a_programming_error(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff)
    with pytest.raises(ValueError):
        wf.file_case(conn, staff["lead"], case.id, case.version, now=MON.replace(tzinfo=None))


def test_bad_version_value(conn: Connection, staff: dict[str, Actor]) -> None:
    case = new_case(conn, staff)
    refused(conn, case.id, ValidationError, lambda: wf.file_case(conn, staff["lead"], case.id, 0, now=T))
