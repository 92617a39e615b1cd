"""Keep the demo city alive: new reports arrive and open cases take plausible next steps, all through the
workflow commands (:mod:`ops.workflow`) and the citizen commands, never raw SQL writes.

我来核实: a case reported handled asks the supervisors and the registered citizens living nearby to verify
(:func:`ops.commands.report_handled`, as the workbench does); a handled case picked for its next
step is then sometimes answered by one of those citizens with a photo (:func:`ops.citizen.verification.answer`:
close or rework, points in the ledger), otherwise verified by the supervisors as before.

:func:`simulate_steps` runs ``n`` steps. Given an ``Engine`` each step is its own short transaction, committed
(the simulator owns its transactions); given a ``Connection`` each step runs in a savepoint of the caller's
transaction and nothing is committed (tests). A step refused by the workflow (someone else changed the case,
the transition is no longer allowed, a check failed) is skipped and reported as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Connection, Engine, Row, text

from db.errors import DomainError
from demo.city.draws import DESCRIPTION_TAILS, SHARES, SOURCE_P, SOURCES
from demo.city.refdata import load_cells
from demo.city.rows import (
    ESCALATE_REASONS,
    EXTEND_REASONS,
    FAIL_NOTES,
    HANDLE_NOTES,
    PASS_NOTES,
    REJECT_REASONS,
    RETURN_REASONS,
    SUSPEND_REASONS,
)
from demo.city.spots import KINDS, ZONES, PointSampler, category_weights
from demo.public import placeholder_picture
from demo.users import simulator_account_id
from geo.crs import TZ
from ops import commands
from ops import workflow as wf
from ops.citizen import verification, verification_round
from ops.states import OPEN_STATUSES, Action, CaseStatus, Role
from ops.workflow import Actor

S = CaseStatus
A = Action
T = TypeVar("T")
#: How often each open status is picked for a step (new reports are a status of their own).
STATUS_WEIGHTS = {
    "new": 0.3,
    S.REPORTED: 0.15,
    S.FILED: 0.1,
    S.DISPATCHED: 0.17,
    S.IN_PROGRESS: 0.13,
    S.HANDLED: 0.12,
    S.SUSPENDED: 0.03,
}
OLDEST = 50  # a step goes to one of the most urgent cases of the chosen status
#: Chance that one of the citizens asked to verify a handled case answers before the supervisors do.
CITIZEN_ANSWER = 0.5
PHOTO_VARIANTS = 8  # distinct generated photos (files are content-addressed: a few, reused)


@dataclass(frozen=True)
class StepResult:
    action: str
    case_id: int | None
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Verifying:
    """How 我来核实 runs (the Open311 settings, passed in by the command): who is asked, where photos go."""

    radius_m: float
    media_dir: Path
    max_photo_bytes: int
    #: chance that one of the citizens asked answers a handled case before the supervisors do
    citizen_share: float = CITIZEN_ANSWER


@dataclass
class SimContext:
    """What the simulator looks up once: demo staff, demo citizens, the catalog and the grid."""

    staff: dict[str, Actor]
    reporters: np.ndarray  # all demo persons
    codes: list[str]
    names: list[str]
    sampler: PointSampler
    verifying: Verifying
    _photos: list[bytes] = field(default_factory=list)

    @classmethod
    def load(cls, target: Engine | Connection, verifying: Verifying) -> SimContext:
        if isinstance(target, Engine):
            with target.connect() as conn:
                return cls._load(conn, verifying)
        return cls._load(target, verifying)

    @classmethod
    def _load(cls, conn: Connection, verifying: Verifying) -> SimContext:
        sim = simulator_account_id(conn)
        if sim is None:
            raise RuntimeError("the simulator's account is missing: run `guiyang-ops setup --demo`")
        # the simulator acts in the roles of the center, always as its own account (never a demo staff member)
        staff = {
            "lead": Actor(Role.LEAD, user_id=sim),
            "dispatcher": Actor(Role.DISPATCHER, user_id=sim),
            "system": Actor(Role.SYSTEM, user_id=sim),
        }
        persons = conn.execute(text("SELECT id FROM person WHERE demo ORDER BY id")).scalars().all()
        cats = conn.execute(
            text("SELECT code, name_zh FROM category WHERE level = 2 AND active ORDER BY code")
        ).all()
        cells = load_cells(conn)
        return cls(
            staff=staff,
            reporters=np.array(persons, dtype=np.int64),
            codes=[c.code for c in cats],
            names=[c.name_zh for c in cats],
            sampler=PointSampler(cells.i, cells.j, cells.zone),
            verifying=verifying,
        )

    def department_actor(self, department: str | None) -> Actor:
        """The department acting, recorded as the simulator's account."""
        return Actor(Role.DEPARTMENT, user_id=self.staff["system"].user_id, department=department)

    def photo(self, rng: np.random.Generator) -> bytes:
        """A small generated JPEG, as a phone would send of the place now."""
        if not self._photos:
            self._photos = [placeholder_picture(f"我来核实 {k}", 320, 240) for k in range(PHOTO_VARIANTS)]
        return _choice(rng, self._photos)


_OPEN = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES))
# what a step needs to know of a case
_CASES = """SELECT c.id, c.version, c.status, c.department_code, c.reporter_id, c.deadline, c.escalated,
                   cat.time_limit, e.payload->'duplicates' AS duplicates
              FROM "case" c JOIN category cat ON cat.code = c.category_code
              LEFT JOIN case_event e ON e.case_id = c.id AND e.action = 'report'
             WHERE {where}"""
# the most urgent first (earliest stage deadline): the partial index ix_case_open_stage_deadline serves it
_PICK = text(
    _CASES.format(
        where=f"""c.id IN (SELECT id FROM "case" WHERE status = :s AND status IN ({_OPEN})
                              ORDER BY stage_deadline LIMIT :k)"""  # nosec B608 # SQL from constant fragments; values are bound parameters
    )
)
_ONE_CASE = text(_CASES.format(where=f"c.id = :id AND c.status IN ({_OPEN})"))


# the open citizen tasks of a case's current round (its latest 'handle' event), by person: task ids follow the
# order the insert's plan met the neighbours in, which is not stable
_ROUND_TASKS = text(
    """SELECT t.id, t.person_id FROM verification_task t
        WHERE t.case_id = :c AND t.state = 'open' AND t.person_id IS NOT NULL
          AND t.round_event_id = (SELECT max(e.id) FROM case_event e WHERE e.case_id = :c AND e.action = 'handle')
        ORDER BY t.person_id"""
)


def _choice(rng: np.random.Generator, items: Sequence[T]) -> T:
    return items[int(rng.integers(0, len(items)))]


def _report(conn: Connection, ctx: SimContext, rng: np.random.Generator, now: datetime) -> wf.CaseResult:
    pts, names = ctx.sampler.sample(rng, 1), ctx.sampler.names
    p = category_weights(ctx.codes, ZONES[int(pts.zone[0])], KINDS[int(pts.kind[0])], now.month)
    k = int(rng.choice(len(ctx.codes), p=p))
    source = SOURCES[int(rng.choice(len(SOURCES), p=SOURCE_P))]
    reporter = None
    if source == "app" and len(ctx.reporters):
        reporter = int(ctx.reporters[int(len(ctx.reporters) * rng.random() ** 3)])
    spot = int(pts.address[0])
    return wf.report(
        conn,
        ctx.staff["system"],
        category_code=ctx.codes[k],
        lon=float(pts.lon[0]),
        lat=float(pts.lat[0]),
        description=ctx.names[k] + _choice(rng, DESCRIPTION_TAILS),
        source=source,
        address=names[spot] + "附近" if spot >= 0 else None,
        reporter_id=reporter,
        now=now,
    )


def _center(ctx: SimContext, rng: np.random.Generator) -> Actor:
    return ctx.staff["lead"] if rng.random() < SHARES["lead"] else ctx.staff["dispatcher"]


def _advance(
    conn: Connection, ctx: SimContext, rng: np.random.Generator, c: Row, now: datetime
) -> tuple[str, wf.CaseResult | verification.Answer]:
    """One plausible next step for case ``c`` (see STATUS_WEIGHTS for how cases are picked): a citizen's answer,
    or an action of the staff through the command registry."""
    status, u = CaseStatus(c.status), rng.random()
    if status is S.HANDLED and rng.random() < ctx.verifying.citizen_share:
        answered = _citizen_answer(conn, ctx, rng, c, passed=u >= SHARES["rework"], now=now)
        if answered is not None:
            return answered
    actor, action, params = _choose(ctx, rng, c, u, now)
    return action.value, commands.run(conn, actor, action, c.id, c.version, params, now=now)


def _choose(
    ctx: SimContext, rng: np.random.Generator, c: Row, u: float, now: datetime
) -> tuple[Actor, Action, dict[str, Any]]:
    """Who takes which action with which params on case ``c`` (``u``: the step's uniform draw)."""
    status = CaseStatus(c.status)
    lead, dept = ctx.staff["lead"], ctx.department_actor(c.department_code)
    overdue = c.deadline is not None and c.deadline < now and not c.escalated
    if status is S.REPORTED:
        dups = [int(i) for i in (c.duplicates or [])]
        if dups and u < 0.3:
            return _center(ctx, rng), A.MERGE, {"into_case_id": dups[0]}
        if u < 0.08:
            return _center(ctx, rng), A.REJECT, {"reason": _choice(rng, REJECT_REASONS)}
        urgency = "urgent" if rng.random() < SHARES["urgent_upgrade"] else None
        return _center(ctx, rng), A.FILE, {"urgency": urgency}
    if status is S.FILED:
        return _center(ctx, rng), A.DISPATCH, {}
    if status in (S.DISPATCHED, S.IN_PROGRESS):
        if overdue and u < 0.2:
            return lead, A.ESCALATE, {"reason": _choice(rng, ESCALATE_REASONS)}
        if u < 0.04:
            return dept, A.RETURN, {"reason": _choice(rng, RETURN_REASONS)}
        if u < 0.06:
            return lead, A.SUSPEND, {"reason": _choice(rng, SUSPEND_REASONS)}
        if u < 0.09:
            amount = max(0.5, round(float(c.time_limit) * rng.uniform(0.5, 1.0) * 2) / 2)
            return lead, A.EXTEND, {"amount": amount, "reason": _choice(rng, EXTEND_REASONS)}
        if status is S.DISPATCHED and u < 0.5:
            return dept, A.START, {}
        return dept, A.HANDLE, {"note": _choice(rng, HANDLE_NOTES), "radius_m": ctx.verifying.radius_m}
    if status is S.HANDLED:
        if u < SHARES["rework"]:
            return ctx.staff["dispatcher"], A.VERIFY_FAIL, {"note": _choice(rng, FAIL_NOTES)}
        return ctx.staff["dispatcher"], A.VERIFY_PASS, {"note": _choice(rng, PASS_NOTES)}
    return lead, A.RESUME, {}


def _citizen_answer(
    conn: Connection, ctx: SimContext, rng: np.random.Generator, c: Row, *, passed: bool, now: datetime
) -> tuple[str, verification.Answer] | None:
    """One of the citizens asked to verify ``c``'s current round answers with a photo; None when nobody was
    asked (not public, nobody lives near). A case handled before the simulator ran (the bulk seed writes no
    tasks) gets its round's tasks first, by the same idempotent command the handling would have run."""
    v = ctx.verifying
    tasks = conn.execute(_ROUND_TASKS, {"c": c.id}).all()
    if not tasks:  # the spatial push only for a round nobody has been asked about yet
        verification_round.create_tasks(conn, c.id, radius_m=v.radius_m)
        tasks = conn.execute(_ROUND_TASKS, {"c": c.id}).all()
    if not tasks:
        return None
    task = tasks[int(rng.integers(0, len(tasks)))]
    answer = verification.answer(
        conn,
        task.person_id,
        task.id,
        passed=passed,
        note=_choice(rng, PASS_NOTES if passed else FAIL_NOTES),
        photos=[ctx.photo(rng)],
        media_dir=v.media_dir,
        max_photo_bytes=v.max_photo_bytes,
        now=now,
    )
    return ("citizen_pass" if passed else "citizen_fail"), answer


def _one(
    conn: Connection, ctx: SimContext, rng: np.random.Generator, now: datetime | None, reports: bool = True
) -> StepResult:
    """One step: a new report or a step of an open case (``reports=False``: always a step of an open case, and
    nothing when no case is open in the chosen status)."""
    at = now or datetime.now(TZ)
    keys = [k for k in STATUS_WEIGHTS if reports or k != "new"]
    w = np.array([STATUS_WEIGHTS[k] for k in keys])
    pick = keys[int(rng.choice(len(keys), p=w / w.sum()))]
    if pick == "new":
        r = _report(conn, ctx, rng, at)
        return StepResult("report", r.id, True)
    assert isinstance(pick, CaseStatus) and pick in OPEN_STATUSES  # nosec B101 # type narrowing for mypy, not a security check
    rows = conn.execute(_PICK, {"s": pick.value, "k": OLDEST}).all()
    if not rows and not reports:
        return StepResult("idle", None, False, f"no case is {pick.value}")
    if not rows:
        r = _report(conn, ctx, rng, at)
        return StepResult("report", r.id, True)
    c = rows[int(rng.integers(0, len(rows)))]
    action, _ = _advance(conn, ctx, rng, c, at)
    return StepResult(action, c.id, True)


def advance_case(
    conn: Connection,
    case_id: int,
    rng: np.random.Generator,
    *,
    context: SimContext,
    now: datetime | None = None,
) -> StepResult:
    """One plausible next step for one open case, in the caller's transaction (a refusal raises)."""
    c = conn.execute(_ONE_CASE, {"id": case_id}).first()
    if c is None:
        raise ValueError(f"case {case_id} is not open")
    action, _ = _advance(conn, context, rng, c, now or datetime.now(TZ))
    return StepResult(action, case_id, True)


def simulate_steps(
    target: Engine | Connection,
    n: int,
    rng: np.random.Generator,
    *,
    context: SimContext,
    now: datetime | None = None,
    reports: bool = True,
) -> list[StepResult]:
    """Run ``n`` steps (see the module docstring for transactions); ``now`` defaults to the clock; ``reports``
    False: steps of open cases only (the new reports then come from :func:`file_report`)."""
    ctx = context
    out: list[StepResult] = []
    for _ in range(n):
        try:
            if isinstance(target, Engine):
                with target.begin() as conn:
                    out.append(_one(conn, ctx, rng, now, reports))
            else:
                with target.begin_nested():
                    out.append(_one(target, ctx, rng, now, reports))
        except DomainError as exc:  # stale version, transition no longer allowed, a refused input: skip
            out.append(StepResult(type(exc).__name__, None, False, exc.en))
    return out


def file_report(engine: Engine, rng: np.random.Generator, *, context: SimContext) -> StepResult:
    """One new report, in its own committed transaction (the simulator's arrivals between its steps)."""
    try:
        with engine.begin() as conn:
            r = _report(conn, context, rng, datetime.now(TZ))
    except DomainError as exc:
        return StepResult(type(exc).__name__, None, False, exc.en)
    return StepResult("report", r.id, True)
