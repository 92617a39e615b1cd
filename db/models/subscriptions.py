"""Area subscriptions (区域订阅): a staff user or a registered citizen is told of new reports and closures in an
area they chose (a drawn polygon, or a circle around a point: stored as a polygon too) and, optionally, only in
some categories (大类 or 小类 codes; NULL: every category).

The channel is where the messages go: ``channel_kind`` ``url`` is an apprise URL (staff: WeCom/DingTalk bots,
e-mail, JSON webhooks, like the notification routes; citizens: their webhook, kept as ``json(s)://``), ``email``
an address the city's own mail sender writes to (``GUIYANG_SUBSCRIPTIONS_MAIL_URL``). It is a secret or personal
data: shown masked, never logged, and emptied when the subscription is removed (``removed_at``; the outbox keeps
pointing at the row).

Matching runs in the transaction of each case event (:func:`ops.subscriptions.matching.enqueue_for_event`): the
live subscriptions whose ``area`` contains the case's point, through the partial GiST index
``ix_subscription_area_live``. Messages are ``notify_outbox`` rows with ``subscription_id`` (instead of a route),
delivered by the same worker.
"""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
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

#: What a subscription tells: a new report in the area (上报), a case closed there (结案).
SUBSCRIPTION_EVENTS = ("new", "closed")
#: The outbox kinds of its messages, by event.
SUBSCRIPTION_KINDS = {"new": "area_new", "closed": "area_closed"}
CHANNEL_KINDS = ("url", "email")
LIVE = "active AND removed_at IS NULL"


class Subscription(Base):
    __tablename__ = "subscription"
    __table_args__ = (
        CheckConstraint("(staff_user_id IS NULL) <> (person_id IS NULL)", name="owner"),
        CheckConstraint(
            f"cardinality(events) >= 1 AND events <@ ARRAY{list(SUBSCRIPTION_EVENTS)}::varchar[]",
            name="events",
        ),
        CheckConstraint("categories IS NULL OR cardinality(categories) >= 1", name="categories"),
        CheckConstraint(f"channel_kind IN {sql_in(CHANNEL_KINDS)}", name="channel_kind"),
        CheckConstraint("removed_at IS NOT NULL OR channel IS NOT NULL", name="channel"),
        CheckConstraint("channel IS NULL OR char_length(channel) BETWEEN 3 AND 2000", name="channel_length"),
        CheckConstraint("(center IS NULL) = (radius_m IS NULL)", name="circle"),
        CheckConstraint("radius_m IS NULL OR radius_m BETWEEN 50 AND 20000", name="radius"),
        CheckConstraint("lang IN ('zh', 'en')", name="lang"),
        CheckConstraint("ST_IsValid(area) AND NOT ST_IsEmpty(area)", name="area"),
        Index("ix_subscription_area_live", "area", postgresql_using="gist", postgresql_where=text(LIVE)),
        Index("ix_subscription_staff_user_id", "staff_user_id"),
        Index("ix_subscription_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    label: Mapped[str | None] = mapped_column(String(80), nullable=True)
    area = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False)
    #: a circle's centre and radius (the area is then that circle as a polygon); NULL for a drawn polygon
    center = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    radius_m: Mapped[int | None] = mapped_column(Integer, nullable=True)
    categories: Mapped[list[str] | None] = mapped_column(ARRAY(String(12)), nullable=True)
    events: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
    channel_kind: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str | None] = mapped_column(Text, nullable=True)
    lang: Mapped[str] = mapped_column(String(2), server_default="zh")
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
