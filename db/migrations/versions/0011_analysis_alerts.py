"""研判预警 alerts, their append-only history, the analysis cycle's cursors (analysis_alert, _event, _cursor)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 08:40:11.534637
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_TRIGGERS = (
    "CREATE TRIGGER analysis_alert_event_append_only BEFORE UPDATE OR DELETE ON analysis_alert_event"
    " FOR EACH ROW EXECUTE FUNCTION gy_refuse_change()",
    "CREATE TRIGGER analysis_alert_event_no_truncate BEFORE TRUNCATE ON analysis_alert_event"
    " FOR EACH STATEMENT EXECUTE FUNCTION gy_refuse_change()",
)


def upgrade() -> None:
    op.create_geospatial_table(
        "analysis_alert",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("area_level", sa.String(length=8), nullable=False),
        sa.Column("area_key", sa.String(length=32), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("category_code", sa.String(length=12), nullable=False),
        sa.Column(
            "geom",
            Geometry(
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
            "point",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("observed", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("p_value", sa.Float(), nullable=True),
        sa.Column("explanation_zh", sa.Text(), nullable=False),
        sa.Column("explanation_en", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), server_default="new", nullable=False),
        sa.Column("campaign_id", sa.BigInteger(), nullable=True),
        sa.Column("acted_by", sa.Integer(), nullable=True),
        sa.Column("acted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("area_level IN ('1km', 'district')", name=op.f("ck_analysis_alert_area_level")),
        sa.CheckConstraint("kind IN ('anomaly', 'trend')", name=op.f("ck_analysis_alert_kind")),
        sa.CheckConstraint(
            "state IN ('new', 'acknowledged', 'dismissed', 'campaign', 'escalated')",
            name=op.f("ck_analysis_alert_state"),
        ),
        sa.CheckConstraint("observed >= 0 AND expected >= 0", name=op.f("ck_analysis_alert_counts")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_analysis_alert_version")),
        sa.CheckConstraint("window_end > window_start", name=op.f("ck_analysis_alert_window")),
        sa.ForeignKeyConstraint(
            ["acted_by"], ["staff_user.id"], name=op.f("fk_analysis_alert_acted_by_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["category_code"], ["category.code"], name=op.f("fk_analysis_alert_category_code_category")
        ),
        sa.ForeignKeyConstraint(
            ["district_code"], ["district.code"], name=op.f("fk_analysis_alert_district_code_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_alert")),
    )
    op.create_index("ix_analysis_alert_district_code", "analysis_alert", ["district_code"], unique=False)
    op.create_index(
        "ix_analysis_alert_live",
        "analysis_alert",
        ["kind", "area_key", "category_code", "window_end"],
        unique=False,
    )
    op.create_index(
        "ix_analysis_alert_state_created_at", "analysis_alert", ["state", "created_at"], unique=False
    )
    op.create_table(
        "analysis_alert_event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("alert_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("from_state", sa.String(length=12), nullable=True),
        sa.Column("to_state", sa.String(length=12), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "to_state IN ('new', 'acknowledged', 'dismissed', 'campaign', 'escalated')",
            name=op.f("ck_analysis_alert_event_to_state"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_user.id"], name=op.f("fk_analysis_alert_event_actor_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["analysis_alert.id"], name=op.f("fk_analysis_alert_event_alert_id_analysis_alert")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_alert_event")),
    )
    op.create_index("ix_analysis_alert_event_alert_id", "analysis_alert_event", ["alert_id"], unique=False)
    op.create_table(
        "analysis_cursor",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analysis_cursor")),
    )
    for sql in _TRIGGERS:
        op.execute(sql)


def downgrade() -> None:
    op.drop_table("analysis_cursor")
    op.drop_index("ix_analysis_alert_event_alert_id", table_name="analysis_alert_event")
    op.drop_table("analysis_alert_event")
    op.drop_index("ix_analysis_alert_state_created_at", table_name="analysis_alert")
    op.drop_index("ix_analysis_alert_live", table_name="analysis_alert")
    op.drop_index("ix_analysis_alert_district_code", table_name="analysis_alert")
    op.drop_geospatial_table("analysis_alert")
