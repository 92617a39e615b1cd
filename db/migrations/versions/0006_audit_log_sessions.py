"""sign-in: the append-only audit log (sign-ins, locks, logouts, alerts) and a session version per staff user

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-06 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "'signin_ok', 'signin_failed', 'signin_refused', 'signin_locked', 'unlock', 'logout', 'session_revoked', "
    "'alert'"
)


def upgrade() -> None:
    op.add_column(
        "staff_user", sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
    )
    # any change of password, role, scope or the active flag ends every session issued before it, whoever
    # makes the change (the app, a command, plain SQL)
    op.execute(
        """
        CREATE FUNCTION staff_user_session_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (NEW.password_hash, NEW.role, NEW.active, NEW.district_code, NEW.department_code)
               IS DISTINCT FROM
               (OLD.password_hash, OLD.role, OLD.active, OLD.district_code, OLD.department_code)
               AND NEW.session_version = OLD.session_version THEN
                NEW.session_version := OLD.session_version + 1;
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER staff_user_session_version BEFORE UPDATE ON staff_user"
        " FOR EACH ROW EXECUTE FUNCTION staff_user_session_version()"
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_audit_log_kind")),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name=op.f("fk_audit_log_user_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_username_at", "audit_log", ["username", "at"], unique=False)
    op.create_index("ix_audit_log_client_at", "audit_log", ["client", "at"], unique=False)
    op.create_index("ix_audit_log_kind_at", "audit_log", ["kind", "at"], unique=False)
    # append-only, like case_event and moderation_log: gy_refuse_change() comes from 0001
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
        " FOR EACH ROW EXECUTE FUNCTION gy_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
        " FOR EACH STATEMENT EXECUTE FUNCTION gy_refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.drop_index("ix_audit_log_kind_at", table_name="audit_log")
    op.drop_index("ix_audit_log_client_at", table_name="audit_log")
    op.drop_index("ix_audit_log_username_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.execute("DROP TRIGGER IF EXISTS staff_user_session_version ON staff_user")
    op.execute("DROP FUNCTION IF EXISTS staff_user_session_version()")
    op.drop_column("staff_user", "session_version")
