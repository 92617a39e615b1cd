"""audit viewer and retention: indexes for the audit viewer's filters (one person's rows, newest first), the
``audit_purge`` kind, and an ``audit_log`` guard that lets the owner's purge delete rows older than its cutoff
(and never younger than 183 days); UPDATE, TRUNCATE and any other DELETE stay refused

Revision ID: 0028
Revises: 0030
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = (
    "'signin_ok', 'signin_failed', 'signin_refused', 'signin_locked', 'unlock', 'logout', 'session_revoked', "
    "'alert', 'notify_route', 'notify_resend', 'user_add', 'user_edit', 'user_deactivate', 'user_reactivate', "
    "'password_reset', 'password_change', 'reference_edit', 'export', 'report', 'partner_key', 'partner_access', "
    "'subscription', 'audit_export'"
)
NEW = OLD + ", 'audit_purge'"

#: The purge (``ops.audit_view.purge``, as the owner role) sets ``guiyang.audit_purge_before`` for its
#: transaction; a row older than that and older than 183 days may then be deleted. The app role has no DELETE
#: privilege on the table at all (``db.privileges.APPEND_ONLY``).
GUARD = """
CREATE FUNCTION gy_audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cutoff timestamptz;
BEGIN
    IF TG_OP = 'DELETE' THEN
        cutoff := nullif(current_setting('guiyang.audit_purge_before', true), '')::timestamptz;
        IF cutoff IS NOT NULL AND OLD.at < cutoff AND OLD.at < now() - interval '183 days' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END
$$
"""


def _kinds(kinds: str) -> None:
    op.drop_constraint(op.f("ck_audit_log_kind"), "audit_log", type_="check")
    op.create_check_constraint(op.f("ck_audit_log_kind"), "audit_log", f"kind IN ({kinds})")


def upgrade() -> None:
    _kinds(NEW)
    op.create_index(
        op.f("ix_case_event_actor_user_id_at"),
        "case_event",
        ["actor_user_id", "at"],
        postgresql_where=sa.text("actor_user_id IS NOT NULL"),
    )
    op.create_index(op.f("ix_moderation_log_actor_user_id_at"), "moderation_log", ["actor_user_id", "at"])
    op.create_index(op.f("ix_audit_log_username_kind_at"), "audit_log", ["username", "kind", "at"])
    op.execute(GUARD)
    op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
        " FOR EACH ROW EXECUTE FUNCTION gy_audit_log_guard()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
        " FOR EACH ROW EXECUTE FUNCTION gy_refuse_change()"
    )
    op.execute("DROP FUNCTION gy_audit_log_guard()")
    op.drop_index(op.f("ix_audit_log_username_kind_at"), table_name="audit_log")
    op.drop_index(op.f("ix_moderation_log_actor_user_id_at"), table_name="moderation_log")
    op.drop_index(op.f("ix_case_event_actor_user_id_at"), table_name="case_event")
    _kinds(OLD)
