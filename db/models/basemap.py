"""The city's own basemap: roads (with names and classes), water, green space, buildings and points of interest,
imported from the city's GIS files by ``guiyang-ops import-layer --kind basemap`` (:mod:`db.seed.basemap`) and
served by zoom as tiles (:mod:`db.queries.basemap`).

``basemap_feature`` holds every feature in WGS-84 (``geom``) and in Web Mercator (``geom_mercator``, what tiles
are cut from), both GiST-indexed, with its layer, name, normalised class,
a rank (0 = most important: what draws widest and first) and the lowest zoom that shows it. ``basemap_source``
holds one row per import (the file, its attribution, when, how many features): the latest row's id versions the
tiles (their URLs carry it, so a browser may cache them for long). An import replaces the whole basemap in one
transaction. The app role may only read both tables (:data:`db.privileges.READ_ONLY`).
"""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, SmallInteger, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, sql_in

#: The layers of a basemap, in drawing order (bottom first).
BASEMAP_LAYERS = ("green", "water", "building", "road", "poi")


class BasemapFeature(Base):
    __tablename__ = "basemap_feature"
    __table_args__ = (
        CheckConstraint(f"layer IN {sql_in(BASEMAP_LAYERS)}", name="layer"),
        CheckConstraint("min_zoom BETWEEN 0 AND 22", name="min_zoom"),
        CheckConstraint("rank BETWEEN 0 AND 9", name="rank"),
        Index("ix_basemap_feature_layer_min_zoom", "layer", "min_zoom"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    layer: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    cls: Mapped[str] = mapped_column("class", String(24))
    rank: Mapped[int] = mapped_column(SmallInteger)
    min_zoom: Mapped[int] = mapped_column(SmallInteger)
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=False)
    #: the same in Web Mercator, what the tiles are cut from (no reprojection per tile: half the time at zoom 12)
    geom_mercator = mapped_column(Geometry("GEOMETRY", srid=3857, spatial_index=True), nullable=False)


class BasemapSource(Base):
    __tablename__ = "basemap_source"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    attribution: Mapped[str] = mapped_column(Text)
    features: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
