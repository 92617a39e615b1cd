"""Workflow commands: the only way cases are written (issue 3).

Every command is a plain function ``command(conn, actor, case_id, version, *, ..., now=None)`` (``report`` has
no case id nor version). The caller owns the transaction: commands never commit. Each command

1. checks what needs no database: ``now`` is aware (default ``datetime.now(Asia/Shanghai)``), the actor's role
   may take the action (:func:`ops.policy.may`), the inputs are valid;
2. loads the case in ONE query (with its 小类's limit and the holiday-calendar stamp): missing → ``NotFound``;
   loaded version ≠ ``version`` → ``StaleCase``; outside the actor's district/department
   (:func:`ops.policy.in_scope`) → ``Forbidden``; transition refused (:func:`ops.states.target`) →
   ``InvalidTransition``; then the checks that need the row (department exists, merge target, photos...);
3. writes ONE compare-and-set ``UPDATE "case" SET ..., status, version = version + 1, updated_at = now WHERE
   id = :id AND version = :version`` (no row → ``StaleCase``) and appends exactly ONE ``case_event`` row
   (action, from_status, to_status, actor_user_id | actor_person_id, actor_role, department_code, note,
   payload, at = now). Any error comes before the first write, so a refused command changes nothing.
   Callers running REPEATABLE READ or SERIALIZABLE get ``StaleCase`` for a serialization failure too (their
   transaction is then aborted and must be rolled back).

Field semantics (a bulk generator must write exactly this)
-----------------------------------------------------------
Notation: ``cal`` is the working calendar (:func:`db.calendar_repo.load_calendar`); a *stage clock* started at
``t`` for ``(amount, unit)`` is ``stage_started_at = t, stage_yellow_at = cal.add(t, 0.8 * amount, unit),
stage_deadline = cal.add(t, amount, unit)``; "no clock" sets the three to NULL. The *handling limit* is
``category.time_limit × (URGENT_FACTOR if urgency = 'urgent' else 1)`` in ``category.time_unit``. A case keeps
the rules of its report day (/admin/reference, :mod:`db.reference_rules`): ``cal``, the limit and the unit are
those in force on the Beijing date of ``created_at`` (an edited 小类's ``category_rule`` version, else
``category``; edited holiday days from ``holiday_rule``). Every write
sets ``updated_at = now`` and ``version + 1``. Unless said otherwise the event's ``department_code`` is the
case's ``department_code`` after the action, ``note`` is NULL and ``payload`` is ``{}``. Reasons are stripped,
required, ≤ 500 characters; notes ≤ 4000.

- ``report``: 小类 must exist, be level 2 and active; description ≤ 4000; lon/lat finite; the point must route
  (``gy_route``) to a district with ``has_grid`` (else ``OutsideServiceArea``; checked before any write);
  officers may report only in their own district. INSERT with status 'reported', source, description,
  address, urgency 'urgent' if category.urgent else 'normal', escalated = category.urgent, public =
  category.public if public is None else (public AND category.public), suggested_department_code =
  responsibility(category, district) else responsibility(category, NULL) else category.default_department_code
  as in force on the report's date (``gy_responsible``; the 小类's active and public flags too),
  reporter_id = the given one, else the actor's person_id (a citizen reports only in their own name),
  created_at = updated_at = now, stage clock STAGE_LIMITS[REPORTED] from now, deadline NULL, version 1; the
  trigger fills district_code, cell_id, ticket.
  Duplicates: ids of open cases (reported/filed/dispatched/in_progress/handled/suspended) of the same 小类
  within category.duplicate_radius_m metres (spheroid distance) with ``now - DUPLICATE_WINDOW (7 days) <=
  created_at <= now``, nearest first (then id), at most 5. Event 'report', from NULL to 'reported',
  department NULL, payload ``{"duplicates": [ids]}``.
- ``file_case`` (urgency 'normal'|'urgent'|None): reported → filed; filed_at = now; urgency = the given one,
  or (None) the case's current one; an urgent result also sets escalated = true; stage clock
  STAGE_LIMITS[FILED]. Payload ``{"urgency": the resulting urgency}``.
- ``reject`` (reason): reported → rejected; closed_at = now; no clock. Note = reason.
- ``merge`` (into_case_id): the target exists, is not the case, is open and has the same 小类;
  reported|filed → merged; merged_into_id; closed_at = now; no clock. Payload ``{"into": id, "into_ticket": t}``.
- ``dispatch`` (department_code=None → suggested_department_code; must exist): filed → dispatched;
  department_code; dispatched_at = now; stage clock of the handling limit from now and deadline =
  stage_deadline. Payload ``{"department": d, "suggested": s, "deadline": iso, "accurate": d == s}``.
- ``return_case`` (reason): dispatched|in_progress → filed; return_count + 1; department_code NULL; deadline
  NULL; stage clock STAGE_LIMITS[FILED]. Event department = the returning department. Note = reason.
- ``start``: dispatched → in_progress; nothing else changes.
- ``handle`` (note, photo_ids): dispatched|in_progress → handled; handled_at = now; stage clock
  STAGE_LIMITS[HANDLED]; deadline unchanged; photos (kind 'handled', not linked to another case, at most
  ``max_photos``: the settings') get ``case_id``. Note = note. Payload ``{"photos": [ids], "on_time": now <= deadline}``.
- ``verify`` (passed, note): handled → closed (action 'verify_pass': closed_at = now, no clock, note optional)
  or handled → dispatched (action 'verify_fail': note required, rework_count + 1, handled_at kept, stage clock
  of the handling limit from now and deadline = stage_deadline, payload ``{"deadline": iso}``). Citizens may
  verify, never their own report (Forbidden).
- ``suspend`` (reason): dispatched|in_progress → suspended; resume_status = previous status; paused_since =
  now. Note = reason.
- ``resume``: suspended → resume_status; for each of stage_yellow_at, stage_deadline, deadline: a value after
  paused_since becomes ``cal.add(now, cal.elapsed(paused_since, value, unit), unit)`` (unit = the 小类's), a
  value at or before paused_since is kept (what was overdue stays overdue); paused_since and resume_status
  NULL. Payload ``{"paused_seconds": round((now - paused_since).total_seconds())}``.
- ``extend`` (amount, reason; lead/admin): dispatched|in_progress keeps its status; 0 < amount ≤ 10 ×
  category.time_limit in the 小类's unit; deadline = cal.add(deadline, amount, unit); stage_deadline =
  cal.add(stage_deadline, amount, unit); stage_yellow_at = cal.add(stage_started_at, 0.8 ×
  cal.elapsed(stage_started_at, new stage_deadline, unit), unit); extension_count + 1. Note = reason.
  Payload ``{"amount": a, "unit": u, "deadline": iso}``.
- ``escalate`` (reason=None): any open status, unchanged; escalated = true. Note = reason.
- ``request_suspend`` / ``request_extend`` / ``approve_request`` / ``refuse_request`` / ``withdraw_request``:
  挂账 and 延期 asked by the department and decided by a shift lead, see :mod:`ops.workflow.requests`. Every
  write that takes a case out of dispatched / in progress, or to another department, marks its pending
  request 'outdated'.

ISO timestamps in payloads are ``datetime.isoformat()`` in Asia/Shanghai (``+08:00``).
"""

from ops.workflow.base import (
    DUPLICATE_WINDOW,
    MAX_DUPLICATES,
    YELLOW_SHARE,
    Actor,
    CaseResult,
    get_case,
    history,
    light,
)
from ops.workflow.center import dispatch, escalate, file_case, merge, reject
from ops.workflow.field import extend, handle, resume, return_case, start, suspend, verify
from ops.workflow.intake import report
from ops.workflow.requests import (
    approve_request,
    refuse_request,
    request_extend,
    request_suspend,
    withdraw_request,
)

__all__ = [
    "DUPLICATE_WINDOW",
    "MAX_DUPLICATES",
    "YELLOW_SHARE",
    "Actor",
    "CaseResult",
    "approve_request",
    "dispatch",
    "escalate",
    "extend",
    "file_case",
    "get_case",
    "handle",
    "history",
    "light",
    "merge",
    "refuse_request",
    "reject",
    "report",
    "request_extend",
    "request_suspend",
    "resume",
    "return_case",
    "start",
    "suspend",
    "verify",
    "withdraw_request",
]
