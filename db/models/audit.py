"""The audit log: sign-ins (good, failed, refused), locks and unlocks, logouts, revoked sessions, the alerts
raised for admins, admins' changes to notification routes and the outbox (migration 0023), and administration,
exports, reports and data sharing (migration 0025). Append-only: the
database refuses UPDATE, DELETE and TRUNCATE (migration 0006); the app only ever INSERTs and SELECTs it. Never holds a password, not even a wrong one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

AUDIT_KINDS = (
    "signin_ok",  # the right password, and not throttled: a session was issued
    "signin_failed",  # a wrong password or an unknown (or inactive) account
    "signin_refused",  # not checked at all: the account or the client is throttled or locked
    "signin_locked",  # too many failures: the account (or the client) is locked until detail.until
    "unlock",  # an admin cleared a lock (guiyang-ops user unlock)
    "logout",
    "session_revoked",  # every session of an account ended (password, role or active changed; by an admin)
    "alert",  # a burst of failures, for admins
    "notify_route",  # a notification route added or removed (detail.action, the URL masked)
    "notify_resend",  # a failed notification sent again by an admin
    # administration, exports, reports and sharing (migration 0025)
    "user_add",  # a staff account added (detail: role, scope; never a password)
    "user_edit",  # a staff account's role, scope or name changed (detail: before and after)
    "user_deactivate",  # a staff account deactivated: its sessions end at once
    "user_reactivate",
    "password_reset",  # an admin set a one-time password (never the password itself)
    "password_change",  # a staff user changed their own password
    "reference_edit",  # 小类, departments, responsibility or holidays changed (detail: table, key, effective)
    "export",  # cases taken out as CSV, Excel or GeoJSON (detail: format, filter, rows)
    "report",  # the monthly assessment report made (detail: month, district)
    "partner_key",  # a data-sharing partner's key created or revoked
    "partner_access",  # a partner read the OGC API with its key (detail: collection, rows)
    "subscription",  # an area subscription added or removed
    "audit_export",  # the audit log itself exported
    "audit_purge",  # audit rows older than GUIYANG_AUDIT_KEEP_DAYS deleted (detail: before, rows; migration 0028)
)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in AUDIT_KINDS) + ")", name="kind"),
        Index("ix_audit_log_username_at", "username", "at"),
        Index("ix_audit_log_client_at", "client", "at"),
        Index("ix_audit_log_kind_at", "kind", "at"),
        Index("ix_audit_log_username_kind_at", "username", "kind", "at"),
        # partitioned by month on ``at`` (migration 0032, :mod:`db.partitions`): the key includes ``at``
        {"postgresql_partition_by": "RANGE (at)"},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    client: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
