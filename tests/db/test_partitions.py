"""Monthly partitions of the history tables (migration 0032, :mod:`db.partitions`): made on demand, inserts at any
time, append-only on every partition, retention that archives and drops only what it may, and plans that prune."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from db import partitions
from ops.workflow.base import _HISTORY

_CASE = text(
    """
    INSERT INTO "case" (ticket, source, category_code, geom, district_code, cell_id, address, status,
                        created_at, updated_at)
    SELECT 'PT' || substr(md5(random()::text), 1, 16), 'app', 'C0101', ST_PointOnSurface(g.geom),
           g.district_code, g.id, 'test', :status, :at, :at
      FROM grid_cell g WHERE g.district_code IS NOT NULL ORDER BY g.id LIMIT 1
    RETURNING id
    """
)
_EVENT = text(
    "INSERT INTO case_event (case_id, action, to_status, actor_role, at) "
    "VALUES (:c, 'report', 'reported', 'citizen', :at) RETURNING id, tableoid::regclass::text AS part"
)


def _case(conn: Connection, at: datetime, status: str = "reported") -> int:
    return int(conn.execute(_CASE, {"status": status, "at": at}).scalar_one())


def _where(conn: Connection, table: str, row_id: int) -> str:
    return str(
        conn.execute(
            text(f"SELECT tableoid::regclass::text FROM {table} WHERE id = :i"), {"i": row_id}
        ).scalar_one()
    )  # nosec B608 # test constant


def bj(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def test_ensure_makes_each_month_once(conn: Connection) -> None:
    made = partitions.ensure(conn, date(2019, 1, 20), date(2019, 3, 2))
    assert made == 3 * len(partitions.HISTORY)
    assert partitions.ensure(conn, date(2019, 1, 1), date(2019, 3, 31)) == 0
    names = {p.name for p in partitions.partitions(conn)}
    assert {"case_event_p201901", "case_event_p201903", "audit_log_p201902"} <= names
    st = partitions.status(conn)
    assert st["case_event"]["first"] == "2019-01-01" and st["audit_log"]["default_rows"] == 0


def test_insert_at_any_time_and_a_new_month_takes_its_rows_from_the_default(conn: Connection) -> None:
    """The app role inserts in the far past and the far future (the default partition catches them); making the
    month moves its rows out of the default, same ids."""
    case_id = _case(conn, bj(1995, 6, 1))
    past = conn.execute(_EVENT, {"c": case_id, "at": bj(1995, 6, 1)}).one()
    future = conn.execute(_EVENT, {"c": case_id, "at": bj(2090, 5, 3)}).one()
    audit = conn.execute(
        text("INSERT INTO audit_log (kind, at) VALUES ('logout', :at) RETURNING id"), {"at": bj(2090, 5, 4)}
    ).scalar_one()
    assert past.part == future.part == "case_event_default"
    assert future.id > past.id
    assert partitions.ensure(conn, date(2090, 5, 1), date(2090, 5, 1)) == 2
    assert _where(conn, "case_event", future.id) == "case_event_p209005"
    assert _where(conn, "audit_log", audit) == "audit_log_p209005"
    assert _where(conn, "case_event", past.id) == "case_event_default"
    # the moved-into partition is append-only like the others (its cloned trigger) for the app role too
    with pytest.raises(Exception, match="append-only|permission denied"):
        with conn.begin_nested():
            conn.execute(text("UPDATE case_event SET note = 'x' WHERE id = :i"), {"i": future.id})


def test_every_partition_stays_append_only(owner_conn: Connection, conn: Connection) -> None:
    """The app role has no write but INSERT on a partition; even the owner is refused UPDATE, DELETE and
    TRUNCATE of one, unless it disabled the parent's own refusal (the demo seed's --replace)."""
    part = f"audit_log_p{datetime.now(UTC):%Y%m}"
    for sql in (f"DELETE FROM {part}", f"UPDATE {part} SET kind = 'logout'", f"TRUNCATE {part}"):
        with pytest.raises(Exception, match="permission denied|append-only"):
            with conn.begin_nested():
                conn.execute(text(sql))
    owner_conn.execute(text(f"INSERT INTO {part} (kind) VALUES ('logout')"))  # nosec B608 # test constant
    for sql in (
        f"DELETE FROM {part}",
        f"UPDATE {part} SET kind = 'logout'",
        f"TRUNCATE {part}",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(Exception, match="append-only"):
            with owner_conn.begin_nested():
                owner_conn.execute(text(sql))
    with owner_conn.begin_nested():
        owner_conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_truncate"))
        owner_conn.execute(text("TRUNCATE audit_log"))
        assert owner_conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 0
        owner_conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_truncate"))


def test_retain_archives_and_drops_only_what_may_go(owner_conn: Connection, tmp_path: Path) -> None:
    now = datetime(2026, 12, 6, tzinfo=UTC)
    partitions.ensure(owner_conn, date(2020, 1, 1), date(2020, 3, 1))
    closed = _case(owner_conn, bj(2020, 1, 5), "closed")
    still_open = _case(owner_conn, bj(2020, 2, 5), "dispatched")
    owner_conn.execute(_EVENT, {"c": closed, "at": bj(2020, 1, 5)})
    owner_conn.execute(_EVENT, {"c": still_open, "at": bj(2020, 2, 5)})
    owner_conn.execute(
        text("INSERT INTO audit_log (kind, at) SELECT 'logout', :at FROM generate_series(1, 3)"),
        {"at": bj(2020, 1, 9)},
    )
    recent = f"audit_log_p{now.year}{now.month - 4:02d}"  # four months old: inside the audit floor (183 days)
    partitions.ensure(owner_conn, date(now.year, now.month - 4, 1), date(now.year, now.month - 4, 1))
    assert partitions.retain(owner_conn, 0, tmp_path, now=now) == []
    kept_without_archive = partitions.retain(owner_conn, 2, None, now=now)
    assert kept_without_archive and not any(r.dropped for r in kept_without_archive)

    out = {r.partition: r for r in partitions.retain(owner_conn, 2, tmp_path, audit_keep_days=365, now=now)}
    assert out["case_event_p202001"].dropped and out["case_event_p202001"].rows == 1
    assert not out["case_event_p202002"].dropped
    assert out["case_event_p202002"].reason == "holds events of an open case"
    assert out["audit_log_p202001"].dropped and out["audit_log_p202001"].rows == 3
    assert not out[recent].dropped and "younger" in out[recent].reason
    names = {p.name for p in partitions.partitions(owner_conn)}
    assert "case_event_p202001" not in names and "case_event_p202002" in names
    with gzip.open(tmp_path / "audit_log_p202001.csv.gz", "rt") as fh:
        lines = fh.read().splitlines()
    assert lines[0].startswith("id,at,kind") and len(lines) == 4
    purge = owner_conn.execute(
        text(
            "SELECT detail FROM audit_log WHERE kind = 'audit_purge' AND detail->>'partition' = 'audit_log_p202001'"
        )
    ).scalar_one()
    assert purge["rows"] == 3


def _scanned(conn: Connection, sql: str, params: dict[str, object]) -> set[str]:
    plan = conn.execute(
        text("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql), params
    ).scalars()
    out = set()
    for line in plan:
        m = re.search(r" on ((?:case_event|audit_log)_(?:p\d{6}|default))", line)
        if m and "never executed" not in line:
            out.add(m.group(1))
    return out


def test_queries_prune_partitions(conn: Connection) -> None:
    """Representative reads touch only the months they need: a case's history (bounded by its report time), a
    period of events (analysis), a page of the audit view's period; the ticker's newest events stop at the
    newest partition that holds rows."""
    partitions.ensure(conn, date(2021, 1, 1), date(2021, 6, 1))
    old = _case(conn, bj(2021, 2, 10), "closed")
    new = _case(conn, bj(2021, 4, 10))
    for c, at in (
        (old, bj(2021, 2, 10)),
        (old, bj(2021, 3, 1)),
        (new, bj(2021, 4, 10)),
        (new, bj(2021, 4, 12)),
    ):
        conn.execute(_EVENT, {"c": c, "at": at})
    conn.execute(
        text("INSERT INTO audit_log (kind, at) VALUES ('logout', :a), ('logout', :b)"),
        {"a": bj(2021, 2, 3), "b": bj(2021, 5, 3)},
    )

    history = _scanned(conn, str(_HISTORY), {"id": new})
    assert "case_event_p202104" in history
    assert not history & {"case_event_p202101", "case_event_p202102", "case_event_p202103"}

    period = _scanned(
        conn,
        "SELECT count(*) FROM case_event WHERE at >= :a AND at < :b",
        {"a": datetime(2021, 3, 1, tzinfo=UTC), "b": datetime(2021, 3, 20, tzinfo=UTC)},
    )
    assert period == {"case_event_p202103"}

    audit_page = _scanned(
        conn,
        "SELECT id, at, kind FROM audit_log WHERE at >= :a AND at < :b ORDER BY at DESC, id DESC LIMIT 50",
        {"a": datetime(2021, 5, 1, tzinfo=UTC), "b": datetime(2021, 5, 31, tzinfo=UTC)},
    )
    assert audit_page == {"audit_log_p202105"}
