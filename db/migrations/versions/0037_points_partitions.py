"""the points ledger partitioned by month: ``points_ledger`` becomes range-partitioned on ``created_at`` (one
partition a month, ``points_ledger_pYYYYMM``, plus ``points_ledger_default``), primary key ``(id, created_at)``,
like the other history tables (migration 0032, whose rebuild this one reuses).

A partitioned table can keep a UNIQUE key only with the partition key in it, and ``(person_id, reason, ref)``, what
gives a reward once, must hold over all time. So the key moves to a small unpartitioned table, ``points_claim``,
filled here from the ledger: an award first claims its key there (``ON CONFLICT DO NOTHING``), and only a claim
made writes the ledger row, in the same statement. ``gy_award_report_points`` (the trigger that rewards a closed
case's reporter, migration 0003) is rewritten that way. Claims are append-only for the app role, like the ledger.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

from alembic import op

from db.migrations import earlier

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNIQUE = "uq_points_ledger_person_id_reason_ref"


def _partitions() -> ModuleType:
    return earlier.load("0032_history_partitions.py")


CLAIM = """
CREATE TABLE points_claim (
    person_id integer NOT NULL CONSTRAINT fk_points_claim_person_id_person REFERENCES person (id),
    reason varchar(16) NOT NULL,
    ref varchar(40) NOT NULL,
    CONSTRAINT pk_points_claim PRIMARY KEY (person_id, reason, ref)
)
"""
CLAIM_GUARDS = [
    "CREATE TRIGGER points_claim_append_only BEFORE UPDATE OR DELETE ON points_claim "
    "FOR EACH ROW EXECUTE FUNCTION gy_refuse_change()",
    "CREATE TRIGGER points_claim_no_truncate BEFORE TRUNCATE ON points_claim "
    "FOR EACH STATEMENT EXECUTE FUNCTION gy_refuse_change()",
]

# the reporter who may be rewarded, as migration 0003 chose them; then claim, then write
_WHO = """
        SELECT NEW.reporter_id AS person_id, r.pts
          FROM (SELECT gy_points_for('report', NEW.category_code) AS pts) r
         WHERE r.pts > 0
           AND EXISTS (SELECT 1 FROM person p WHERE p.id = NEW.reporter_id AND p.registered)
           AND NOT EXISTS (
               SELECT 1 FROM case_event e
                CROSS JOIN LATERAL jsonb_array_elements_text(
                    CASE WHEN jsonb_typeof(e.payload -> 'duplicates') = 'array'
                         THEN e.payload -> 'duplicates' ELSE '[]'::jsonb END) AS dup(id)
                 JOIN "case" d ON d.id = (CASE WHEN dup.id ~ '^[0-9]{1,18}$' THEN dup.id::bigint END)
                WHERE e.case_id = NEW.id AND e.action = 'report' AND d.id <> NEW.id
                  AND d.status NOT IN ('rejected', 'merged'))
"""
AWARD_CLAIMED = f"""
CREATE OR REPLACE FUNCTION gy_award_report_points() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- the first valid reporter: a registered person whose report was not a duplicate of an earlier report
    -- still standing (rejected and merged ones do not count); rejected and merged cases never close. The
    -- reward's key is claimed first (points_claim, unique over all time); only a claim made writes the ledger.
    WITH who AS ({_WHO}),
    claim AS (
        INSERT INTO points_claim (person_id, reason, ref)
        SELECT person_id, 'report', 'case:' || NEW.id FROM who
        ON CONFLICT DO NOTHING RETURNING person_id
    )
    INSERT INTO points_ledger (person_id, case_id, reason, ref, points)
    SELECT who.person_id, NEW.id, 'report', 'case:' || NEW.id, who.pts FROM who JOIN claim USING (person_id);
    RETURN NULL;
END
$$
"""
AWARD_UNIQUE = f"""
CREATE OR REPLACE FUNCTION gy_award_report_points() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- the first valid reporter: a registered person whose report was not a duplicate of an earlier report
    -- still standing (rejected and merged ones do not count); rejected and merged cases never close
    INSERT INTO points_ledger (person_id, case_id, reason, ref, points)
    SELECT who.person_id, NEW.id, 'report', 'case:' || NEW.id, who.pts FROM ({_WHO}) who
    ON CONFLICT (person_id, reason, ref) DO NOTHING;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.execute(CLAIM)
    op.execute(
        "INSERT INTO points_claim (person_id, reason, ref) SELECT person_id, reason, ref FROM points_ledger"
    )
    for ddl in CLAIM_GUARDS:
        op.execute(ddl)
    op.execute(f"ALTER TABLE points_ledger DROP CONSTRAINT {UNIQUE}")
    _partitions()._rebuild("points_ledger", "created_at", partitioned=True)
    op.execute(AWARD_CLAIMED)


def downgrade() -> None:
    _partitions()._rebuild("points_ledger", "created_at", partitioned=False)
    op.execute(f"ALTER TABLE points_ledger ADD CONSTRAINT {UNIQUE} UNIQUE (person_id, reason, ref)")
    op.execute(AWARD_UNIQUE)
    op.execute("DROP TABLE points_claim")
