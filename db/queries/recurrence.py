"""The recurrence links of one case for its card (复发, written by :mod:`ops.analysis.recurrence`): which earlier
closed case it recurs (with the place's first case, the number, distance and days after closing) and which later
cases recur it. A linked case's ticket is given only when it lies in the reader's scope (else ``None``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, text

from db.scope import RowScope

_AS_NEW = """
    SELECT r.number, r.distance_m, r.days_after_close, r.earlier_case_id, r.place_case_id,
           CASE WHEN {e} THEN e.ticket END AS earlier_ticket,
           CASE WHEN {p} THEN p.ticket END AS place_ticket
      FROM case_recurrence r JOIN "case" e ON e.id = r.earlier_case_id JOIN "case" p ON p.id = r.place_case_id
     WHERE r.case_id = :id
"""
_LATER = """
    SELECT r.case_id, r.number, r.distance_m, r.days_after_close, CASE WHEN {n} THEN n.ticket END AS ticket
      FROM case_recurrence r JOIN "case" n ON n.id = r.case_id
     WHERE r.earlier_case_id = :id ORDER BY n.created_at, n.id
"""


@dataclass(frozen=True)
class CaseRecurrence:
    #: the link of this case to the closed case it recurs, if any
    recurs: Row[Any] | None = None
    #: the later cases that recur this one
    recurred_by: list[Row[Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.recurs is None and not self.recurred_by


def case_recurrence(conn: Connection, scope: RowScope, case_id: int) -> CaseRecurrence:
    params = {**scope.params(), "id": case_id}
    recurs = conn.execute(
        text(_AS_NEW.format(e=scope.where("e"), p=scope.where("p"))),
        params,  # nosec B608 # SQL from constant fragments; values are bound parameters
    ).first()
    later = conn.execute(text(_LATER.format(n=scope.where("n"))), params).all()  # nosec B608 # SQL from constant fragments; values are bound parameters
    return CaseRecurrence(recurs, list(later))
