"""Least privilege: the app role (what ``serve``, ``simulate`` and every app-level test connect as) cannot get
around the append-only history, and has exactly the table privileges :mod:`db.privileges` lists."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, text

from bench.trust.privileges import try_bypasses
from db.privileges import APPEND_ONLY, READ_ONLY, apply_grants, table_privileges

PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


def test_every_bypass_is_refused_for_want_of_privilege(engine: Engine) -> None:
    attempts = try_bypasses(engine)
    names = {a.what for a in attempts}
    for table in ("case_event", "points_ledger", "moderation_log"):  # the append-only tables there are today
        assert {f"DELETE FROM {table}", f"UPDATE {table}", f"TRUNCATE {table}"} <= names
        assert f"ALTER TABLE {table} DISABLE TRIGGER USER" in names
    assert {"SET session_replication_role = replica", "CREATE TABLE", "ALTER ROLE itself SUPERUSER"} <= names
    allowed = [(a.what, a.detail) for a in attempts if not a.refused]
    assert allowed == [], f"the app role got through: {allowed}"


def test_the_owner_role_is_no_superuser_either(owner_engine: Engine) -> None:
    with owner_engine.connect() as c:
        assert c.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar() is False
        with pytest.raises(Exception, match="session_replication_role"):
            c.execute(text("SET session_replication_role = replica"))


def _granted(conn: Connection, role: str, table: str) -> set[str]:
    return {
        p
        for p in PRIVILEGES
        if conn.execute(
            text("SELECT has_table_privilege(:r, quote_ident(:t), :p)"), {"r": role, "t": table, "p": p}
        ).scalar()
    }


def _app_role(engine: Engine) -> str:
    return str(engine.url.username)


def test_every_table_has_exactly_its_listed_privileges(conn: Connection, engine: Engine) -> None:
    role = _app_role(engine)
    tables = list(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    assert "case_event" in tables and "staff_user" in tables
    for table in tables:
        if table == "spatial_ref_sys":  # PostGIS's own, readable by everyone
            continue
        expected = {p.strip() for p in table_privileges(table).split(",")}
        assert _granted(conn, role, table) == expected, table
    for table in APPEND_ONLY:
        assert table_privileges(table) == "SELECT, INSERT"
    assert table_privileges("grid_cell") == "SELECT" and "grid_cell" in READ_ONLY
    assert table_privileges("case") == "SELECT, INSERT, UPDATE, DELETE"


def test_grants_cover_tables_added_later_and_skip_missing_ones(
    owner_conn: Connection, engine: Engine
) -> None:
    """A later migration's table gets DML; a later append-only table (audit_log) only INSERT/SELECT; running the
    grants again changes nothing."""
    role = _app_role(engine)
    owner_conn.execute(text("CREATE TABLE later_table (id serial PRIMARY KEY, x int)"))
    has_audit = owner_conn.execute(text("SELECT to_regclass('audit_log') IS NOT NULL")).scalar()
    if not has_audit:
        owner_conn.execute(text("CREATE TABLE audit_log (id bigserial PRIMARY KEY, what text)"))
    n = apply_grants(owner_conn, role)
    assert apply_grants(owner_conn, role) == n
    assert _granted(owner_conn, role, "later_table") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert _granted(owner_conn, role, "audit_log") == {"SELECT", "INSERT"}
    seq = owner_conn.execute(text("SELECT pg_get_serial_sequence('later_table', 'id')")).scalar()
    assert owner_conn.execute(
        text("SELECT has_sequence_privilege(:r, :s, 'USAGE')"), {"r": role, "s": seq}
    ).scalar()
