"""The workbench's catch-up after a push doorbell: which cases within a reader's reach changed since the snapshot
the page last read (:mod:`db.snapshots`).

One indexed query per doorbell: the events whose transactions that snapshot did not see (``ix_case_event_tx``,
only the events that arrived since, however large the city's history, and whatever the order of their commits),
joined to their cases by primary key and limited to the reader's :class:`~db.scope.RowScope`. An event is within
reach when its case is, or when the event's department is the reader's: a case a department returns leaves that
department (the case's ``department_code`` is cleared) and must leave its queue too. No case data is returned:
the page re-reads its queue, pins and card only when this finds something, so a doorbell for a case outside the
reader's reach costs one small query and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from db import snapshots
from db.scope import RowScope

#: More events than this since the page's snapshot (a long disconnection): no detail, the page re-reads all.
GAP_LIMIT = 2000


@dataclass(frozen=True)
class Reached:
    """The result of a catch-up: the cases within reach that changed since the page's snapshot, those of them
    changed by someone other than the reader (``others``: another user, a citizen, the system), and
    ``overflow`` when the gap was too large to look at (the page then re-reads everything). ``cursor``: the
    snapshot this was read in."""

    cursor: str
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
    """The cases within a scope touched by the events since a snapshot and who touched each (``actors``: the
    staff user ids, ``None`` for a citizen or the system): the same for every reader of the scope, so one query
    serves them all (:meth:`for_reader` tells each reader which were changed by someone else)."""

    cursor: str
    actors: tuple[tuple[int, tuple[int | None, ...]], ...] = ()
    overflow: bool = False

    def for_reader(self, reader_id: int | None) -> Reached:
        return Reached(
            cursor=self.cursor,
            cases=[case for case, _ in self.actors],
            others=[case for case, who in self.actors if any(a != reader_id for a in who)],
            overflow=self.overflow,
        )


def changes_in_reach(conn: Connection, scope: RowScope, seen: str, limit: int = GAP_LIMIT) -> Changes:
    """The cases within ``scope`` touched by the events the snapshot ``seen`` did not see, with their actors."""
    if scope.empty:
        return Changes(cursor=snapshots.current(conn))
    # one statement, so the snapshot handed back is the one the events were read in
    row = conn.execute(
        text(
            f"WITH s AS MATERIALIZED (SELECT {snapshots.CURRENT}), "  # nosec B608 # SQL from constant fragments; values are bound parameters
            f"new AS MATERIALIZED (SELECT e.* FROM case_event e WHERE {snapshots.NEW_SINCE} ORDER BY e.tx LIMIT :lim), "
            "hit AS (SELECT e.case_id, array_agg(DISTINCT e.actor_user_id) AS actors "
            f'FROM new e JOIN "case" c ON c.id = e.case_id WHERE {_reach_sql(scope)} GROUP BY e.case_id) '
            "SELECT (SELECT seen FROM s) AS seen, (SELECT top FROM s) AS top, (SELECT count(*) FROM new) AS n, "
            "(SELECT coalesce(json_agg(json_build_array(case_id, actors) ORDER BY case_id), '[]') FROM hit) AS hits"
        ),
        {"seen": seen, "lim": limit + 1, **scope.params()},
    ).one()
    cursor = snapshots.canonical(row.seen, row.top)
    if int(row.n) > limit:
        return Changes(cursor=cursor, overflow=True)
    return Changes(
        cursor=cursor,
        actors=tuple(
            (int(case), tuple(None if a is None else int(a) for a in actors)) for case, actors in row.hits
        ),
    )


def changed_in_reach(
    conn: Connection, scope: RowScope, seen: str, reader_id: int | None, limit: int = GAP_LIMIT
) -> Reached:
    """The cases within ``scope`` touched by the events the snapshot ``seen`` did not see, and those of them
    changed by someone other than ``reader_id``."""
    return changes_in_reach(conn, scope, seen, limit).for_reader(reader_id)
