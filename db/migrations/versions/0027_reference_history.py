"""reference data history: category_rule, responsibility_rule, holiday_rule, department_rule (append-only,
effective from a date); gy_responsible(小类, district, date), gy_reference_apply(date), gy_department_add(...)
(see db/models/reference_history.py)

Revision ID: 0027
Revises: 0025
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("category_rule", "responsibility_rule", "holiday_rule", "department_rule")

# The department a 小类 reaches in a district on a date: the district's row, else the city-wide row, else the
# 小类's default department; each read from the history where the key has one, else from the current view.
_RESPONSIBLE = """
CREATE FUNCTION gy_responsible(cat text, dist text, d date) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    dep text;
BEGIN
    IF dist IS NOT NULL THEN
        SELECT r.department_code INTO dep FROM responsibility_rule r
         WHERE r.category_code = cat AND r.district_code = dist AND r.valid_from <= d
         ORDER BY r.valid_from DESC, r.id DESC LIMIT 1;
        IF NOT FOUND THEN
            SELECT x.department_code INTO dep FROM responsibility x
             WHERE x.category_code = cat AND x.district_code = dist;
        END IF;
        IF dep IS NOT NULL THEN
            RETURN dep;
        END IF;
    END IF;
    SELECT r.department_code INTO dep FROM responsibility_rule r
     WHERE r.category_code = cat AND r.district_code IS NULL AND r.valid_from <= d
     ORDER BY r.valid_from DESC, r.id DESC LIMIT 1;
    IF NOT FOUND THEN
        SELECT x.department_code INTO dep FROM responsibility x WHERE x.category_code = cat AND x.district_code IS NULL;
    END IF;
    IF dep IS NOT NULL THEN
        RETURN dep;
    END IF;
    SELECT r.default_department_code INTO dep FROM category_rule r
     WHERE r.category_code = cat AND r.valid_from <= d ORDER BY r.valid_from DESC, r.id DESC LIMIT 1;
    IF NOT FOUND THEN
        SELECT c.default_department_code INTO dep FROM category c WHERE c.code = cat;
    END IF;
    RETURN dep;
END
$$
"""

# The current view (category, points_rule's report rule, responsibility, holiday) made equal to the history's
# rows in force on ``d``; returns how many rows changed. SECURITY DEFINER: the app role may not write reference
# data, only append to the history and ask for it to be applied.
_APPLY = """
CREATE FUNCTION gy_reference_apply(d date) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
    n integer := 0;
    k integer;
BEGIN
    WITH h AS (SELECT DISTINCT ON (category_code) * FROM category_rule WHERE valid_from <= d
                ORDER BY category_code, valid_from DESC, id DESC)
    UPDATE category c SET name_zh = h.name_zh, name_en = h.name_en,
           default_department_code = h.default_department_code, time_limit = h.time_limit,
           time_unit = h.time_unit, points = h.points, public = h.public, active = h.active
      FROM h WHERE c.code = h.category_code
       AND (c.name_zh, c.name_en, c.default_department_code, c.time_limit, c.time_unit, c.points, c.public,
            c.active) IS DISTINCT FROM (h.name_zh, h.name_en, h.default_department_code, h.time_limit,
            h.time_unit, h.points, h.public, h.active);
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;
    WITH h AS (SELECT DISTINCT ON (category_code) category_code, points FROM category_rule WHERE valid_from <= d
                ORDER BY category_code, valid_from DESC, id DESC)
    UPDATE points_rule p SET points = h.points FROM h
     WHERE p.reason = 'report' AND p.category_code = h.category_code AND p.points <> h.points;
    WITH h AS (SELECT DISTINCT ON (category_code, district_code) category_code, district_code, department_code
                 FROM responsibility_rule WHERE valid_from <= d
                ORDER BY category_code, district_code, valid_from DESC, id DESC)
    DELETE FROM responsibility x USING h
     WHERE h.department_code IS NULL AND x.category_code = h.category_code
       AND x.district_code IS NOT DISTINCT FROM h.district_code;
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;
    WITH h AS (SELECT DISTINCT ON (category_code, district_code) category_code, district_code, department_code
                 FROM responsibility_rule WHERE valid_from <= d
                ORDER BY category_code, district_code, valid_from DESC, id DESC)
    INSERT INTO responsibility AS x (category_code, district_code, department_code)
    SELECT h.category_code, h.district_code, h.department_code FROM h
     WHERE h.department_code IS NOT NULL AND (h.district_code IS NULL
           OR EXISTS (SELECT 1 FROM district dd WHERE dd.code = h.district_code))
    ON CONFLICT (category_code, district_code) DO UPDATE SET department_code = EXCLUDED.department_code
     WHERE x.department_code IS DISTINCT FROM EXCLUDED.department_code;
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;
    WITH h AS (SELECT DISTINCT ON (day) day, kind FROM holiday_rule WHERE valid_from <= d
                ORDER BY day, valid_from DESC, id DESC)
    DELETE FROM holiday x USING h WHERE h.kind = 'none' AND x.day = h.day;
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;
    WITH h AS (SELECT DISTINCT ON (day) day, kind, name_zh, name_en FROM holiday_rule WHERE valid_from <= d
                ORDER BY day, valid_from DESC, id DESC)
    INSERT INTO holiday AS x (day, kind, name_zh, name_en, provisional)
    SELECT h.day, h.kind, h.name_zh, h.name_en, false FROM h WHERE h.kind <> 'none'
    ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en
     WHERE (x.kind, x.name_zh, x.name_en) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.name_zh, EXCLUDED.name_en);
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;
    WITH h AS (SELECT DISTINCT ON (department_code) * FROM department_rule WHERE valid_from <= d
                ORDER BY department_code, valid_from DESC, id DESC)
    UPDATE department x SET name_zh = h.name_zh, name_en = h.name_en, short_name_zh = h.short_name_zh,
           short_name_en = h.short_name_en
      FROM h WHERE x.code = h.department_code
       AND (x.name_zh, x.name_en, x.short_name_zh, x.short_name_en)
           IS DISTINCT FROM (h.name_zh, h.name_en, h.short_name_zh, h.short_name_en);
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;
    RETURN n;
END
$$
"""

# A new department, at once (the app role may not write reference data itself); checked by ops.reference first.
_DEPARTMENT_ADD = """
CREATE FUNCTION gy_department_add(p_code text, p_name_zh text, p_name_en text, p_type text, p_district text,
                                  p_short_zh text, p_short_en text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO department (code, name_zh, name_en, type, district_code, short_name_zh, short_name_en)
    VALUES (p_code, p_name_zh, p_name_en, p_type, p_district, p_short_zh, p_short_en)
$$
"""


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "category_rule",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("category_code", sa.String(length=12), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("name_zh", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=False),
        sa.Column("default_department_code", sa.String(length=24), nullable=True),
        sa.Column("time_limit", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("time_unit", sa.String(length=16), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("time_limit > 0", name=op.f("ck_category_rule_time_limit")),
        sa.CheckConstraint(
            "time_unit IN ('natural_hours', 'working_hours', 'working_days')",
            name=op.f("ck_category_rule_time_unit"),
        ),
        sa.CheckConstraint("points >= 0", name=op.f("ck_category_rule_points")),
        sa.ForeignKeyConstraint(
            ["category_code"], ["category.code"], name=op.f("fk_category_rule_category_code_category")
        ),
        sa.ForeignKeyConstraint(
            ["default_department_code"],
            ["department.code"],
            name=op.f("fk_category_rule_default_department_code_department"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["staff_user.id"], name=op.f("fk_category_rule_recorded_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_rule")),
    )
    op.create_index("ix_category_rule_key", "category_rule", ["category_code", "valid_from", "id"])
    op.create_table(
        "responsibility_rule",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("category_code", sa.String(length=12), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("department_code", sa.String(length=24), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["category_code"], ["category.code"], name=op.f("fk_responsibility_rule_category_code_category")
        ),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["department.code"],
            name=op.f("fk_responsibility_rule_department_code_department"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["staff_user.id"], name=op.f("fk_responsibility_rule_recorded_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responsibility_rule")),
    )
    op.create_index(
        "ix_responsibility_rule_key",
        "responsibility_rule",
        ["category_code", "district_code", "valid_from", "id"],
    )
    op.create_table(
        "holiday_rule",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name_zh", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("kind IN ('holiday', 'workday', 'none')", name=op.f("ck_holiday_rule_kind")),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["staff_user.id"], name=op.f("fk_holiday_rule_recorded_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_rule")),
    )
    op.create_index("ix_holiday_rule_key", "holiday_rule", ["day", "valid_from", "id"])
    op.create_index("ix_holiday_rule_valid_from", "holiday_rule", ["valid_from"])
    op.create_table(
        "department_rule",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("department_code", sa.String(length=24), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("name_zh", sa.String(length=80), nullable=False),
        sa.Column("name_en", sa.String(length=160), nullable=False),
        sa.Column("short_name_zh", sa.String(length=40), nullable=True),
        sa.Column("short_name_en", sa.String(length=80), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["department.code"],
            name=op.f("fk_department_rule_department_code_department"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["staff_user.id"], name=op.f("fk_department_rule_recorded_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department_rule")),
    )
    op.create_index("ix_department_rule_key", "department_rule", ["department_code", "valid_from", "id"])
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION gy_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION gy_refuse_change()"
        )
    op.execute(_RESPONSIBLE)
    op.execute(_APPLY)
    op.execute(_DEPARTMENT_ADD)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS gy_department_add(text, text, text, text, text, text, text)")
    op.execute("DROP FUNCTION IF EXISTS gy_reference_apply(date)")
    op.execute("DROP FUNCTION IF EXISTS gy_responsible(text, text, date)")
    for table in reversed(TABLES):
        op.drop_table(table)
