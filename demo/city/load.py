"""Database side of the bulk load: ids, demo persons, the bulk-load window, COPY and the checks afterwards.

Bulk-load window (:func:`bulk_window`): inside the caller's transaction,

* the foreign keys of ``case`` and ``case_event`` are dropped and re-added afterwards with their exact
  definitions (``pg_get_constraintdef``): one set-wise validation instead of a lookup per row;
* when the tables are small compared with the load, their primary and unique keys, their secondary indexes and
  the foreign keys pointing at them are dropped too and re-created from ``pg_get_constraintdef`` /
  ``pg_get_indexdef`` (same names and definitions as the migration; partial and expression indexes stay, as
  their deparsed definition would not re-create the identical expression); measured on 1M cases and 5.6M events:
  COPY with the keys in place took 42 s, without them 14 s plus 3 s to build them; partial indexes with a
  simple predicate (``actor_user_id IS NOT NULL``: nearly every event) go too, so COPY never inserts into a
  btree row by row in random order;
* trigger ``case_route`` is dropped (and re-created at the end, as the triggers below): the generator wrote
  ``district_code``/``cell_id`` from the set-wise twin of ``gy_route`` (:mod:`.routing`) and the ticket with the
  trigger's formula, both checked afterwards;
* trigger ``case_event_notify`` is dropped (its transition table would hold millions of rows) and one
  ``pg_notify('case_event', max id)`` rings the same doorbell at commit;
* the default of ``case_event.tx`` is dropped: the loaded history keeps it NULL, as history from before migration
  0039 (open screens do not replay it; their base layer reloads with its fallback timer);
* the rollup's insert triggers (``case_rollup_insert``, ``case_event_rollup_insert``) are dropped: the caller
  rebuilds the rollup once at the end, and with them on, every loaded row was also written to their transition
  tables (temporary files of several GB at 10M cases) only for the triggers to skip their work;
* when ``case`` is empty (or emptied by ``--replace``) it is truncated in this transaction and its COPY uses
  ``FREEZE``: the rows are written frozen and the pages marked all-visible, so the foreign key validations that
  read ``pk_case`` (one per monthly partition of ``case_event``, each reading the key up to its partition's
  highest case) are index-only scans without a visit to the table; measured at 1M cases over three years, the
  validation of ``fk_case_event_case_id_case`` took 14.7 s before, and at 10M cases 245 s;
* ``case`` is analyzed (its indexes built) before the foreign keys are validated, so the planner knows its size
  and that its pages are all-visible.

All of it is transactional: an error rolls every change back, triggers and constraints included. It needs the
table owner (the role that ran the migrations): an admin-only demo operation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial

import numpy as np
import numpy.typing as npt
import psycopg
from psycopg.copy import QueuedLibpqWriter

from demo.city import pgbinary as pb

I8 = npt.NDArray[np.int64]
TABLES = ('"case"', "case_event")

_FKS = """
SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', conrelid::regclass, conname),
       format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', conrelid::regclass, conname, pg_get_constraintdef(oid))
  FROM pg_constraint
 WHERE contype = 'f' AND conparentid = 0  -- a partition's copy goes with its parent's
   AND (conrelid = ANY(%(t)s::regclass[]) OR (%(incoming)s AND confrelid = ANY(%(t)s::regclass[])))
 ORDER BY conrelid::regclass::text, conname
"""
_KEYS = """
SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', conrelid::regclass, conname),
       format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', conrelid::regclass, conname, pg_get_constraintdef(oid)),
       conrelid = 'case_event'::regclass
  FROM pg_constraint
 WHERE contype IN ('p', 'u') AND conparentid = 0 AND conrelid = ANY(%(t)s::regclass[])
 ORDER BY conrelid::regclass::text, contype, conname
"""
_INDEXES = """
SELECT format('DROP INDEX %%s', i.indexrelid::regclass),
       replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON '),  -- a partitioned table's: on every partition
       i.indrelid = 'case_event'::regclass
  FROM pg_index i
 WHERE i.indrelid = ANY(%(t)s::regclass[])
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
   -- a partial index whose predicate holds an array literal deparses with a cast per element: it stays
   AND (i.indpred IS NULL OR pg_get_expr(i.indpred, i.indrelid) NOT LIKE '%%ARRAY%%')
   AND (i.indexprs IS NULL OR i.indexrelid::regclass::text LIKE 'ix\\_case\\_search\\_%%')  -- the search's GIN
   AND i.indexrelid::regclass::text <> 'ix_case_event_tx'  -- stays: the loaded rows are not in it (see _TX)
 ORDER BY i.indexrelid::regclass::text
"""
#: the default of ``case_event.tx`` (the writing transaction, migration 0039), dropped for the load: the loaded
#: history is older than any screen's snapshot, so its ``tx`` stays NULL like that of events from before 0039 (no
#: function call per row, and the partial index ``ix_case_event_tx`` stays in place with nothing to insert)
_TX = """
SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
 WHERE d.adrelid = 'case_event'::regclass AND a.attname = 'tx'
"""


#: triggers dropped during the load and re-created from their definitions (see the module's docstring): merely
#: disabled, a BEFORE ROW trigger or a transition table still made COPY insert row by row (no multi-insert, so
#: no all-visible pages with FREEZE either)
_TRIGGERS = (
    ('"case"', "case_route"),
    ('"case"', "case_rollup_insert"),
    ("case_event", "case_event_notify"),
    ("case_event", "case_event_rollup_insert"),
)


_TRIGGER_DEFS = """
SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
 WHERE t.tgrelid IN ('"case"'::regclass, 'case_event'::regclass) AND NOT t.tgisinternal AND t.tgparentid = 0
   AND t.tgname = ANY(%(names)s) ORDER BY t.tgname
"""


def truncate_for_freeze(conn: psycopg.Connection) -> bool:
    """When ``case`` is empty, truncate it in this transaction so that its COPY may use ``FREEZE``; returns
    whether it did. Call inside :func:`bulk_window` with ``rebuild=True`` (the foreign keys pointing at cases are
    down), in the same (sub)transaction as the COPY; not needed after :func:`remove_cases`, which truncates."""
    row = conn.execute('SELECT EXISTS (SELECT 1 FROM "case")').fetchone()
    if row is None or row[0]:
        return False
    conn.execute('TRUNCATE "case"')
    return True


def reserve_ids(conn: psycopg.Connection, table: str, n: int) -> int:
    """Take ``n`` consecutive ids from ``table``'s id sequence; returns the first (callers hold a lock that keeps
    other writers out, see :func:`bulk_window`)."""
    row = conn.execute(
        f"SELECT pg_get_serial_sequence(%s, 'id'), (SELECT coalesce(max(id), 0) FROM {table})",  # nosec B608 # our tables
        (table,),
    ).fetchone()
    assert row is not None  # nosec B101 # type narrowing for mypy, not a security check
    seq, top = row
    first = int(conn.execute("SELECT nextval(%s::regclass)", (seq,)).fetchone()[0])  # type: ignore[index]
    first = max(first, int(top) + 1)
    if n > 0:
        conn.execute("SELECT setval(%s::regclass, %s)", (seq, first + n - 1))
    return first


def count_rows(conn: psycopg.Connection) -> dict[str, int]:
    row = conn.execute(
        'SELECT (SELECT count(*) FROM "case"), (SELECT count(*) FROM case_event), '
        "(SELECT count(*) FROM person WHERE demo)"
    ).fetchone()
    assert row is not None  # nosec B101 # type narrowing for mypy, not a security check
    return {"case": int(row[0]), "case_event": int(row[1]), "person": int(row[2])}


def remove_cases(conn: psycopg.Connection) -> None:
    """``--replace``: every case and its history go (admin-only demo operation; the history is append-only, so
    its refusal triggers are disabled for this transaction only). Photos of cases and points earned on cases go
    with them; demo persons, staff and reference data stay. Run inside :func:`bulk_window` with
    ``rebuild=True`` (the foreign keys pointing at cases are down)."""
    conn.execute("ALTER TABLE case_event DISABLE TRIGGER case_event_no_truncate")
    conn.execute("ALTER TABLE points_ledger DISABLE TRIGGER points_ledger_append_only")
    conn.execute("ALTER TABLE points_claim DISABLE TRIGGER points_claim_append_only")
    # the awards' keys go with the awards (a new city's case 1 may be rewarded again)
    conn.execute(
        "DELETE FROM points_claim k USING points_ledger l WHERE l.case_id IS NOT NULL "
        "AND (k.person_id, k.reason, k.ref) = (l.person_id, l.reason, l.ref)"
    )
    conn.execute("DELETE FROM points_ledger WHERE case_id IS NOT NULL")
    # the citizen API's rows about cases go with them (RESTART IDENTITY would make them point at new cases)
    conn.execute("DELETE FROM verification_task")
    conn.execute("DELETE FROM idempotency_key WHERE case_id IS NOT NULL")
    conn.execute("DELETE FROM case_intake")
    # the analysis of the old city goes with it: recurrence links point at cases, the cycle's cursors at case ids
    # that RESTART IDENTITY reuses; the hourly counts, the alerts and the campaigns (whose effects are measured
    # on the old reports) describe a history that is gone
    conn.execute("DELETE FROM case_recurrence")
    conn.execute("DELETE FROM analysis_cursor")
    conn.execute("DELETE FROM analysis_hourly")
    conn.execute("DELETE FROM analysis_snapshot")
    for table in ("analysis_alert_event", "campaign_event"):
        conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_truncate")
    # the notifications and alarms told of the old city's cases and alerts (the routes stay: configuration); a
    # TRUNCATE must name every table whose foreign keys point at the truncated ones
    conn.execute(
        "TRUNCATE analysis_alert_event, campaign_event, campaign, analysis_alert, notify_outbox, notify_key, alarm "
        "RESTART IDENTITY"
    )
    for table in ("analysis_alert_event", "campaign_event"):
        conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_truncate")
    conn.execute(
        "DELETE FROM photo WHERE case_id IS NOT NULL "
        "AND id NOT IN (SELECT photo_id FROM beauty_post WHERE photo_id IS NOT NULL)"
    )
    conn.execute("UPDATE photo SET case_id = NULL WHERE case_id IS NOT NULL")
    conn.execute('TRUNCATE case_event, "case", notify_outbox, notify_key, alarm RESTART IDENTITY')
    conn.execute("ALTER TABLE points_claim ENABLE TRIGGER points_claim_append_only")
    conn.execute("ALTER TABLE points_ledger ENABLE TRIGGER points_ledger_append_only")
    conn.execute("ALTER TABLE case_event ENABLE TRIGGER case_event_no_truncate")


@contextmanager
def bulk_window(
    conn: psycopg.Connection,
    *,
    rebuild: bool,
    timings: dict[str, float] | None = None,
    on_step: Callable[[int, int], None] | None = None,
    before_history: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Drop the foreign keys of case/case_event (with ``rebuild`` also their primary and unique keys, their
    secondary indexes and the foreign keys pointing at them) and the load's triggers (:data:`_TRIGGERS`); put
    everything back on exit: triggers, keys, indexes (``case``'s, then ``before_history()`` is called, then
    ``case_event``'s), then foreign keys (validated set-wise). ``timings`` receives the seconds of each re-created
    key, index and foreign key (and ``before_history``) by name; ``on_step(done, total)`` follows them."""
    params = {"t": list(TABLES), "incoming": rebuild}
    fks = conn.execute(_FKS, params).fetchall()
    keys = conn.execute(_KEYS, params).fetchall() if rebuild else []
    indexes = conn.execute(_INDEXES, params).fetchall() if rebuild else []
    conn.execute('LOCK TABLE "case", case_event IN SHARE ROW EXCLUSIVE MODE')
    for drop, *_ in fks + keys + indexes:
        conn.execute(drop)
    tx_default = conn.execute(_TX).fetchone()
    if tx_default is not None:
        conn.execute("ALTER TABLE case_event ALTER COLUMN tx DROP DEFAULT")
    triggers = conn.execute(_TRIGGER_DEFS, {"names": [name for _, name in _TRIGGERS]}).fetchall()
    for table, trigger in _TRIGGERS:
        conn.execute(f"DROP TRIGGER {trigger} ON {table}")
    yield
    if tx_default is not None:
        conn.execute(f"ALTER TABLE case_event ALTER COLUMN tx SET DEFAULT {tx_default[0]}")
    for (definition,) in triggers:
        conn.execute(definition)
    conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
    conn.execute("SET LOCAL work_mem = '256MB'")
    conn.execute("SET LOCAL jit = off")  # compiling the validation queries costs more than it saves
    case_built = [(drop, create) for drop, create, history in keys + indexes if not history]
    history_built = [(drop, create) for drop, create, history in keys + indexes if history]
    todo = case_built + history_built + [(drop, create) for drop, create in fks]
    done = 0

    def timed(name: str, run: Callable[[], object]) -> None:
        started = time.perf_counter()
        run()
        if timings is not None:
            timings[name] = round(time.perf_counter() - started, 2)

    def build(statements: list[tuple[str, str]]) -> None:
        nonlocal done
        for drop, create in statements:
            timed(_name(drop), partial(conn.execute, create))
            done += 1
            if on_step is not None:
                on_step(done, len(todo))

    build(case_built)
    if before_history is not None:  # the history's months built beside are attached here
        timed("before history", before_history)
    build(history_built)
    conn.execute('ANALYZE "case"')  # before the foreign keys: the planner learns the loaded sizes
    build(todo[len(case_built) + len(history_built) :])


def _name(drop: str) -> str:
    """The key, index or foreign key a DROP statement names."""
    return drop.rsplit(" ", 1)[-1].strip('"')


def copy_binary(
    conn: psycopg.Connection, table: str, columns: str, chunks: Iterable[list[bytes]], *, freeze: bool = False
) -> int:
    """COPY binary rows produced by ``chunks`` (lists of pieces); a writer thread sends while the next chunk is
    encoded. ``freeze``: the table was truncated in this transaction (:func:`truncate_for_freeze`)."""
    size = 0
    options = "FORMAT BINARY, FREEZE" if freeze else "FORMAT BINARY"
    with conn.cursor() as cur:
        with cur.copy(
            f"COPY {table} ({columns}) FROM STDIN ({options})", writer=QueuedLibpqWriter(cur)
        ) as cp:
            cp.write(pb.HEADER)
            for chunk in chunks:
                for piece in chunk:
                    size += len(piece)
                    cp.write(piece)
            cp.write(pb.TRAILER)
    return size


def verify_load(conn: psycopg.Connection, first: int, last: int, sample: int, seed: int) -> None:
    """The checks after a bulk load: tickets by the trigger's formula (all rows), routing by ``gy_route`` (a
    random sample). Raises ``RuntimeError`` (and the caller's transaction rolls back) on any difference."""
    bad = conn.execute(
        'SELECT count(*) FROM "case" WHERE id BETWEEN %s AND %s AND ticket IS DISTINCT FROM '
        "'GY' || to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || '-' || id",
        (first, last),
    ).fetchone()
    if bad and bad[0]:
        raise RuntimeError(f"{bad[0]} generated tickets differ from the trigger's formula")
    ids = np.random.default_rng(seed).integers(first, last + 1, min(sample, last - first + 1))
    bad = conn.execute(
        'SELECT count(*) FROM "case" c CROSS JOIN LATERAL gy_route(c.geom) r WHERE c.id = ANY(%s) '
        "AND (c.district_code IS DISTINCT FROM r.district_code OR c.cell_id IS DISTINCT FROM r.cell_id)",
        (ids.tolist(),),
    ).fetchone()
    if bad and bad[0]:
        raise RuntimeError(f"{bad[0]} of {len(ids)} sampled cases route differently with gy_route")


def notify(conn: psycopg.Connection) -> None:
    conn.execute("SELECT pg_notify('case_event', (SELECT max(id)::text FROM case_event))")
