"""indexes for the screens: dispatches and returns (dispatch accuracy on /stats); open cases by place (pins)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 02:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('reported', 'filed', 'dispatched', 'in_progress', 'handled', 'suspended')"


def upgrade() -> None:
    op.create_index(
        "ix_case_event_routing",
        "case_event",
        ["case_id"],
        unique=False,
        postgresql_include=["action", "department_code"],
        postgresql_where="action IN ('dispatch', 'return')",
    )
    op.create_index(
        "ix_case_open_geom",
        "case",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_case_open_geom", table_name="case")
    op.drop_index("ix_case_event_routing", table_name="case_event")
