"""the notification outbox partitioned by month: ``notify_outbox`` becomes range-partitioned on ``created_at``
(``notify_outbox_pYYYYMM`` plus ``notify_outbox_default``), primary key ``(id, created_at)``, by migration 0032's
rebuild.

Its ``idem_key`` (what sends a message once) must stay unique over all time, which a partitioned table keeps only
with the month in the key, so the keys move to an unpartitioned ``notify_key``: an enqueue claims its keys there
(``ON CONFLICT DO NOTHING``) and writes the messages of the keys it claimed, in one statement. A message deleted
(a test's clean-up, an admin's repair) frees its key (trigger ``notify_outbox_free_key``); a month archived by
``retain`` keeps its keys, so what it held is never sent again.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 08:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from db.migrations import earlier

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNIQUE = "uq_notify_outbox_idem_key"

FREE_KEY = """
CREATE FUNCTION gy_outbox_free_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM notify_key WHERE idem_key = OLD.idem_key;
    RETURN NULL;
END
$$
"""


# The outbox is not append-only: its parent has no TRUNCATE refusal, so its partitions refuse TRUNCATE only where
# the parent's own refusal exists and is on (before: unless it existed and was off, which refused the outbox's)
TRUNCATE_AS_PARENT = """
CREATE OR REPLACE FUNCTION gy_refuse_partition_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- a TRUNCATE of the parent reaches every partition: it is refused exactly when the parent's own refusal
    -- (named by the trigger's argument) is on; the demo seed's --replace disables it for its transaction
    IF NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_trigger g ON g.tgrelid = i.inhparent
                    WHERE i.inhrelid = TG_RELID AND g.tgname = TG_ARGV[0] AND g.tgenabled <> 'D') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END
$$
"""


def upgrade() -> None:
    op.execute(TRUNCATE_AS_PARENT)
    op.execute(
        "CREATE TABLE notify_key (idem_key varchar(200) NOT NULL, CONSTRAINT pk_notify_key PRIMARY KEY (idem_key))"
    )
    op.execute("INSERT INTO notify_key (idem_key) SELECT idem_key FROM notify_outbox")
    op.execute(f"ALTER TABLE notify_outbox DROP CONSTRAINT {UNIQUE}")
    earlier.load("0032_history_partitions.py")._rebuild("notify_outbox", "created_at", partitioned=True)
    op.execute(FREE_KEY)
    op.execute(
        "CREATE TRIGGER notify_outbox_free_key AFTER DELETE ON notify_outbox FOR EACH ROW "
        "EXECUTE FUNCTION gy_outbox_free_key()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER notify_outbox_free_key ON notify_outbox")
    op.execute("DROP FUNCTION gy_outbox_free_key()")
    earlier.load("0032_history_partitions.py")._rebuild("notify_outbox", "created_at", partitioned=False)
    op.execute(f"ALTER TABLE notify_outbox ADD CONSTRAINT {UNIQUE} UNIQUE (idem_key)")
    op.execute("DROP TABLE notify_key")
    op.execute(
        earlier.load("0032_history_partitions.py").PARTITION_TRUNCATE.replace(
            "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
        )
    )
