"""departments get short names (short_name_zh / short_name_en, from departments.yaml) for the wall; every
district's label point is recomputed by geo.labels (the pole of inaccessibility of its largest part)

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-06 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import shapely
import sqlalchemy as sa
from alembic import op

from db.seed.catalog import load_departments
from geo.labels import label_point

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("department", sa.Column("short_name_zh", sa.String(40), nullable=True))
    op.add_column("department", sa.Column("short_name_en", sa.String(80), nullable=True))
    conn = op.get_bind()
    # existing databases: the shipped short names for the departments they have (a fresh one loads them)
    rows = [
        {"code": d.code, "zh": d.short_zh, "en": d.short_en}
        for d in load_departments().departments
        if d.short_zh or d.short_en
    ]
    if rows:
        conn.execute(
            sa.text("UPDATE department SET short_name_zh = :zh, short_name_en = :en WHERE code = :code"), rows
        )
    points = []
    for code, wkb in conn.execute(sa.text("SELECT code, ST_AsBinary(geom) FROM district")):
        lon, lat = label_point(shapely.from_wkb(bytes(wkb)))
        points.append({"code": code, "lon": lon, "lat": lat})
    if points:
        conn.execute(
            sa.text(
                "UPDATE district SET label_point = ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) WHERE code = :code"
            ),
            points,
        )


def downgrade() -> None:
    op.drop_column("department", "short_name_en")
    op.drop_column("department", "short_name_zh")
