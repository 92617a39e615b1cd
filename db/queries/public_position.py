"""Where the public may see a report: the one rule, as SQL, used by the public map and the Open311 API alike.

A report is shown at its **grid cell's point** (the point on the surface of its unit-grid cell), or, when it
has no cell, at the **centre of its 50 m square** (aligned to the 50 m lines of EPSG:32648); coordinates are
rounded to :data:`db.queries.public_common.COORD_DP` decimals. The true point is never public, except for the
小类 configured as public-exact (``GUIYANG_PUBLIC_EXACT_CATEGORIES``: things whose place is the point of the
report and says nothing about the reporter); those come out at their stored point, rounded the same way.

The public map groups reports by the same key (:func:`coarse_key_sql`) and draws each group at
:func:`key_point_sql`; it shows counts per cell for every 小类, exact or not, so the setting changes nothing
there. Staff screens and the citizen who is asked to verify a case (我来核实) see the true point.
"""

from __future__ import annotations

from db.queries.public_common import COORD_DP

#: Side of the square a report without a grid cell is snapped to (metres, EPSG:32648).
SNAP_M = 50
#: How a 50 m square is keyed: -(column * KEY + row), negative so it never meets a (positive) cell id.
KEY = 10_000_000


def coarse_key_sql(c: str = "c") -> str:
    """SQL: the key of the place a report of table alias ``c`` is shown at: its cell id, or its 50 m square."""
    x = f"ST_X(ST_Transform({c}.geom, 32648))"
    y = f"ST_Y(ST_Transform({c}.geom, 32648))"
    return (
        f"CASE WHEN {c}.cell_id IS NOT NULL THEN {c}.cell_id::bigint "
        f"ELSE -(floor({x} / {SNAP_M})::bigint * {KEY} + floor({y} / {SNAP_M})::bigint) END"
    )


def key_point_sql(key: str, cell_geom: str) -> str:
    """SQL: the public point (EPSG:4326) of a place ``key`` whose cell geometry is ``cell_geom`` (may be NULL)."""
    return (
        f"CASE WHEN {key} > 0 THEN ST_PointOnSurface({cell_geom}) "
        f"ELSE ST_Transform(ST_SetSRID(ST_MakePoint(((-({key})) / {KEY} + 0.5) * {SNAP_M}, "
        f"((-({key})) % {KEY} + 0.5) * {SNAP_M}), 32648), 4326) END"
    )


def public_point_sql(c: str = "c", exact_param: str = "public_exact") -> str:
    """SQL: one report's public point (alias ``c``); the bound parameter ``exact_param`` is the list of
    public-exact 小类 codes (an empty list: none)."""
    cell = f"(SELECT g.geom FROM grid_cell g WHERE g.id = {c}.cell_id)"  # nosec B608 # alias and subquery are constant fragments
    return (
        f"CASE WHEN {c}.category_code = ANY(CAST(:{exact_param} AS text[])) THEN {c}.geom "
        f"ELSE {key_point_sql(coarse_key_sql(c), cell)} END"
    )


def public_position_sql(c: str = "c", exact_param: str = "public_exact") -> tuple[str, str]:
    """SQL for one report's public point: a lateral join (to add after the FROM item ``c``) and the select-list
    items ``lon, lat`` it provides, rounded to COORD_DP decimals."""
    lateral = f" CROSS JOIN LATERAL (SELECT {public_point_sql(c, exact_param)} AS pos) pub"
    items = (
        f"round(ST_X(pub.pos)::numeric, {COORD_DP})::float8 AS lon, "
        f"round(ST_Y(pub.pos)::numeric, {COORD_DP})::float8 AS lat"
    )
    return lateral, items
