"""Strings of the maps and the wall's layout: the public map's "nearest" highlight, the wall's column units."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "pub.nearest.clear": ("清除查找结果", "Clear the results"),
    # the wall's department table: one unit per column, named in its header
    "wall.col.handled": ("处置数（件）", "Handled"),
    "wall.col.median.h": ("中位（时）", "Median (h)"),
    "wall.col.median.d": ("中位（天）", "Median (d)"),
    "wall.col.p90.h": ("P90（时）", "P90 (h)"),
    "wall.col.p90.d": ("P90（天）", "P90 (d)"),
    "wall.col.on_time": ("按期率 %", "On-time %"),
    "wall.col.rework": ("返工率 %", "Rework %"),
    "wall.col.dept_hint": ("部门简称；悬停显示全称", "Short name; hover for the full name"),
}
