"""Alarms: a new 突发 case, a 督办 escalation or a new alert rings until a shift lead acknowledges it (alarm),
with a row trigger that notifies ``desk_alarm`` (the push hub's alarm doorbell)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("acknowledged_at IS NULL")
_NOTIFY = (
    """
    CREATE FUNCTION gy_alarm_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('desk_alarm', NEW.id::text);
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER alarm_notify AFTER INSERT OR UPDATE ON alarm FOR EACH ROW EXECUTE FUNCTION gy_alarm_notify()",
)


def upgrade() -> None:
    op.create_table(
        "alarm",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=True),
        sa.Column("case_event_id", sa.BigInteger(), nullable=True),
        sa.Column("alert_id", sa.BigInteger(), nullable=True),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("department_code", sa.String(length=24), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("ack_note", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('urgent', 'escalated', 'alert')", name=op.f("ck_alarm_kind")),
        sa.CheckConstraint("(case_id IS NULL) <> (alert_id IS NULL)", name=op.f("ck_alarm_subject")),
        sa.CheckConstraint("(kind = 'alert') = (alert_id IS NOT NULL)", name=op.f("ck_alarm_alert_kind")),
        sa.CheckConstraint(
            "(acknowledged_at IS NULL) = (acknowledged_by IS NULL)", name=op.f("ck_alarm_acknowledged")
        ),
        sa.CheckConstraint(
            "ack_note IS NULL OR char_length(ack_note) <= 500", name=op.f("ck_alarm_ack_note")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_alarm_case_id_case")),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["analysis_alert.id"], name=op.f("fk_alarm_alert_id_analysis_alert")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"], ["staff_user.id"], name=op.f("fk_alarm_acknowledged_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm")),
    )
    op.create_index("uq_alarm_open_case", "alarm", ["case_id", "kind"], unique=True, postgresql_where=_OPEN)
    op.create_index("uq_alarm_open_alert", "alarm", ["alert_id"], unique=True, postgresql_where=_OPEN)
    op.create_index("ix_alarm_open", "alarm", ["raised_at"], postgresql_where=_OPEN)
    op.create_index("ix_alarm_acknowledged_at", "alarm", ["acknowledged_at"])
    op.create_index("ix_alarm_case_id", "alarm", ["case_id"])
    for sql in _NOTIFY:
        op.execute(sql)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS alarm_notify ON alarm")
    op.execute("DROP FUNCTION IF EXISTS gy_alarm_notify()")
    op.drop_table("alarm")
