"""citizen API: api keys, idempotency keys, case intake, verification tasks, feedback, points rules

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Points for a verification done when no rule for the 小类 exists (data: edit the points_rule row).
DEFAULT_VERIFICATION_POINTS = 5


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_key_key_hash")),
    )
    op.create_table(
        "points_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("category_code", sa.String(length=12), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.CheckConstraint("points >= 0", name=op.f("ck_points_rule_points")),
        sa.CheckConstraint(
            "reason IN ('report', 'verification', 'beauty')", name=op.f("ck_points_rule_reason")
        ),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["category.code"],
            name=op.f("fk_points_rule_category_code_category"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_rule")),
        sa.UniqueConstraint(
            "reason",
            "category_code",
            name=op.f("uq_points_rule_reason_category_code"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("char_length(text) BETWEEN 1 AND 2000", name=op.f("ck_feedback_text_length")),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"], name=op.f("fk_feedback_api_key_id_api_key")),
        sa.ForeignKeyConstraint(
            ["handled_by_user_id"], ["staff_user.id"], name=op.f("fk_feedback_handled_by_user_id_staff_user")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_feedback_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"], unique=False)
    op.create_table(
        "case_intake",
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("attributes", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("media_urls", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("coordinate_system", sa.String(length=8), server_default="wgs84", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "coordinate_system IN ('wgs84', 'gcj02')", name=op.f("ck_case_intake_coordinate_system")
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_key.id"], name=op.f("fk_case_intake_api_key_id_api_key")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_case_intake_case_id_case")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_intake")),
    )
    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=True),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_key.id"], name=op.f("fk_idempotency_key_api_key_id_api_key")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_idempotency_key_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint(
            "api_key_id", "client_key", name=op.f("uq_idempotency_key_api_key_id_client_key")
        ),
    )
    op.create_index("ix_idempotency_key_created_at", "idempotency_key", ["created_at"], unique=False)
    op.create_table(
        "verification_task",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("round_event_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=12), server_default="open", nullable=False),
        sa.Column("result", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("photo_ids", postgresql.ARRAY(sa.BigInteger()), server_default="{}", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(state = 'answered') = (answered_at IS NOT NULL)", name=op.f("ck_verification_task_answered")
        ),
        sa.CheckConstraint(
            "result IS NULL OR result IN ('pass', 'fail')", name=op.f("ck_verification_task_result")
        ),
        sa.CheckConstraint(
            "state IN ('open', 'answered', 'closed')", name=op.f("ck_verification_task_state")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_verification_task_case_id_case")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_verification_task_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_task")),
        sa.UniqueConstraint(
            "round_event_id",
            "person_id",
            name=op.f("uq_verification_task_round_event_id_person_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index("ix_verification_task_case_id", "verification_task", ["case_id"], unique=False)
    op.create_index(
        "ix_verification_task_person_id_state", "verification_task", ["person_id", "state"], unique=False
    )
    for statement in SQL_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQL_DOWN:
        op.execute(statement)
    op.drop_index("ix_verification_task_person_id_state", table_name="verification_task")
    op.drop_index("ix_verification_task_case_id", table_name="verification_task")
    op.drop_table("verification_task")
    op.drop_index("ix_idempotency_key_created_at", table_name="idempotency_key")
    op.drop_table("idempotency_key")
    op.drop_table("case_intake")
    op.drop_index("ix_feedback_created_at", table_name="feedback")
    op.drop_table("feedback")
    op.drop_table("points_rule")
    op.drop_table("api_key")


# Points on close, in the database so that every path that closes a case (the citizens' API, the staff's
# workbench, the simulator) awards them the same way, once: the ledger's UNIQUE (person_id, reason, ref) and
# ON CONFLICT DO NOTHING make a second award impossible. Bulk loads (COPY) do not fire it.
SQL_UP = [
    """
    CREATE FUNCTION gy_points_for(p_reason text, p_category varchar) RETURNS integer
    LANGUAGE sql STABLE AS $$
        SELECT coalesce(
            (SELECT r.points FROM points_rule r WHERE r.reason = p_reason AND r.category_code = p_category),
            (SELECT r.points FROM points_rule r WHERE r.reason = p_reason AND r.category_code IS NULL),
            CASE WHEN p_reason = 'report' THEN (SELECT c.points FROM category c WHERE c.code = p_category) END,
            0)
    $$
    """,
    """
    CREATE FUNCTION gy_award_report_points() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- the first valid reporter: a registered person whose report was not a duplicate of an earlier report
        -- still standing (rejected and merged ones do not count); rejected and merged cases never close
        INSERT INTO points_ledger (person_id, case_id, reason, ref, points)
        SELECT NEW.reporter_id, NEW.id, 'report', 'case:' || NEW.id, r.pts
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
        ON CONFLICT (person_id, reason, ref) DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER case_points_on_close AFTER UPDATE OF status ON "case" FOR EACH ROW
        WHEN (NEW.status = 'closed' AND OLD.status IS DISTINCT FROM 'closed' AND NEW.reporter_id IS NOT NULL)
        EXECUTE FUNCTION gy_award_report_points()
    """,
    # rules as data: the catalog's points per 小类 (when the catalog is already loaded) and a default for
    # verification; db.seed.reference.seed_rules() fills in 小类 loaded later
    f"INSERT INTO points_rule (reason, category_code, points) VALUES ('verification', NULL, "
    f"{DEFAULT_VERIFICATION_POINTS})",
    "INSERT INTO points_rule (reason, category_code, points) "
    "SELECT 'report', code, points FROM category WHERE level = 2 ON CONFLICT DO NOTHING",
]

SQL_DOWN = [
    'DROP TRIGGER IF EXISTS case_points_on_close ON "case"',
    "DROP FUNCTION IF EXISTS gy_award_report_points()",
    "DROP FUNCTION IF EXISTS gy_points_for(text, varchar)",
]
