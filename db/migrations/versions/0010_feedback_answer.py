"""feedback answers: staff answer a citizen's 意见反馈 (text, when, by whom); the citizen reads it over Open311

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-06 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("feedback", sa.Column("answer", sa.Text(), nullable=True))
    op.add_column("feedback", sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("feedback", sa.Column("answered_by_user_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_feedback_answered_by_user_id_staff_user"),
        "feedback",
        "staff_user",
        ["answered_by_user_id"],
        ["id"],
    )
    op.create_check_constraint(
        op.f("ck_feedback_answer_length"),
        "feedback",
        "answer IS NULL OR char_length(answer) BETWEEN 1 AND 2000",
    )
    op.create_index("ix_feedback_handled_at", "feedback", ["handled_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_feedback_handled_at", table_name="feedback")
    op.drop_constraint(op.f("ck_feedback_answer_length"), "feedback", type_="check")
    op.drop_constraint(op.f("fk_feedback_answered_by_user_id_staff_user"), "feedback", type_="foreignkey")
    op.drop_column("feedback", "answered_by_user_id")
    op.drop_column("feedback", "answered_at")
    op.drop_column("feedback", "answer")
