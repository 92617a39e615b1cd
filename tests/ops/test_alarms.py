"""Alarms against the real database: raised in the same transaction as the case event or the alert (a rolled-back
event leaves no alarm), one per case and kind while it rings, seen by the people concerned only, acknowledged by
a shift lead (or an admin) only, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Connection, Engine, text

from db.accounts import StaffIdentity, load_identity
from db.errors import Forbidden, NotFound, ValidationError
from ops import workflow as wf
from ops.alarms import (
    AlarmAcknowledged,
    acknowledge,
    acknowledged,
    get_alarm,
    open_alarms,
    open_counts,
    raise_for_alert,
    raise_for_event,
)
from ops.workflow import Actor
from tests.support.an_alertui import raise_alert
from tests.support.cases import MON, NANMING, YUNYAN

GAS_LEAK = "E0401"  # 燃气泄漏: an urgent 小类 of 突发事件
MANHOLE = "C0101"  # 井盖破损: not urgent
STREET_LIGHT = "C0102"  # 路灯不亮: the city bureau (CGJ) in the central districts


def ident(conn: Connection, username: str) -> StaffIdentity:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).scalar_one()
    got = load_identity(conn, uid)
    assert got is not None
    return got


def report(conn: Connection, category: str, where: tuple[float, float] = YUNYAN) -> wf.CaseResult:
    return wf.report(
        conn,
        Actor.system(),
        category_code=category,
        lon=where[0],
        lat=where[1],
        description="报警测试",
        source="inspector",
        address="测试路 1 号",
        now=MON,
    )


def alarms_of(conn: Connection, case_id: int) -> list[tuple[str, bool]]:
    rows = conn.execute(
        text("SELECT kind, acknowledged_at IS NOT NULL FROM alarm WHERE case_id = :c ORDER BY id"),
        {"c": case_id},
    ).all()
    return [(str(k), bool(a)) for k, a in rows]


def test_an_urgent_report_raises_one_alarm_with_its_place(conn: Connection) -> None:
    case = report(conn, GAS_LEAK)
    row = conn.execute(
        text(
            "SELECT kind, case_event_id, district_code, department_code, raised_at FROM alarm WHERE case_id = :c"
        ),
        {"c": case.id},
    ).one()
    assert row.kind == "urgent"
    assert row.case_event_id == case.event_id
    assert row.district_code == "520103"
    assert row.department_code == "RQJT"  # the department it is meant for (suggested, not dispatched yet)
    assert row.raised_at == MON


def test_a_normal_report_raises_nothing_until_filed_urgent(conn: Connection, staff: dict[str, Actor]) -> None:
    case = report(conn, MANHOLE)
    assert alarms_of(conn, case.id) == []
    filed = wf.file_case(conn, staff["lead"], case.id, case.version, urgency="urgent", now=MON)
    assert alarms_of(conn, case.id) == [("urgent", False)]
    # dispatching it (still urgent) rings nothing more
    wf.dispatch(conn, staff["lead"], case.id, filed.version, now=MON)
    assert alarms_of(conn, case.id) == [("urgent", False)]


def test_an_urgent_case_rings_once_even_after_acknowledgement(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    case = report(conn, GAS_LEAK)
    lead = ident(conn, "lead")
    (alarm,) = [a for a in open_alarms(conn, lead) if a.case_id == case.id]
    acknowledge(conn, lead, alarm.id, now=MON + timedelta(minutes=1), note="已通知燃气集团")
    # filing it (urgent, from its 小类) does not make it 突发 a second time
    wf.file_case(conn, staff["lead"], case.id, case.version, now=MON + timedelta(minutes=2))
    assert alarms_of(conn, case.id) == [("urgent", True)]


def test_escalation_rings_once_while_unacknowledged_then_again(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    case = report(conn, MANHOLE)
    r = wf.escalate(conn, staff["dispatcher"], case.id, case.version, reason="市民多次来电", now=MON)
    r = wf.escalate(
        conn, staff["lead"], case.id, r.version, reason="再次督办", now=MON + timedelta(minutes=1)
    )
    assert alarms_of(conn, case.id) == [("escalated", False)]
    lead = ident(conn, "lead")
    (alarm,) = [a for a in open_alarms(conn, lead) if a.case_id == case.id]
    acknowledge(conn, lead, alarm.id, now=MON + timedelta(minutes=2))
    wf.escalate(conn, staff["lead"], case.id, r.version, reason="第三次督办", now=MON + timedelta(minutes=3))
    assert alarms_of(conn, case.id) == [("escalated", True), ("escalated", False)]


def test_the_database_refuses_a_second_ringing_alarm_of_a_kind(conn: Connection) -> None:
    case = report(conn, GAS_LEAK)
    assert raise_for_event(conn, event_id=case.event_id, case_id=case.id, action="report", at=MON) is None
    with pytest.raises(Exception, match="uq_alarm_open_case"):
        conn.execute(
            text("INSERT INTO alarm (kind, case_id, raised_at) VALUES ('urgent', :c, :at)"),
            {"c": case.id, "at": MON},
        )


def test_a_rolled_back_event_leaves_no_alarm(engine: Engine) -> None:
    """The alarm is written by the event's own transaction: roll the report back and neither exists."""
    with engine.connect() as c:
        tx = c.begin()
        before = c.execute(text("SELECT count(*) FROM alarm")).scalar_one()
        case = report(c, GAS_LEAK, NANMING)
        assert (
            c.execute(text("SELECT count(*) FROM alarm WHERE case_id = :c"), {"c": case.id}).scalar_one() == 1
        )
        tx.rollback()
        assert c.execute(text("SELECT count(*) FROM alarm")).scalar_one() == before
        assert c.execute(text('SELECT count(*) FROM "case" WHERE id = :c'), {"c": case.id}).scalar_one() == 0


def test_a_new_alert_raises_an_alarm_in_its_transaction(conn: Connection) -> None:
    alert_id, _mark = raise_alert(conn, "520102", MANHOLE)
    row = conn.execute(
        text("SELECT kind, case_id, district_code, department_code FROM alarm WHERE alert_id = :a"),
        {"a": alert_id},
    ).one()
    assert (row.kind, row.case_id, row.district_code, row.department_code) == ("alert", None, "520102", "CGJ")
    assert raise_for_alert(conn, alert_id=alert_id, at=MON) is None  # one while it rings


def test_who_sees_which_alarm(conn: Connection) -> None:
    yunyan_case = report(conn, GAS_LEAK, YUNYAN)  # 云岩区, meant for RQJT
    nanming_case = report(conn, STREET_LIGHT, NANMING)  # meant for CGJ (the central districts' street lights)
    wf.escalate(conn, Actor.system(), nanming_case.id, nanming_case.version, reason="复发", now=MON)
    alert_id, _ = raise_alert(conn, "520102", MANHOLE)

    def seen(user: str) -> set[tuple[str, int | None]]:
        return {(a.kind, a.case_id or a.alert_id) for a in open_alarms(conn, ident(conn, user), limit=500)}

    mine = {("urgent", yunyan_case.id), ("escalated", nanming_case.id), ("alert", alert_id)}
    assert mine <= seen("lead") and mine <= seen("dispatcher") and mine <= seen("admin")
    officer = seen("yunyan")  # the officer of 云岩区
    assert ("urgent", yunyan_case.id) in officer
    assert ("escalated", nanming_case.id) not in officer and ("alert", alert_id) not in officer
    cgj = seen("cgj")  # the city bureau: the street-light case (meant for CGJ) and the alert of a CGJ 小类
    assert ("escalated", nanming_case.id) in cgj and ("alert", alert_id) in cgj
    assert ("urgent", yunyan_case.id) not in cgj
    assert seen("moderator") == set()
    # the banner's count, by kind, is of the same alarms (all of them, not only those a screen lists)
    for user in ("lead", "yunyan", "cgj", "moderator"):
        who = ident(conn, user)
        listed = [a.kind for a in open_alarms(conn, who, limit=500)]
        assert open_counts(conn, who) == {k: listed.count(k) for k in set(listed)}, user


def test_the_view_says_what_and_where(conn: Connection) -> None:
    case = report(conn, GAS_LEAK)
    lead = ident(conn, "lead")
    (a,) = [x for x in open_alarms(conn, lead) if x.case_id == case.id]
    assert (a.kind, a.ticket, a.address, a.category_zh, a.district_zh) == (
        "urgent",
        case.ticket,
        "测试路 1 号",
        "燃气泄漏",
        "云岩区",
    )


@pytest.mark.parametrize("username", ["dispatcher", "yunyan", "cgj", "moderator"])
def test_only_a_lead_or_admin_acknowledges(conn: Connection, username: str) -> None:
    case = report(conn, GAS_LEAK)
    (a,) = [x for x in open_alarms(conn, ident(conn, "lead")) if x.case_id == case.id]
    with pytest.raises(Forbidden) as err:
        acknowledge(conn, ident(conn, username), a.id, now=MON)
    assert "值班长" in err.value.zh
    assert alarms_of(conn, case.id) == [("urgent", False)]


def test_acknowledgement_is_recorded_and_a_second_one_refused(conn: Connection) -> None:
    case = report(conn, GAS_LEAK)
    lead, admin = ident(conn, "lead"), ident(conn, "admin")
    (a,) = [x for x in open_alarms(conn, lead) if x.case_id == case.id]
    done = acknowledge(conn, lead, a.id, now=MON + timedelta(minutes=5), note="  已派人  ")
    assert done.acknowledged_at == MON + timedelta(minutes=5)
    assert done.acknowledged_by == lead.display_name and done.ack_note == "已派人"
    assert a.id not in {x.id for x in open_alarms(conn, lead)}
    assert a.id in {x.id for x in acknowledged(conn, lead)}
    with pytest.raises(AlarmAcknowledged) as err:
        acknowledge(conn, admin, a.id, now=MON + timedelta(minutes=6))
    assert lead.display_name in err.value.zh and "10:05:00" in err.value.zh
    row = conn.execute(
        text("SELECT acknowledged_by, acknowledged_at FROM alarm WHERE id = :i"), {"i": a.id}
    ).one()
    assert (row.acknowledged_by, row.acknowledged_at) == (lead.id, MON + timedelta(minutes=5))


def test_bad_acknowledgements_change_nothing(conn: Connection) -> None:
    case = report(conn, GAS_LEAK)
    lead = ident(conn, "lead")
    (a,) = [x for x in open_alarms(conn, lead) if x.case_id == case.id]
    with pytest.raises(ValidationError):
        acknowledge(conn, lead, a.id, now=MON, note="长" * 501)
    with pytest.raises(NotFound):
        acknowledge(conn, lead, 10**12, now=MON)
    assert get_alarm(conn, lead, a.id) is not None and alarms_of(conn, case.id) == [("urgent", False)]
    # an officer does not even see another district's alarm
    assert get_alarm(conn, ident(conn, "yunyan"), a.id) is not None
    nanming = report(conn, GAS_LEAK, NANMING)
    (b,) = [x for x in open_alarms(conn, lead) if x.case_id == nanming.id]
    assert get_alarm(conn, ident(conn, "yunyan"), b.id) is None
