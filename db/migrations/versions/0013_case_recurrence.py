"""复发: a new report linked to the earlier closed case it repeats (case_recurrence)

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_recurrence",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("earlier_case_id", sa.BigInteger(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("days_after_close", sa.Float(), nullable=False),
        sa.Column("place_case_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("earlier_case_id <> case_id", name=op.f("ck_case_recurrence_not_itself")),
        sa.CheckConstraint(
            "distance_m >= 0 AND days_after_close >= 0", name=op.f("ck_case_recurrence_measures")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_case_recurrence_number")),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_case_recurrence_case_id_case")),
        sa.ForeignKeyConstraint(
            ["earlier_case_id"], ["case.id"], name=op.f("fk_case_recurrence_earlier_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["place_case_id"], ["case.id"], name=op.f("fk_case_recurrence_place_case_id_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_recurrence")),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_recurrence_case_id")),
    )
    op.create_index(
        "ix_case_recurrence_earlier_case_id", "case_recurrence", ["earlier_case_id"], unique=False
    )
    op.create_index("ix_case_recurrence_place_case_id", "case_recurrence", ["place_case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_recurrence_place_case_id", table_name="case_recurrence")
    op.drop_index("ix_case_recurrence_earlier_case_id", table_name="case_recurrence")
    op.drop_table("case_recurrence")
