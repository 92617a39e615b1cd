"""Synthetic report histories for the alert engine's tests: homogeneous Poisson cities, planted bursts and
trends, written straight into ``case`` (reports only: the alert engine reads when, where and what)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Connection, text

from geo.crs import TZ

#: A Monday 10:30 in Guiyang: the "now" of the tests.
NOW = datetime(2026, 3, 30, 10, 30, tzinfo=TZ)


@dataclass(frozen=True, slots=True)
class Square:
    """A 1 km square whose centre cell lies inside one district: the cell reports are placed in."""

    area_key: str
    cell_id: int
    district_code: str


_SQUARES = text(
    """
    SELECT id, div(i, 10) AS si, div(j, 10) AS sj, district_code FROM grid_cell
     WHERE regular AND mod(i, 10) = 5 AND mod(j, 10) = 5 AND district_code = ANY(:districts)
     ORDER BY district_code, si, sj
    """
)


def squares(conn: Connection, n: int, districts: tuple[str, ...] = ("520102", "520103")) -> list[Square]:
    """``n`` squares spread over ``districts`` (every few squares, so they are not neighbours)."""
    rows = conn.execute(_SQUARES, {"districts": list(districts)}).all()
    step = max(1, len(rows) // n)
    return [Square(f"1km:{r.si}:{r.sj}", int(r.id), str(r.district_code)) for r in rows[::step][:n]]


_INSERT = text(
    """
    INSERT INTO "case" (ticket, source, category_code, geom, district_code, cell_id, address, status,
                        created_at, updated_at)
    SELECT 'AN' || substr(md5(random()::text || x.n), 1, 20), 'app', x.cat, ST_PointOnSurface(g.geom),
           g.district_code, g.id, x.address, 'reported', x.at, x.at
      FROM unnest(CAST(:cells AS int[]), CAST(:cats AS text[]), CAST(:ats AS timestamptz[]),
                  CAST(:addresses AS text[])) WITH ORDINALITY AS x(cell, cat, at, address, n)
      JOIN grid_cell g ON g.id = x.cell
    """
)


def insert_reports(
    conn: Connection, rows: list[tuple[int, str, datetime]], address: str | None = None
) -> int:
    """Insert reports ``(cell_id, 小类, created_at)``; returns how many."""
    if not rows:
        return 0
    cells, cats, ats = zip(*rows, strict=True)
    conn.execute(
        _INSERT,
        {"cells": list(cells), "cats": list(cats), "ats": list(ats), "addresses": [address] * len(rows)},
    )
    return len(rows)


def poisson_history(
    rng: np.random.Generator,
    cells: list[int],
    categories: list[str],
    rate_per_hour: float,
    start: datetime,
    end: datetime,
) -> list[tuple[int, str, datetime]]:
    """A homogeneous Poisson stream per cell × category over ``[start, end)`` at ``rate_per_hour``."""
    hours = (end - start).total_seconds() / 3600.0
    out: list[tuple[int, str, datetime]] = []
    for cell in cells:
        for cat in categories:
            n = int(rng.poisson(rate_per_hour * hours))
            offsets = np.sort(rng.uniform(0.0, hours * 3600.0, n))
            out += [(cell, cat, start + timedelta(seconds=float(s))) for s in offsets]
    return out


def burst(
    cell: int, category: str, n: int, end: datetime, minutes: int = 100
) -> list[tuple[int, str, datetime]]:
    """``n`` reports evenly spread over the ``minutes`` before ``end``."""
    return [(cell, category, end - timedelta(minutes=minutes * (k + 0.5) / n)) for k in range(n)]
