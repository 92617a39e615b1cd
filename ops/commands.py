"""One entry per user intent: the command registry, keyed by action.

Every action a user takes on an existing case (file, reject, merge, dispatch, return, start, handle, verify,
suspend, resume, extend, escalate) is one entry of :data:`REGISTRY`, a function ``(conn, actor, case_id, version,
params, now)`` over the workflow commands of :mod:`ops.workflow`. The workbench, the simulator, the benchmark
and the tests all go through :func:`run`; nobody writes the action → command mapping again. ``params`` are the
validated inputs of the action (a caller parses its own wire format first):

============  =====================================================================================
action        params
============  =====================================================================================
file          ``urgency`` ('normal' | 'urgent' | None: keep)
reject        ``reason``
merge         ``into_case_id``
dispatch      ``department_code`` (None: the suggested department)
return        ``reason``
start         —
handle        ``note``, ``radius_m`` (who is asked to verify), ``photo_ids`` or ``photos`` + ``media_dir``
              (+ ``image_limits``, ``user_id``): photos to store in the same transaction
verify_pass   ``note`` (optional)
verify_fail   ``note``
suspend       ``reason``
resume        —
extend        ``amount``, ``reason``
escalate      ``reason`` (optional)
suspend_request  ``reason`` (the department asks a shift lead to suspend)
extend_request   ``amount``, ``reason``
request_approve  ``request_id`` (the pending request; its 挂账 / 延期 is carried out)
request_refuse   ``request_id``, ``reason``
request_withdraw ``request_id``
============  =====================================================================================

``report`` is not here: it creates a case (no id, no version); :func:`ops.workflow.report` and the citizen
intake (:mod:`ops.citizen.intake`) are its entries.

"Report handled and ask the neighbours" is one operation, :func:`report_handled`: the photos are stored, the
case handled and the supervisors and the registered citizens nearby asked to verify (我来核实), in the caller's
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from db.media import DEFAULT_LIMITS, CleanPhoto, ImageLimits, store_photo
from db.queries.workbench_scope import may_see
from db.vocabulary import Action
from ops import workflow as wf
from ops.citizen.verification_round import create_tasks
from ops.policy import actor_scope, may
from ops.workflow import Actor, CaseResult

__all__ = ["REGISTRY", "Command", "Params", "report_handled", "run"]

A = Action
Params = Mapping[str, Any]
Command = Callable[[Connection, Actor, int, int, Params, "datetime | None"], CaseResult]


def report_handled(
    conn: Connection,
    actor: Actor,
    case_id: int,
    version: int,
    *,
    note: str,
    radius_m: float,
    photo_ids: Sequence[int] = (),
    photos: Sequence[bytes | CleanPhoto] = (),
    media_dir: Path | None = None,
    image_limits: ImageLimits = DEFAULT_LIMITS,
    user_id: int | None = None,
    now: datetime | None = None,
) -> CaseResult:
    """处置反馈 and 我来核实 together, in the caller's transaction: store ``photos`` (only for someone who may
    handle this case; otherwise :func:`ops.workflow.handle` says why not), ``workflow.handle`` with them, then
    :func:`~ops.citizen.verification_round.create_tasks` for the new round. Every path that reports a case handled goes
    through here, so the supervisors and the citizens nearby are always asked."""
    ids = list(photo_ids)
    scope = actor_scope(actor.role, district=actor.district, department=actor.department)
    if photos and media_dir is not None and may(actor.role, A.HANDLE) and may_see(conn, scope, case_id):
        ids += [
            store_photo(conn, media_dir, p, kind="handled", user_id=user_id, limits=image_limits).id
            for p in photos
        ]
    result = wf.handle(
        conn, actor, case_id, version, note=note, photo_ids=ids, now=now, max_photos=image_limits.max_photos
    )
    create_tasks(conn, result.id, radius_m=radius_m)
    return result


def _handle(c: Connection, a: Actor, i: int, v: int, p: Params, now: datetime | None) -> CaseResult:
    return report_handled(
        c,
        a,
        i,
        v,
        note=p.get("note") or "",
        radius_m=float(p["radius_m"]),
        photo_ids=p.get("photo_ids", ()),
        photos=p.get("photos", ()),
        media_dir=p.get("media_dir"),
        image_limits=p.get("image_limits", DEFAULT_LIMITS),
        user_id=p.get("user_id", a.user_id),
        now=now,
    )


#: action -> the one function that carries it out.
REGISTRY: dict[Action, Command] = {
    A.FILE: lambda c, a, i, v, p, now: wf.file_case(c, a, i, v, urgency=p.get("urgency"), now=now),
    A.REJECT: lambda c, a, i, v, p, now: wf.reject(c, a, i, v, reason=p.get("reason", ""), now=now),
    A.MERGE: lambda c, a, i, v, p, now: wf.merge(c, a, i, v, into_case_id=p["into_case_id"], now=now),
    A.DISPATCH: lambda c, a, i, v, p, now: wf.dispatch(
        c, a, i, v, department_code=p.get("department_code"), now=now
    ),
    A.RETURN: lambda c, a, i, v, p, now: wf.return_case(c, a, i, v, reason=p.get("reason", ""), now=now),
    A.START: lambda c, a, i, v, p, now: wf.start(c, a, i, v, now=now),
    A.HANDLE: _handle,
    A.VERIFY_PASS: lambda c, a, i, v, p, now: wf.verify(c, a, i, v, passed=True, note=p.get("note"), now=now),
    A.VERIFY_FAIL: lambda c, a, i, v, p, now: wf.verify(
        c, a, i, v, passed=False, note=p.get("note", ""), now=now
    ),
    A.SUSPEND: lambda c, a, i, v, p, now: wf.suspend(c, a, i, v, reason=p.get("reason", ""), now=now),
    A.RESUME: lambda c, a, i, v, p, now: wf.resume(c, a, i, v, now=now),
    A.EXTEND: lambda c, a, i, v, p, now: wf.extend(
        c, a, i, v, amount=p["amount"], reason=p.get("reason", ""), now=now
    ),
    A.ESCALATE: lambda c, a, i, v, p, now: wf.escalate(c, a, i, v, reason=p.get("reason"), now=now),
    A.SUSPEND_REQUEST: lambda c, a, i, v, p, now: wf.request_suspend(
        c, a, i, v, reason=p.get("reason", ""), now=now
    ),
    A.EXTEND_REQUEST: lambda c, a, i, v, p, now: wf.request_extend(
        c, a, i, v, amount=p["amount"], reason=p.get("reason", ""), now=now
    ),
    A.REQUEST_APPROVE: lambda c, a, i, v, p, now: wf.approve_request(
        c, a, i, v, request_id=p["request_id"], now=now
    ),
    A.REQUEST_REFUSE: lambda c, a, i, v, p, now: wf.refuse_request(
        c, a, i, v, request_id=p["request_id"], reason=p.get("reason", ""), now=now
    ),
    A.REQUEST_WITHDRAW: lambda c, a, i, v, p, now: wf.withdraw_request(
        c, a, i, v, request_id=p["request_id"], now=now
    ),
}


def run(
    conn: Connection,
    actor: Actor,
    action: Action,
    case_id: int,
    version: int,
    params: Params | None = None,
    *,
    now: datetime | None = None,
) -> CaseResult:
    """Carry out ``action`` on case ``case_id`` (as seen at ``version``) for ``actor``, in the caller's
    transaction; the command checks role, scope, status and version itself."""
    if action not in REGISTRY:
        raise ValueError(f"{action.value!r} is not an action on an existing case")
    return REGISTRY[action](conn, actor, case_id, version, params or {}, now)
