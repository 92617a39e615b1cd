"""each case event knows its transaction: ``case_event.tx`` (``xid8``, ``pg_current_xact_id()``), indexed, and the
``case_event`` notification carries it (``"<max id>:<xid>"``)

Event ids come from a sequence at INSERT, so they are not in commit order: a transaction that took id 100 and
commits after the one that took id 101 was missed for good by a screen that had caught up "after 101" (the wall's
ticker lost the last report acknowledged after a database crash: the project's CI). A screen now holds the
snapshot it last read (``pg_current_snapshot()``) and asks for the events not visible in it
(``tx >= pg_snapshot_xmin(s) AND NOT pg_visible_in_snapshot(tx, s)``, :mod:`db.snapshots`): exact whatever the
order of commits, and no lock between writers. Events written before this migration have no ``tx`` (they are
older than any screen's snapshot).

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0039"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTIFY = """
CREATE OR REPLACE FUNCTION case_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('case_event', (SELECT max(id)::text FROM new_rows) || ':' || pg_current_xact_id()::text);
    RETURN NULL;
END
$$
"""

NOTIFY_BEFORE = """
CREATE OR REPLACE FUNCTION case_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('case_event', (SELECT max(id)::text FROM new_rows));
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    # nullable without a default first: no rewrite of the history; then the default for every new row
    op.execute("ALTER TABLE case_event ADD COLUMN tx xid8")
    op.execute("ALTER TABLE case_event ALTER COLUMN tx SET DEFAULT pg_current_xact_id()")
    op.execute("CREATE INDEX ix_case_event_tx ON case_event (tx) WHERE tx IS NOT NULL")
    op.execute(NOTIFY)
    op.execute("ANALYZE case_event (tx)")  # the catch-ups' plans know the column is nearly all NULL


def downgrade() -> None:
    op.execute(NOTIFY_BEFORE)
    op.execute("DROP INDEX IF EXISTS ix_case_event_tx")
    op.execute("ALTER TABLE case_event DROP COLUMN IF EXISTS tx")
