"""The workbench's filter and form options: departments (the dispatch select), districts and categories (大类 and
active 小类). Reference lists, not cases: no scope applies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, text


def departments(conn: Connection) -> list[Row[Any]]:
    """Departments for the dispatch select: city bureaus, utilities, then district bureaus."""
    return list(
        conn.execute(
            text(
                "SELECT code, name_zh, name_en, type, district_code FROM department "
                "ORDER BY CASE type WHEN 'city_bureau' THEN 0 WHEN 'utility' THEN 1 ELSE 2 END, code"
            )
        ).all()
    )


def districts(conn: Connection) -> list[Row[Any]]:
    return list(
        conn.execute(
            text("SELECT code, name_zh, name_en, has_grid FROM district ORDER BY NOT has_grid, code")
        ).all()
    )


def categories(conn: Connection) -> list[Row[Any]]:
    """大类 (level 1) and active 小类 (level 2), by code."""
    return list(
        conn.execute(
            text(
                "SELECT code, parent_code, level, kind, name_zh, name_en FROM category "
                "WHERE active OR level = 1 ORDER BY code"
            )
        ).all()
    )
