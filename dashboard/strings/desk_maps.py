"""Strings of the maps and the wall's layout: the public map's "nearest" highlight, the wall's columns and units."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "pub.nearest.clear": ("清除查找结果", "Clear the results"),
    # the wall's department table: one unit per column, named under the column's title
    "wall.col.handled": ("处置数", "Handled"),
    "wall.col.median": ("中位", "Median"),
    "wall.col.p90": ("P90", "P90"),
    "wall.col.on_time": ("按期率", "On time"),
    "wall.col.rework": ("返工率", "Rework"),
    "wall.unit.count": ("件", "cases"),
    "wall.unit.h": ("时", "h"),
    "wall.unit.d": ("天", "d"),
    "wall.unit.pct": ("%", "%"),
    "wall.col.dept_hint": ("部门简称；悬停显示全称", "Short name; hover for the full name"),
}
