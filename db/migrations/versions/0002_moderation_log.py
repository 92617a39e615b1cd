"""moderation log: every change to the public layer, append-only

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS = (
    "'submit', 'approve', 'hide', 'photo_approve', 'photo_hide', 'point_add', 'point_move', 'point_edit', "
    "'point_retire'"
)


def upgrade() -> None:
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_person_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.CheckConstraint(f"action IN ({ACTIONS})", name=op.f("ck_moderation_log_action")),
        sa.CheckConstraint(
            "target_kind IN ('beauty_post', 'photo', 'service_point')",
            name=op.f("ck_moderation_log_target_kind"),
        ),
        sa.CheckConstraint(
            "actor_user_id IS NOT NULL OR actor_person_id IS NOT NULL",
            name=op.f("ck_moderation_log_has_actor"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_person_id"], ["person.id"], name=op.f("fk_moderation_log_actor_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["staff_user.id"], name=op.f("fk_moderation_log_actor_user_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_log")),
    )
    op.create_index("ix_moderation_log_at", "moderation_log", ["at"], unique=False)
    op.create_index(
        "ix_moderation_log_target_kind_target_id",
        "moderation_log",
        ["target_kind", "target_id"],
        unique=False,
    )
    # append-only, like case_event: gy_refuse_change() comes from 0001
    op.execute(
        "CREATE TRIGGER moderation_log_append_only BEFORE UPDATE OR DELETE ON moderation_log"
        " FOR EACH ROW EXECUTE FUNCTION gy_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER moderation_log_no_truncate BEFORE TRUNCATE ON moderation_log"
        " FOR EACH STATEMENT EXECUTE FUNCTION gy_refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS moderation_log_no_truncate ON moderation_log")
    op.execute("DROP TRIGGER IF EXISTS moderation_log_append_only ON moderation_log")
    op.drop_index("ix_moderation_log_target_kind_target_id", table_name="moderation_log")
    op.drop_index("ix_moderation_log_at", table_name="moderation_log")
    op.drop_table("moderation_log")
