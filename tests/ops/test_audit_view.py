"""The audit viewer on the real PostGIS test database: one chronological list over ``audit_log``, the case history
and the moderation log, each row with its label in Chinese and English; filters by person, kind and days; keyset
pages that hold when rows are written meanwhile; the CSV cells (formula-safe); the retention purge (refused under
183 days, only older rows, as the owner role, recorded)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError as SettingsError
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from dashboard.components.admin_audit import csv_cells, group_of, kind_label, safe_cell, target_text
from dashboard.i18n import t
from dashboard.settings import Settings
from db.errors import ValidationError
from db.models.audit import AUDIT_KINDS
from db.models.moderation import MODERATION_ACTIONS
from db.queries.audit_view import AuditRow
from db.vocabulary import CaseStatus
from geo.crs import TZ
from ops import audit_view as av
from ops import workflow as wf
from ops.links import case_path
from ops.workflow.base import Actor
from tests.support.cases import at, new_case

DAY = "2026-03-02"
T0 = at(DAY, "08:00")
WHO = "audtest-admin"
FAILED_ADDR = "203.0.113.9"


def add_audit(conn: Connection, kind: str, when: datetime, username: str | None = WHO, **kw: Any) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO audit_log (at, kind, username, client, detail) "
                "VALUES (:at, :k, :u, :c, CAST(:d AS jsonb)) RETURNING id"
            ),
            {
                "at": when,
                "k": kind,
                "u": username,
                "c": kw.get("client"),
                "d": json.dumps(kw.get("detail", {})),
            },
        ).scalar_one()
    )


def uid(conn: Connection, name: str) -> int:
    return int(conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": name}).scalar_one())


@pytest.fixture
def world(conn: Connection, staff: dict[str, Actor]) -> dict[str, Any]:
    """Every audit kind once (08:00, a minute apart, by WHO; the failed sign-in from FAILED_ADDR), a case the lead
    files and dispatches (10:30, 11:00; reported by the system at 10:00) and a moderator's change (12:00), all on
    DAY."""
    ids = {}
    for i, kind in enumerate(AUDIT_KINDS):
        client = FAILED_ADDR if kind == "signin_failed" else "10.0.0.1"
        ids[kind] = add_audit(conn, kind, T0 + timedelta(minutes=i), client=client, detail={"n": i})
    case = new_case(conn, staff, CaseStatus.DISPATCHED)
    ticket = conn.execute(text('SELECT ticket FROM "case" WHERE id = :i'), {"i": case.id}).scalar_one()
    conn.execute(
        text(
            "INSERT INTO moderation_log (at, actor_user_id, action, target_kind, target_id) "
            "VALUES (:at, :u, 'point_retire', 'service_point', 7)"
        ),
        {"at": at(DAY, "12:00"), "u": uid(conn, "moderator")},
    )
    return {"ids": ids, "ticket": ticket, "case_id": case.id}


def day_filter(**kw: Any) -> av.Filter:
    return av.parse_filter(since=DAY, until=DAY, **kw)


def everything(conn: Connection, flt: av.Filter) -> list[AuditRow]:
    return av.read_page(conn, flt, None, av.MAX_PAGE).rows


def test_each_source_appears_with_its_label(conn: Connection, world: dict[str, Any]) -> None:
    rows = everything(conn, day_filter())
    audit = {r.kind: r for r in rows if r.source == "audit"}
    assert set(audit) == set(AUDIT_KINDS)
    for kind, row in audit.items():
        zh, en = kind_label(row, "zh"), kind_label(row, "en")
        assert zh != f"aud.kind.{kind}" and en != f"aud.kind.{kind}" and zh != en, kind
        assert group_of(row) in av.GROUPS
    assert audit["signin_failed"].client == FAILED_ADDR
    assert group_of(audit["signin_failed"]) == "signin"
    assert {group_of(audit[k]) for k in ("export", "report", "audit_export")} == {"export"}
    assert {group_of(audit[k]) for k in ("partner_access", "subscription")} == {"sharing"}
    assert {group_of(audit[k]) for k in ("user_add", "password_reset", "reference_edit", "partner_key")} == {
        "admin"
    }
    cases = [r for r in rows if r.source == "case"]
    # the lead's 立案 and 派遣; the report was the system's (a citizen's step is no staff action)
    assert [(r.kind, r.username, r.ticket) for r in cases] == [
        ("dispatch", "lead", world["ticket"]),
        ("file", "lead", world["ticket"]),
    ]
    assert kind_label(cases[0], "zh") == "派遣" and kind_label(cases[0], "en") != "派遣"
    assert target_text(cases[0], "zh") == world["ticket"]
    assert case_path(world["ticket"]) == f"/workbench?case={world['ticket']}"
    mod = [r for r in rows if r.source == "moderation"]
    assert [(r.kind, r.username, r.target_kind, r.target_id) for r in mod] == [
        ("point_retire", "moderator", "service_point", 7)
    ]
    assert kind_label(mod[0], "zh") == "撤销服务点" and target_text(mod[0], "en") == "Service point #7"
    # newest first, across the sources
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)


def test_every_kind_and_moderation_action_has_words() -> None:
    for key in [f"aud.kind.{k}" for k in AUDIT_KINDS] + [f"aud.mod.{a}" for a in MODERATION_ACTIONS]:
        assert t(key, "zh") != key and t(key, "en") != key, key
    assert set(av.GROUP_OF) == set(AUDIT_KINDS)  # every kind in exactly one group
    from cli.parser_audit import GROUPS

    assert tuple(av.GROUPS) == GROUPS


def test_filters(conn: Connection, world: dict[str, Any]) -> None:
    by_lead = everything(conn, day_filter(username="lead"))
    assert {(r.source, r.username) for r in by_lead} == {("case", "lead")}
    signins = everything(conn, day_filter(groups=["signin"]))
    assert {r.kind for r in signins} == set(av.GROUPS["signin"])
    failed = everything(conn, day_filter(groups=["signin_failed"]))
    assert [(r.kind, r.client) for r in failed] == [("signin_failed", FAILED_ADDR)]
    two = everything(conn, day_filter(groups=["case", "moderation"]))
    assert {r.source for r in two} == {"case", "moderation"}
    mine = everything(conn, day_filter(username=WHO, groups=["export"]))
    assert {r.kind for r in mine} == {"export", "report", "audit_export"}
    # the day holds every audit kind, two case actions and one moderation change; the next day nothing
    day = av.Filter(since=date(2026, 3, 2), until=date(2026, 3, 2))
    assert len(everything(conn, day)) == len(AUDIT_KINDS) + 3
    assert everything(conn, av.parse_filter(since="2026-03-03", until="2026-03-03")) == []
    with pytest.raises(ValidationError):
        av.parse_filter(groups=["nonsense"])
    with pytest.raises(ValidationError):
        av.parse_filter(since="2026-03-05", until="2026-03-01")
    with pytest.raises(ValidationError):
        av.parse_filter(since="03/01/2026")


def test_pages_are_stable(conn: Connection, world: dict[str, Any], staff: dict[str, Actor]) -> None:
    # three rows at the very same time, one from each source: the order is still total (source, then id)
    same = at(DAY, "13:00")
    add_audit(conn, "signin_ok", same, client="10.0.0.2")
    add_audit(conn, "logout", same, client="10.0.0.2")
    conn.execute(
        text(
            "INSERT INTO moderation_log (at, actor_user_id, action, target_kind, target_id) "
            "VALUES (:at, :u, 'point_edit', 'service_point', 8)"
        ),
        {"at": same, "u": uid(conn, "moderator")},
    )
    flt = day_filter()
    whole = everything(conn, flt)
    walked: list[AuditRow] = []
    page = av.read_page(conn, flt, None, 2)
    walked += page.rows
    # a row written after the first page was read (newer than all): it does not shift the pages that follow
    add_audit(conn, "signin_ok", at(DAY, "23:00"))
    while page.next is not None:
        page = av.read_page(conn, flt, page.next, 2)
        walked += page.rows
    key = [(r.source, r.id) for r in walked]
    assert key == [(r.source, r.id) for r in whole]
    assert len(set(key)) == len(key) == len(AUDIT_KINDS) + 6
    assert [r.source for r in whole[:3]] == ["audit", "audit", "moderation"]
    # a cursor survives the round trip through the page's store
    from db.queries.audit_view import Cursor

    cur = whole[5].cursor
    assert Cursor.decode(cur.encode()) == cur
    assert Cursor.decode("garbage") is None


def test_filters_use_indexes(conn: Connection, world: dict[str, Any]) -> None:
    """The plans read index ranges (on a small table the planner may still scan: forbid that)."""
    conn.execute(text("SET LOCAL enable_seqscan = off"))
    for flt in (day_filter(username="lead"), day_filter(groups=["signin"]), av.parse_filter(groups=["case"])):
        scope = flt.scope()
        from db.queries import audit_view as q

        plan = q.explain(conn, scope, None, 51)
        assert "Seq Scan" not in plan, plan


def test_csv_cells_are_safe_and_carry_no_personal_data(conn: Connection, world: dict[str, Any]) -> None:
    add_audit(conn, "signin_failed", at(DAY, "14:00"), username='=HYPERLINK("http://x","y")', client="-1+1")
    rows = everything(conn, day_filter())
    cells = csv_cells(rows[0], "zh")
    assert cells[3] == '\'=HYPERLINK("http://x","y")' and cells[4] == "'-1+1"
    assert cells[2] == "登录失败" and cells[1] == "登录"
    for value in ("@SUM(A1)", "+1", "\t=1", "\r=1"):
        assert safe_cell(value).startswith("'")
    assert safe_cell("GY260302-0001") == "GY260302-0001" and safe_cell(None) == ""
    case_cells = csv_cells(next(r for r in rows if r.source == "case"), "en")
    assert case_cells[5] == world["ticket"]
    # the case's description and reporter never reach the view
    flat = json.dumps([csv_cells(r, "zh") for r in rows], ensure_ascii=False)
    assert "井盖松动" not in flat


def test_an_export_is_recorded(conn: Connection) -> None:
    flt = av.parse_filter("lead", "signin,case", "2026-03-01", "2026-03-02")
    av.record_export(conn, flt, user_id=uid(conn, "admin"), username="admin", client="10.9.8.7")
    row = conn.execute(
        text("SELECT * FROM audit_log WHERE kind = 'audit_export' ORDER BY id DESC LIMIT 1")
    ).one()
    assert (row.username, row.client) == ("admin", "10.9.8.7")
    assert row.detail == {
        "user": "lead",
        "groups": ["signin", "case"],
        "kind": None,
        "since": "2026-03-01",
        "until": "2026-03-02",
    }


# -- retention ----------------------------------------------------------------------------------------------------


def test_keep_days_below_six_months_are_refused() -> None:
    with pytest.raises(ValidationError):
        av.check_keep_days(182)
    assert av.check_keep_days(183) == 183
    with pytest.raises(SettingsError):
        Settings(audit_keep_days=182)
    assert Settings().audit_keep_days == 183


def test_the_app_role_cannot_delete(conn: Connection) -> None:
    add_audit(conn, "signin_ok", datetime.now(TZ) - timedelta(days=400))
    with pytest.raises(DBAPIError, match="permission denied"):
        conn.execute(text("DELETE FROM audit_log WHERE at < now() - interval '300 days'"))


@pytest.mark.as_owner
def test_purge_removes_only_older_rows_and_records_it(conn: Connection) -> None:
    now = datetime.now(TZ)
    old = [add_audit(conn, k, now - timedelta(days=d)) for k, d in (("signin_ok", 400), ("export", 200))]
    kept = add_audit(conn, "signin_failed", now - timedelta(days=100))
    with pytest.raises(ValidationError):
        av.purge(conn, 100)
    dry = av.purge(conn, 183, dry_run=True)
    assert dry.rows >= 2 and dry.by_kind.get("export", 0) >= 1
    assert (
        conn.execute(text("SELECT count(*) FROM audit_log WHERE id = ANY(:i)"), {"i": old}).scalar_one() == 2
    )
    seen: list[tuple[int, int]] = []
    done = av.purge(conn, 183, actor="tester", progress=lambda d, n: seen.append((d, n)))
    assert done.rows == dry.rows and seen[-1] == (dry.rows, dry.rows)
    left = {
        r[0] for r in conn.execute(text("SELECT id FROM audit_log WHERE id = ANY(:i)"), {"i": [*old, kept]})
    }
    assert left == {kept}
    rec = conn.execute(
        text("SELECT * FROM audit_log WHERE kind = 'audit_purge' ORDER BY id DESC LIMIT 1")
    ).one()
    assert rec.username == "tester" and rec.detail["rows"] == done.rows and rec.detail["keep_days"] == 183


def refused(conn: Connection, sql: str, **params: Any) -> None:
    """``sql`` is refused by the table's guard (in a savepoint, rolled back)."""
    sp = conn.begin_nested()
    try:
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(sql), params)
    finally:
        sp.rollback()


@pytest.mark.as_owner
def test_the_guard_refuses_the_owner_outside_a_purge(conn: Connection) -> None:
    young = add_audit(conn, "signin_ok", datetime.now(TZ) - timedelta(days=100))
    old = add_audit(conn, "signin_ok", datetime.now(TZ) - timedelta(days=300))
    refused(conn, "DELETE FROM audit_log WHERE id = :i", i=old)
    # even with a purge's cutoff set, nothing younger than 183 days goes, and nothing is ever updated
    cutoff = datetime.now(TZ).isoformat()
    conn.execute(text("SELECT set_config('guiyang.audit_purge_before', :b, true)"), {"b": cutoff})
    refused(conn, "DELETE FROM audit_log WHERE id = :i", i=young)
    refused(conn, "UPDATE audit_log SET kind = 'logout' WHERE id = :i", i=old)
    refused(conn, "TRUNCATE audit_log")
    conn.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": old})  # the purge's own case: allowed


def test_citizen_steps_are_left_out(conn: Connection, staff: dict[str, Actor]) -> None:
    r = new_case(conn, staff, CaseStatus.REPORTED, start=at("2026-03-04", "10:00"))
    wf.reject(conn, staff["lead"], r.id, r.version, reason="重复上报", now=at("2026-03-04", "10:20"))
    rows = everything(conn, av.parse_filter(groups=["case"], since="2026-03-04", until="2026-03-04"))
    assert [(x.kind, x.username) for x in rows] == [("reject", "lead")]
