"""Who is told what: ONE table, kind → (the department of the case?, which roles).

A route (``notify_route``) is either a department's (``department_code``) or a role's (``role``). A message of
kind K about a case goes to every enabled, not removed route whose ``kinds`` is NULL or holds K and that is

- a department route of the case's department, when ``RULES[K].department`` (for ``return`` the department the
  case came back from: the event's department), or
- a role route of a role in ``RULES[K].roles``.

The choices, in the words of the field:

============  ==========================================  ===============================================
kind          department of the case                      roles
============  ==========================================  ===============================================
dispatch      yes: 派遣, the case is theirs now               -
return        no (they sent it back themselves)           dispatcher, lead: 回退 comes back to the center
rework        yes: 核查不通过 → 返工, theirs again            -
escalate      yes (when the case is at one)               lead: 督办 is the shift lead's business
yellow        yes: the department holding the case        -
red           yes                                         lead: an overdue case is the lead's business
alert         no                                          lead, dispatcher (研判预警)
test          -                                           - (``notify test`` sends directly, no outbox)
============  ==========================================  ===============================================

Alerts are not sent to the ``officer`` role: an officer's reach is one district (``ops.policy`` ALERT_ACTION),
but a role route has no district, so it would tell every officer of every district's alerts. The center
(dispatchers and leads, city-wide) is told; it acts on the alert or passes it on.

An alert is told once, when it is raised (:func:`ops.analysis.alert_states.record`); an alert that grows in a
later cycle is the same alert, not told again.

Yellow and red are the lights of a case at a department (dispatched or in progress): its handling deadline. A
suspended case's clock stands still; a case at the center (to file, to dispatch, to verify) is the center's own
work, on its screens, not told by message.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.models.notify import NOTIFY_KINDS
from db.vocabulary import Action, Role


@dataclass(frozen=True, slots=True)
class Rule:
    department: bool
    roles: tuple[str, ...] = ()


RULES: dict[str, Rule] = {
    "dispatch": Rule(department=True),
    "return": Rule(department=False, roles=(Role.DISPATCHER.value, Role.LEAD.value)),
    "rework": Rule(department=True),
    "escalate": Rule(department=True, roles=(Role.LEAD.value,)),
    "yellow": Rule(department=True),
    "red": Rule(department=True, roles=(Role.LEAD.value,)),
    "alert": Rule(department=False, roles=(Role.LEAD.value, Role.DISPATCHER.value)),
}
assert set(RULES) == set(NOTIFY_KINDS) - {"test"}  # nosec B101 # a data check at import

#: The case events that tell someone, by action: every other action tells no one (and costs no query).
EVENT_KINDS: dict[str, str] = {
    Action.DISPATCH.value: "dispatch",
    Action.RETURN.value: "return",
    Action.VERIFY_FAIL.value: "rework",
    Action.ESCALATE.value: "escalate",
}
