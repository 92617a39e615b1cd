"""Reports for the time-peak and correlation tests: many at once, straight into ``case`` (the routing trigger sets
district and cell), with chosen categories, places and instants. Known patterns, no randomness but a seeded one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, text

_INSERT = text(
    """
    INSERT INTO "case" (source, category_code, description, geom, status, created_at, updated_at)
    SELECT 'app', r.cat, :description, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326), 'reported', r.at, r.at
      FROM unnest(CAST(:cats AS text[]), CAST(:lons AS float8[]), CAST(:lats AS float8[]),
                  CAST(:ats AS timestamptz[])) AS r(cat, lon, lat, at)
    """
)

#: A box inside the gridded centre of the city (云岩区 / 南明区), about 7 km × 7 km.
WEST, SOUTH, EAST, NORTH = 106.67, 26.55, 106.74, 26.61


def insert_reports(
    conn: Connection, rows: Sequence[tuple[str, float, float, datetime]], description: str = ""
) -> int:
    """``(category, lon, lat, created_at)`` rows as reported cases (with ``description``); returns how many."""
    if not rows:
        return 0
    cats, lons, lats, ats = (list(col) for col in zip(*rows, strict=True))
    conn.execute(_INSERT, {"cats": cats, "lons": lons, "lats": lats, "ats": ats, "description": description})
    return len(rows)
