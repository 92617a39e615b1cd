"""Who may do what, where: the one policy table every screen, API, export and workflow command consults.

Two tables, both plain data:

- :data:`REACH`: per screen (or service), the role rows that may use it and what each reaches — the whole city,
  their own district, their own department's cases, or (photos only) every photo, public or not. A role without
  a row may not use that screen: the page is refused, and a read query gets an empty :class:`~db.scope.RowScope`.
- :data:`PERMISSIONS`: which roles may take each workflow action (:mod:`ops.states` says from which status).

The screens differ about the content moderator, on purpose and as the tests and the README describe the product:
the moderator reviews public content, so sees every photo (``MEDIA``) and moderates (``MODERATION``), sees the
wall and the city's evaluation figures (``WALL``, ``STATS``: any staff role), but has no row on the workbench and
none in the workflow — no case in their queue, no case action, no case scope.

The read queries in :mod:`db.queries` never see a role: :func:`row_scope` turns the signed-in user into a
:class:`~db.scope.RowScope` for them.
"""

from __future__ import annotations

from enum import StrEnum

from db.accounts import StaffIdentity
from db.errors import Forbidden
from db.scope import RowScope
from db.vocabulary import Action, CaseStatus, Role
from ops.states import REQUEST_DECISIONS, TRANSITIONS

__all__ = [
    "PERMISSIONS",
    "REACH",
    "Reach",
    "Screen",
    "actionable_statuses",
    "actor_scope",
    "allowed_actions",
    "in_scope",
    "may",
    "media_scope",
    "reach",
    "request_actions",
    "roles_for",
    "row_scope",
    "sees_any_photo",
    "sees_contact",
    "stats_scope",
    "workbench_scope",
]

R = Role
A = Action


class Screen(StrEnum):
    """The places a user reads or acts from."""

    WALL = "wall"  # /wall: the command center's wall screen
    WORKBENCH = "workbench"  # /workbench: the queue, the map and the case card
    STATS = "stats"  # /stats and its CSV / Excel exports
    MEDIA = "media"  # /media/photo/...: stored photos (and /media/staff/ icons for moderators)
    MODERATION = "moderation"  # /moderation: posts, report photos, service points
    WORKFLOW = "workflow"  # the workflow commands, from any screen or API
    DESK_INTAKE = "desk_intake"  # 新建案件 on /workbench: a case from a hotline call (12319) or an inspector
    FEEDBACK = "feedback"  # /feedback: citizens' 意见反馈, read, answered and marked handled
    CONTACT = "contact"  # citizens' personal data (names, phones) unmasked on staff screens
    ANALYSIS = "analysis"  # /analysis: 研判预警 (hot spots, places, peaks, alerts, correlations, campaigns)
    ALERT_ACTION = "alert_action"  # acknowledge / dismiss / escalate an alert, or turn it into a campaign
    CAMPAIGN = "campaign"  # define and change 专项整治 campaigns
    ADMIN = "admin"  # /admin/notify: notification routes (their URLs are secrets) and the outbox
    ALARMS = "alarms"  # the alarms (突发 / 督办 / 预警) that ring on the wall and the workbench
    ALARM_ACK = "alarm_ack"  # acknowledge an alarm (it stops ringing on every screen)
    SUBSCRIPTIONS = "subscriptions"  # /subscriptions: area subscriptions (区域订阅) and what they are told of


class Reach(StrEnum):
    CITY = "city"  # every case of the city
    DISTRICT = "district"  # the cases in the user's own district
    DEPARTMENT = "department"  # the cases at the user's own department
    ANY = "any"  # every photo, public or not (moderation)


_CENTER = {R.ADMIN: Reach.CITY, R.LEAD: Reach.CITY, R.DISPATCHER: Reach.CITY}
_FIELD = {R.OFFICER: Reach.DISTRICT, R.DEPARTMENT: Reach.DEPARTMENT}

#: screen -> role -> what the role reaches there. No row: the role may not use the screen.
REACH: dict[Screen, dict[Role, Reach]] = {
    Screen.WALL: {**_CENTER, R.OFFICER: Reach.CITY, R.DEPARTMENT: Reach.CITY, R.MODERATOR: Reach.CITY},
    Screen.WORKBENCH: {**_CENTER, **_FIELD},
    Screen.STATS: {**_CENTER, **_FIELD, R.MODERATOR: Reach.CITY},
    Screen.MEDIA: {
        R.ADMIN: Reach.ANY,
        R.LEAD: Reach.ANY,
        R.MODERATOR: Reach.ANY,
        R.DISPATCHER: Reach.CITY,
        **_FIELD,
    },
    Screen.MODERATION: {R.MODERATOR: Reach.CITY, R.ADMIN: Reach.CITY, R.LEAD: Reach.CITY},
    Screen.WORKFLOW: {**_CENTER, **_FIELD, R.CITIZEN: Reach.CITY, R.SYSTEM: Reach.CITY},
    # the desk takes calls and inspectors' reports: the center for the city, an officer in their district (the
    # report command checks the point); department staff handle cases, they do not open them
    Screen.DESK_INTAKE: {**_CENTER, R.OFFICER: Reach.DISTRICT},
    # feedback is about the service as a whole: the command center answers it
    Screen.FEEDBACK: dict(_CENTER),
    # whoever may see a caller's or a citizen's name and phone unmasked
    Screen.CONTACT: {R.ADMIN: Reach.CITY, R.LEAD: Reach.CITY},
    # analysis reads like the workbench: an officer their district, department staff the categories their
    # department answers for (ops.analysis.scope turns Reach.DEPARTMENT into those categories)
    Screen.ANALYSIS: {**_CENTER, **_FIELD},
    # the center acts on alerts city-wide, an officer in their district
    Screen.ALERT_ACTION: {**_CENTER, R.OFFICER: Reach.DISTRICT},
    # campaigns are the shift lead's (and the admin's) decision
    Screen.CAMPAIGN: {R.ADMIN: Reach.CITY, R.LEAD: Reach.CITY},
    # routes hold bots' tokens and mail passwords, and a resend is an operator's decision: admins only (a shift
    # lead learns of cases from the workbench and the wall, not from the delivery log)
    Screen.ADMIN: {R.ADMIN: Reach.CITY},
    # alarms ring for the people concerned: the center for the city, an officer for their district, department
    # staff for their department's cases (and the alerts of their categories); only a shift lead (or an admin)
    # acknowledges one
    Screen.ALARMS: {**_CENTER, **_FIELD},
    Screen.ALARM_ACK: {R.ADMIN: Reach.CITY, R.LEAD: Reach.CITY},
    # an area subscription tells of the cases its owner could open on the workbench: the center city-wide, an
    # officer their district's, department staff their department's (so a new report, at no department yet, is
    # not theirs); the moderator has no cases, so no subscription
    Screen.SUBSCRIPTIONS: {**_CENTER, **_FIELD},
}

_HANDLERS = frozenset({R.ADMIN, R.LEAD, R.OFFICER, R.DEPARTMENT})
_CENTER_ROLES = frozenset(_CENTER)

#: Who may take each action. Scope (district / department) is checked separately by :func:`in_scope`.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    A.REPORT: frozenset({R.ADMIN, R.LEAD, R.DISPATCHER, R.OFFICER, R.CITIZEN, R.SYSTEM}),
    A.FILE: _CENTER_ROLES,
    A.REJECT: _CENTER_ROLES,
    A.MERGE: _CENTER_ROLES,
    A.DISPATCH: _CENTER_ROLES,
    A.RETURN: _HANDLERS,
    A.START: _HANDLERS,
    A.HANDLE: _HANDLERS,
    A.VERIFY_PASS: frozenset({R.ADMIN, R.LEAD, R.DISPATCHER, R.CITIZEN, R.SYSTEM}),
    A.VERIFY_FAIL: frozenset({R.ADMIN, R.LEAD, R.DISPATCHER, R.CITIZEN, R.SYSTEM}),
    A.SUSPEND: frozenset({R.ADMIN, R.LEAD}),
    A.RESUME: frozenset({R.ADMIN, R.LEAD}),
    A.EXTEND: frozenset({R.ADMIN, R.LEAD}),
    A.ESCALATE: frozenset({R.ADMIN, R.LEAD, R.DISPATCHER, R.OFFICER, R.SYSTEM}),
    # 挂账 / 延期 on request: the department (or the district officer) asks, a shift lead decides
    A.SUSPEND_REQUEST: frozenset(_FIELD),
    A.EXTEND_REQUEST: frozenset(_FIELD),
    A.REQUEST_WITHDRAW: frozenset(_FIELD),
    A.REQUEST_APPROVE: frozenset({R.ADMIN, R.LEAD}),
    A.REQUEST_REFUSE: frozenset({R.ADMIN, R.LEAD}),
}


def _role(role: Role | str) -> Role | None:
    try:
        return Role(role)
    except ValueError:
        return None


def reach(role: Role | str, screen: Screen) -> Reach | None:
    """What ``role`` reaches on ``screen``; ``None``: the role may not use it."""
    r = _role(role)
    return None if r is None else REACH[screen].get(r)


def roles_for(screen: Screen) -> tuple[str, ...]:
    """The roles that may use ``screen`` (for the page and callback guards)."""
    return tuple(r.value for r in REACH[screen])


def row_scope(user: StaffIdentity, screen: Screen) -> RowScope:
    """The cases ``user`` may see on ``screen``, as a plain filter for the read queries (empty: none)."""
    return _rows(reach(user.role, screen), district=user.district_code, department=user.department_code)


def _rows(how: Reach | None, *, district: str | None, department: str | None) -> RowScope:
    """A reach as a row filter: the whole city, one district, one department, or nothing."""
    if how in (Reach.CITY, Reach.ANY):
        return RowScope.city()
    if how is Reach.DISTRICT:
        return RowScope(district=district)
    if how is Reach.DEPARTMENT:
        return RowScope(department=department)
    return RowScope()


def workbench_scope(user: StaffIdentity) -> RowScope:
    """The workbench's cases: the command center everything, an officer their district, department staff their
    department's cases, anyone else nothing."""
    return row_scope(user, Screen.WORKBENCH)


def stats_scope(user: StaffIdentity) -> RowScope:
    """The cases behind ``user``'s ``/stats`` figures and exports; ``Forbidden`` for a user who may see none."""
    scope = row_scope(user, Screen.STATS)
    if scope.empty:
        raise Forbidden(
            "您无权查看考核统计。", "You may not see the evaluation figures.", detail=f"role={user.role}"
        )
    return scope


def media_scope(user: StaffIdentity | None) -> RowScope:
    """The cases whose photos ``user`` may see (``None``: not signed in, none)."""
    return RowScope() if user is None else row_scope(user, Screen.MEDIA)


def sees_any_photo(role: Role | str) -> bool:
    """Moderators (and the admins and leads who moderate) see every photo, public or not."""
    return reach(role, Screen.MEDIA) is Reach.ANY


def sees_contact(role: Role | str) -> bool:
    """Whether ``role`` sees citizens' names and phones unmasked (others see them masked)."""
    return reach(role, Screen.CONTACT) is not None


def actor_scope(role: Role | str, *, district: str | None, department: str | None) -> RowScope:
    """The cases a workflow command by ``role`` reaches, as a row filter (the SQL twin of :func:`in_scope`)."""
    return _rows(reach(role, Screen.WORKFLOW), district=district, department=department)


def may(role: Role, action: Action) -> bool:
    return role in PERMISSIONS[action]


def in_scope(
    role: Role,
    *,
    user_district: str | None,
    user_department: str | None,
    case_district: str | None,
    case_department: str | None,
) -> bool:
    """Whether a workflow command by ``role`` reaches a case: officers act only in their district, department
    staff only on their department's cases, the center, citizens and the system anywhere."""
    how = reach(role, Screen.WORKFLOW)
    if how is Reach.DISTRICT:
        return user_district is not None and user_district == case_district
    if how is Reach.DEPARTMENT:
        return user_department is not None and user_department == case_department
    return how is Reach.CITY


def allowed_actions(role: Role, status: CaseStatus) -> list[Action]:
    """Actions ``role`` may take on a case in ``status`` (before scope), in workflow order. The decisions on a
    pending request (approve, refuse, withdraw) are not among them: see :func:`request_actions`."""
    return [
        a
        for a in Action
        if a is not A.REPORT and a not in REQUEST_DECISIONS and (a, status) in TRANSITIONS and may(role, a)
    ]


def request_actions(role: Role, status: CaseStatus) -> list[Action]:
    """What ``role`` may do with a pending 挂账 / 延期 request on a case in ``status`` (before scope)."""
    return [a for a in Action if a in REQUEST_DECISIONS and (a, status) in TRANSITIONS and may(role, a)]


def actionable_statuses(role: Role | str) -> tuple[str, ...] | None:
    """The statuses in which ``role`` may act on a case itself (anything beyond 升级督办), for the queue's "mine
    first" order; ``None`` for the command center, who may act on every stage."""
    r = _role(role)
    if r is None or r not in _FIELD:
        return None
    return tuple(s.value for s in CaseStatus if any(a is not A.ESCALATE for a in allowed_actions(r, s)))
