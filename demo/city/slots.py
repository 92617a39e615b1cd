"""The demo city's history template: every case follows a fixed sequence of optional steps (*slots*).

A slot is one workflow command; a case uses a subsequence of the slots in this order, so its event times
increase along the slots it uses. The statuses come from :mod:`ops.states`; ``to_status`` ``None`` means "as
before the step" (escalate) or "the status before suspension" (resume), resolved during the replay.
"""

from __future__ import annotations

from ops.states import Action, CaseStatus

S = CaseStatus
A = Action

(
    REPORT,
    REJECT,
    MERGE_R,
    FILE,
    MERGE_F,
    DISPATCH1,
    START1,
    RETURN,
    DISPATCH2,
    START,
    SUSPEND,
    RESUME,
    EXTEND,
    ESCALATE,
    HANDLE,
    VERIFY_FAIL,
    START_R,
    HANDLE_R,
    VERIFY_PASS,
) = range(19)
NSLOTS = 19

SLOT_ACTION: tuple[Action, ...] = (
    A.REPORT,
    A.REJECT,
    A.MERGE,
    A.FILE,
    A.MERGE,
    A.DISPATCH,
    A.START,
    A.RETURN,
    A.DISPATCH,
    A.START,
    A.SUSPEND,
    A.RESUME,
    A.EXTEND,
    A.ESCALATE,
    A.HANDLE,
    A.VERIFY_FAIL,
    A.START,
    A.HANDLE,
    A.VERIFY_PASS,
)
SLOT_TO: tuple[CaseStatus | None, ...] = (
    S.REPORTED,
    S.REJECTED,
    S.MERGED,
    S.FILED,
    S.MERGED,
    S.DISPATCHED,
    S.IN_PROGRESS,
    S.FILED,
    S.DISPATCHED,
    S.IN_PROGRESS,
    S.SUSPENDED,
    None,
    None,
    None,
    S.HANDLED,
    S.DISPATCHED,
    S.IN_PROGRESS,
    S.HANDLED,
    S.CLOSED,
)
STATUSES: tuple[CaseStatus, ...] = tuple(CaseStatus)
STATUS_INDEX = {s: k for k, s in enumerate(STATUSES)}
ACTIONS: tuple[Action, ...] = tuple(Action)
ACTION_INDEX = {a: k for k, a in enumerate(ACTIONS)}

#: Who acts in each slot: "system" (intake), "center" (dispatcher or lead), "lead", "department", "verifier"
#: (a citizen or a dispatcher).
SLOT_ACTOR: tuple[str, ...] = (
    "system",
    "center",
    "center",
    "center",
    "center",
    "center",
    "department",
    "department",
    "center",
    "department",
    "lead",
    "lead",
    "lead",
    "lead",
    "department",
    "verifier",
    "department",
    "department",
    "verifier",
)
