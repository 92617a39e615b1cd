"""People: citizens (personal data kept apart from cases) and staff accounts."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base
from db.vocabulary import STAFF_ROLES


class Person(Base):
    """A citizen. ``pseudonym`` is the only identifier that may leave the staff side."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(24), unique=True)
    account_id: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    email: Mapped[str | None] = mapped_column(String(160), nullable=True)
    registered: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    home = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StaffUser(Base):
    __tablename__ = "staff_user"
    __table_args__ = (
        CheckConstraint("role IN " + "(" + ", ".join(f"'{r}'" for r in STAFF_ROLES) + ")", name="role"),
        CheckConstraint("role <> 'officer' OR district_code IS NOT NULL", name="officer_has_district"),
        CheckConstraint(
            "role <> 'department' OR department_code IS NOT NULL", name="department_has_department"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(12))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"), nullable=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    #: in every session cookie; raised (by a trigger, migration 0006) when the password, role, scope or active
    #: flag changes, or by logout: every session issued before no longer counts
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: set by an admin's password reset (a one-time password): until the user sets their own, the session they get
    #: opens only the change-password page (migration 0026)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
