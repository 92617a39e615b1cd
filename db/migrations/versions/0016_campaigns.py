"""专项整治 campaigns and their append-only history (campaign, campaign_event); analysis_alert.campaign_id → campaign

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGERS = (
    "CREATE TRIGGER campaign_event_append_only BEFORE UPDATE OR DELETE ON campaign_event"
    " FOR EACH ROW EXECUTE FUNCTION gy_refuse_change()",
    "CREATE TRIGGER campaign_event_no_truncate BEFORE TRUNCATE ON campaign_event"
    " FOR EACH STATEMENT EXECUTE FUNCTION gy_refuse_change()",
)


def upgrade() -> None:
    op.create_geospatial_table(
        "campaign",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=12)), nullable=False),
        sa.Column(
            "area",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("district_codes", postgresql.ARRAY(sa.String(length=6)), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("alert_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("cardinality(categories) >= 1", name=op.f("ck_campaign_categories")),
        sa.CheckConstraint("ends_on > starts_on", name=op.f("ck_campaign_dates")),
        sa.CheckConstraint("char_length(name) BETWEEN 1 AND 80", name=op.f("ck_campaign_name")),
        sa.CheckConstraint(
            "source IN ('drawn', 'districts', 'hotspot', 'place', 'alert')", name=op.f("ck_campaign_source")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_campaign_version")),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["analysis_alert.id"], name=op.f("fk_campaign_alert_id_analysis_alert")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff_user.id"], name=op.f("fk_campaign_created_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
    )
    op.create_index("ix_campaign_starts_on", "campaign", ["starts_on"], unique=False)
    op.create_table(
        "campaign_event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.CheckConstraint("kind IN ('created', 'edited', 'ended')", name=op.f("ck_campaign_event_kind")),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_user.id"], name=op.f("fk_campaign_event_actor_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_campaign_event_campaign_id_campaign")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_event")),
    )
    op.create_index("ix_campaign_event_campaign_id", "campaign_event", ["campaign_id"], unique=False)
    for sql in _TRIGGERS:
        op.execute(sql)
    op.create_foreign_key(
        op.f("fk_analysis_alert_campaign_id_campaign"), "analysis_alert", "campaign", ["campaign_id"], ["id"]
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_analysis_alert_campaign_id_campaign"), "analysis_alert", type_="foreignkey")
    op.drop_index("ix_campaign_event_campaign_id", table_name="campaign_event")
    op.drop_table("campaign_event")
    op.drop_index("ix_campaign_starts_on", table_name="campaign")
    op.drop_geospatial_table("campaign")
