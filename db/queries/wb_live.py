"""The workbench's catch-up after a push doorbell: which cases within a reader's reach changed after the last
event id the page has.

One indexed query per doorbell: the primary key range ``(after, upto]`` of ``case_event`` (only the events that
arrived since, however large the city's history), joined to their cases by primary key and limited to the
reader's :class:`~db.scope.RowScope`. An event is within reach when its case is, or when the event's department
is the reader's: a case a department returns leaves that department (the case's ``department_code`` is cleared)
and must leave its queue too. No case data is returned: the page re-reads its queue, pins and card only when
this finds something, so a doorbell for a case outside the reader's reach costs one small query and nothing
else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from db.scope import RowScope

#: More events than this since the page's cursor (a long disconnection): no detail, the page re-reads all.
GAP_LIMIT = 2000


@dataclass(frozen=True)
class Reached:
    """The result of a catch-up: the cases within reach that changed in ``(after, last_id]``, those of them
    changed by someone other than the reader (``others``: another user, a citizen, the system), and
    ``overflow`` when the gap was too large to look at (the page then re-reads everything)."""

    last_id: int
    cases: list[int] = field(default_factory=list)
    others: list[int] = field(default_factory=list)
    overflow: bool = False


def _reach_sql(scope: RowScope) -> str:
    if scope.city_wide:
        return "TRUE"
    if scope.department is None:
        return scope.where("c")
    return f"(({scope.where('c')}) OR ({scope.where('c', 'e')}))"


@dataclass(frozen=True)
class Changes:
    """The cases within a scope touched by the events ``(after, last_id]`` and who touched each (``actors``: the
    staff user ids, ``None`` for a citizen or the system): the same for every reader of the scope, so one query
    serves them all (:meth:`for_reader` tells each reader which were changed by someone else)."""

    last_id: int
    actors: tuple[tuple[int, tuple[int | None, ...]], ...] = ()
    overflow: bool = False

    def for_reader(self, reader_id: int | None) -> Reached:
        return Reached(
            last_id=self.last_id,
            cases=[case for case, _ in self.actors],
            others=[case for case, who in self.actors if any(a != reader_id for a in who)],
            overflow=self.overflow,
        )


def changes_in_reach(
    conn: Connection, scope: RowScope, after: int, upto: int, limit: int = GAP_LIMIT
) -> Changes:
    """The cases within ``scope`` touched by the events ``after < id <= upto`` (``upto``: the doorbell's id), with
    their actors."""
    if upto <= after:
        return Changes(last_id=after)
    if scope.empty:
        return Changes(last_id=upto)
    if upto - after > limit:
        return Changes(last_id=upto, overflow=True)
    rows = conn.execute(
        text(
            "SELECT e.case_id, array_agg(DISTINCT e.actor_user_id) AS actors "  # nosec B608 # SQL from constant fragments; values are bound parameters
            'FROM case_event e JOIN "case" c ON c.id = e.case_id '
            f"WHERE e.id > :after AND e.id <= :upto AND {_reach_sql(scope)} "
            "GROUP BY e.case_id ORDER BY e.case_id"
        ),
        {"after": after, "upto": upto, **scope.params()},
    ).all()
    return Changes(
        last_id=upto,
        actors=tuple((int(r.case_id), tuple(None if a is None else int(a) for a in r.actors)) for r in rows),
    )


def changed_in_reach(
    conn: Connection, scope: RowScope, after: int, upto: int, reader_id: int | None, limit: int = GAP_LIMIT
) -> Reached:
    """The cases within ``scope`` touched by the events ``after < id <= upto``, and those of them changed by
    someone other than ``reader_id``."""
    return changes_in_reach(conn, scope, after, upto, limit).for_reader(reader_id)
