"""A big seed's history built beside: ``case_event``'s months loaded and indexed by a second session while the
seed's own transaction loads and indexes ``case``, then attached to ``case_event`` in that transaction.

Why: inside one transaction PostgreSQL does the whole load on one backend, one statement after another; at 10M
cases that backend alone works longer than the seed may take (the COPY of 56M events, their keys and indexes,
then the bigram and trigram indexes of ``case``), while the machine's other core waits. A second session cannot
write into the seed's transaction, but it can build tables beside it: PostgreSQL's own bulk-load pattern for a
partitioned table (load a table, index it, prove its bounds with a CHECK, then ``ATTACH PARTITION``).

How (:class:`Stage`):

1. before the seed takes any lock, the second session makes a schema ``seed_stage_<pid of the seed's session>``
   holding a twin of ``case_event`` (``LIKE … INCLUDING CONSTRAINTS``, partitioned by ``at`` the same way);
2. inside the seed's bulk-load window (:func:`.load.bulk_window`), a thread of this process makes the twin's
   months with the bounds of the live months, COPYs the events into it, builds the live table's primary key and
   indexes on it, analyzes it, proves each month's bounds with a CHECK and detaches the months (its own commits;
   no live table is touched);
3. the seed's transaction, after it has built ``case``'s keys and indexes, drops its own months (empty: the seed
   runs only on an empty or replaced history), moves each built month into ``public``, attaches it (the CHECK
   proves the bounds without a scan; the row triggers are cloned by PostgreSQL) and gives it the month's own
   triggers again; the window then puts the parent's primary key and indexes back, which attach the months'
   (no build), and validates the foreign keys as before.

A failure anywhere stops the thread, rolls the seed's transaction back and drops the stage schema: the database
is as it was. A stage schema left by a killed process (its session gone) is dropped by the next seed. The seed
must own its transaction (no savepoint): small seeds, and seeds inside a caller's savepoint, load in one session.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import psycopg
from sqlalchemy import Connection

from db import partitions
from demo.city import load
from demo.city.clock import Clock

#: the smallest seed built beside (smaller ones are quick in one session, and their tests run in savepoints)
MIN_CASES = 1_000_000
PREFIX = "seed_stage_"
_BOUND = "seed_stage_bound"  # the CHECK proving a month's bounds, dropped once the month is attached

_STALE = """
SELECT nspname FROM (
    SELECT nspname, CASE WHEN nspname ~ '^seed_stage_[0-9]{1,9}$' THEN substr(nspname, 12)::int END AS pid
      FROM pg_namespace) n
 WHERE n.pid = %(me)s OR n.pid NOT IN (SELECT a.pid FROM pg_stat_activity a WHERE a.pid IS NOT NULL)
"""
#: the live table's primary key and indexes, as the stage twin's (the twin is in another schema: same names)
_INDEXES = """
SELECT CASE WHEN c.oid IS NULL
            THEN regexp_replace(pg_get_indexdef(i.indexrelid), ' ON ONLY public\\.case_event ', ' ON ' || %(twin)s::text || ' ')
            ELSE format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', %(twin)s::text, c.conname, pg_get_constraintdef(c.oid))
       END
  FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
 WHERE i.indrelid = 'public.case_event'::regclass
 ORDER BY c.oid IS NULL, i.indexrelid::regclass::text
"""
#: a month's own triggers (not the parent's clones): put back on the month that replaces it
_OWN_TRIGGERS = """
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgparentid = 0
"""
_PART = re.compile(r"^case_event_p\d{6}$")


def wanted(conn: Connection, cases: int, *, replace: bool, existing: dict[str, int]) -> bool:
    """Whether this seed builds its history beside: big, on an empty or replaced history, owning its transaction."""
    empty = existing["case"] == 0 and existing["case_event"] == 0
    return cases >= MIN_CASES and (replace or empty) and not conn.in_nested_transaction()


@dataclass(frozen=True)
class Month:
    name: str
    lower: str  # timestamptz literals, as the live month's bounds
    upper: str

    @property
    def bound(self) -> str:
        return f"FOR VALUES FROM ('{self.lower}') TO ('{self.upper}')"


@dataclass
class Stage:
    """The second session and its thread (see the module docstring)."""

    conn: Connection  # the seed's
    side: Connection  # the second session (autocommit)
    schema: str
    indexes: list[str]
    months: list[Month] = field(default_factory=list)
    thread: threading.Thread | None = None
    error: BaseException | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    clock: Clock = field(default_factory=lambda: Clock(memory=False))

    @classmethod
    def open(cls, conn: Connection) -> Stage:
        """Step 1, before the seed takes any lock: the schema and its twin of ``case_event``."""
        raw = _raw(conn)
        me = int(raw.execute("SELECT pg_backend_pid()").fetchone()[0])  # type: ignore[index]
        side = conn.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        stage = cls(conn, side, f"{PREFIX}{me}", [])
        try:
            s = _raw(side)
            # it never waits on the seed's locks (it touches no live table after this); a wait would be a hang
            s.execute("SET lock_timeout = '60s'")
            for (stale,) in s.execute(_STALE, {"me": me}).fetchall():
                s.execute(f"DROP SCHEMA {stale} CASCADE")
            s.execute(f"CREATE SCHEMA {stage.schema}")
            s.execute(
                f"CREATE TABLE {stage.twin} (LIKE public.case_event INCLUDING CONSTRAINTS) PARTITION BY RANGE (at)"
            )
            stage.indexes = [r[0] for r in raw.execute(_INDEXES, {"twin": stage.twin}).fetchall()]
        except BaseException:
            stage.close()
            raise
        return stage

    @property
    def twin(self) -> str:
        return f"{self.schema}.case_event"

    def start(self, columns: str, chunks: Iterable[list[bytes]]) -> None:
        """Step 2, in the seed's window (its months ensured): build the months in a thread."""
        self.months = [
            Month(p.name, p.lower.isoformat(), p.upper.isoformat())
            for p in partitions.partitions(self.conn)
            if p.table == "case_event" and p.lower is not None and p.upper is not None and _PART.match(p.name)
        ]

        def checked() -> Iterator[list[bytes]]:
            for chunk in chunks:
                self._check()
                yield chunk

        def run() -> None:
            try:
                self._build(columns, checked())
            except BaseException as exc:  # noqa: BLE001 - handed to the seed's thread by finish()/abort()
                self.error = exc

        self.thread = threading.Thread(target=run, name="seed-stage", daemon=True)
        self.thread.start()

    def _build(self, columns: str, chunks: Iterable[list[bytes]]) -> None:
        s = _raw(self.side)
        self.clock = Clock(memory=False)
        for m in self.months:
            s.execute(f"CREATE TABLE {self.schema}.{m.name} PARTITION OF {self.twin} {m.bound}")
        load.copy_binary(s, self.twin, columns, chunks)
        self.clock.lap("copy events")
        s.execute("SET maintenance_work_mem = '1GB'")
        s.execute("SET jit = off")
        for statement in self.indexes:
            self._check()
            s.execute(statement)
        self.clock.lap("keys and indexes")
        # each month's statistics go with it: the foreign key's validation and the rollup's rebuild, which read
        # the months in the seed's session, plan their joins on them (without, on guesses: three times slower)
        s.execute(f"ANALYZE {self.twin}")
        self.clock.lap("analyze")
        for m in self.months:
            s.execute(
                f"ALTER TABLE {self.schema}.{m.name} ADD CONSTRAINT {_BOUND} "
                f"CHECK (at >= '{m.lower}'::timestamptz AND at < '{m.upper}'::timestamptz)"
            )
            s.execute(f"ALTER TABLE {self.twin} DETACH PARTITION {self.schema}.{m.name}")
        self.clock.lap("bounds")

    def _check(self) -> None:
        if self.stopping.is_set():
            raise RuntimeError("the seed stopped")

    def finish(self) -> None:
        """Step 3, in the seed's transaction: wait for the thread, then swap its months in for the live ones."""
        self._join()
        raw = _raw(self.conn)
        for m in self.months:
            if raw.execute(f"SELECT EXISTS (SELECT 1 FROM public.{m.name})").fetchone() != (False,):  # nosec B608
                raise RuntimeError(f"{m.name} is not empty: the history is not replaced")  # never drop a row
            own = [r[0] for r in raw.execute(_OWN_TRIGGERS, (f"public.{m.name}",)).fetchall()]
            raw.execute(f"DROP TABLE public.{m.name}")
            raw.execute(f"ALTER TABLE {self.schema}.{m.name} SET SCHEMA public")
            raw.execute(f"ALTER TABLE public.case_event ATTACH PARTITION public.{m.name} {m.bound}")
            raw.execute(f"ALTER TABLE public.{m.name} DROP CONSTRAINT {_BOUND}")
            for definition in own:
                raw.execute(definition)
        raw.execute(f"DROP SCHEMA {self.schema} CASCADE")  # the empty twin; gone with the seed's commit

    def _join(self) -> None:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """After a failure: stop the thread, roll the seed's transaction back (its locks go), drop the stage. Each
        step is tried whatever the one before did (the caller re-raises the failure itself); a stage that cannot
        be dropped now (the server gone) is dropped by the next seed."""
        self.stopping.set()
        if self.thread is not None and self.thread.is_alive():
            with contextlib.suppress(psycopg.Error):
                _raw(self.side).cancel_safe()
            self.thread.join()
        with contextlib.suppress(Exception):
            self.conn.rollback()
        try:
            _raw(self.side).execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        except psycopg.Error:  # the side session broke: a fresh one drops it
            with contextlib.suppress(Exception), self.conn.engine.connect() as again:
                _raw(again).execute("SET lock_timeout = '60s'")
                _raw(again).execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
                again.commit()
        finally:
            self.close()

    def close(self) -> None:
        self.side.close()


def _raw(conn: Connection) -> psycopg.Connection:
    raw = conn.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)  # nosec B101 # type narrowing for mypy, not a security check
    return raw
