"""the analysis cycle's hourly counts read what is new by snapshot: ``analysis_cursor.seen`` (a ``pg_snapshot``
as text)

The cycle counted the cases with an id above the last one it counted; ids are taken at INSERT, not at commit, so a
case whose transaction committed after a higher id was counted was never counted (a report a second late lowered an
hour's count by one for good: the wall's lost ticker entry of migration 0039, in the analysis). The cursor now also
holds the snapshot its last count read in, and a count takes the cases above its last id and, below it, those
whose ``report`` event (``case_event.tx``) that snapshot did not see, in the statement that reads its own snapshot
(:mod:`ops.analysis.hourly`).

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0040"
down_revision: str | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE analysis_cursor ADD COLUMN seen text")


def downgrade() -> None:
    op.execute("ALTER TABLE analysis_cursor DROP COLUMN IF EXISTS seen")
