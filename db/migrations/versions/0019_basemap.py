"""The city's own basemap (basemap_feature, basemap_source): roads, water, green space, buildings, points of interest

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "basemap_feature",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("layer", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("class", sa.String(length=24), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("min_zoom", sa.SmallInteger(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="GEOMETRY",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "geom_mercator",
            Geometry(
                geometry_type="GEOMETRY",
                srid=3857,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "layer IN ('green', 'water', 'building', 'road', 'poi')", name=op.f("ck_basemap_feature_layer")
        ),
        sa.CheckConstraint("min_zoom BETWEEN 0 AND 22", name=op.f("ck_basemap_feature_min_zoom")),
        sa.CheckConstraint("rank BETWEEN 0 AND 9", name=op.f("ck_basemap_feature_rank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_basemap_feature")),
    )
    op.create_geospatial_index(
        "idx_basemap_feature_geom",
        "basemap_feature",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_basemap_feature_geom_mercator",
        "basemap_feature",
        ["geom_mercator"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_basemap_feature_layer_min_zoom", "basemap_feature", ["layer", "min_zoom"], unique=False
    )
    op.create_table(
        "basemap_source",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("attribution", sa.Text(), nullable=False),
        sa.Column("features", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_basemap_source")),
    )


def downgrade() -> None:
    op.drop_table("basemap_source")
    op.drop_index("ix_basemap_feature_layer_min_zoom", table_name="basemap_feature")
    for column in ("geom_mercator", "geom"):
        op.drop_geospatial_index(
            f"idx_basemap_feature_{column}",
            table_name="basemap_feature",
            postgresql_using="gist",
            column_name=column,
        )
    op.drop_table("basemap_feature")
