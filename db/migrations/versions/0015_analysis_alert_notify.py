"""研判预警 push: a new alert or a change of one rings the wall's doorbell (NOTIFY analysis_alert)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 09:00:00

A row trigger on ``analysis_alert`` sends ``pg_notify('analysis_alert', 'id:version')`` after each INSERT and
UPDATE, delivered at commit. The app's one LISTEN connection (``dashboard.push``) listens to this channel beside
``case_event`` and rings an ``alerts`` doorbell on every open wall; the wall then re-reads its alerts. The payload
is only a doorbell, never the data.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UP = (
    """
    CREATE FUNCTION gy_analysis_alert_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('analysis_alert', NEW.id::text || ':' || NEW.version::text);
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER analysis_alert_notify AFTER INSERT OR UPDATE ON analysis_alert"
    " FOR EACH ROW EXECUTE FUNCTION gy_analysis_alert_notify()",
)
_DOWN = (
    "DROP TRIGGER IF EXISTS analysis_alert_notify ON analysis_alert",
    "DROP FUNCTION IF EXISTS gy_analysis_alert_notify()",
)


def upgrade() -> None:
    for sql in _UP:
        op.execute(sql)


def downgrade() -> None:
    for sql in _DOWN:
        op.execute(sql)
