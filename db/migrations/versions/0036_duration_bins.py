"""/stats medians and p90s read a few bins of durations, not all of them: cumulative bin counts and sorted durations
in ``stats_daily``

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 06:00:00

The median and p90 of 派遣→处置 and 上报→结案 are exact (linear interpolation between the closest ranks), so 0031
kept every handled/closed case's duration, and /stats read them all: 6.4M values for a year of the 10M-case city,
~60 % of the page's time. Now each row keeps its two arrays sorted and counts its durations by bin, cumulatively:
``hbK`` is how many of its handling durations lie in bins 0…K (``cbK`` for closing; the bins are
:data:`EDGES_H` in hours, ``gy_duration_edges()`` in seconds, a bin holding its lower edge). Cumulative counts add
up like any count, and they are at once where each bin starts in the sorted array (bin K starts at ``hbK-1``).
A reader sums them, finds the bins holding the ranks it needs and fetches only those slices
(:mod:`db.queries.rollup_stats`): the same exact figures from about a quarter of the values. The bins only decide
what is read, never a result, so any edges are correct; these follow the demo city's durations (about 4 % of
them a bin) and the working-hours deadlines. (Offsets kept as arrays beside the counts, generated or written by
the triggers, cost a workflow step about 1 ms more; the cumulative counts cost ~0.4 ms.)

The rules of 0031 stay (its templates are reused): each contribution row also carries its cumulative bin counts, an added
duration is merged in order (``gy_float8_merge``), a removed one leaves the order as it was (``gy_float8_minus``).
The functions are replaced under their names, so the triggers stay as they are; the existing rows are rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

from alembic import op

from db.migrations import earlier

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the lower edges of bins 1..24 in hours (bin 0: below 1 h; bin 24: 480 h and more)
EDGES_H = (1, 2, 4, 6, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64, 72, 84, 96, 120, 144, 168, 216, 288, 480)
BINS = len(EDGES_H) + 1
EDGES_SQL = "gy_duration_edges()"
HB = tuple(f"hb{k:02d}" for k in range(BINS))
CB = tuple(f"cb{k:02d}" for k in range(BINS))


def _base() -> ModuleType:
    return earlier.load("0031_stats_rollup.py")


B = _base()
COUNTS = (*B.COUNTS, *HB, *CB)
KEY = B.KEY
SUMS = ", ".join(f"sum(sign * {c})::int AS {c}" for c in COUNTS)
ADD = ", ".join(f"{c} = stats_daily.{c} + EXCLUDED.{c}" for c in COUNTS)
_BIN_COLUMNS = ", ".join(
    f"coalesce(p.{value} <= {k}, false)::int AS {name}"
    for value, names in (("handle_bin", HB), ("close_bin", CB))
    for k, name in enumerate(names)
)


def binned(parts: str) -> str:
    """Contribution rows (0031's templates) with their bin counts (each duration's bin found once)."""
    return (
        f"SELECT p.*, {_BIN_COLUMNS} FROM (SELECT q.*, width_bucket(q.handle_s, {EDGES_SQL}) AS handle_bin, "
        f"width_bucket(q.close_s, {EDGES_SQL}) AS close_bin FROM ({parts}) q) p"
    )


EDGES = f"""
CREATE FUNCTION gy_duration_edges() RETURNS float8[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '{{{",".join(str(h * 3600) for h in EDGES_H)}}}'::float8[]
$$"""
# the bins' lower edges in seconds, for the rollup and its readers alike
MERGE = """
CREATE FUNCTION gy_float8_merge(a float8[], b float8[]) RETURNS float8[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN b IS NULL OR cardinality(b) = 0 THEN a
                ELSE ARRAY(SELECT v FROM unnest(a || b) AS u(v) ORDER BY v) END
$$"""
# the multiset a plus b, sorted (a is sorted)


def _apply(parts: str) -> str:
    """0031's statements with the bin counts among the additive columns and the durations kept sorted."""
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
           coalesce(array_agg(handle_s ORDER BY handle_s) FILTER (WHERE sign > 0 AND handle_s IS NOT NULL), '{{}}'),
           coalesce(array_agg(close_s ORDER BY close_s) FILTER (WHERE sign > 0 AND close_s IS NOT NULL), '{{}}')
      FROM ({parts}) p
     GROUP BY {KEY}
    HAVING bool_or(sign > 0 AND (handle_s IS NOT NULL OR close_s IS NOT NULL))
           OR {" OR ".join(f"sum(sign * {c}) <> 0" for c in COUNTS)}
     ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET {ADD},
        handle_s = gy_float8_merge(stats_daily.handle_s, EXCLUDED.handle_s),
        close_s = gy_float8_merge(stats_daily.close_s, EXCLUDED.close_s);"""


REBUILD = f"""
CREATE OR REPLACE FUNCTION gy_stats_rollup_rebuild(d0 date, d1 date) RETURNS integer LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM stats_daily WHERE day >= d0 AND day < d1;
    INSERT INTO stats_daily ({KEY}, {", ".join(COUNTS)}, handle_s, close_s)
    SELECT {KEY}, {SUMS},
           coalesce(array_agg(handle_s ORDER BY handle_s) FILTER (WHERE handle_s IS NOT NULL), '{{}}'),
           coalesce(array_agg(close_s ORDER BY close_s) FILTER (WHERE close_s IS NOT NULL), '{{}}')
      FROM ({binned(B._both(B._RANGE, 1))}) p
     GROUP BY {KEY};
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$"""

FUNCTIONS = {
    "gy_rollup_case_insert": _apply(binned(B._both("new_rows", 1))),
    "gy_rollup_case_update": _apply(
        binned(f"{B._both(B._CHANGED_OLD, -1)}\n UNION ALL {B._both(B._CHANGED_NEW, 1)}")
    ),
    "gy_rollup_case_delete": _apply(binned(B._both("old_rows", -1))),
    "gy_rollup_event_insert": _apply(binned(B.NEW_EVENT_PART.format(sign=1))),
}


def _replace(sql: str) -> str:
    return sql.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def upgrade() -> None:
    columns = ", ".join(f"ADD COLUMN {c} integer NOT NULL DEFAULT 0" for c in (*HB, *CB))
    op.execute(f"ALTER TABLE stats_daily {columns}")
    op.execute(EDGES)
    op.execute(MERGE)
    op.execute(REBUILD)
    for name, body in FUNCTIONS.items():
        op.execute(_replace(B._function(name, body)))
    # the existing rows: counted per bin, sorted (the same function as the rebuild command), into an empty table
    # (deleting and inserting every row would leave the table twice its size)
    op.execute("TRUNCATE stats_daily")
    op.execute("SET LOCAL work_mem = '256MB'")
    op.execute("SELECT gy_stats_rollup_rebuild('-infinity'::date, 'infinity'::date)")


def downgrade() -> None:
    op.execute(_replace(B.REBUILD))
    for name, body in B.FUNCTIONS.items():
        op.execute(_replace(B._function(name, body)))
    op.execute("DROP FUNCTION gy_float8_merge(float8[], float8[])")
    op.execute("DROP FUNCTION gy_duration_edges()")
    op.execute("ALTER TABLE stats_daily " + ", ".join(f"DROP COLUMN {c}" for c in (*HB, *CB)))
