"""the daily rollup of /stats (stats_daily), kept current by statement triggers on "case" and case_event

Revision ID: 0031
Revises: 0026
Create Date: 2026-12-06 18:30:00

A cohort case (reported, filed, not merged) adds its now-independent contribution to the row of its report day
(Asia/Shanghai), its current department ('' for none) and its district: the counts of /stats except the part of
应结案/应处置 that depends on "now" (an open, not suspended case whose deadline passes without a write; read raw
from the open cases by db.rollups), and each handled/closed case's duration in seconds (the median and p90 are
not additive: the rows keep the exact values, a multiset per row). A returned case (return_count > 0) also adds
its dispatch and return events, to the row of the event's department. The rules are written once here, as a
template over a relation of case rows, used by the rebuild function and by every trigger:

- the triggers on "case" subtract the old rows' contributions and add the new rows' (transition tables; rows whose
  relevant columns did not change are skipped), both computed against the same case_event rows;
- the trigger on case_event adds a new dispatch/return event's share when its case (as it is now) is a returned
  cohort case. Whichever of the two writes of a workflow step comes first, the sum is the new contribution.

Counts are upserted with additive deltas (INSERT ... ON CONFLICT DO UPDATE), durations removed by an UPDATE that
re-reads the row under its lock: concurrent writers lose nothing. ``SET guiyang.rollups_deferred = on`` in a bulk
load skips the triggers; the load then calls db.rollups.rebuild. The functions are SECURITY DEFINER (the owner
writes the rollup; the app role only reads it).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0031"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = (
    "cases",
    "closed",
    "due_close_settled",
    "closed_on_time",
    "due_handle_settled",
    "handled_on_time",
    "handled_ever",
    "reworked",
    "dispatches",
    "returns",
)
KEY = "day, department_code, district_code"
COHORT = "c.filed_at IS NOT NULL AND c.status <> 'merged'"
DAY = "(c.created_at AT TIME ZONE 'Asia/Shanghai')::date"
HANDLED = "c.status IN ('handled', 'closed')"
# due whatever "now" is: a suspended case past its deadline at the suspension (the clock stopped there)
SETTLED_DUE = "(c.status = 'suspended' AND c.deadline < c.paused_since)"
# what one case row adds, and what its dispatch/return events add when it was returned; {rel} is a relation of
# case rows, {sign} 1 or -1
CASE_PART = f"""
SELECT {DAY} AS day, coalesce(c.department_code, '') AS department_code,
       coalesce(c.district_code, '') AS district_code, {{sign}} AS sign,
       1 AS cases,
       (c.status = 'closed')::int AS closed,
       coalesce(c.status = 'closed' OR {SETTLED_DUE}, false)::int AS due_close_settled,
       coalesce(c.status = 'closed' AND c.closed_at <= c.deadline, false)::int AS closed_on_time,
       coalesce({HANDLED} OR {SETTLED_DUE}, false)::int AS due_handle_settled,
       coalesce({HANDLED} AND c.handled_at <= c.deadline, false)::int AS handled_on_time,
       (c.handled_at IS NOT NULL)::int AS handled_ever,
       coalesce(c.rework_count > 0, false)::int AS reworked,
       coalesce(c.return_count = 0 AND c.department_code IS NOT NULL, false)::int AS dispatches,
       0 AS returns,
       CASE WHEN {HANDLED} THEN date_part('epoch', c.handled_at - c.dispatched_at) END AS handle_s,
       CASE WHEN c.status = 'closed' THEN date_part('epoch', c.closed_at - c.created_at) END AS close_s
  FROM {{rel}} c WHERE {COHORT}"""
EVENT_SELECT = f"""
SELECT {DAY} AS day, coalesce(e.department_code, '') AS department_code,
       coalesce(c.district_code, '') AS district_code, {{sign}} AS sign,
       0 AS cases, 0 AS closed, 0 AS due_close_settled, 0 AS closed_on_time, 0 AS due_handle_settled,
       0 AS handled_on_time, 0 AS handled_ever, 0 AS reworked, (e.action = 'dispatch')::int AS dispatches,
       (e.action = 'return')::int AS returns, NULL::float8 AS handle_s, NULL::float8 AS close_s"""
EVENT_PART = (
    EVENT_SELECT
    + """
  FROM {rel} c JOIN case_event e ON e.case_id = c.id AND e.action IN ('dispatch', 'return')
 WHERE """
    + COHORT
    + " AND c.return_count > 0"
)
NEW_EVENT_PART = (
    EVENT_SELECT
    + """
  FROM new_events e JOIN "case" c ON c.id = e.case_id
 WHERE e.action IN ('dispatch', 'return') AND """
    + COHORT
    + " AND c.return_count > 0"
)
# the columns a case's contribution depends on (a change of anything else is skipped by the update trigger)
RELEVANT = (
    "created_at, department_code, district_code, status, filed_at, deadline, paused_since, closed_at, "
    "handled_at, dispatched_at, rework_count, return_count"
)
SUMS = ", ".join(f"sum(sign * {c})::int AS {c}" for c in COUNTS)
ADD = ", ".join(f"{c} = stats_daily.{c} + EXCLUDED.{c}" for c in COUNTS)


def _apply(parts: str) -> str:
    """plpgsql statements adding the signed contributions ``parts`` (a UNION ALL of the templates) to the rollup:
    the removed durations first (an UPDATE re-reads a row changed concurrently), then the counts and the added
    durations as additive deltas (INSERT ... ON CONFLICT DO UPDATE), in key order (two writers lock rows in the
    same order)."""
    return f"""
    UPDATE stats_daily r
       SET handle_s = gy_float8_minus(r.handle_s, d.del_h), close_s = gy_float8_minus(r.close_s, d.del_c)
      FROM (SELECT {KEY},
                   array_agg(handle_s) FILTER (WHERE sign < 0 AND handle_s IS NOT NULL) AS del_h,
                   array_agg(close_s) FILTER (WHERE sign < 0 AND close_s IS NOT NULL) AS del_c
              FROM ({parts}) p
             WHERE sign < 0 AND (handle_s IS NOT NULL OR close_s IS NOT NULL)
             GROUP BY {KEY}) d
     WHERE (r.day, r.department_code, r.district_code) = (d.day, d.department_code, d.district_code);
    INSERT INTO stats_daily AS stats_daily ({KEY}, {", ".join(COUNTS)}, handle_s, close_s)
    SELECT {KEY}, {SUMS},
           coalesce(array_agg(handle_s) FILTER (WHERE sign > 0 AND handle_s IS NOT NULL), '{{}}'),
           coalesce(array_agg(close_s) FILTER (WHERE sign > 0 AND close_s IS NOT NULL), '{{}}')
      FROM ({parts}) p
     GROUP BY {KEY}
    HAVING bool_or(sign > 0 AND (handle_s IS NOT NULL OR close_s IS NOT NULL))
           OR {" OR ".join(f"sum(sign * {c}) <> 0" for c in COUNTS)}
     ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET {ADD},
        handle_s = stats_daily.handle_s || EXCLUDED.handle_s, close_s = stats_daily.close_s || EXCLUDED.close_s;"""


def _function(name: str, body: str) -> str:
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF current_setting('guiyang.rollups_deferred', true) = 'on' THEN
        RETURN NULL;
    END IF;{body}
    RETURN NULL;
END $$"""


def _both(rel: str, sign: int) -> str:
    return f"{CASE_PART.format(rel=rel, sign=sign)}\n UNION ALL {EVENT_PART.format(rel=rel, sign=sign)}"


_CHANGED_OLD = f"(SELECT o.* FROM old_rows o JOIN new_rows n USING (id) WHERE (o.{RELEVANT.replace(', ', ', o.')}) IS DISTINCT FROM (n.{RELEVANT.replace(', ', ', n.')}))"
_CHANGED_NEW = f"(SELECT n.* FROM new_rows n JOIN old_rows o USING (id) WHERE (o.{RELEVANT.replace(', ', ', o.')}) IS DISTINCT FROM (n.{RELEVANT.replace(', ', ', n.')}))"

MINUS = """
CREATE FUNCTION gy_float8_minus(a float8[], b float8[]) RETURNS float8[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN b IS NULL OR cardinality(b) = 0 THEN a ELSE coalesce((
        SELECT array_agg(x.v ORDER BY x.o)
          FROM (SELECT t.v, t.o, row_number() OVER (PARTITION BY t.v ORDER BY t.o) AS k
                  FROM unnest(a) WITH ORDINALITY AS t(v, o)) x
         WHERE x.k > (SELECT count(*) FROM unnest(b) AS u(v) WHERE u.v = x.v)), '{}') END
$$"""
# the multiset a minus b (each value of b removes one equal value of a), in a's order

_RANGE = (
    "(SELECT * FROM \"case\" WHERE created_at >= (d0::timestamp AT TIME ZONE 'Asia/Shanghai') "
    "AND created_at < (d1::timestamp AT TIME ZONE 'Asia/Shanghai'))"
)
REBUILD = f"""
CREATE FUNCTION gy_stats_rollup_rebuild(d0 date, d1 date) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM stats_daily WHERE day >= d0 AND day < d1;
    INSERT INTO stats_daily ({KEY}, {", ".join(COUNTS)}, handle_s, close_s)
    SELECT {KEY}, {SUMS},
           coalesce(array_agg(handle_s) FILTER (WHERE handle_s IS NOT NULL), '{{}}'),
           coalesce(array_agg(close_s) FILTER (WHERE close_s IS NOT NULL), '{{}}')
      FROM ({_both(_RANGE, 1)}) p
     GROUP BY {KEY};
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$"""

FUNCTIONS = {
    "gy_rollup_case_insert": _apply(_both("new_rows", 1)),
    "gy_rollup_case_update": _apply(f"{_both(_CHANGED_OLD, -1)}\n UNION ALL {_both(_CHANGED_NEW, 1)}"),
    "gy_rollup_case_delete": _apply(_both("old_rows", -1)),
    "gy_rollup_event_insert": _apply(NEW_EVENT_PART.format(sign=1)),
}
TRIGGERS = (
    ('"case"', "case_rollup_insert", "INSERT", "NEW TABLE AS new_rows", "gy_rollup_case_insert"),
    (
        '"case"',
        "case_rollup_update",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "gy_rollup_case_update",
    ),
    ('"case"', "case_rollup_delete", "DELETE", "OLD TABLE AS old_rows", "gy_rollup_case_delete"),
    ("case_event", "case_event_rollup_insert", "INSERT", "NEW TABLE AS new_events", "gy_rollup_event_insert"),
)


def upgrade() -> None:
    count = {"nullable": False, "server_default": sa.text("0")}
    op.create_table(
        "stats_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_code", sa.String(length=24), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        *[sa.Column(c, sa.Integer(), **count) for c in COUNTS],  # type: ignore[arg-type]
        *[
            sa.Column(
                c,
                postgresql.ARRAY(postgresql.DOUBLE_PRECISION()),
                server_default=sa.text("'{}'"),
                nullable=False,
            )
            for c in ("handle_s", "close_s")
        ],
        sa.PrimaryKeyConstraint("day", "department_code", "district_code", name=op.f("pk_stats_daily")),
    )
    op.execute(MINUS)
    op.execute(REBUILD)
    for name, body in FUNCTIONS.items():
        op.execute(_function(name, body))
    for table, trigger, event, referencing, function in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {trigger} AFTER {event} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    op.execute(
        "CREATE FUNCTION gy_rollup_case_truncate() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
        "SET search_path = public, pg_temp AS $$ BEGIN DELETE FROM stats_daily; RETURN NULL; END $$"
    )
    op.execute(
        'CREATE TRIGGER case_rollup_truncate AFTER TRUNCATE ON "case" '
        "FOR EACH STATEMENT EXECUTE FUNCTION gy_rollup_case_truncate()"
    )
    # the existing cases (32 s for 1M cases on the 2-core machine under a load of ~17; the same function as the rebuild command)
    op.execute("SET LOCAL work_mem = '256MB'")
    op.execute("SELECT gy_stats_rollup_rebuild('-infinity'::date, 'infinity'::date)")


def downgrade() -> None:
    for table, trigger, *_ in TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    op.execute('DROP TRIGGER case_rollup_truncate ON "case"')
    for name in (*FUNCTIONS, "gy_rollup_case_truncate"):
        op.execute(f"DROP FUNCTION {name}()")
    op.execute("DROP FUNCTION gy_stats_rollup_rebuild(date, date)")
    op.execute("DROP FUNCTION gy_float8_minus(float8[], float8[])")
    op.drop_table("stats_daily")
