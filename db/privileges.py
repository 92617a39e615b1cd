"""What the app role may do, as data, applied after every migration.

The app (``serve``, ``simulate``) connects as a role that owns nothing and is no superuser, so it cannot switch
off the append-only triggers (``ALTER TABLE ... DISABLE TRIGGER`` needs ownership, ``session_replication_role``
a superuser), create tables, or truncate. Its table privileges are three lists:

- :data:`APPEND_ONLY`: the history, the points ledger, the moderation and audit logs: SELECT and INSERT only;
- :data:`READ_ONLY`: reference data loaded and changed by admin commands only: SELECT;
- every other table of the ``public`` schema (including tables added by later migrations): SELECT, INSERT,
  UPDATE, DELETE. Never TRUNCATE, REFERENCES or TRIGGER.

Sequences: USAGE and SELECT. :func:`apply_grants` runs as the owner role after the migrations (``guiyang-ops
migrate`` and ``setup``); it sets every grant afresh, so running it again changes nothing, and a table named here
that does not exist (yet) is skipped.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from db.partitions import parent_of

APPEND_ONLY: tuple[str, ...] = (
    "case_event",
    "points_ledger",
    "points_claim",  # the awards' keys (migration 0037)
    "moderation_log",
    "audit_log",
    "analysis_alert_event",
    "case_recurrence",
    "campaign_event",
    "category_rule",
    "responsibility_rule",
    "holiday_rule",
    "department_rule",
)
READ_ONLY: tuple[str, ...] = (
    "district",
    "district_part",
    "grid_cell",
    "department",
    "category",
    "responsibility",
    "holiday",
    "points_rule",
    "alembic_version",
    "basemap_feature",
    "basemap_source",
    "stats_daily",  # the /stats rollup: written only by its triggers' SECURITY DEFINER functions (migration 0031)
)
DML = "SELECT, INSERT, UPDATE, DELETE"

_OWN_RELATIONS = text(
    """
    SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
       AND pg_has_role(current_user, c.relowner, 'USAGE')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                        AND d.deptype = 'e')
     ORDER BY c.relname
    """
)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_privileges(table: str) -> str:
    """The privileges the app role gets on ``table`` (a history table's partition: its parent's)."""
    table = parent_of(table) or table
    if table in APPEND_ONLY:
        return "SELECT, INSERT"
    if table in READ_ONLY:
        return "SELECT"
    return DML


def grant_statements(relations: list[tuple[str, str]], app_role: str) -> list[str]:
    """The statements that give ``app_role`` exactly its privileges on ``relations`` ((name, relkind) pairs)."""
    role = quote(app_role)
    out = [f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {role}"]
    for name, kind in relations:
        if kind == "S":
            out += [f"REVOKE ALL ON SEQUENCE {quote(name)} FROM {role}"]
            out += [f"GRANT USAGE, SELECT ON SEQUENCE {quote(name)} TO {role}"]
        else:
            out += [f"REVOKE ALL ON TABLE {quote(name)} FROM {role}"]
            out += [f"GRANT {table_privileges(name)} ON TABLE {quote(name)} TO {role}"]
    return out


def apply_grants(conn: Connection, app_role: str) -> int:
    """Give ``app_role`` its privileges on every table and sequence the current (owner) role owns in ``public``;
    returns how many relations were covered. Run inside the caller's transaction."""
    relations = [(str(r[0]), str(r[1])) for r in conn.execute(_OWN_RELATIONS)]
    for st in grant_statements(relations, app_role):
        conn.execute(text(st))
    return len(relations)
