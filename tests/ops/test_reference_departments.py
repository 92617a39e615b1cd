"""Departments edited like the rest of the reference data (ops.reference_departments): renamed from a date with
their history, added at once with a unique code, refusals that change nothing, audited."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text

from db.errors import ValidationError
from db.queries import reference_admin as listing
from ops import reference as ref
from ops import reference_departments as deps
from ops import workflow as wf
from ops.workflow import Actor
from tests.support.cases import NANMING, at

TODAY = date(2026, 3, 2)
TOMORROW = TODAY + timedelta(days=1)
NAMES = {
    "name_zh": "南明区排水所",
    "name_en": "Nanming Drainage Office",
    "short_name_zh": "南明排水",
    "short_name_en": "",
}


def _editor(staff: dict[str, Actor]) -> ref.Editor:
    return ref.Editor(user_id=staff["admin"].user_id, username="admin")


def _names(conn: Connection, code: str) -> tuple[Any, ...]:
    return tuple(
        conn.execute(
            text("SELECT name_zh, name_en, short_name_zh, short_name_en FROM department WHERE code = :c"),
            {"c": code},
        ).one()
    )


def test_rename_from_tomorrow(conn: Connection, staff: dict[str, Actor]) -> None:
    before = _names(conn, "CGJ")
    deps.change_department(conn, _editor(staff), "CGJ", TOMORROW, {"short_name_zh": "城管局"}, today=TODAY)
    assert _names(conn, "CGJ") == before  # not yet
    ref.apply_due(conn, TOMORROW)
    assert _names(conn, "CGJ")[2] == "城管局"
    hist = listing.department_history(conn, "CGJ")
    assert [(h.valid_from, h.short_name_zh, h.recorded_by) for h in hist][1:] == [
        (TOMORROW, "城管局", "admin")
    ]
    detail = conn.execute(
        text("SELECT detail FROM audit_log WHERE kind = 'reference_edit' ORDER BY id DESC LIMIT 1")
    ).scalar_one()
    assert detail["table"] == "department" and detail["after"] == {"short_name_zh": "城管局"}


def test_a_new_department_is_usable_at_once(conn: Connection, staff: dict[str, Actor]) -> None:
    deps.add_department(conn, _editor(staff), "520102-PSS", "district_bureau", "520102", NAMES, today=TODAY)
    assert _names(conn, "520102-PSS") == ("南明区排水所", "Nanming Drainage Office", "南明排水", None)
    ref.set_responsibility(conn, _editor(staff), "C0101", "520102", "520102-PSS", TOMORROW, today=TODAY)
    r = wf.report(
        conn, staff["dispatcher"], category_code="C0101", lon=NANMING[0], lat=NANMING[1],
        description="", source="hotline", now=at("2026-03-03", "10:00"),
    )  # fmt: skip
    assert wf.get_case(conn, r.id).suggested_department_code == "520102-PSS"


def test_department_refusals_change_nothing(conn: Connection, staff: dict[str, Actor]) -> None:
    ed = _editor(staff)
    count = lambda: conn.execute(text("SELECT count(*) FROM department")).scalar_one()  # noqa: E731
    before = (count(), conn.execute(text("SELECT count(*) FROM department_rule")).scalar_one())
    attempts = [
        ("code", lambda: deps.add_department(conn, ed, "CGJ", "city_bureau", None, NAMES, today=TODAY)),
        ("code", lambda: deps.add_department(conn, ed, "x y", "city_bureau", None, NAMES, today=TODAY)),
        ("type", lambda: deps.add_department(conn, ed, "NEWD", "club", None, NAMES, today=TODAY)),
        ("district", lambda: deps.add_department(conn, ed, "NEWD", "district_bureau", None, NAMES, today=TODAY)),
        ("district", lambda: deps.add_department(conn, ed, "NEWD", "utility", "520102", NAMES, today=TODAY)),
        ("name_zh", lambda: deps.add_department(conn, ed, "NEWD", "utility", None, {**NAMES, "name_zh": " "}, today=TODAY)),
        ("changes", lambda: deps.change_department(conn, ed, "CGJ", TOMORROW, {}, today=TODAY)),
        ("effective", lambda: deps.change_department(conn, ed, "CGJ", "2020-01-01", {"name_zh": "新名"}, today=TODAY)),
        ("code", lambda: deps.change_department(conn, ed, "NOPE", TOMORROW, {"name_zh": "新名"}, today=TODAY)),
    ]  # fmt: skip
    for field, attempt in attempts:
        with pytest.raises(ValidationError) as err:
            attempt()
        assert err.value.field == field, (field, err.value.en)
    after = (count(), conn.execute(text("SELECT count(*) FROM department_rule")).scalar_one())
    assert after == before
