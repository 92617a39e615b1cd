"""Notification routes and the transactional outbox (notify_route, notify_outbox): issue 14

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 11:36:07.478899
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notify_route",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(length=24), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=2), server_default="zh", nullable=False),
        sa.Column("kinds", postgresql.ARRAY(sa.String(length=16)), nullable=True),
        sa.Column("label", sa.String(length=80), nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kinds IS NULL OR kinds <@ ARRAY['dispatch', 'return', 'rework', 'yellow', 'red', 'escalate', 'alert', 'test']::varchar[]",
            name=op.f("ck_notify_route_kinds"),
        ),
        sa.CheckConstraint("lang IN ('zh', 'en')", name=op.f("ck_notify_route_lang")),
        sa.CheckConstraint(
            "role IS NULL OR role IN ('admin', 'lead', 'dispatcher', 'officer', 'department', 'moderator')",
            name=op.f("ck_notify_route_role"),
        ),
        sa.CheckConstraint(
            "(department_code IS NULL) <> (role IS NULL)", name=op.f("ck_notify_route_target")
        ),
        sa.CheckConstraint("char_length(url) BETWEEN 3 AND 2000", name=op.f("ck_notify_route_url")),
        sa.ForeignKeyConstraint(
            ["department_code"], ["department.code"], name=op.f("fk_notify_route_department_code_department")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_route")),
    )
    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("idem_key", sa.String(length=200), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=True),
        sa.Column("alert_id", sa.BigInteger(), nullable=True),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "next_attempt_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('dispatch', 'return', 'rework', 'yellow', 'red', 'escalate', 'alert', 'test')",
            name=op.f("ck_notify_outbox_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'failed')", name=op.f("ck_notify_outbox_status")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_notify_outbox_attempts")),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["analysis_alert.id"], name=op.f("fk_notify_outbox_alert_id_analysis_alert")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_notify_outbox_case_id_case")),
        sa.ForeignKeyConstraint(
            ["route_id"], ["notify_route.id"], name=op.f("fk_notify_outbox_route_id_notify_route")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_outbox")),
        sa.UniqueConstraint("idem_key", name=op.f("uq_notify_outbox_idem_key")),
    )
    op.create_index("ix_notify_outbox_case_id", "notify_outbox", ["case_id"], unique=False)
    op.create_index("ix_notify_outbox_created_at", "notify_outbox", ["created_at"], unique=False)
    op.create_index(
        "ix_notify_outbox_due",
        "notify_outbox",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_notify_outbox_due", table_name="notify_outbox", postgresql_where=sa.text("status = 'pending'")
    )
    op.drop_index("ix_notify_outbox_created_at", table_name="notify_outbox")
    op.drop_index("ix_notify_outbox_case_id", table_name="notify_outbox")
    op.drop_table("notify_outbox")
    op.drop_table("notify_route")
