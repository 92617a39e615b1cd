"""The case workflow as an explicit machine: statuses, actions, allowed transitions, labels and stage limits.

Pure data and functions; no database. The vocabulary (statuses, actions, roles) is :mod:`db.vocabulary`, which the
migrations put into CHECK constraints; ``ops.workflow`` builds the commands on this machine; who may take which
action, where, is the policy table (:mod:`ops.policy`).
"""

from __future__ import annotations

from db.vocabulary import FINAL_STATUSES, OPEN_STATUSES, Action, CaseStatus, Role

__all__ = [
    "ACTION_LABELS",
    "APPROVES",
    "REQUESTS",
    "REQUEST_DECISIONS",
    "FINAL_STATUSES",
    "LABELS",
    "OPEN_STATUSES",
    "PUBLIC_STAGE",
    "RESUMABLE",
    "STAGE_LIMITS",
    "TRANSITIONS",
    "URGENT_FACTOR",
    "Action",
    "CaseStatus",
    "Role",
    "target",
]

S = CaseStatus
A = Action

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
# 申请挂账 / 申请延期: the department asks a shift lead; the case keeps its status while the request is pending.
# A decision (approve, refuse) or a withdrawal is taken on the pending request of a case still at the
# department. ``None`` as the target of REQUEST_APPROVE means "the target of the approved action" (APPROVES).
for _s in (S.DISPATCHED, S.IN_PROGRESS):
    TRANSITIONS[(A.SUSPEND_REQUEST, _s)] = _s
    TRANSITIONS[(A.EXTEND_REQUEST, _s)] = _s
    TRANSITIONS[(A.REQUEST_APPROVE, _s)] = None
    TRANSITIONS[(A.REQUEST_REFUSE, _s)] = _s
    TRANSITIONS[(A.REQUEST_WITHDRAW, _s)] = _s

#: A request's kind -> the action asked for, and back; what an approval carries out.
APPROVES: dict[str, Action] = {"suspend": A.SUSPEND, "extend": A.EXTEND}
REQUESTS: dict[Action, str] = {A.SUSPEND_REQUEST: "suspend", A.EXTEND_REQUEST: "extend"}
#: Actions taken on a pending request rather than on the case: the card shows them with the request.
REQUEST_DECISIONS = frozenset({A.REQUEST_APPROVE, A.REQUEST_REFUSE, A.REQUEST_WITHDRAW})

#: Statuses a suspended case may resume to.
RESUMABLE = frozenset({S.DISPATCHED, S.IN_PROGRESS})

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
    A.SUSPEND_REQUEST: ("申请挂账", "Request suspension"),
    A.EXTEND_REQUEST: ("申请延期", "Request extension"),
    A.REQUEST_APPROVE: ("批准申请", "Approve request"),
    A.REQUEST_REFUSE: ("驳回申请", "Refuse request"),
    A.REQUEST_WITHDRAW: ("撤回申请", "Withdraw request"),
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
    """The status after ``action`` from ``current``; ``None`` when the transition is not allowed. (An approval's
    target is its approved action's: ``target(APPROVES[kind], current)``.)"""
    if (action, current) not in TRANSITIONS or action is A.REQUEST_APPROVE:
        return None
    nxt = TRANSITIONS[(action, current)]
    if action is A.RESUME:
        return resume_to if resume_to in RESUMABLE else None
    return nxt


#: Time limits of the center's own stages (the department's stage uses the 小类's limit from the catalog):
#: status -> (amount, unit). Lights: green < 80 % used, yellow 80–100 %, red > 100 %.
STAGE_LIMITS: dict[CaseStatus, tuple[float, str]] = {
    S.REPORTED: (2, "working_hours"),  # 受理/立案
    S.FILED: (1, "working_hours"),  # 派遣
    S.HANDLED: (1, "working_days"),  # 核查结案
}
#: Urgent cases get this fraction of the 小类's handling limit.
URGENT_FACTOR = 0.5
