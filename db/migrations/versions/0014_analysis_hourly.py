"""研判预警: reports per hour × 1 km square × district × 小类 (analysis_hourly), the alert cycle's baselines

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analysis_hourly",
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("area_key", sa.String(length=32), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("category_code", sa.String(length=12), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.CheckConstraint("n > 0", name=op.f("ck_analysis_hourly_n")),
        sa.PrimaryKeyConstraint(
            "hour", "area_key", "district_code", "category_code", name=op.f("pk_analysis_hourly")
        ),
    )


def downgrade() -> None:
    op.drop_table("analysis_hourly")
