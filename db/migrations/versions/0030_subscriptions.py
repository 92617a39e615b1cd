"""area subscriptions (subscription) and their messages in the outbox (notify_outbox.subscription_id)

Revision ID: 0030
Revises: 0027
Create Date: 2026-12-06 15:21:26.804637
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0030"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "'dispatch', 'return', 'rework', 'yellow', 'red', 'escalate', 'alert', 'test'"
NEW_KINDS = OLD_KINDS + ", 'area_new', 'area_closed'"


def _kinds(kinds: str) -> None:
    op.drop_constraint(op.f("ck_notify_outbox_kind"), "notify_outbox", type_="check")
    op.create_check_constraint(op.f("ck_notify_outbox_kind"), "notify_outbox", f"kind IN ({kinds})")


def upgrade() -> None:
    op.create_geospatial_table(
        "subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=80), nullable=True),
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
        sa.Column(
            "center",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("radius_m", sa.Integer(), nullable=True),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=12)), nullable=True),
        sa.Column("events", postgresql.ARRAY(sa.String(length=8)), nullable=False),
        sa.Column("channel_kind", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("lang", sa.String(length=2), server_default="zh", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "cardinality(events) >= 1 AND events <@ ARRAY['new', 'closed']::varchar[]",
            name=op.f("ck_subscription_events"),
        ),
        sa.CheckConstraint("channel_kind IN ('url', 'email')", name=op.f("ck_subscription_channel_kind")),
        sa.CheckConstraint("lang IN ('zh', 'en')", name=op.f("ck_subscription_lang")),
        sa.CheckConstraint("(center IS NULL) = (radius_m IS NULL)", name=op.f("ck_subscription_circle")),
        sa.CheckConstraint(
            "(staff_user_id IS NULL) <> (person_id IS NULL)", name=op.f("ck_subscription_owner")
        ),
        sa.CheckConstraint("ST_IsValid(area) AND NOT ST_IsEmpty(area)", name=op.f("ck_subscription_area")),
        sa.CheckConstraint(
            "categories IS NULL OR cardinality(categories) >= 1", name=op.f("ck_subscription_categories")
        ),
        sa.CheckConstraint(
            "channel IS NULL OR char_length(channel) BETWEEN 3 AND 2000",
            name=op.f("ck_subscription_channel_length"),
        ),
        sa.CheckConstraint(
            "radius_m IS NULL OR radius_m BETWEEN 50 AND 20000", name=op.f("ck_subscription_radius")
        ),
        sa.CheckConstraint(
            "removed_at IS NOT NULL OR channel IS NOT NULL", name=op.f("ck_subscription_channel")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_subscription_person_id_person")),
        sa.ForeignKeyConstraint(
            ["staff_user_id"], ["staff_user.id"], name=op.f("fk_subscription_staff_user_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription")),
    )
    op.create_geospatial_index(
        "ix_subscription_area_live",
        "subscription",
        ["area"],
        unique=False,
        postgresql_using="gist",
        postgresql_where=sa.text("active AND removed_at IS NULL"),
        postgresql_ops={},
    )
    op.create_index("ix_subscription_person_id", "subscription", ["person_id"], unique=False)
    op.create_index("ix_subscription_staff_user_id", "subscription", ["staff_user_id"], unique=False)
    op.add_column("notify_outbox", sa.Column("subscription_id", sa.Integer(), nullable=True))
    op.alter_column("notify_outbox", "route_id", existing_type=sa.INTEGER(), nullable=True)
    op.create_index("ix_notify_outbox_subscription_id", "notify_outbox", ["subscription_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_notify_outbox_subscription_id_subscription"),
        "notify_outbox",
        "subscription",
        ["subscription_id"],
        ["id"],
    )
    op.create_check_constraint(
        op.f("ck_notify_outbox_target"), "notify_outbox", "(route_id IS NULL) <> (subscription_id IS NULL)"
    )
    _kinds(NEW_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM notify_outbox WHERE subscription_id IS NOT NULL")
    _kinds(OLD_KINDS)
    op.drop_constraint(op.f("ck_notify_outbox_target"), "notify_outbox", type_="check")
    op.drop_constraint(
        op.f("fk_notify_outbox_subscription_id_subscription"), "notify_outbox", type_="foreignkey"
    )
    op.drop_index("ix_notify_outbox_subscription_id", table_name="notify_outbox")
    op.alter_column("notify_outbox", "route_id", existing_type=sa.INTEGER(), nullable=False)
    op.drop_column("notify_outbox", "subscription_id")
    op.drop_index("ix_subscription_staff_user_id", table_name="subscription")
    op.drop_index("ix_subscription_person_id", table_name="subscription")
    op.drop_geospatial_index(
        "ix_subscription_area_live",
        table_name="subscription",
        postgresql_using="gist",
        postgresql_where=sa.text("active AND removed_at IS NULL"),
        column_name="area",
    )
    op.drop_geospatial_table("subscription")
