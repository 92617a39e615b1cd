"""history tables partitioned by month: ``case_event`` and ``audit_log`` become range-partitioned on ``at`` (one
partition a month, ``<table>_pYYYYMM``, plus ``<table>_default``), primary key ``(id, at)``; the function
``gy_ensure_partitions(from, to)`` makes missing months (moving rows out of the default partition); the
append-only triggers stay on the parent (row triggers are cloned to every partition) and every partition gets its
own TRUNCATE refusal. Rows are copied once, indexes and keys built after the copy.

Revision ID: 0032
Revises: 0026
Create Date: 2026-12-06 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: table -> partition key, frozen here (db.partitions.HISTORY is the live list)
TABLES = {"case_event": "at", "audit_log": "at"}
AHEAD_MONTHS = 3

PARTITION_TRUNCATE = """
CREATE FUNCTION gy_refuse_partition_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- a TRUNCATE of the parent reaches every partition: it is allowed exactly when the parent's own refusal
    -- (named by the trigger's argument) was disabled by its owner, as the demo seed's --replace does
    IF EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_trigger g ON g.tgrelid = i.inhparent
                WHERE i.inhrelid = TG_RELID AND g.tgname = TG_ARGV[0] AND g.tgenabled = 'D') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END
$$
"""

ENSURE = """
CREATE FUNCTION gy_ensure_partitions(p_from date, p_to date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t record;
    m date;
    made integer := 0;
    part text;
    dflt text;
    lo timestamptz;
    hi timestamptz;
    waiting boolean;
BEGIN
    IF p_from IS NULL OR p_to IS NULL OR p_to < p_from THEN
        RETURN 0;
    END IF;
    IF p_to > p_from + interval '50 years' THEN
        RAISE EXCEPTION 'partition range too long: % to %', p_from, p_to USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR t IN SELECT c.relname::text AS tbl, a.attname::text AS col
               FROM pg_partitioned_table pt
               JOIN pg_class c ON c.oid = pt.partrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = pt.partattrs[0]
              WHERE c.relname IN ('case_event', 'audit_log', 'points_ledger', 'notify_outbox')
              ORDER BY c.relname
    LOOP
        dflt := t.tbl || '_default';
        m := date_trunc('month', p_from)::date;
        WHILE m <= p_to LOOP
            part := t.tbl || '_p' || to_char(m, 'YYYYMM');
            IF to_regclass('public.' || quote_ident(part)) IS NULL THEN
                -- one maker at a time (the app's task, migrate and the seed may race)
                PERFORM pg_advisory_xact_lock(hashtext('gy_ensure_partitions'));
            END IF;
            IF to_regclass('public.' || quote_ident(part)) IS NULL THEN
                lo := m::timestamp AT TIME ZONE 'Asia/Shanghai';
                hi := (m + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai';
                waiting := false;
                IF to_regclass('public.' || quote_ident(dflt)) IS NOT NULL THEN
                    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I >= %L AND %I < %L)',
                                   dflt, t.col, lo, t.col, hi) INTO waiting;
                END IF;
                IF waiting THEN
                    -- rows of this month wait in the default partition: detached, it has no cloned
                    -- append-only trigger, so they can move; then it is attached again
                    EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', t.tbl, dflt);
                END IF;
                EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                               part, t.tbl, lo, hi);
                EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT '
                               'EXECUTE FUNCTION gy_refuse_partition_truncate(%L)',
                               t.tbl || '_no_truncate', part, t.tbl || '_no_truncate');
                IF waiting THEN
                    EXECUTE format('INSERT INTO %I SELECT * FROM %I WHERE %I >= %L AND %I < %L',
                                   part, dflt, t.col, lo, t.col, hi);
                    EXECUTE format('DELETE FROM %I WHERE %I >= %L AND %I < %L', dflt, t.col, lo, t.col, hi);
                    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I DEFAULT', t.tbl, dflt);
                END IF;
                made := made + 1;
            END IF;
            m := (m + interval '1 month')::date;
        END LOOP;
    END LOOP;
    RETURN made;
END
$$
"""


def _rows(sql: str, **params: object) -> list[sa.Row]:  # type: ignore[type-arg]
    return list(op.get_bind().execute(sa.text(sql), params))


def _rebuild(table: str, key: str, *, partitioned: bool) -> None:
    """Copy ``table`` into a new table of the same name, partitioned by month on ``key`` or plain, with the
    same indexes, keys, foreign keys, triggers and sequence."""
    old = f"{table}__old"
    constraints = _rows(
        "SELECT conname, contype, pg_get_constraintdef(oid) AS ddl FROM pg_constraint "
        "WHERE conrelid = CAST(:t AS regclass) AND contype IN ('p', 'u', 'f') ORDER BY contype DESC, conname",
        t=table,
    )
    indexes = _rows(
        "SELECT i.indexrelid::regclass::text AS name, "
        "replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ') AS ddl FROM pg_index i "
        "WHERE i.indrelid = CAST(:t AS regclass) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)",
        t=table,
    )
    triggers = _rows(
        "SELECT tgname, pg_get_triggerdef(oid) AS ddl FROM pg_trigger "
        "WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal AND tgparentid = 0 ORDER BY tgname",
        t=table,
    )
    seq = _rows("SELECT pg_get_serial_sequence(:t, 'id') AS s", t=table)[0].s
    bounds = _rows(f"SELECT min({key}) AS lo FROM {table}")[0]  # nosec B608 # constant names
    op.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    for c in constraints:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {c.conname}")
    for i in indexes:
        op.execute(f"DROP INDEX {i.name}")
    for tr in triggers:
        op.execute(f"DROP TRIGGER {tr.tgname} ON {table}")
    op.execute(f"ALTER TABLE {table} RENAME TO {old}")
    # partitions of the old table (downgrade) stay attached to it and go with it
    by = f" PARTITION BY RANGE ({key})" if partitioned else ""
    op.execute(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS){by}")
    if partitioned:
        op.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}_default FOR EACH STATEMENT "
            f"EXECUTE FUNCTION gy_refuse_partition_truncate('{table}_no_truncate')"
        )
        op.execute(
            sa.text(
                "SELECT gy_ensure_partitions(CAST(coalesce(:lo, now()) AS date), "
                "CAST(now() + make_interval(months => :ahead) AS date))"
            ).bindparams(lo=bounds.lo, ahead=AHEAD_MONTHS)
        )
    op.execute("SET LOCAL maintenance_work_mem = '512MB'")
    op.execute("SET LOCAL work_mem = '256MB'")
    op.execute(f"INSERT INTO {table} SELECT * FROM {old}")  # nosec B608 # constant names
    if seq:
        op.execute(f"ALTER SEQUENCE {seq} OWNED BY {table}.id")
    for c in constraints:
        definition = c.ddl
        if c.contype == "p":
            definition = f"PRIMARY KEY (id, {key})" if partitioned else "PRIMARY KEY (id)"
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {c.conname} {definition}")
    for i in indexes:
        op.execute(i.ddl)
    for tr in triggers:
        op.execute(tr.ddl)
    op.execute(f"DROP TABLE {old} CASCADE")
    op.execute(f"ANALYZE {table}")


def upgrade() -> None:
    op.execute(PARTITION_TRUNCATE)
    op.execute(ENSURE)
    for table, key in TABLES.items():
        _rebuild(table, key, partitioned=True)


def downgrade() -> None:
    for table, key in TABLES.items():
        _rebuild(table, key, partitioned=False)
    op.execute("DROP FUNCTION IF EXISTS gy_ensure_partitions(date, date)")
    op.execute("DROP FUNCTION IF EXISTS gy_refuse_partition_truncate()")
