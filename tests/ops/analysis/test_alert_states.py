"""The alert state machine: raised as new with history, moved by the center or the district's officer, refused
otherwise, compare-and-set on version, and the history is append-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from db.accounts import StaffIdentity, load_identity
from db.errors import Forbidden, InvalidTransition, ValidationError
from ops.analysis.alert_states import NewAlert, StaleAlert, record, transition
from tests.support.cases import MON

pytestmark = pytest.mark.db

SQUARE = "POLYGON((106.71 26.58, 106.72 26.58, 106.72 26.59, 106.71 26.59, 106.71 26.58))"


def _user(conn: Connection, name: str) -> StaffIdentity:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": name}).scalar_one()
    ident = load_identity(conn, uid)
    assert ident is not None
    return ident


def _alert(conn: Connection, district: str = "520103") -> int:
    return record(
        conn,
        NewAlert(
            kind="anomaly",
            area_level="1km",
            area_key="1km:1:2",
            district_code=district,
            category_code="C0101",
            geom_wkt=SQUARE,
            point_wkt="POINT(106.715 26.585)",
            window_start=MON - timedelta(hours=2),
            window_end=MON,
            observed=14,
            expected=1.2,
            score=9.5,
            p_value=1e-9,
            explanation_zh="近2小时云岩区井盖破损上报 14 件，往常约 1.2 件",
            explanation_en="14 reports of broken manhole covers in Yunyan in the last 2 hours; usually about 1.2",
        ),
        MON,
    )


def _history(conn: Connection, alert_id: int) -> list[tuple[str | None, str]]:
    rows = conn.execute(
        text("SELECT from_state, to_state FROM analysis_alert_event WHERE alert_id = :a ORDER BY id"),
        {"a": alert_id},
    )
    return [(r[0], r[1]) for r in rows]


def test_raised_new_then_acknowledged_then_escalated_with_history(conn: Connection) -> None:
    a = _alert(conn)
    lead = _user(conn, "lead")
    v = transition(conn, lead, a, "acknowledged", version=1, now=MON)
    v = transition(conn, lead, a, "escalated", version=v, now=MON, note="上报值班长")
    assert v == 3
    state, acted_by = conn.execute(
        text("SELECT state, acted_by FROM analysis_alert WHERE id = :a"), {"a": a}
    ).one()
    assert (state, acted_by) == ("escalated", lead.id)
    assert _history(conn, a) == [(None, "new"), ("new", "acknowledged"), ("acknowledged", "escalated")]


def test_final_states_do_not_move(conn: Connection) -> None:
    a = _alert(conn)
    lead = _user(conn, "lead")
    transition(conn, lead, a, "dismissed", version=1, now=MON)
    with pytest.raises(InvalidTransition):
        transition(conn, lead, a, "acknowledged", version=2, now=MON)


def test_stale_version_is_a_conflict(conn: Connection) -> None:
    a = _alert(conn)
    lead = _user(conn, "lead")
    transition(conn, lead, a, "acknowledged", version=1, now=MON)
    with pytest.raises(StaleAlert):
        transition(conn, lead, a, "dismissed", version=1, now=MON)
    assert len(_history(conn, a)) == 2


def test_officer_acts_only_in_their_district_and_department_staff_not_at_all(conn: Connection) -> None:
    a = _alert(conn, district="520103")
    b = _alert(conn, district="520102")
    officer = _user(conn, "yunyan")
    assert officer.district_code == "520103"
    transition(conn, officer, a, "acknowledged", version=1, now=MON)
    with pytest.raises(Forbidden):
        transition(conn, officer, b, "acknowledged", version=1, now=MON)
    with pytest.raises(Forbidden):
        transition(conn, _user(conn, "cgj"), b, "acknowledged", version=1, now=MON)


def test_campaign_needs_its_id_and_bad_input_is_refused(conn: Connection) -> None:
    a = _alert(conn)
    lead = _user(conn, "lead")
    with pytest.raises(ValidationError):
        transition(conn, lead, a, "campaign", version=1, now=MON)
    with pytest.raises(ValidationError):
        transition(conn, lead, a, "nonsense", version=1, now=MON)
    with pytest.raises(ValidationError):
        transition(conn, lead, a, "dismissed", version=1, now=MON, note="x" * 501)
    assert _history(conn, a) == [(None, "new")]


def test_history_is_append_only(conn: Connection) -> None:
    a = _alert(conn)
    with pytest.raises(DBAPIError), conn.begin_nested():
        conn.execute(text("UPDATE analysis_alert_event SET note = 'x' WHERE alert_id = :a"), {"a": a})
    with pytest.raises(DBAPIError), conn.begin_nested():
        conn.execute(text("DELETE FROM analysis_alert_event WHERE alert_id = :a"), {"a": a})
