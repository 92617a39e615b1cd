"""the traffic light of a case's stage clock as one SQL function, gy_light, that every read query calls

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: green before ``stage_yellow_at`` (80 % of the stage limit used), yellow up to and including ``stage_deadline``,
#: red after it, NULL without a stage clock; a suspended case is judged at ``paused_since`` (its clock stopped).
#: A plain SQL expression, IMMUTABLE: the planner inlines it into each query. Mirrored in Python by
#: :func:`ops.workflow.light` under a parity test.
LIGHT = """
    CREATE FUNCTION gy_light(
        stage_yellow_at timestamptz, stage_deadline timestamptz, paused_since timestamptz, now_at timestamptz
    ) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN stage_deadline IS NULL THEN NULL
                    WHEN coalesce(paused_since, now_at) < coalesce(stage_yellow_at, stage_deadline) THEN 'green'
                    WHEN coalesce(paused_since, now_at) <= stage_deadline THEN 'yellow'
                    ELSE 'red' END
    $$
"""


def upgrade() -> None:
    op.execute(LIGHT)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS gy_light(timestamptz, timestamptz, timestamptz, timestamptz)")
