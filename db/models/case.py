"""Cases, their append-only history and their photos.

``district_code``, ``cell_id`` and ``ticket`` are written by the database itself (trigger ``case_route``,
function ``gy_route``): routing computed outside the database was measured to drift on rounding.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
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
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from db.models.base import Base, sql_in
from db.vocabulary import Action, CaseStatus, Role

SOURCES = ("app", "inspector", "hotline", "wechat", "web", "other")
URGENCIES = ("normal", "urgent")
PHOTO_KINDS = ("report", "handled", "verification", "beauty")


STATUS_VALUES = [s.value for s in CaseStatus]


class Xid8(UserDefinedType[str]):
    """PostgreSQL's 64-bit transaction id (read as text)."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "xid8"


ischema_names["xid8"] = Xid8  # reflection (the migrations' drift check) knows the type


class Case(Base):
    __tablename__ = "case"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(STATUS_VALUES)}", name="status"),
        CheckConstraint(
            f"resume_status IS NULL OR resume_status IN {sql_in(STATUS_VALUES)}", name="resume_status"
        ),
        CheckConstraint(f"source IN {sql_in(SOURCES)}", name="source"),
        CheckConstraint(f"urgency IN {sql_in(URGENCIES)}", name="urgency"),
        CheckConstraint("char_length(description) <= 4000", name="description_length"),
        CheckConstraint("version >= 1", name="version"),
        Index("ix_case_status", "status"),
        Index("ix_case_district_code_status", "district_code", "status"),
        Index("ix_case_department_code_status", "department_code", "status"),
        Index("ix_case_created_at", "created_at"),
        Index("ix_case_cell_id_created_at", "cell_id", "created_at"),
        Index("ix_case_updated_at", "updated_at"),
        Index(
            "ix_case_open_geom",
            "geom",
            postgresql_using="gist",
            postgresql_where="status IN ('reported', 'filed', 'dispatched', 'in_progress', 'handled', 'suspended')",
        ),
        Index(
            "ix_case_open_stage_deadline",
            "stage_deadline",
            postgresql_where="status IN ('reported', 'filed', "
            "'dispatched', 'in_progress', 'handled', 'suspended')",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    ticket: Mapped[str] = mapped_column(String(24), unique=True)
    source: Mapped[str] = mapped_column(String(12))
    category_code: Mapped[str] = mapped_column(ForeignKey("category.code"))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"), nullable=True)
    cell_id: Mapped[int | None] = mapped_column(
        ForeignKey("grid_cell.id", ondelete="SET NULL"), nullable=True
    )
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    resume_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    urgency: Mapped[str] = mapped_column(String(8), default="normal", server_default="normal")
    escalated: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    public: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), nullable=True)
    suggested_department_code: Mapped[str | None] = mapped_column(
        ForeignKey("department.code"), nullable=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # the current stage's clock: the light is green before stage_yellow_at (80 % of the stage's limit used),
    # yellow until stage_deadline, red after; all computed with the working-time calendar at each transition
    stage_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    stage_yellow_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    stage_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    paused_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rework_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    return_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    extension_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    filed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class CaseEvent(Base):
    """Append-only history: the database refuses UPDATE, DELETE and TRUNCATE on this table."""

    __tablename__ = "case_event"
    __table_args__ = (
        CheckConstraint(f"action IN {sql_in([a.value for a in Action])}", name="action"),
        CheckConstraint(f"actor_role IN {sql_in([r.value for r in Role])}", name="actor_role"),
        Index("ix_case_event_case_id_id", "case_id", "id"),
        Index("ix_case_event_at", "at"),
        # the audit viewer: one staff member's actions across cases, newest first (migration 0028)
        Index(
            "ix_case_event_actor_user_id_at",
            "actor_user_id",
            "at",
            postgresql_where="actor_user_id IS NOT NULL",
        ),
        Index(
            "ix_case_event_routing",
            "case_id",
            postgresql_include=["action", "department_code"],
            postgresql_where="action IN ('dispatch', 'return')",
        ),
        # the events a screen has not seen: those of transactions not visible in its snapshot (migration 0039)
        Index("ix_case_event_tx", "tx", postgresql_where="tx IS NOT NULL"),
        # partitioned by month on ``at`` (migration 0032, :mod:`db.partitions`): the key includes ``at``
        {"postgresql_partition_by": "RANGE (at)"},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    actor_role: Mapped[str] = mapped_column(String(12))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), primary_key=True)
    #: the writing transaction (:mod:`db.snapshots`); NULL for events older than migration 0039
    tx: Mapped[str | None] = mapped_column(Xid8, server_default=func.pg_current_xact_id(), nullable=True)


class Photo(Base):
    """A stored image: files live under the media directory, named by content hash."""

    __tablename__ = "photo"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(PHOTO_KINDS)}", name="kind"),
        CheckConstraint("mime IN ('image/jpeg', 'image/png', 'image/webp')", name="mime"),
        Index("ix_photo_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(12))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(Text)
    mime: Mapped[str] = mapped_column(String(16))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    approved: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    uploaded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    uploaded_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
