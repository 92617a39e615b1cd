"""挂账 / 延期 requests: a department asks, a shift lead approves or refuses (issue 12).

One row per request; its events (asked, approved, refused, withdrawn) are ``case_event`` rows. At most one
request of each kind is pending per case (a partial unique index). ``outdated``: the case left the requesting
department's hands (returned, handled, suspended...) before anyone decided.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Numeric, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, sql_in
from db.vocabulary import REQUEST_KINDS, REQUEST_STATES


class CaseRequest(Base):
    __tablename__ = "case_request"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(REQUEST_KINDS)}", name="kind"),
        CheckConstraint(f"state IN {sql_in(REQUEST_STATES)}", name="state"),
        CheckConstraint("(kind = 'extend') = (amount IS NOT NULL)", name="amount"),
        CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
        CheckConstraint("(state = 'pending') = (decided_at IS NULL)", name="decided"),
        Index("ix_case_request_case_id", "case_id"),
        Index(
            "uq_case_request_pending",
            "case_id",
            "kind",
            unique=True,
            postgresql_where="state = 'pending'",
        ),
        Index("ix_case_request_pending", "requested_at", postgresql_where="state = 'pending'"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    kind: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), nullable=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
