"""audit log: administration, exports, reports and data sharing (user_*, password_*, reference_edit, export,
report, partner_key, partner_access, subscription, audit_export)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = (
    "'signin_ok', 'signin_failed', 'signin_refused', 'signin_locked', 'unlock', 'logout', 'session_revoked', "
    "'alert', 'notify_route', 'notify_resend'"
)
NEW = OLD + (
    ", 'user_add', 'user_edit', 'user_deactivate', 'user_reactivate', 'password_reset', 'password_change', "
    "'reference_edit', 'export', 'report', 'partner_key', 'partner_access', 'subscription', 'audit_export'"
)


def _kinds(kinds: str) -> None:
    op.drop_constraint(op.f("ck_audit_log_kind"), "audit_log", type_="check")
    op.create_check_constraint(op.f("ck_audit_log_kind"), "audit_log", f"kind IN ({kinds})")


def upgrade() -> None:
    _kinds(NEW)


def downgrade() -> None:
    _kinds(OLD)
