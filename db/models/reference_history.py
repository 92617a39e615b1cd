"""The history of the editable reference data (/admin/reference): every change of a 小类's rule, of a
responsibility row (小类 × district → department) and of a holiday-calendar day, effective from a date.

Why this shape: append-only versioned rows, each with the date from which it holds (``valid_from``, Beijing
date); a row holds until the next row of the same key (the latest ``valid_from`` not after the date wins, then
the latest ``id``: a correction of a scheduled change is a new row, nothing is ever updated or deleted, so the
history is its own audit trail and the database refuses UPDATE, DELETE and TRUNCATE like the other logs).
A key's history starts at its first edit with a *baseline* row (``valid_from`` 1970-01-01: the values it had
until then). The tables the app has always read (``category``, ``responsibility``, ``holiday``) stay the
**current view** (the rows in force today, fast to read, refreshed by ``gy_reference_apply(date)``, a function
of the owner: the app role cannot write reference data otherwise); where a rule must be the one a case was
judged by, the reads go to the history at the case's report date (``created_at`` in Beijing), falling back to
the current view for keys never edited: the time limit and unit of the case's 小类, its holiday calendar
(:mod:`db.calendar_repo`), and at report time the responsibility row (``gy_responsible(小类, district, date)``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base
from db.models.reference import TIME_UNITS

#: a holiday-calendar day's kinds in the history: 'none' says the day is an ordinary day from valid_from on
HOLIDAY_RULE_KINDS: tuple[str, ...] = ("holiday", "workday", "none")


class CategoryRule(Base):
    """A version of a 小类's editable fields."""

    __tablename__ = "category_rule"
    __table_args__ = (
        CheckConstraint("time_limit > 0", name="time_limit"),
        CheckConstraint(f"time_unit IN {TIME_UNITS}", name="time_unit"),
        CheckConstraint("points >= 0", name="points"),
        Index("ix_category_rule_key", "category_code", "valid_from", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("category.code"))
    valid_from: Mapped[date] = mapped_column(Date)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    default_department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), nullable=True)
    time_limit: Mapped[float] = mapped_column(Numeric(8, 2))
    time_unit: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer)
    public: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)


class ResponsibilityRule(Base):
    """A version of one responsibility row; ``department_code`` NULL: no row from ``valid_from`` (the city-wide
    row, then the 小类's default department answer); ``district_code`` NULL: the city-wide row."""

    __tablename__ = "responsibility_rule"
    __table_args__ = (
        Index("ix_responsibility_rule_key", "category_code", "district_code", "valid_from", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("category.code"))
    #: no foreign key: a district layer import may replace districts; the history keeps its codes
    district_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), nullable=True)
    valid_from: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)


class HolidayRule(Base):
    """A version of one calendar day: a public holiday (放假), a make-up working day (调休上班) or neither."""

    __tablename__ = "holiday_rule"
    __table_args__ = (
        CheckConstraint(f"kind IN {HOLIDAY_RULE_KINDS}", name="kind"),
        Index("ix_holiday_rule_key", "day", "valid_from", "id"),
        Index("ix_holiday_rule_valid_from", "valid_from"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    valid_from: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)


class DepartmentRule(Base):
    """A version of a department's names (full and short, both languages). A new department is added at once
    (``gy_department_add``) with its first version from that day: it is reached only through responsibility rows,
    whose own effective dates govern."""

    __tablename__ = "department_rule"
    __table_args__ = (Index("ix_department_rule_key", "department_code", "valid_from", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    valid_from: Mapped[date] = mapped_column(Date)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(160))
    short_name_zh: Mapped[str | None] = mapped_column(String(40), nullable=True)
    short_name_en: Mapped[str | None] = mapped_column(String(80), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
