"""Monthly partitions of the history tables (migrations 0032, 0037, 0038): which tables, ensure, status and retention.

``case_event`` (by ``at``), ``audit_log`` (by ``at``), ``points_ledger`` and ``notify_outbox`` (by ``created_at``)
are partitioned by range, one partition a month named
``<table>_pYYYYMM`` (months of Beijing time: bounds are midnight Asia/Shanghai of each month's first day, so a month's
report or analysis reads one partition), plus ``<table>_default`` catching a row of a
month that has no partition yet, so an insert never fails. Partitions are made by the SQL function
``gy_ensure_partitions(from date, to date)`` (SECURITY DEFINER, owned by the owner role, so the app role may call
it): it creates the missing months and moves any rows of those months out of the default partition. The app keeps
``GUIYANG_HISTORY_AHEAD_MONTHS`` months ahead (at ``migrate``, at start-up and every hour); the seed ensures its
range before its COPY.

Retention (:func:`retain`, owner only): partitions entirely older than ``keep_months`` whole months are detached,
written to ``<archive_dir>/<partition>.csv.gz`` (COPY … CSV HEADER, gzip, fsync-ed) and dropped, under the
rules of what may go:

* ``case_event``: never a partition holding an event of a case that is still open (its history is live);
* ``audit_log``: never rows younger than the audit purge's floor (``max(GUIYANG_AUDIT_KEEP_DAYS, 183)`` days,
  the guard of migration 0028), and the drop is recorded as an ``audit_purge`` row like a purge;
* ``points_ledger``: a citizen's balance is the sum of the whole ledger, so before a month goes, each person's
  sum of it is carried forward: one ``adjust`` row (ref ``carried:<partition>``) at the first instant of the next
  month. Balances do not change; the awards' keys stay in ``points_claim``, so an act rewarded in an archived
  month is still never rewarded again;
* ``notify_outbox``: never a month holding a message still pending (not yet delivered nor failed); its messages'
  keys stay in ``notify_key``, so what it held is never sent again.

The two keys that must hold over all time (an award's ``(person_id, reason, ref)``, a message's ``idem_key``) live
in unpartitioned tables (``points_claim``, ``notify_key``, migrations 0037 and 0038): a partitioned table keeps a
key unique only with the month in it.
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Connection, text

#: partitioned table -> its partition key (a timestamptz column; the primary key is (id, key))
HISTORY: dict[str, str] = {
    "case_event": "at",
    "audit_log": "at",
    "points_ledger": "created_at",
    "notify_outbox": "created_at",
}
#: months ahead made at ``migrate`` (the server uses ``GUIYANG_HISTORY_AHEAD_MONTHS``)
AHEAD_MONTHS = 3
#: the audit guard's floor (migration 0028): no audit row younger than this may go
AUDIT_FLOOR_DAYS = 183
_PART = re.compile(r"^(?P<table>[a-z_]+)_(?:p(?P<month>\d{6})|default)$")
Progress = Callable[[int, int], None]


def parent_of(name: str) -> str | None:
    """The history table a partition belongs to (``case_event_p202612`` → ``case_event``), else None."""
    m = _PART.match(name)
    return m.group("table") if m and m.group("table") in HISTORY else None


def month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def add_months(d: date, n: int) -> date:
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def ensure(conn: Connection, start: date, end: date) -> int:
    """Create the missing monthly partitions of every history table for the months from ``start`` to ``end``
    (both included); rows of those months waiting in a default partition move into them. Returns how many
    partitions were made. Runs in the caller's transaction (the app role may call it)."""
    made = conn.execute(
        text("SELECT gy_ensure_partitions(:a, :b)"), {"a": month_start(start), "b": month_start(end)}
    ).scalar_one()
    return int(made)


def ensure_ahead(conn: Connection, months: int, today: date | None = None) -> int:
    """Partitions from this month to ``months`` months ahead."""
    today = today or datetime.now(UTC).date()
    return ensure(conn, today, add_months(today, months))


@dataclass(frozen=True)
class Partition:
    table: str
    name: str
    lower: datetime | None  # None: the default partition
    upper: datetime | None
    rows: int  # estimated (pg_class.reltuples), exact for the default partition


_PARTS = text(
    """
    SELECT p.relname AS parent, c.relname AS name,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS lower,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS upper,
           greatest(c.reltuples, 0)::bigint AS rows
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
      JOIN pg_namespace n ON n.oid = p.relnamespace
     WHERE n.nspname = 'public' AND p.relname = ANY(:tables)
     ORDER BY p.relname, c.relname
    """
)


def partitions(conn: Connection) -> list[Partition]:
    out = []
    for r in conn.execute(_PARTS, {"tables": list(HISTORY)}):
        rows = int(r.rows)
        if r.lower is None:  # the default partition: count it, it should be empty
            rows = int(conn.execute(text(f"SELECT count(*) FROM {r.name}")).scalar_one())  # nosec B608 # catalog name
        out.append(Partition(r.parent, r.name, r.lower, r.upper, rows))
    return out


def status(conn: Connection) -> dict[str, dict[str, object]]:
    """Per history table: partitions, first and last month, rows waiting in the default partition."""
    out: dict[str, dict[str, object]] = {}
    for t in HISTORY:
        parts = [p for p in partitions(conn) if p.table == t]
        months = sorted(p.lower for p in parts if p.lower is not None)
        default = next((p.rows for p in parts if p.lower is None), None)
        out[t] = {
            "partitions": len(months),
            "first": months[0].date().isoformat() if months else None,
            "last": months[-1].date().isoformat() if months else None,
            "default_rows": default,
            "rows_estimate": sum(p.rows for p in parts),
        }
    return out


@dataclass(frozen=True)
class Retained:
    table: str
    partition: str
    rows: int
    archive: str | None
    dropped: bool
    reason: str  # why kept, or "dropped"


def _blocker(conn: Connection, p: Partition, audit_keep_days: int, now: datetime) -> str | None:
    """Why this partition may not go (None: it may)."""
    assert p.upper is not None  # nosec B101 # the default partition is never a candidate
    if p.table == "case_event":
        open_case = conn.execute(
            text(
                f'SELECT EXISTS (SELECT 1 FROM {p.name} e JOIN "case" c ON c.id = e.case_id '  # nosec B608 # catalog name
                "WHERE c.status NOT IN ('closed', 'rejected', 'merged'))"
            )
        ).scalar_one()
        return "holds events of an open case" if open_case else None
    if p.table == "audit_log":
        floor = now - timedelta(days=max(audit_keep_days, AUDIT_FLOOR_DAYS))
        return None if p.upper <= floor else f"younger than {max(audit_keep_days, AUDIT_FLOOR_DAYS)} days"
    if p.table == "notify_outbox":
        pending = conn.execute(
            text(f"SELECT EXISTS (SELECT 1 FROM {p.name} WHERE status = 'pending')")  # nosec B608 # catalog name
        ).scalar_one()
        return "holds messages not yet sent" if pending else None
    return None


# a points partition's sums, per person, carried forward before it goes (the caller names the partition)
_CARRY_SQL = """
    WITH sums AS (
        SELECT person_id, sum(points)::int AS points FROM {part} GROUP BY person_id HAVING sum(points) <> 0
    ), claim AS (
        INSERT INTO points_claim (person_id, reason, ref) SELECT person_id, 'adjust', :ref FROM sums
        ON CONFLICT DO NOTHING RETURNING person_id
    )
    INSERT INTO points_ledger (person_id, reason, ref, points, note, created_at)
    SELECT s.person_id, 'adjust', :ref, s.points, 'carried forward: ' || :ref, :at
      FROM sums s JOIN claim USING (person_id)
"""


def _archive(conn: Connection, name: str, archive_dir: Path) -> tuple[Path, int]:
    archive_dir.mkdir(parents=True, exist_ok=True)
    final = archive_dir / f"{name}.csv.gz"
    tmp = final.with_suffix(".gz.part")
    rows = 0
    raw = conn.connection.driver_connection
    with gzip.open(tmp, "wb") as out, raw.cursor() as cur:  # type: ignore[union-attr]
        with cur.copy(f"COPY {name} TO STDOUT (FORMAT csv, HEADER)") as cp:
            for block in cp:
                out.write(bytes(block))
                rows += bytes(block).count(b"\n")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(final)
    return final, max(rows - 1, 0)


def retain(
    conn: Connection,
    keep_months: int,
    archive_dir: Path | None,
    *,
    audit_keep_days: int = AUDIT_FLOOR_DAYS,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> list[Retained]:
    """Detach, archive and drop the partitions entirely older than ``keep_months`` whole months (0: keep
    everything), within the rules of the module docstring. Owner role; each partition in its own
    savepoint of the caller's transaction (commit after). ``archive_dir`` None: nothing is dropped (a partition
    is never dropped without its archive)."""
    if keep_months <= 0:
        return []
    now = now or datetime.now(UTC)
    cutoff = datetime.combine(add_months(now.date(), -keep_months), datetime.min.time(), tzinfo=UTC)
    candidates = [p for p in partitions(conn) if p.upper is not None and p.upper <= cutoff]
    out: list[Retained] = []
    for i, p in enumerate(candidates):
        if progress:
            progress(i, len(candidates))
        why = _blocker(conn, p, audit_keep_days, now)
        if why is None and archive_dir is None:
            why = "no archive directory"
        if why is not None:
            out.append(Retained(p.table, p.name, p.rows, None, False, why))
            continue
        assert archive_dir is not None  # nosec B101 # narrowed above
        with conn.begin_nested():
            if p.table == "points_ledger":
                carry = text(_CARRY_SQL.format(part=p.name))  # nosec B608 # a partition name from the catalog
                conn.execute(carry, {"ref": f"carried:{p.name}", "at": p.upper})
            conn.execute(text(f"ALTER TABLE {p.table} DETACH PARTITION {p.name}"))
            path, rows = _archive(conn, p.name, archive_dir)
            conn.execute(text(f"DROP TABLE {p.name}"))
            if p.table == "audit_log":
                conn.execute(
                    text(
                        "INSERT INTO audit_log (kind, username, detail) VALUES ('audit_purge', 'guiyang-ops', "
                        "jsonb_build_object('partition', CAST(:n AS text), 'before', CAST(:u AS text), "
                        "'rows', CAST(:r AS int), 'archive', CAST(:a AS text)))"
                    ),
                    {"n": p.name, "u": p.upper.isoformat() if p.upper else None, "r": rows, "a": str(path)},
                )
        out.append(Retained(p.table, p.name, rows, str(path), True, "dropped"))
    if progress:
        progress(len(candidates), len(candidates))
    return out


def keep_ahead_sql() -> sa.TextClause:
    """The statement the app's periodic task runs (``:months`` ahead of today)."""
    return text(
        "SELECT gy_ensure_partitions(date_trunc('month', now())::date, "
        "(date_trunc('month', now()) + make_interval(months => :months))::date)"
    )
