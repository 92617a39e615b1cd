"""The policy table as data: for every screen and every role, what the role reaches, written out here
independently of ``ops.policy``; and the row filters the read queries get from it (no database needed).

The screens disagree about the moderator on purpose (README: moderators see every photo and moderate, every staff
role sees the wall and /stats, the workbench is for the center, officers and departments)."""

from __future__ import annotations

import pytest

from db.accounts import StaffIdentity
from db.errors import Forbidden
from db.scope import RowScope
from ops.policy import (
    REACH,
    Reach,
    Screen,
    media_scope,
    reach,
    roles_for,
    row_scope,
    sees_any_photo,
    stats_scope,
    workbench_scope,
)

C, D, P, ANY = Reach.CITY, Reach.DISTRICT, Reach.DEPARTMENT, Reach.ANY
ROLES = ("admin", "lead", "dispatcher", "officer", "department", "moderator", "citizen", "system", "nobody")

#: screen -> (admin, lead, dispatcher, officer, department, moderator, citizen, system, unknown role)
EXPECTED: dict[Screen, tuple[Reach | None, ...]] = {
    Screen.WALL: (C, C, C, C, C, C, None, None, None),
    Screen.WORKBENCH: (C, C, C, D, P, None, None, None, None),
    Screen.STATS: (C, C, C, D, P, C, None, None, None),
    Screen.MEDIA: (ANY, ANY, C, D, P, ANY, None, None, None),
    Screen.MODERATION: (C, C, None, None, None, C, None, None, None),
    Screen.WORKFLOW: (C, C, C, D, P, None, C, C, None),
    Screen.DESK_INTAKE: (C, C, C, D, None, None, None, None, None),
    Screen.FEEDBACK: (C, C, C, None, None, None, None, None, None),
    Screen.CONTACT: (C, C, None, None, None, None, None, None, None),
    Screen.ANALYSIS: (C, C, C, D, P, None, None, None, None),
    Screen.ALERT_ACTION: (C, C, C, D, None, None, None, None, None),
    Screen.CAMPAIGN: (C, C, None, None, None, None, None, None, None),
    Screen.ADMIN: (C, None, None, None, None, None, None, None, None),
    Screen.ALARMS: (C, C, C, D, P, None, None, None, None),
    Screen.ALARM_ACK: (C, C, None, None, None, None, None, None, None),
    Screen.SUBSCRIPTIONS: (C, C, C, D, P, None, None, None, None),
}


def test_every_screen_has_a_row_of_expectations() -> None:
    assert set(EXPECTED) == set(Screen) == set(REACH)


@pytest.mark.parametrize(
    ("screen", "role", "expected"),
    [(s, r, e) for s, row in EXPECTED.items() for r, e in zip(ROLES, row, strict=True)],
)
def test_reach(screen: Screen, role: str, expected: Reach | None) -> None:
    assert reach(role, screen) is expected
    assert (role in roles_for(screen)) is (expected is not None)


def _user(role: str) -> StaffIdentity:
    return StaffIdentity(1, "u", "u", role, "520103", "CGJ")


#: what each role's row filter is on a screen where it has a row
FILTERS = {
    C: RowScope(city_wide=True),
    ANY: RowScope(city_wide=True),
    D: RowScope(district="520103"),
    P: RowScope(department="CGJ"),
    None: RowScope(),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("screen", list(Screen))
def test_row_scope_follows_the_table(screen: Screen, role: str) -> None:
    assert row_scope(_user(role), screen) == FILTERS[EXPECTED[screen][ROLES.index(role)]]


def test_moderators() -> None:
    moderator = _user("moderator")
    assert workbench_scope(moderator).empty  # no case on the workbench
    assert stats_scope(moderator).city_wide  # the city's figures
    assert sees_any_photo("moderator") and sees_any_photo("admin") and sees_any_photo("lead")
    assert not sees_any_photo("dispatcher") and not sees_any_photo("officer")
    assert media_scope(moderator).city_wide
    assert media_scope(None).empty


@pytest.mark.parametrize(
    ("user", "forbidden"),
    [
        (StaffIdentity(1, "u", "u", "officer", None, None), True),  # an officer without a district
        (StaffIdentity(1, "u", "u", "department", None, None), True),
        (StaffIdentity(1, "u", "u", "citizen", None, None), True),
        (StaffIdentity(1, "u", "u", "officer", "520103", None), False),
    ],
)
def test_stats_refuses_a_user_without_scope(user: StaffIdentity, forbidden: bool) -> None:
    if forbidden:
        with pytest.raises(Forbidden):
            stats_scope(user)
    else:
        assert stats_scope(user) == RowScope(district="520103")


def test_an_officer_without_district_sees_nothing_on_the_workbench() -> None:
    assert workbench_scope(StaffIdentity(1, "u", "u", "officer", None, None)).empty


@pytest.mark.parametrize(
    ("scope", "where", "and_where"),
    [
        (RowScope.city(), "TRUE", ""),
        (RowScope(), "FALSE", " AND FALSE"),
        (
            RowScope(district="1"),
            "x.district_code = :scope_district",
            " AND x.district_code = :scope_district",
        ),
        (
            RowScope(department="D"),
            "e.department_code = :scope_department",
            " AND e.department_code = :scope_department",
        ),
    ],
)
def test_row_scope_sql(scope: RowScope, where: str, and_where: str) -> None:
    assert scope.where("x", event="e" if scope.department else None) == where
    assert scope.and_where("x", event="e" if scope.department else None) == and_where


def test_without_department() -> None:
    assert RowScope(department="D").without_department() == RowScope.city()
    assert RowScope(district="1", department="D").without_department() == RowScope(district="1")
    assert RowScope(district="1").without_department() == RowScope(district="1")
    assert RowScope().without_department() == RowScope()
