"""audit log: admins' changes to notification routes and the outbox (kinds notify_route, notify_resend)

Revision ID: 0023
Revises: 0020
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "'signin_ok', 'signin_failed', 'signin_refused', 'signin_locked', 'unlock', 'logout', 'session_revoked', 'alert'"
NEW = OLD + ", 'notify_route', 'notify_resend'"


def _kinds(kinds: str) -> None:
    op.drop_constraint(op.f("ck_audit_log_kind"), "audit_log", type_="check")
    op.create_check_constraint(op.f("ck_audit_log_kind"), "audit_log", f"kind IN ({kinds})")


def upgrade() -> None:
    _kinds(NEW)


def downgrade() -> None:
    _kinds(OLD)
