"""Reference data edited with effective dates (ops.reference): validation refusals change nothing, a change
effective tomorrow leaves today's cases alone, routing and the holiday calendar follow the report's date, the
history is kept (append-only) and each change is audited."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from db import reference_rules as rules
from db.errors import ValidationError
from db.queries import reference_admin as listing
from ops import reference as ref
from ops import workflow as wf
from ops.states import CaseStatus
from ops.workflow import Actor
from tests.support.cases import CATEGORY, NANMING, at, new_case

S = CaseStatus
TODAY = date(2026, 3, 2)  # a Monday
TOMORROW = TODAY + timedelta(days=1)


def _editor(staff: dict[str, Actor]) -> ref.Editor:
    return ref.Editor(user_id=staff["admin"].user_id, username="admin", client="127.0.0.1")


def _state(conn: Connection) -> tuple[Any, ...]:
    one = lambda sql: conn.execute(text(sql)).all()  # noqa: E731
    return (
        one("SELECT count(*) FROM category_rule"),
        one("SELECT count(*) FROM responsibility_rule"),
        one("SELECT count(*) FROM holiday_rule"),
        one("SELECT count(*) FROM audit_log WHERE kind = 'reference_edit'"),
        one(
            "SELECT code, time_limit, time_unit, default_department_code, points, public, active FROM category"
        ),
        one("SELECT category_code, district_code, department_code FROM responsibility ORDER BY 1, 2"),
        one("SELECT day, kind FROM holiday ORDER BY day"),
    )


def _audits(conn: Connection) -> list[Any]:
    return list(
        conn.execute(
            text("SELECT username, client, detail FROM audit_log WHERE kind = 'reference_edit' ORDER BY id")
        ).all()
    )


def test_time_limit_from_tomorrow_keeps_todays_cases(conn: Connection, staff: dict[str, Actor]) -> None:
    old = new_case(conn, staff, S.FILED, start=at("2026-03-02", "10:00"))  # reported today
    rid = ref.change_category(
        conn, _editor(staff), CATEGORY, TOMORROW, {"time_limit": 8, "time_unit": "working_hours"}, today=TODAY
    )
    # not in force yet: the current view (what the app shows) is unchanged
    assert (
        float(
            conn.execute(
                text("SELECT time_limit FROM category WHERE code = :c"), {"c": CATEGORY}
            ).scalar_one()
        )
        == 4
    )
    # today's case dispatched tomorrow keeps 4 working hours: 11:00 → 16:30
    r = wf.dispatch(conn, staff["lead"], old.id, old.version, now=at("2026-03-03", "11:00"))
    assert r.deadline == at("2026-03-03", "16:30")
    # a case reported tomorrow gets 8: 11:00-12:00, 13:30-18:00, then Wed 09:00-11:30
    new = new_case(conn, staff, S.DISPATCHED, start=at("2026-03-03", "10:00"))
    assert new.deadline == at("2026-03-04", "11:30")
    # the history: the baseline (the values until now) and the change, who recorded it
    hist = listing.category_history(conn, CATEGORY)
    assert [(h.valid_from, float(h.time_limit), h.recorded_by) for h in hist] == [
        (rules.BASELINE, 4.0, None),
        (TOMORROW, 8.0, "admin"),
    ]
    assert hist[0].valid_to == TOMORROW and hist[1].valid_to is None and hist[1].id == rid
    (audit,) = _audits(conn)
    assert (audit.username, audit.client) == ("admin", "127.0.0.1")
    assert audit.detail == {
        "table": "category",
        "key": CATEGORY,
        "effective": TOMORROW.isoformat(),
        "before": {"time_limit": 4.0},
        "after": {"time_limit": 8.0},
    }
    # on its day the scheduled change reaches the current view
    assert ref.apply_due(conn, TOMORROW) >= 1
    assert (
        float(
            conn.execute(
                text("SELECT time_limit FROM category WHERE code = :c"), {"c": CATEGORY}
            ).scalar_one()
        )
        == 8
    )


def test_a_change_from_today_is_in_force_at_once(conn: Connection, staff: dict[str, Actor]) -> None:
    ref.change_category(conn, _editor(staff), CATEGORY, TODAY, {"public": False, "points": 7}, today=TODAY)
    row = conn.execute(text("SELECT public, points FROM category WHERE code = :c"), {"c": CATEGORY}).one()
    assert (row.public, row.points) == (False, 7)
    rule = conn.execute(
        text("SELECT points FROM points_rule WHERE reason = 'report' AND category_code = :c"), {"c": CATEGORY}
    ).scalar()
    assert rule in (None, 7)  # the report rule follows the catalog's points where there is one
    r = new_case(conn, staff, S.REPORTED, start=at("2026-03-02", "15:00"))
    assert wf.get_case(conn, r.id).public is False


def test_routing_follows_the_responsibility_in_force_at_the_report(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    ref.set_responsibility(conn, _editor(staff), CATEGORY, "520102", "CGJ", TOMORROW, today=TODAY)

    def suggested(day: str) -> str:
        r = wf.report(
            conn, staff["dispatcher"], category_code=CATEGORY, lon=NANMING[0], lat=NANMING[1],
            description="", source="hotline", now=at(day, "10:00"),
        )  # fmt: skip
        return str(wf.get_case(conn, r.id).suggested_department_code)

    assert suggested("2026-03-02") == "520102-CGJ"  # the row in force today
    assert suggested("2026-03-03") == "CGJ"  # from tomorrow
    hist = listing.responsibility_history(conn, CATEGORY)
    assert [(h.district_code, h.department_code, h.valid_from) for h in hist] == [
        ("520102", "520102-CGJ", rules.BASELINE),
        ("520102", "CGJ", TOMORROW),
    ]
    assert rules.responsible(conn, CATEGORY, "520102", TODAY) == "520102-CGJ"


def _only_city_wide(conn: Connection) -> str:
    return str(
        conn.execute(
            text(
                "SELECT category_code FROM responsibility GROUP BY category_code "
                "HAVING count(*) = 1 AND bool_and(district_code IS NULL) ORDER BY 1 LIMIT 1"
            )
        ).scalar_one()
    )


def test_refusals_change_nothing(conn: Connection, staff: dict[str, Actor]) -> None:
    ed = _editor(staff)
    code = _only_city_wide(conn)
    # allowed: no default department while the city-wide row answers
    ref.change_category(conn, ed, code, TOMORROW, {"default_department_code": None}, today=TODAY)
    before = _state(conn)
    cases: list[tuple[str, Any]] = [
        ("time_limit", lambda: ref.change_category(conn, ed, CATEGORY, TOMORROW, {"time_limit": -4}, today=TODAY)),
        ("time_limit", lambda: ref.change_category(conn, ed, CATEGORY, TOMORROW, {"time_limit": 0}, today=TODAY)),
        ("time_unit", lambda: ref.change_category(conn, ed, CATEGORY, TOMORROW, {"time_unit": "weeks"}, today=TODAY)),
        ("effective", lambda: ref.change_category(conn, ed, CATEGORY, TODAY - timedelta(days=1), {"time_limit": 5}, today=TODAY)),
        ("effective", lambda: ref.change_category(conn, ed, CATEGORY, "2031-01-01", {"time_limit": 5}, today=TODAY)),
        ("effective", lambda: ref.change_category(conn, ed, CATEGORY, "soon", {"time_limit": 5}, today=TODAY)),
        ("changes", lambda: ref.change_category(conn, ed, CATEGORY, TOMORROW, {"time_limit": 4}, today=TODAY)),
        ("name_zh", lambda: ref.change_category(conn, ed, CATEGORY, TOMORROW, {"name_zh": "  "}, today=TODAY)),
        ("default_department_code", lambda: ref.change_category(conn, ed, CATEGORY, TOMORROW, {"default_department_code": "NOPE"}, today=TODAY)),
        ("code", lambda: ref.change_category(conn, ed, "Z9999", TOMORROW, {"time_limit": 5}, today=TODAY)),
        ("district", lambda: ref.set_responsibility(conn, ed, CATEGORY, "520121", "CGJ", TOMORROW, today=TODAY)),
        ("kind", lambda: ref.set_holiday(conn, ed, "2026-03-04", "workday", "调休", "Make-up", TOMORROW, today=TODAY)),
        ("name_zh", lambda: ref.set_holiday(conn, ed, "2026-03-04", "holiday", "", "Day off", TOMORROW, today=TODAY)),
        ("day", lambda: ref.set_holiday(conn, ed, "2035-03-04", "holiday", "假", "Day off", TOMORROW, today=TODAY)),
        # the gap: no district row, no default department from tomorrow, and now no city-wide row either
        ("coverage", lambda: ref.set_responsibility(conn, ed, code, None, None, TOMORROW + timedelta(days=3), today=TODAY)),
    ]  # fmt: skip
    for field, attempt in cases:
        with pytest.raises(ValidationError) as err:
            attempt()
        assert err.value.field == field, (field, err.value.en)
        assert _state(conn) == before, field
    # the coverage refusal names the 小类, the district and the date, in both languages
    with pytest.raises(ValidationError) as err:
        ref.set_responsibility(conn, ed, code, None, None, TOMORROW + timedelta(days=3), today=TODAY)
    assert code in err.value.zh and "没有责任部门" in err.value.zh and "2026-03-06" in err.value.zh
    assert code in err.value.en and "would reach no department" in err.value.en
    # and a change whose gap only opens with a later scheduled change is refused too: remove the city-wide row
    # from today (the default department still answers until tomorrow, when it is cleared)
    with pytest.raises(ValidationError) as err:
        ref.set_responsibility(conn, ed, code, None, None, TODAY, today=TODAY)
    assert err.value.field == "coverage" and TOMORROW.isoformat() in err.value.zh
    assert _state(conn) == before


def test_holiday_from_tomorrow_counts_for_cases_reported_from_tomorrow(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    old = new_case(conn, staff, S.FILED, start=at("2026-03-02", "10:00"))
    ref.set_holiday(
        conn, _editor(staff), "2026-03-04", "holiday", "临时假日", "Day off", TOMORROW, today=TODAY
    )
    # the old case keeps its calendar: 4 working hours from Tue 16:00 end Wed 11:00
    r = wf.dispatch(conn, staff["lead"], old.id, old.version, now=at("2026-03-03", "16:00"))
    assert r.deadline == at("2026-03-04", "11:00")
    # a case reported tomorrow skips the new holiday: Tue 16:00-18:00, then Thu 09:00-11:00
    new = new_case(conn, staff, S.FILED, start=at("2026-03-03", "09:00"))
    r2 = wf.dispatch(conn, staff["lead"], new.id, new.version, now=at("2026-03-03", "16:00"))
    assert r2.deadline == at("2026-03-05", "11:00")
    assert [h.day for h in listing.holidays_of_year(conn, 2026, TOMORROW) if h.day.month == 3] == [
        date(2026, 3, 4)
    ]
    assert [h.day for h in listing.holidays_of_year(conn, 2026, TODAY) if h.day.month == 3] == []
    # removed again from the day after: the history keeps all three versions
    ref.set_holiday(
        conn, _editor(staff), "2026-03-04", "none", None, None, TOMORROW + timedelta(days=1), today=TODAY
    )
    assert [(h.kind, h.valid_from) for h in listing.holiday_history(conn, 2026)] == [
        ("none", TOMORROW + timedelta(days=1)),
        ("holiday", TOMORROW),
    ]
    assert [a.detail["table"] for a in _audits(conn)] == ["holiday", "holiday"]


def test_the_history_is_append_only(conn: Connection, staff: dict[str, Actor]) -> None:
    ref.change_category(conn, _editor(staff), CATEGORY, TOMORROW, {"points": 3}, today=TODAY)
    with pytest.raises(DBAPIError), conn.begin_nested():
        conn.execute(text("UPDATE category_rule SET points = 99"))
    with pytest.raises(DBAPIError), conn.begin_nested():
        conn.execute(text("DELETE FROM holiday_rule"))
    # the app role may not write the current view itself, only through the history
    with pytest.raises(DBAPIError), conn.begin_nested():
        conn.execute(text("UPDATE category SET points = 99"))
