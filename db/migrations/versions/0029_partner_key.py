"""Data-sharing partners' keys for the OGC API – Features endpoint (partner_key)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=12)), nullable=False),
        sa.Column("districts", postgresql.ARRAY(sa.String(length=6)), nullable=False),
        sa.Column("per_minute", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("char_length(name) BETWEEN 1 AND 80", name=op.f("ck_partner_key_name")),
        sa.CheckConstraint("per_minute BETWEEN 1 AND 10000", name=op.f("ck_partner_key_per_minute")),
        sa.CheckConstraint(
            "cardinality(categories) >= 1 AND cardinality(districts) >= 1", name=op.f("ck_partner_key_grants")
        ),
        sa.CheckConstraint("active = (revoked_at IS NULL)", name=op.f("ck_partner_key_revoked")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_partner_key_key_hash")),
    )


def downgrade() -> None:
    op.drop_table("partner_key")
