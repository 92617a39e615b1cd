"""The case workflow as an explicit machine: statuses, actions, allowed transitions and who may act.

Pure data and functions; no database. The vocabulary (statuses, actions, roles) is :mod:`db.vocabulary`, which the
migrations put into CHECK constraints; ``ops.workflow`` builds the commands on this machine, and the UI asks :func:`allowed_actions` which buttons to show (the server checks
again on every write).
"""

from __future__ import annotations

from db.vocabulary import FINAL_STATUSES, OPEN_STATUSES, Action, CaseStatus, Role

__all__ = [
    "ACTION_LABELS",
    "FINAL_STATUSES",
    "LABELS",
    "MODERATION_ROLES",
    "OPEN_STATUSES",
    "PERMISSIONS",
    "PUBLIC_STAGE",
    "RESUMABLE",
    "STAGE_LIMITS",
    "TRANSITIONS",
    "URGENT_FACTOR",
    "Action",
    "CaseStatus",
    "Role",
    "allowed_actions",
    "in_scope",
    "may",
    "target",
]

S = CaseStatus
A = Action
R = Role

#: Who moderates public content (最美贵阳 posts, public photos, service points) and may see any photo.
MODERATION_ROLES: tuple[str, ...] = (R.MODERATOR.value, R.ADMIN.value, R.LEAD.value)

#: (action, from status) -> to status. ``None`` as the target of RESUME means "the status before suspension".
TRANSITIONS: dict[tuple[Action, CaseStatus | None], CaseStatus | None] = {
    (A.REPORT, None): S.REPORTED,
    (A.FILE, S.REPORTED): S.FILED,
    (A.REJECT, S.REPORTED): S.REJECTED,
    (A.MERGE, S.REPORTED): S.MERGED,
    (A.MERGE, S.FILED): S.MERGED,
    (A.DISPATCH, S.FILED): S.DISPATCHED,
    (A.RETURN, S.DISPATCHED): S.FILED,
    (A.RETURN, S.IN_PROGRESS): S.FILED,
    (A.START, S.DISPATCHED): S.IN_PROGRESS,
    (A.HANDLE, S.DISPATCHED): S.HANDLED,
    (A.HANDLE, S.IN_PROGRESS): S.HANDLED,
    (A.VERIFY_PASS, S.HANDLED): S.CLOSED,
    (A.VERIFY_FAIL, S.HANDLED): S.DISPATCHED,
    (A.SUSPEND, S.DISPATCHED): S.SUSPENDED,
    (A.SUSPEND, S.IN_PROGRESS): S.SUSPENDED,
    (A.RESUME, S.SUSPENDED): None,
    (A.EXTEND, S.DISPATCHED): S.DISPATCHED,
    (A.EXTEND, S.IN_PROGRESS): S.IN_PROGRESS,
}
# ESCALATE flags any open case for the command center and keeps its status.
for _s in OPEN_STATUSES:
    TRANSITIONS[(A.ESCALATE, _s)] = _s

#: Statuses a suspended case may resume to.
RESUMABLE = frozenset({S.DISPATCHED, S.IN_PROGRESS})

_CENTER = frozenset({R.ADMIN, R.LEAD, R.DISPATCHER})
_HANDLERS = frozenset({R.ADMIN, R.LEAD, R.OFFICER, R.DEPARTMENT})

#: Who may take each action. Scope (district / department) is checked separately by :func:`in_scope`.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    A.REPORT: frozenset({R.ADMIN, R.LEAD, R.DISPATCHER, R.OFFICER, R.CITIZEN, R.SYSTEM}),
    A.FILE: _CENTER,
    A.REJECT: _CENTER,
    A.MERGE: _CENTER,
    A.DISPATCH: _CENTER,
    A.RETURN: _HANDLERS,
    A.START: _HANDLERS,
    A.HANDLE: _HANDLERS,
    A.VERIFY_PASS: frozenset({R.ADMIN, R.LEAD, R.DISPATCHER, R.CITIZEN, R.SYSTEM}),
    A.VERIFY_FAIL: frozenset({R.ADMIN, R.LEAD, R.DISPATCHER, R.CITIZEN, R.SYSTEM}),
    A.SUSPEND: frozenset({R.ADMIN, R.LEAD}),
    A.RESUME: frozenset({R.ADMIN, R.LEAD}),
    A.EXTEND: frozenset({R.ADMIN, R.LEAD}),
    A.ESCALATE: frozenset({R.ADMIN, R.LEAD, R.DISPATCHER, R.OFFICER, R.SYSTEM}),
}

LABELS: dict[CaseStatus, tuple[str, str]] = {
    S.REPORTED: ("待受理", "Awaiting review"),
    S.FILED: ("待派遣", "Filed, to dispatch"),
    S.DISPATCHED: ("待处置", "Dispatched"),
    S.IN_PROGRESS: ("处置中", "In progress"),
    S.HANDLED: ("待核查", "Handled, to verify"),
    S.SUSPENDED: ("挂账", "Suspended"),
    S.CLOSED: ("已结案", "Closed"),
    S.REJECTED: ("不予立案", "Rejected"),
    S.MERGED: ("已合并", "Merged"),
}

ACTION_LABELS: dict[Action, tuple[str, str]] = {
    A.REPORT: ("上报", "Report"),
    A.FILE: ("立案", "File"),
    A.REJECT: ("不予立案", "Reject"),
    A.MERGE: ("合并", "Merge"),
    A.DISPATCH: ("派遣", "Dispatch"),
    A.RETURN: ("回退", "Return"),
    A.START: ("开始处置", "Start"),
    A.HANDLE: ("处置反馈", "Report handled"),
    A.VERIFY_PASS: ("核查通过", "Verify: pass"),
    A.VERIFY_FAIL: ("核查不通过(返工)", "Verify: fail (rework)"),
    A.SUSPEND: ("挂账", "Suspend"),
    A.RESUME: ("恢复", "Resume"),
    A.EXTEND: ("延期", "Extend"),
    A.ESCALATE: ("升级督办", "Escalate"),
}

#: What the public sees (已受理 / 处理中 / 已办结 / 不予受理).
PUBLIC_STAGE: dict[CaseStatus, tuple[str, str]] = {
    S.REPORTED: ("已受理", "Received"),
    S.FILED: ("已受理", "Received"),
    S.DISPATCHED: ("处理中", "In progress"),
    S.IN_PROGRESS: ("处理中", "In progress"),
    S.HANDLED: ("处理中", "In progress"),
    S.SUSPENDED: ("处理中", "In progress"),
    S.CLOSED: ("已办结", "Resolved"),
    S.REJECTED: ("不予受理", "Not accepted"),
    S.MERGED: ("已办结", "Resolved"),
}


def target(
    action: Action, current: CaseStatus | None, resume_to: CaseStatus | None = None
) -> CaseStatus | None:
    """The status after ``action`` from ``current``; ``None`` when the transition is not allowed."""
    if (action, current) not in TRANSITIONS:
        return None
    nxt = TRANSITIONS[(action, current)]
    if action is A.RESUME:
        return resume_to if resume_to in RESUMABLE else None
    return nxt


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
    """Officers act only in their district, department staff only on their department's cases."""
    if role is R.OFFICER:
        return user_district is not None and user_district == case_district
    if role is R.DEPARTMENT:
        return user_department is not None and user_department == case_department
    return role in {R.ADMIN, R.LEAD, R.DISPATCHER, R.CITIZEN, R.SYSTEM}


def allowed_actions(role: Role, status: CaseStatus) -> list[Action]:
    """Actions ``role`` may take on a case in ``status`` (before scope), in workflow order."""
    return [a for a in Action if a is not A.REPORT and (a, status) in TRANSITIONS and may(role, a)]


#: Time limits of the center's own stages (the department's stage uses the 小类's limit from the catalog):
#: status -> (amount, unit). Lights: green < 80 % used, yellow 80–100 %, red > 100 %.
STAGE_LIMITS: dict[CaseStatus, tuple[float, str]] = {
    S.REPORTED: (2, "working_hours"),  # 受理/立案
    S.FILED: (1, "working_hours"),  # 派遣
    S.HANDLED: (1, "working_days"),  # 核查结案
}
#: Urgent cases get this fraction of the 小类's handling limit.
URGENT_FACTOR = 0.5
