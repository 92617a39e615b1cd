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
from ops.citizen import points
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
    assert partitions.ensure(conn, date(2090, 5, 1), date(2090, 5, 1)) == len(partitions.HISTORY)
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
        m = re.search(r" on ((?:case_event|audit_log|points_ledger|notify_outbox)_(?:p\d{6}|default))", line)
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

    person = _person(conn)
    for at in (bj(2021, 2, 1), bj(2021, 5, 2)):
        conn.execute(_POINTS, {"p": person, "ref": f"t:{at:%m}", "n": 5, "at": at})
    march = {"a": datetime(2021, 3, 1, tzinfo=UTC), "b": datetime(2021, 3, 20, tzinfo=UTC)}
    may = {"a": datetime(2021, 5, 1, tzinfo=UTC), "b": datetime(2021, 5, 31, tzinfo=UTC)}
    # a period of events (analysis), a page of the audit view, a citizen's month of points, a month of messages
    for sql, params, only in (
        ("SELECT count(*) FROM case_event WHERE at >= :a AND at < :b", march, "case_event_p202103"),
        (
            "SELECT id, at, kind FROM audit_log WHERE at >= :a AND at < :b ORDER BY at DESC, id DESC LIMIT 50",
            may,
            "audit_log_p202105",
        ),
        (
            "SELECT reason, points FROM points_ledger WHERE person_id = :p AND created_at >= :a AND created_at < :b",
            may | {"p": person},
            "points_ledger_p202105",
        ),
        (
            "SELECT status, count(*) FROM notify_outbox WHERE created_at >= :a AND created_at < :b GROUP BY status",
            march,
            "notify_outbox_p202103",
        ),
    ):
        assert _scanned(conn, sql, params) == {only}, sql


_POINTS = text(
    "WITH k AS (INSERT INTO points_claim (person_id, reason, ref) VALUES (:p, 'adjust', :ref) RETURNING person_id) "
    "INSERT INTO points_ledger (person_id, reason, ref, points, created_at) "
    "SELECT person_id, 'adjust', :ref, :n, :at FROM k RETURNING tableoid::regclass::text"
)


def _person(conn: Connection) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO person (pseudonym, registered) VALUES ('pt-' || substr(md5(random()::text), 1, 16), true) RETURNING id"
            )
        ).scalar_one()
    )


def test_an_award_is_given_once_over_all_months_and_an_archived_month_keeps_every_balance(
    owner_conn: Connection, tmp_path: Path
) -> None:
    """The ledger is partitioned by month, its awards' keys are not: an act rewarded in one month is refused in
    another, even once that month is archived; the archived month's points are carried forward, so balances stay."""
    now = datetime(2019, 5, 6, tzinfo=UTC)  # keeping 2 months: January and February go, March stays
    partitions.ensure(owner_conn, date(2019, 1, 1), date(2019, 3, 1))
    a, b = _person(owner_conn), _person(owner_conn)
    assert owner_conn.execute(
        _POINTS, {"p": a, "ref": "act:1", "n": 7, "at": bj(2019, 1, 5)}
    ).scalar_one() == ("points_ledger_p201901")
    owner_conn.execute(_POINTS, {"p": a, "ref": "act:2", "n": 3, "at": bj(2019, 1, 20)})
    owner_conn.execute(_POINTS, {"p": b, "ref": "act:1", "n": 4, "at": bj(2019, 2, 2)})
    # the same act, in another month: refused (today's month, the award's own path)
    assert points.award(owner_conn, a, "adjust", "act:1", 7) is False
    assert points.award(owner_conn, a, "adjust", "act:3", 1) is True
    before = {p: points.balance(owner_conn, p) for p in (a, b)}
    assert before == {a: 11, b: 4}

    out = {r.partition: r for r in partitions.retain(owner_conn, 2, tmp_path, now=now)}
    assert out["points_ledger_p201901"].dropped and out["points_ledger_p201901"].rows == 2
    assert out["points_ledger_p201902"].dropped and "points_ledger_p201903" not in out
    assert {p: points.balance(owner_conn, p) for p in (a, b)} == before
    carried = owner_conn.execute(
        text(
            "SELECT person_id, points, ref, tableoid::regclass::text FROM points_ledger WHERE reason = 'adjust' "
            "AND ref LIKE 'carried:%' AND person_id = ANY(:ps) ORDER BY ref, person_id"
        ),
        {"ps": [a, b]},
    ).all()
    # January's sum went into February, and went on with it into March
    assert [tuple(r) for r in carried] == [
        (a, 10, "carried:points_ledger_p201902", "points_ledger_p201903"),
        (b, 4, "carried:points_ledger_p201902", "points_ledger_p201903"),
    ]
    # the archived month's act is still never rewarded again
    assert points.award(owner_conn, a, "adjust", "act:2", 3) is False
    with gzip.open(tmp_path / "points_ledger_p201901.csv.gz", "rt") as fh:
        assert len(fh.read().splitlines()) == 3


def test_an_outbox_month_goes_only_once_every_message_in_it_is_done_and_its_keys_stay(
    owner_conn: Connection, tmp_path: Path
) -> None:
    now = datetime(2018, 5, 6, tzinfo=UTC)  # keeping 2 months: January and February may go
    partitions.ensure(owner_conn, date(2018, 1, 1), date(2018, 3, 1))
    route = owner_conn.execute(
        text(
            "INSERT INTO notify_route (label, url, role) VALUES ('retain-test', 'json://127.0.0.1:9/x', 'lead') RETURNING id"
        )
    ).scalar_one()
    message = text(
        "WITH k AS (INSERT INTO notify_key (idem_key) VALUES (:key) RETURNING idem_key) "
        "INSERT INTO notify_outbox (idem_key, route_id, kind, title, body, status, created_at) "
        "SELECT idem_key, :r, 'test', 't', 'b', :status, :at FROM k"
    )
    for key, status, at in (
        ("retain:1", "delivered", bj(2018, 1, 5)),
        ("retain:2", "failed", bj(2018, 1, 6)),
        ("retain:3", "pending", bj(2018, 2, 5)),
    ):
        owner_conn.execute(message, {"key": key, "r": route, "status": status, "at": at})
    out = {r.partition: r for r in partitions.retain(owner_conn, 2, tmp_path, now=now)}
    assert out["notify_outbox_p201801"].dropped and out["notify_outbox_p201801"].rows == 2
    assert not out["notify_outbox_p201802"].dropped
    assert out["notify_outbox_p201802"].reason == "holds messages not yet sent"
    kept = owner_conn.execute(
        text("SELECT idem_key FROM notify_key WHERE idem_key LIKE 'retain:%' ORDER BY 1")
    ).scalars()
    assert list(kept) == ["retain:1", "retain:2", "retain:3"]  # what went is still never sent again
