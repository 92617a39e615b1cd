"""Notifications outside the browser (issue 14): where they go (``notify_route``) and the transactional outbox
(``notify_outbox``).

A route sends one kind of message to one place: the people of a department (``department_code``) or of a role
(``role``, e.g. every shift lead), through an apprise URL (a WeCom or DingTalk group bot, e-mail over SMTP, a
JSON webhook). The URL holds the bot's token or the mail password: it is a secret, shown masked. ``kinds`` limits
a route to some kinds of message (NULL: every kind); ``lang`` is the language its messages are written in. A route
is removed by setting ``removed_at`` (the outbox keeps pointing at it: the history of what was sent stays).

An outbox row is one message for one route, written in the same transaction as what it tells (the case event, the
alert, the deadline turning yellow or red): it exists exactly when that committed. ``idem_key`` (e.g.
``event:123:route:4``) is unique over all time, so one event never makes two messages for one route: the outbox is
partitioned by month (migration 0038), so the keys are kept unique in ``notify_key``, claimed by the same
statement that writes the message. A worker delivers pending
rows (oldest first, ``FOR UPDATE SKIP LOCKED``), counts ``attempts``, backs off through ``next_attempt_at`` and
records ``last_error``; ``status`` ends ``delivered`` or, after the last attempt, ``failed`` (shown to admins, who
may send it again).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, sql_in
from db.vocabulary import STAFF_ROLES

#: What a message tells: a case dispatched, returned (回退), sent back for rework (返工), its deadline turning
#: yellow or red, escalated (督办); a new analysis alert (研判预警); a test message from ``notify test``.
NOTIFY_KINDS = ("dispatch", "return", "rework", "yellow", "red", "escalate", "alert", "test")
#: The outbox also carries the messages of area subscriptions (:mod:`db.models.subscriptions`): a new report in
#: the area, a case closed there. Those rows name a ``subscription_id`` instead of a ``route_id``.
OUTBOX_KINDS = (*NOTIFY_KINDS, "area_new", "area_closed")
OUTBOX_STATUSES = ("pending", "delivered", "failed")
LANGS = ("zh", "en")


class NotifyRoute(Base):
    __tablename__ = "notify_route"
    __table_args__ = (
        CheckConstraint("(department_code IS NULL) <> (role IS NULL)", name="target"),
        CheckConstraint(f"role IS NULL OR role IN {sql_in(STAFF_ROLES)}", name="role"),
        CheckConstraint(f"lang IN {sql_in(LANGS)}", name="lang"),
        CheckConstraint(f"kinds IS NULL OR kinds <@ ARRAY{list(NOTIFY_KINDS)}::varchar[]", name="kinds"),
        CheckConstraint("char_length(url) BETWEEN 3 AND 2000", name="url"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), nullable=True)
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    url: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(2), server_default="zh")
    kinds: Mapped[list[str] | None] = mapped_column(ARRAY(String(16)), nullable=True)
    label: Mapped[str | None] = mapped_column(String(80), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class NotifyOutbox(Base):
    __tablename__ = "notify_outbox"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(OUTBOX_KINDS)}", name="kind"),
        CheckConstraint("(route_id IS NULL) <> (subscription_id IS NULL)", name="target"),
        CheckConstraint(f"status IN {sql_in(OUTBOX_STATUSES)}", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_notify_outbox_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("ix_notify_outbox_created_at", "created_at"),
        Index("ix_notify_outbox_case_id", "case_id"),
        Index("ix_notify_outbox_subscription_id", "subscription_id"),
        # partitioned by month on ``created_at`` (migration 0038, :mod:`db.partitions`): the key includes it
        {"postgresql_partition_by": "RANGE (created_at)"},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    idem_key: Mapped[str] = mapped_column(String(200))
    route_id: Mapped[int | None] = mapped_column(ForeignKey("notify_route.id"), nullable=True)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscription.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), nullable=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_alert.id"), nullable=True)
    event_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), primary_key=True
    )
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class NotifyKey(Base):
    """Every outbox message's ``idem_key`` ever written, unique over all time (the partitioned outbox can keep a
    key unique only within a month). A deleted message frees its key (trigger ``notify_outbox_free_key``)."""

    __tablename__ = "notify_key"

    idem_key: Mapped[str] = mapped_column(String(200), primary_key=True)
