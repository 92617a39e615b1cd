"""专项整治 campaigns (issue 13): a targeted clean-up a shift lead defines over an area, some categories and a
period, and its append-only history.

A campaign's area is a MultiPolygon in WGS-84: drawn on the map, or the union of chosen districts, or taken from
a hot spot, a multi-occurrence place or an alert (``source``; ``alert_id`` when it came from an alert, whose
``campaign_id`` then points back). ``categories`` are 大类 or 小类 codes (a 大类 covers its 小类);
``district_codes`` the districts the area touches (what scopes the campaign to an officer). ``starts_on`` and
``ends_on`` are local dates (Asia/Shanghai), both inclusive; ``ended_at`` is set when a lead ends it early.
Every change is a ``campaign_event`` row (created / edited / ended, who, what changed), written with the change in
one transaction (:mod:`ops.analysis.campaigns`); the database refuses UPDATE and DELETE there.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, sql_in

#: Where a campaign's area came from.
CAMPAIGN_SOURCES = ("drawn", "districts", "hotspot", "place", "alert")
#: What a history row records.
CAMPAIGN_EVENTS = ("created", "edited", "ended")
NAME_MAX = 80


class Campaign(Base):
    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint(f"source IN {sql_in(CAMPAIGN_SOURCES)}", name="source"),
        CheckConstraint(f"char_length(name) BETWEEN 1 AND {NAME_MAX}", name="name"),
        CheckConstraint("ends_on > starts_on", name="dates"),
        CheckConstraint("cardinality(categories) >= 1", name="categories"),
        CheckConstraint("version >= 1", name="version"),
        Index("ix_campaign_starts_on", "starts_on"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    categories: Mapped[list[str]] = mapped_column(ARRAY(String(12)))
    area = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False)
    district_codes: Mapped[list[str]] = mapped_column(ARRAY(String(6)))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(12))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_alert.id"), nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class CampaignEvent(Base):
    """Append-only: each change of a campaign, who made it and what changed (``changes``: field → [old, new];
    for ``created`` the new values)."""

    __tablename__ = "campaign_event"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(CAMPAIGN_EVENTS)}", name="kind"),
        Index("ix_campaign_event_campaign_id", "campaign_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    kind: Mapped[str] = mapped_column(String(8))
    actor_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
