"""analysis_snapshot: slow analyses (the correlations) computed by the analysis cycle, read by the page

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 11:51:52.396620
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analysis_snapshot",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analysis_snapshot")),
    )


def downgrade() -> None:
    op.drop_table("analysis_snapshot")
