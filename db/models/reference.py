"""Reference data: districts, unit-grid cells, the category catalog, departments, responsibility, holidays."""

from __future__ import annotations

from datetime import date

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

TIME_UNITS = ("natural_hours", "working_hours", "working_days")
DEPARTMENT_TYPES = ("city_bureau", "district_bureau", "utility")


class District(Base):
    """A county-level division (GB/T 2260 code). ``has_grid`` marks the service area with unit grids."""

    __tablename__ = "district"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)
    label_point = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    has_grid: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class DistrictPart(Base):
    """Districts cut into small pieces (ST_Subdivide) for fast point-in-polygon routing; derived data."""

    __tablename__ = "district_part"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code", ondelete="CASCADE"))
    geom = mapped_column(Geometry("POLYGON", srid=4326, spatial_index=True), nullable=False)


class GridCell(Base):
    """A unit-grid cell (单元网格) inside one district.

    Generated cells are 100 m squares of EPSG:32648 clipped to their district; a city may import its official
    layer instead. ``(i, j)`` is the 100 m square of the cell (for imported cells: of its representative point),
    used for routing regular cells and for coarser heatmap aggregation.
    """

    __tablename__ = "grid_cell"
    __table_args__ = (Index("ix_grid_cell_i_j", "i", "j"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code", ondelete="CASCADE"), index=True)
    i: Mapped[int] = mapped_column(Integer)
    j: Mapped[int] = mapped_column(Integer)
    #: True for the generated 100 m squares (routed by floor(x/100), floor(y/100)); False for imported
    #: official cells (routed by polygon).
    regular: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)


class Department(Base):
    __tablename__ = "department"
    __table_args__ = (CheckConstraint(f"type IN {DEPARTMENT_TYPES}", name="type"),)

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(160))
    type: Mapped[str] = mapped_column(String(20))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"), nullable=True)
    short_name_zh: Mapped[str | None] = mapped_column(String(40), nullable=True)
    short_name_en: Mapped[str | None] = mapped_column(String(80), nullable=True)


class Category(Base):
    """部件/事件 classification: 大类 (level 1) and 小类 (level 2)."""

    __tablename__ = "category"
    __table_args__ = (
        CheckConstraint("kind IN ('component', 'event')", name="kind"),
        CheckConstraint("level IN (1, 2)", name="level"),
        CheckConstraint(f"time_unit IS NULL OR time_unit IN {TIME_UNITS}", name="time_unit"),
        CheckConstraint("level = 1 OR (time_limit > 0 AND time_unit IS NOT NULL)", name="minor_has_limit"),
    )

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("category.code"), nullable=True)
    kind: Mapped[str] = mapped_column(String(12))
    level: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    default_department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), nullable=True)
    time_limit: Mapped[float | None] = mapped_column(Numeric(8, 2), nullable=True)
    time_unit: Mapped[str | None] = mapped_column(String(16), nullable=True)
    points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    public: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    duplicate_radius_m: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    file_condition: Mapped[str | None] = mapped_column(Text, nullable=True)
    close_condition: Mapped[str | None] = mapped_column(Text, nullable=True)
    keywords: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    questions: Mapped[list[dict[str, object]]] = mapped_column(JSONB, default=list, server_default="[]")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class Responsibility(Base):
    """Which department handles a 小类 in a district; ``district_code`` NULL is the city-wide fallback."""

    __tablename__ = "responsibility"
    __table_args__ = (UniqueConstraint("category_code", "district_code", postgresql_nulls_not_distinct=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("category.code", ondelete="CASCADE"))
    district_code: Mapped[str | None] = mapped_column(
        ForeignKey("district.code", ondelete="CASCADE"), nullable=True
    )
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))


class Holiday(Base):
    """A public holiday (放假) or a make-up working day (调休上班)."""

    __tablename__ = "holiday"
    __table_args__ = (CheckConstraint("kind IN ('holiday', 'workday')", name="kind"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
