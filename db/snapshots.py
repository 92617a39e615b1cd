"""What a screen has seen of the case history: a PostgreSQL snapshot, not an event id.

Event ids come from a sequence when a row is inserted, so commits do not arrive in id order: the transaction
holding id 100 may commit after the one holding id 101, and a screen that caught up "after 101" would never see
100. Each event records its transaction (``case_event.tx``, migration 0039). A screen keeps the snapshot its last
read was taken in (``pg_current_snapshot()`` as text, ``"xmin:xmax:xip,…"``) and asks for the events whose
transaction that snapshot did not see (:data:`NEW_SINCE`): exact whatever the order of commits, with no lock
between writers, and cheap (``ix_case_event_tx`` from the snapshot's ``xmin`` on).

A doorbell carries the committing transaction's id; :func:`visible` tells a screen whether its snapshot already
holds it (then there is nothing to catch up). Notifications arrive in commit order, so a snapshot that sees the
last one sees every earlier one.

Screens share one catch-up per cursor (:class:`dashboard.delta_cache.DeltaCache`), so screens that have seen the
same events must hold the same cursor, whatever else the database did between their reads (every transaction,
the rate limits' too, moves a snapshot). :func:`canonical` keeps only what tells events apart: with ``top`` the
newest transaction that wrote a visible event, ``xmax`` becomes ``top + 1`` (a transaction above it that had
committed wrote no event: hiding it hides nothing) and only the transactions in progress up to ``top`` are listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

_TEXT = re.compile(r"^(\d{1,19}):(\d{1,19}):((?:\d{1,19})(?:,\d{1,19})*)?$")
#: in-progress transactions listed at most (a snapshot's text stays small for a browser store)
MAX_XIP = 10_000

#: SQL: ``e``'s transaction was not visible in the snapshot ``:seen`` (bound as text)
NEW_SINCE = (
    "e.tx >= pg_snapshot_xmin(CAST(:seen AS pg_snapshot)) "
    "AND NOT pg_visible_in_snapshot(e.tx, CAST(:seen AS pg_snapshot))"
)
#: SQL: the ids of the cases whose ``report`` event a transaction the snapshot ``:seen`` did not see wrote (read from
#: ``ix_case_event_tx``: the few newer events): the analysis cycle's counts and links take these below their last
#: case id. The reading transaction's own reports are left out: its snapshot lists it as running, yet it read them.
LATE_REPORTS = (
    f"ARRAY(SELECT e.case_id FROM case_event e WHERE e.action = 'report' AND {NEW_SINCE} "  # nosec B608 # constants
    "AND e.tx IS DISTINCT FROM pg_current_xact_id_if_assigned())"
)
#: SQL: the statement's own snapshot as text and the newest transaction that wrote an event it sees (columns
#: ``seen`` and ``top``: one statement reads one snapshot), for :func:`canonical`
CURRENT = "pg_current_snapshot()::text AS seen, (SELECT max(tx)::text FROM case_event) AS top"


_NOW = text(f"SELECT {CURRENT}")


def current(conn: Connection) -> str:
    """The database's snapshot now, as a cursor (a page's first reads are as new as it)."""
    row = conn.execute(_NOW).one()
    return canonical(row.seen, row.top)


@dataclass(frozen=True)
class Snapshot:
    xmin: int
    xmax: int
    xip: frozenset[int]

    def sees(self, xid: int) -> bool:
        """Whether a transaction's writes are visible in this snapshot (had it committed)."""
        return xid < self.xmin or (xid < self.xmax and xid not in self.xip)


def canonical(seen: str, top: object) -> str:
    """The snapshot ``seen`` as a cursor (see the module): the same text for every snapshot that sees the same
    events. ``top``: the newest transaction among the events it sees (None: it sees none with a transaction)."""
    snap = parse(seen)
    if snap is None:
        raise ValueError(f"not a snapshot: {seen!r}")
    high = xid_of(top)
    if high is None:  # no event with a transaction: a cursor before all of them
        return "1:1:"
    xmax = min(snap.xmax, high + 1)
    xip = sorted(x for x in snap.xip if x < xmax)
    xmin = xip[0] if xip else xmax
    return f"{xmin}:{xmax}:{','.join(str(x) for x in xip)}"


def parse(value: object) -> Snapshot | None:
    """A snapshot's text as PostgreSQL writes it, or None for anything else (an old screen's event id, a
    tampered store): the caller then starts afresh."""
    if not isinstance(value, str) or len(value) > 40 + 20 * MAX_XIP:
        return None
    m = _TEXT.match(value)
    if m is None:
        return None
    xmin, xmax = int(m.group(1)), int(m.group(2))
    xip = frozenset(int(x) for x in m.group(3).split(",")) if m.group(3) else frozenset()
    if xmin > xmax or any(not xmin <= x < xmax for x in xip) or xmax >= 2**63:
        return None
    return Snapshot(xmin, xmax, xip)


def valid(value: object) -> str | None:
    """``value`` if it is a snapshot's text, else None."""
    return value if isinstance(value, str) and parse(value) is not None else None


def xid_of(value: object) -> int | None:
    """A doorbell's transaction id (an int, or digits), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) <= 19:
        return int(value)
    return None


def holds(xid: int | None, cursor: str) -> bool:
    """Whether an answer read in ``cursor`` holds a doorbell's transaction (an unknown one: any answer does)."""
    return xid is None or visible(xid, cursor)


def visible(xid: object, seen: object) -> bool:
    """Whether the snapshot text ``seen`` already holds the transaction ``xid`` (False when either is unknown:
    then the screen reads)."""
    x, snap = xid_of(xid), parse(seen)
    return x is not None and snap is not None and snap.sees(x)


def follows(cursor: object, start: object, end: object) -> bool:
    """Whether a screen at ``cursor`` can merge a feed's delta from ``start`` to ``end`` (:mod:`dashboard.feeds`):
    its cursor is the start, or lies between the start and the end. ``gy.snapshot.follows`` is the same rule."""
    return isinstance(cursor, str) and (cursor == start or (covers(cursor, start) and covers(end, cursor)))


def covers(big: object, small: object) -> bool:
    """Whether the snapshot text ``big`` sees every transaction ``small`` sees (False when either is unknown, or
    when telling would mean listing transactions: ``big``'s ``xmax`` below ``small``'s). A screen at ``small``
    may then take a delta computed from an older cursor up to ``big`` (:mod:`dashboard.feeds`)."""
    b, s = parse(big), parse(small)
    if b is None or s is None or b.xmax < s.xmax:
        return False
    return all(not s.sees(x) for x in b.xip)
