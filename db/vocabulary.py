"""The words the case tables store: statuses, actions, roles and sources.

The migrations put these lists into CHECK constraints, the read queries filter by them, and the state machine
(:mod:`ops.states`) says how a case moves between them. Defined once, here, at the bottom of the house.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    REPORTED = "reported"  # 待受理: a report waiting for review
    FILED = "filed"  # 已立案, 待派遣
    DISPATCHED = "dispatched"  # 已派遣, 待处置
    IN_PROGRESS = "in_progress"  # 处置中
    HANDLED = "handled"  # 已处置, 待核查
    SUSPENDED = "suspended"  # 挂账: the clock stops
    CLOSED = "closed"  # 已结案
    REJECTED = "rejected"  # 不予立案
    MERGED = "merged"  # 已合并 into an open duplicate


class Action(StrEnum):
    REPORT = "report"
    FILE = "file"
    REJECT = "reject"
    MERGE = "merge"
    DISPATCH = "dispatch"
    RETURN = "return"  # 回退: the department says it is not theirs
    START = "start"
    HANDLE = "handle"  # 处置反馈
    VERIFY_PASS = "verify_pass"  # 核查通过 → 结案  # nosec B105 # a UI/state key, not a password
    VERIFY_FAIL = "verify_fail"  # 核查不通过 → 返工
    SUSPEND = "suspend"
    RESUME = "resume"
    EXTEND = "extend"  # 延期, approved by a shift lead
    ESCALATE = "escalate"
    # 挂账 / 延期 asked by the department (or district officer) and decided by a shift lead (case_request):
    SUSPEND_REQUEST = "suspend_request"  # 申请挂账: the status stays, a pending request is opened
    EXTEND_REQUEST = "extend_request"  # 申请延期
    REQUEST_APPROVE = "request_approve"  # 批准申请: the approved suspend / extend is carried out with it
    REQUEST_REFUSE = "request_refuse"  # 驳回申请 (reason required)
    REQUEST_WITHDRAW = "request_withdraw"  # 撤回申请 (by the requesting side)


class Role(StrEnum):
    ADMIN = "admin"
    LEAD = "lead"  # 值班长
    DISPATCHER = "dispatcher"  # 受理员/派遣员
    OFFICER = "officer"  # district officer, scoped to one district
    DEPARTMENT = "department"  # department staff, scoped to one department
    MODERATOR = "moderator"  # public content
    CITIZEN = "citizen"  # through the API
    SYSTEM = "system"  # the intake and the simulator acting for a citizen or an inspector


#: The roles a staff account may hold (``staff_user.role``); what each may do, where, is :mod:`ops.policy`.
STAFF_ROLES: tuple[str, ...] = tuple(r.value for r in Role if r not in (Role.CITIZEN, Role.SYSTEM))


S = CaseStatus

OPEN_STATUSES = frozenset({S.REPORTED, S.FILED, S.DISPATCHED, S.IN_PROGRESS, S.HANDLED, S.SUSPENDED})
FINAL_STATUSES = frozenset({S.CLOSED, S.REJECTED, S.MERGED})
#: A case at a department: its handling clock runs there (dispatched, in progress) or is paused (suspended).
AT_DEPARTMENT = frozenset({S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED})


def sql_list(statuses: frozenset[CaseStatus]) -> str:
    """``('a', 'b')``: the statuses as an SQL list of literals, in workflow order (for ``status IN ...``)."""
    return "(" + ", ".join(f"'{s.value}'" for s in CaseStatus if s in statuses) + ")"


#: :data:`AT_DEPARTMENT` for SQL: ``('dispatched', 'in_progress', 'suspended')``.
AT_DEPARTMENT_SQL = sql_list(AT_DEPARTMENT)

#: What a department may ask a shift lead for (``case_request.kind``) and where a request stands (``.state``).
REQUEST_KINDS = ("suspend", "extend")
REQUEST_STATES = ("pending", "approved", "refused", "withdrawn", "outdated")

#: Where a report came from (``case_record.source``).
SOURCES = ("app", "inspector", "hotline", "wechat", "web", "other")

#: 研判预警 alerts (issue 13): what raised them, the area they are about, and their states.
ALERT_KINDS = ("anomaly", "trend")
ALERT_LEVELS = ("1km", "district")
ALERT_STATES = ("new", "acknowledged", "dismissed", "campaign", "escalated")
