"""The lists /admin/reference shows: the 小类 and districts to choose from, and the history of a 小类, of its
responsibility rows, of a year's holiday calendar and of a department (:mod:`db.reference_rules`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, text

from db.reference_rules import BASELINE


def minor_categories(conn: Connection) -> list[Row[Any]]:
    """Every 小类 as in force today (the current view), with its 大类, in code order."""
    return list(
        conn.execute(
            text(
                "SELECT c.code, c.name_zh, c.name_en, c.time_limit, c.time_unit, c.default_department_code, "
                "c.points, c.public, c.active, m.name_zh AS major_zh, m.name_en AS major_en "
                "FROM category c JOIN category m ON m.code = c.parent_code WHERE c.level = 2 ORDER BY c.code"
            )
        )
    )


def grid_districts(conn: Connection) -> list[Row[Any]]:
    return list(
        conn.execute(text("SELECT code, name_zh, name_en FROM district WHERE has_grid ORDER BY code"))
    )


def category_history(conn: Connection, code: str) -> list[Row[Any]]:
    """Every version of a 小类, oldest first, with the date it ends (the next version's start) and who; a 小类
    never edited: one row of its values, held since the start."""
    return list(
        conn.execute(
            text(
                "SELECT r.id, r.valid_from, lead(r.valid_from) OVER w AS valid_to, r.name_zh, r.name_en, "
                "r.default_department_code, r.time_limit, r.time_unit, r.points, r.public, r.active, "
                "r.recorded_at, u.username AS recorded_by FROM category_rule r "
                "LEFT JOIN staff_user u ON u.id = r.recorded_by WHERE r.category_code = :c "
                "WINDOW w AS (ORDER BY r.valid_from, r.id) "
                # never edited: its values as they have always been
                "UNION ALL SELECT 0, CAST(:b AS date), NULL, name_zh, name_en, default_department_code, time_limit, "
                "time_unit, points, public, active, NULL, NULL FROM category WHERE code = :c AND level = 2 "
                "AND NOT EXISTS (SELECT 1 FROM category_rule WHERE category_code = :c) ORDER BY 2, 1"
            ),
            {"c": code, "b": BASELINE},
        )
    )


def responsibility_table(conn: Connection, category: str, day: date) -> list[Row[Any]]:
    """The city-wide row (district NULL, first), then each district with grids: the row's department on ``day``
    (None: no row) and the department the 小类 reaches there (row, else city-wide row, else default)."""
    return list(
        conn.execute(
            text(
                """
                WITH ds AS (SELECT NULL::varchar AS code, NULL::varchar AS name_zh, NULL::varchar AS name_en, 0 AS o
                            UNION ALL SELECT code, name_zh, name_en, 1 FROM district WHERE has_grid)
                SELECT ds.code AS district, ds.name_zh AS district_zh, ds.name_en AS district_en,
                       CASE WHEN h.found THEN h.dep ELSE (
                           SELECT x.department_code FROM responsibility x
                            WHERE x.category_code = :c AND x.district_code IS NOT DISTINCT FROM ds.code) END
                           AS row_department,
                       gy_responsible(:c, ds.code, :d) AS reached
                  FROM ds LEFT JOIN LATERAL (
                       SELECT true AS found, r.department_code AS dep FROM responsibility_rule r
                        WHERE r.category_code = :c AND r.district_code IS NOT DISTINCT FROM ds.code
                          AND r.valid_from <= :d ORDER BY r.valid_from DESC, r.id DESC LIMIT 1) h ON true
                 ORDER BY ds.o, ds.code
                """
            ),
            {"c": category, "d": day},
        )
    )


def responsibility_history(conn: Connection, category: str) -> list[Row[Any]]:
    return list(
        conn.execute(
            text(
                "SELECT r.id, r.district_code, d.name_zh AS district_zh, d.name_en AS district_en, "
                "r.department_code, r.valid_from, lead(r.valid_from) OVER w AS valid_to, r.recorded_at, "
                "u.username AS recorded_by FROM responsibility_rule r "
                "LEFT JOIN district d ON d.code = r.district_code LEFT JOIN staff_user u ON u.id = r.recorded_by "
                "WHERE r.category_code = :c "
                "WINDOW w AS (PARTITION BY r.district_code ORDER BY r.valid_from, r.id) "
                "ORDER BY r.district_code NULLS FIRST, r.valid_from, r.id"
            ),
            {"c": category},
        )
    )


def holidays_of_year(conn: Connection, year: int, on: date) -> list[Row[Any]]:
    """The year's holidays and make-up workdays in force on ``on``."""
    return list(
        conn.execute(
            text(
                "SELECT x.day, x.kind, x.name_zh, x.name_en FROM ("
                "SELECT day, kind, name_zh, name_en FROM holiday h "
                "WHERE NOT EXISTS (SELECT 1 FROM holiday_rule r WHERE r.day = h.day) "
                "UNION ALL SELECT day, kind, name_zh, name_en FROM (SELECT DISTINCT ON (day) day, kind, name_zh, "
                "name_en FROM holiday_rule WHERE valid_from <= :on ORDER BY day, valid_from DESC, id DESC) y "
                "WHERE kind <> 'none') x WHERE extract(year FROM x.day) = :y ORDER BY x.day"
            ),
            {"y": year, "on": on},
        )
    )


def holiday_history(conn: Connection, year: int) -> list[Row[Any]]:
    """Every edit of the year's days (baselines left out), newest first."""
    return list(
        conn.execute(
            text(
                "SELECT r.id, r.day, r.kind, r.name_zh, r.name_en, r.valid_from, r.recorded_at, "
                "u.username AS recorded_by FROM holiday_rule r LEFT JOIN staff_user u ON u.id = r.recorded_by "
                "WHERE extract(year FROM r.day) = :y AND r.valid_from > :b ORDER BY r.id DESC LIMIT 200"
            ),
            {"y": year, "b": BASELINE},
        )
    )


def department_history(conn: Connection, code: str) -> list[Row[Any]]:
    """Every version of a department's names, oldest first; never edited: one row of its names since the start."""
    return list(
        conn.execute(
            text(
                "SELECT r.id, r.valid_from, lead(r.valid_from) OVER w AS valid_to, r.name_zh, r.name_en, "
                "r.short_name_zh, r.short_name_en, r.recorded_at, u.username AS recorded_by FROM department_rule r "
                "LEFT JOIN staff_user u ON u.id = r.recorded_by WHERE r.department_code = :c "
                "WINDOW w AS (ORDER BY r.valid_from, r.id) "
                "UNION ALL SELECT 0, CAST(:b AS date), NULL, name_zh, name_en, short_name_zh, short_name_en, NULL, "
                "NULL FROM department WHERE code = :c "
                "AND NOT EXISTS (SELECT 1 FROM department_rule WHERE department_code = :c) ORDER BY 2, 1"
            ),
            {"c": code, "b": BASELINE},
        )
    )
