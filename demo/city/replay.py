"""Replay the planned steps through the workflow's rules, for all cases at once.

For each slot in order, the cases taking it (planned and not later than ``now``) change state exactly as the
command in :mod:`ops.workflow` would change the row (see its module docstring): status, counters, timestamps,
deadline and the stage clock, computed with :class:`VecCalendar` (identical to the workflow's calendar). Each
step yields one event; its payload values are collected here and turned into bytes by :mod:`.rows`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from demo.city import slots as sl
from demo.city.refdata import UNITS
from demo.city.workclock import VecCalendar
from ops.states import STAGE_LIMITS, CaseStatus
from ops.workflow.base import YELLOW_SHARE

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]
AnyArr = npt.NDArray[Any]
B1 = npt.NDArray[np.bool_]
NULL = -1
ST = sl.STATUS_INDEX
S = CaseStatus


@dataclass
class Group:
    """The events of one slot: ``case`` (row index), ``at``, and per-event values."""

    slot: int
    case: I8
    at: I8
    from_status: I8
    to_status: I8
    department: I8
    values: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)


@dataclass
class State:
    """The case rows while replaying (``-1`` is NULL for instants and indices)."""

    n: int
    status: I8
    resume_status: I8
    urgent: B1
    escalated: B1
    department: I8
    merged_into: I8
    deadline: I8
    stage_started: I8
    stage_yellow: I8
    stage_deadline: I8
    paused_since: I8
    rework: I8
    returns: I8
    extensions: I8
    filed_at: I8
    dispatched_at: I8
    handled_at: I8
    closed_at: I8
    updated_at: I8
    version: I8

    @classmethod
    def empty(cls, n: int) -> State:
        def nul() -> I8:
            return np.full(n, NULL, dtype=np.int64)

        def zero() -> I8:
            return np.zeros(n, dtype=np.int64)

        return cls(
            n,
            nul(),
            nul(),
            np.zeros(n, bool),
            np.zeros(n, bool),
            nul(),
            nul(),
            nul(),
            nul(),
            nul(),
            nul(),
            nul(),
            zero(),
            zero(),
            zero(),
            nul(),
            nul(),
            nul(),
            nul(),
            nul(),
            zero(),
        )


class Replayer:
    def __init__(
        self,
        vc: VecCalendar,
        t: I8,
        now: int,
        *,
        unit: I8,
        limit: F8,
        urgent_category: B1,
        urgent: B1,
        suggested: I8,
        wrong_department: I8,
        extend_amount: F8,
        escalate_delay: I8,
        merged_into: I8,
    ) -> None:
        self.vc = vc
        self.t = t
        self.now = now
        self.unit = unit
        self.limit = limit
        self.urgent_category = urgent_category
        self.urgent = urgent
        self.suggested = suggested
        self.wrong = wrong_department
        self.amount = extend_amount
        self.escalate_delay = escalate_delay
        self.merge_target = merged_into
        self.s = State.empty(t.shape[1])
        self.groups: list[Group] = []

    # --- calendar helpers over a subset, per unit -------------------------------------------------------------

    def _per_unit(
        self, rows: I8, fn: Callable[[AnyArr, AnyArr, str], AnyArr], a: AnyArr, b: AnyArr, dtype: type
    ) -> AnyArr:
        """``fn(a, b, unit)`` over ``rows``, each row in its 小类's time unit."""
        out: AnyArr = np.empty(len(rows), dtype=dtype)
        units = self.unit[rows]
        for k, u in enumerate(UNITS):
            m = units == k
            if m.any():
                out[m] = fn(a[m], b[m], u)
        return out

    def _add(self, rows: I8, start: I8, amount: F8) -> I8:
        return self._per_unit(rows, self.vc.add, start, amount, np.int64)

    def _elapsed(self, rows: I8, a: I8, b: I8) -> F8:
        return self._per_unit(rows, self.vc.elapsed, a, b, np.float64)

    def _center_clock(self, rows: I8, at: I8, status: CaseStatus) -> None:
        amount, unit = STAGE_LIMITS[status]
        s = self.s
        s.stage_started[rows] = at
        s.stage_yellow[rows] = self.vc.add(at, YELLOW_SHARE * amount, unit)
        s.stage_deadline[rows] = self.vc.add(at, float(amount), unit)

    def _handling_clock(self, rows: I8, at: I8) -> None:
        s = self.s
        lim = self.limit[rows]
        s.stage_started[rows] = at
        s.stage_yellow[rows] = self._add(rows, at, YELLOW_SHARE * lim)
        s.stage_deadline[rows] = self._add(rows, at, lim)
        s.deadline[rows] = s.stage_deadline[rows]

    def _no_clock(self, rows: I8) -> None:
        s = self.s
        s.stage_started[rows] = NULL
        s.stage_yellow[rows] = NULL
        s.stage_deadline[rows] = NULL

    # --- the replay -----------------------------------------------------------------------------------------

    def run(self) -> State:
        for slot in range(sl.NSLOTS):
            if slot == sl.ESCALATE:
                self._plan_escalations()
            col = self.t[slot]
            rows = np.flatnonzero((col >= 0) & (col <= self.now))
            if rows.size:
                self._step(slot, rows, col[rows])
        return self.s

    def _plan_escalations(self) -> None:
        """A lead escalates some cases once they are overdue, before they are handled."""
        s, t = self.s, self.t
        cand = np.flatnonzero((self.escalate_delay >= 0) & (s.deadline >= 0) & (t[sl.HANDLE] >= 0))
        if not cand.size:
            return
        prev = t[: sl.ESCALATE, cand].max(axis=0)
        at = np.maximum(s.deadline[cand] + self.escalate_delay[cand], prev + 1_000_000)
        ok = at < t[sl.HANDLE, cand] - 1_000_000
        t[sl.ESCALATE, cand[ok]] = at[ok]

    def _step(self, slot: int, rows: I8, at: I8) -> None:
        s = self.s
        before = s.status[rows].copy()
        target = sl.SLOT_TO[slot]
        values: dict[str, npt.NDArray[np.generic]] = {}
        event_department: I8 | None = None
        if slot == sl.REPORT:
            s.urgent[rows] = self.urgent_category[rows]
            s.escalated[rows] = self.urgent_category[rows]
            self._center_clock(rows, at, S.REPORTED)
        elif slot == sl.REJECT:
            s.closed_at[rows] = at
            self._no_clock(rows)
        elif slot in (sl.MERGE_R, sl.MERGE_F):
            s.merged_into[rows] = self.merge_target[rows]
            s.closed_at[rows] = at
            self._no_clock(rows)
            values["into"] = self.merge_target[rows]
        elif slot == sl.FILE:
            s.filed_at[rows] = at
            s.urgent[rows] = self.urgent[rows]
            s.escalated[rows] |= self.urgent[rows]
            self._center_clock(rows, at, S.FILED)
            values["urgent"] = self.urgent[rows]
        elif slot in (sl.DISPATCH1, sl.DISPATCH2):
            chosen = self.suggested[rows]
            if slot == sl.DISPATCH1:
                chosen = np.where(self.wrong[rows] >= 0, self.wrong[rows], chosen)
            s.department[rows] = chosen
            s.dispatched_at[rows] = at
            self._handling_clock(rows, at)
            values["suggested"] = self.suggested[rows]
            values["deadline"] = s.deadline[rows].copy()
        elif slot == sl.RETURN:
            event_department = s.department[rows].copy()
            s.returns[rows] += 1
            s.department[rows] = NULL
            s.deadline[rows] = NULL
            self._center_clock(rows, at, S.FILED)
        elif slot == sl.SUSPEND:
            s.resume_status[rows] = before
            s.paused_since[rows] = at
        elif slot == sl.RESUME:
            self._resume(rows, at, values)
        elif slot == sl.EXTEND:
            self._extend(rows, at, values)
        elif slot == sl.ESCALATE:
            s.escalated[rows] = True
        elif slot in (sl.HANDLE, sl.HANDLE_R):
            values["on_time"] = (s.deadline[rows] < 0) | (at <= s.deadline[rows])
            s.handled_at[rows] = at
            self._center_clock(rows, at, S.HANDLED)
        elif slot == sl.VERIFY_FAIL:
            s.rework[rows] += 1
            self._handling_clock(rows, at)
            values["deadline"] = s.deadline[rows].copy()
        elif slot == sl.VERIFY_PASS:
            s.closed_at[rows] = at
            self._no_clock(rows)
        if slot == sl.RESUME:
            after = s.status[rows]
        elif target is None:
            after = before
        else:
            after = np.full(len(rows), ST[target], dtype=np.int64)
            s.status[rows] = after
        s.version[rows] += 1
        s.updated_at[rows] = at
        dept = s.department[rows].copy() if event_department is None else event_department
        self.groups.append(Group(slot, rows, at, before, after.copy(), dept, values))

    def _resume(self, rows: I8, at: I8, values: dict[str, npt.NDArray[np.generic]]) -> None:
        """Every clock instant after the pause start moves by the working time it still had to run."""
        s = self.s
        paused = s.paused_since[rows]
        for arr in (s.stage_yellow, s.stage_deadline, s.deadline):
            v = arr[rows]
            later = (v >= 0) & (v > paused)
            if later.any():
                sub = rows[later]
                left = np.maximum(0.0, self._elapsed(sub, paused[later], v[later]))
                v = v.copy()
                v[later] = self._add(sub, at[later], left)
                arr[rows] = v
        values["paused_us"] = at - paused
        s.status[rows] = s.resume_status[rows]
        s.paused_since[rows] = NULL
        s.resume_status[rows] = NULL

    def _extend(self, rows: I8, at: I8, values: dict[str, npt.NDArray[np.generic]]) -> None:
        s = self.s
        amount = self.amount[rows]
        base = np.where(s.stage_deadline[rows] >= 0, s.stage_deadline[rows], at)
        stage_deadline = self._add(rows, base, amount)
        deadline = np.where(
            s.deadline[rows] >= 0, self._add(rows, np.maximum(s.deadline[rows], 0), amount), stage_deadline
        )
        started = np.where(s.stage_started[rows] >= 0, s.stage_started[rows], at)
        yellow = self._add(rows, started, YELLOW_SHARE * self._elapsed(rows, started, stage_deadline))
        s.stage_deadline[rows] = stage_deadline
        s.deadline[rows] = deadline
        s.stage_yellow[rows] = yellow
        s.extensions[rows] += 1
        values["amount"] = amount
        values["deadline"] = deadline
