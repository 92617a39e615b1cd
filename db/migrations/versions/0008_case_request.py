"""挂账 / 延期 requests: a department asks, a shift lead approves or refuses (table case_request, new actions)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = (
    "'report', 'file', 'reject', 'merge', 'dispatch', 'return', 'start', 'handle', 'verify_pass', "
    "'verify_fail', 'suspend', 'resume', 'extend', 'escalate'"
)
_NEW = _OLD + ", 'suspend_request', 'extend_request', 'request_approve', 'request_refuse', 'request_withdraw'"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_case_event_action"), "case_event", type_="check")
    op.create_check_constraint(op.f("ck_case_event_action"), "case_event", f"action IN ({_NEW})")
    op.create_table(
        "case_request",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=10), server_default="pending", nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("department_code", sa.String(length=24), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column(
            "requested_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('suspend', 'extend')", name=op.f("ck_case_request_kind")),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'refused', 'withdrawn', 'outdated')",
            name=op.f("ck_case_request_state"),
        ),
        sa.CheckConstraint("(kind = 'extend') = (amount IS NOT NULL)", name=op.f("ck_case_request_amount")),
        sa.CheckConstraint("amount IS NULL OR amount > 0", name=op.f("ck_case_request_amount_positive")),
        sa.CheckConstraint(
            "(state = 'pending') = (decided_at IS NULL)", name=op.f("ck_case_request_decided")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_case_request_case_id_case")),
        sa.ForeignKeyConstraint(
            ["department_code"], ["department.code"], name=op.f("fk_case_request_department_code_department")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["staff_user.id"], name=op.f("fk_case_request_requested_by_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["staff_user.id"], name=op.f("fk_case_request_decided_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_request")),
    )
    op.create_index(op.f("ix_case_request_case_id"), "case_request", ["case_id"])
    op.create_index(
        "uq_case_request_pending",
        "case_request",
        ["case_id", "kind"],
        unique=True,
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_index(
        "ix_case_request_pending",
        "case_request",
        ["requested_at"],
        postgresql_where=sa.text("state = 'pending'"),
    )


def downgrade() -> None:
    op.drop_table("case_request")
    op.drop_constraint(op.f("ck_case_event_action"), "case_event", type_="check")
    op.create_check_constraint(op.f("ck_case_event_action"), "case_event", f"action IN ({_OLD})")
