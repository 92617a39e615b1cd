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

``report`` is not here: it creates a case (no id, no version); :func:`ops.workflow.report` is its one entry,
used by the citizen intake (:mod:`ops.citizen.intake`) and by :func:`report_at_desk` (新建案件: a hotline call or
an inspector's report taken at the workbench, merged into an open duplicate when the actor may merge).

"Report handled and ask the neighbours" is one operation, :func:`report_handled`: the photos are stored, the
case handled and the supervisors and the registered citizens nearby asked to verify (我来核实), in the caller's
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from db.errors import Forbidden, ValidationError
from db.media import DEFAULT_LIMITS, CleanPhoto, ImageLimits, store_photo
from db.queries.workbench_scope import may_see
from db.vocabulary import Action
from ops import workflow as wf
from ops.citizen.intake import check_photos
from ops.citizen.persons import ReporterIdentity, clean_identity, person_for_reporter
from ops.citizen.verification_round import create_tasks
from ops.policy import Screen, actor_scope, may, reach
from ops.workflow import Actor, CaseResult

__all__ = [
    "DESK_SOURCES",
    "REGISTRY",
    "Command",
    "DeskReceipt",
    "DeskReport",
    "Params",
    "report_at_desk",
    "report_handled",
    "run",
]

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


# --- 新建案件: a case opened at the desk ------------------------------------------------------------------------

#: where a case opened at the desk comes from: a call to the 12319 hotline, or an inspector (监督员)
DESK_SOURCES = ("hotline", "inspector")


@dataclass(frozen=True)
class DeskReport:
    """What the desk typed: the point (WGS-84; None: not picked yet), 小类, description, source, the optional
    address and the caller's contact (personal data, stored in ``person`` like a citizen reporter's), photos."""

    category_code: str
    lon: float | None
    lat: float | None
    description: str
    source: str
    address: str | None = None
    caller_name: str | None = None
    caller_phone: str | None = None
    photos: Sequence[bytes | CleanPhoto] = ()


@dataclass(frozen=True)
class DeskReceipt:
    case: CaseResult  # the new case (status 'merged' when it was merged)
    merged_into: int | None = None  # the open case it was merged into
    merged_ticket: str | None = None
    photo_ids: tuple[int, ...] = ()
    duplicate_tickets: tuple[str, ...] = ()  # of the open duplicates nearby, nearest first


_CALLER_FIELDS = {"last_name": "caller_name", "phone": "caller_phone"}


def _caller(name: str | None, phone: str | None) -> ReporterIdentity:
    try:
        return clean_identity(ReporterIdentity(last_name=name, phone=phone))
    except ValidationError as exc:
        exc.field = _CALLER_FIELDS.get(exc.field or "", exc.field)
        raise


def report_at_desk(
    conn: Connection,
    actor: Actor,
    req: DeskReport,
    *,
    media_dir: Path,
    max_photo_bytes: int,
    image_limits: ImageLimits = DEFAULT_LIMITS,
    now: datetime | None = None,
) -> DeskReceipt:
    """新建案件, in the caller's transaction: everything is validated first (source, point, description, the
    caller's contact, photos as the Open311 intake checks them), then the caller's person, the one report
    command (:func:`ops.workflow.report`: role, district scope, 小类, service area, routing, duplicates), the
    photos, and when the report has open duplicates nearby and the actor may merge, the merge into the nearest
    one through :func:`run`. Any error leaves nothing written."""
    if reach(actor.role, Screen.DESK_INTAKE) is None:
        raise Forbidden(
            "您无权新建案件。", "You may not open cases at the desk.", detail=f"role={actor.role}"
        )
    if req.source not in DESK_SOURCES:
        raise ValidationError(
            "请选择来源：12319 热线或监督员。",
            "Choose the source: 12319 hotline or inspector.",
            field="source",
        )
    if req.lon is None or req.lat is None:
        raise ValidationError(
            "请在地图上点选位置，或选择一个地标。",
            "Pick the place on the map, or choose a landmark.",
            field="location",
        )
    if not isinstance(req.description, str) or not req.description.strip():
        raise ValidationError("请填写问题描述。", "Please describe the problem.", field="description")
    caller = _caller(req.caller_name, req.caller_phone)
    photos = check_photos(req.photos, max_photo_bytes, limits=image_limits)
    # the caller's person is written before the report command can refuse (小类, service area, district): a
    # savepoint takes it back then, so even the caller's open transaction is left as it was
    with conn.begin_nested():
        return _write_desk_report(conn, actor, req, caller, photos, media_dir, now)


def _write_desk_report(
    conn: Connection,
    actor: Actor,
    req: DeskReport,
    caller: ReporterIdentity,
    photos: Sequence[CleanPhoto],
    media_dir: Path,
    now: datetime | None,
) -> DeskReceipt:
    assert req.lon is not None and req.lat is not None  # nosec B101 # checked by report_at_desk; for mypy
    person_id = person_for_reporter(conn, caller)
    new = wf.report(
        conn,
        actor,
        category_code=req.category_code,
        lon=req.lon,
        lat=req.lat,
        description=req.description.strip(),
        source=req.source,
        address=req.address,
        reporter_id=person_id,
        now=now,
    )
    photo_ids = tuple(
        store_photo(
            conn, media_dir, p, kind="report", case_id=new.id, person_id=person_id, user_id=actor.user_id
        ).id
        for p in photos
    )
    if not new.duplicates:
        return DeskReceipt(new, photo_ids=photo_ids)
    rows = conn.execute(
        text('SELECT id, ticket FROM "case" WHERE id = ANY(:ids)'), {"ids": list(new.duplicates)}
    )
    tickets: dict[int, str] = {int(r.id): str(r.ticket) for r in rows}
    duplicate_tickets = tuple(tickets[i] for i in new.duplicates)
    if not may(actor.role, A.MERGE):
        return DeskReceipt(new, photo_ids=photo_ids, duplicate_tickets=duplicate_tickets)
    into = new.duplicates[0]
    merged = run(conn, actor, A.MERGE, new.id, new.version, {"into_case_id": into}, now=now)
    return DeskReceipt(
        merged,
        merged_into=into,
        merged_ticket=duplicate_tickets[0],
        photo_ids=photo_ids,
        duplicate_tickets=duplicate_tickets,
    )
