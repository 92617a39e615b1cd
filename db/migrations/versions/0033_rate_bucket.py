"""Rate limits shared by every worker process: rate_bucket (UNLOGGED, one row per limit and client)

Revision ID: 0033
Revises: 0026
Create Date: 2026-12-06 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_bucket",
        sa.Column("limit_name", sa.String(length=32), nullable=False),
        sa.Column("client", sa.String(length=80), nullable=False),
        sa.Column("tat", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("limit_name", "client", name=op.f("pk_rate_bucket")),
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_rate_bucket_tat", "rate_bucket", ["tat"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_rate_bucket_tat", table_name="rate_bucket")
    op.drop_table("rate_bucket")
