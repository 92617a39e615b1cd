"""cases by reporter, newest first: ``ix_case_reporter_created (reporter_id, created_at DESC, id DESC)`` replaces
``ix_case_reporter_id``

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 02:00:00

The phone search (:mod:`db.queries.case_search`) asks for the newest cases of the reporters whose phone holds the
digits typed. With an index on ``reporter_id`` alone, every case of such a reporter was read and sorted to find the
newest 51: a demo reporter of the 10M-case city has ~180,000 (p95 710 ms). The new index gives them in order, so
each reporter costs its newest few. It serves every lookup the old one served (its first column), foreign key
checks included, so the old one goes.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute('CREATE INDEX ix_case_reporter_created ON "case" (reporter_id, created_at DESC, id DESC)')
    op.drop_index("ix_case_reporter_id", table_name="case")


def downgrade() -> None:
    op.create_index("ix_case_reporter_id", "case", ["reporter_id"], unique=False)
    op.drop_index("ix_case_reporter_created", table_name="case")
