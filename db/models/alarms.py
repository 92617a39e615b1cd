"""Alarms (报警提示): a new 突发 case, a case escalated (督办) or a new 研判预警 alert rings the wall and the
workbenches of the people concerned until a shift lead acknowledges it.

One row per alarm, written by :mod:`ops.alarms` in the same transaction as the case event or the alert that
raised it. At most one unacknowledged alarm per case and kind, and per alert (partial unique indexes); the
acknowledgement (who, when, an optional note) is set once and never taken back. A row trigger (migration 0020)
sends ``pg_notify('desk_alarm', id)`` at each insert and update, delivered at commit: the push hub's doorbell.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

#: urgent: a case became 突发 (urgency 'urgent' or an urgent 小类); escalated: 督办; alert: a new 研判预警 alert
ALARM_KINDS: tuple[str, ...] = ("urgent", "escalated", "alert")
_OPEN = "acknowledged_at IS NULL"


class Alarm(Base):
    __tablename__ = "alarm"
    __table_args__ = (
        CheckConstraint("kind IN ('urgent', 'escalated', 'alert')", name="kind"),
        CheckConstraint("(case_id IS NULL) <> (alert_id IS NULL)", name="subject"),
        CheckConstraint("(kind = 'alert') = (alert_id IS NOT NULL)", name="alert_kind"),
        CheckConstraint("(acknowledged_at IS NULL) = (acknowledged_by IS NULL)", name="acknowledged"),
        CheckConstraint("ack_note IS NULL OR char_length(ack_note) <= 500", name="ack_note"),
        Index("uq_alarm_open_case", "case_id", "kind", unique=True, postgresql_where=_OPEN),
        Index("uq_alarm_open_alert", "alert_id", unique=True, postgresql_where=_OPEN),
        Index("ix_alarm_open", "raised_at", postgresql_where=_OPEN),
        Index("ix_alarm_acknowledged_at", "acknowledged_at"),
        Index("ix_alarm_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), nullable=True)
    case_event_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_alert.id"), nullable=True)
    district_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    department_code: Mapped[str | None] = mapped_column(String(24), nullable=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    ack_note: Mapped[str | None] = mapped_column(Text, nullable=True)
