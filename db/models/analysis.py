"""研判预警 alerts (issue 13): one row per alert the analysis cycle raised, and its append-only history.

An alert is about one area (a 1 km square of the unit grid, ``area_key = '1km:I:J'``, or a district,
``area_key`` = its code) and one category (大类 or 小类) over a time window: observed reports against the
expectation, a score, and a generated explanation in zh and en. Its state moves new → acknowledged →
dismissed / campaign (turned into a 专项整治 campaign) / escalated; each change is an ``analysis_alert_event``
row (the database refuses UPDATE and DELETE there), written with the new state in one transaction
(:mod:`ops.analysis.alert_states`).
"""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, sql_in
from db.vocabulary import ALERT_KINDS, ALERT_LEVELS, ALERT_STATES


class AnalysisAlert(Base):
    __tablename__ = "analysis_alert"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(ALERT_KINDS)}", name="kind"),
        CheckConstraint(f"area_level IN {sql_in(ALERT_LEVELS)}", name="area_level"),
        CheckConstraint(f"state IN {sql_in(ALERT_STATES)}", name="state"),
        CheckConstraint("window_end > window_start", name="window"),
        CheckConstraint("observed >= 0 AND expected >= 0", name="counts"),
        CheckConstraint("version >= 1", name="version"),
        Index("ix_analysis_alert_state_created_at", "state", "created_at"),
        Index("ix_analysis_alert_district_code", "district_code"),
        Index("ix_analysis_alert_live", "kind", "area_key", "category_code", "window_end"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    area_level: Mapped[str] = mapped_column(String(8))
    area_key: Mapped[str] = mapped_column(String(32))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"), nullable=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("category.code"))
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False)
    point = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    observed: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    p_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    explanation_zh: Mapped[str] = mapped_column(Text)
    explanation_en: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="new", server_default="new")
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", use_alter=True), nullable=True)
    acted_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    acted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class AnalysisAlertEvent(Base):
    """Append-only: every state an alert entered, who moved it (NULL: the analysis cycle) and why."""

    __tablename__ = "analysis_alert_event"
    __table_args__ = (
        CheckConstraint(f"to_state IN {sql_in(ALERT_STATES)}", name="to_state"),
        Index("ix_analysis_alert_event_alert_id", "alert_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("analysis_alert.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    from_state: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_state: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AnalysisCursor(Base):
    """How far each incremental step of the analysis cycle has read (e.g. the last case id it counted, the snapshot
    it counted in), so a cycle reads only what is new."""

    __tablename__ = "analysis_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    #: the snapshot (``pg_snapshot`` as text) the last step read in: what it did not see is new (migration 0040)
    seen: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
