"""The bench city's planted patterns (demo.city.patterns): every declared group is present, as large as declared.

Not a speed figure (the seed's own time is ``seed-demo: cases with their histories``, and planting costs about
12 ms of it at 1M cases): it checks that the truth the analysis benchmarks compare with (``truth_of_city``) is
the truth of this database, group by group, so a missed planted pattern is the analysis's and not the seed's.
"""

from __future__ import annotations

from sqlalchemy import text

from bench.common import BenchContext, Figure
from demo.city.patterns import truth_of_city

_FOUND = text(
    """SELECT count(*) FROM "case"
        WHERE address = :address AND category_code = :cat AND merged_into_id IS NULL
          AND created_at >= :s AND created_at < :e
          AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :r)"""
)


def run(ctx: BenchContext) -> list[Figure]:
    with ctx.engine.connect() as conn:
        groups = truth_of_city(conn)
        short: list[str] = []
        for g in groups:
            found = conn.execute(
                _FOUND,
                {
                    "address": g.address,
                    "cat": g.category,
                    "s": g.start,
                    "e": g.end,
                    "lon": g.lon,
                    "lat": g.lat,
                    "r": g.radius_m + 0.5,
                },
            ).scalar_one()
            # market reports share their address with the market's background reports: at least the planted
            if found < g.count:
                short.append(f"{g.pattern} {g.name} {g.category} {found}/{g.count}")
    present = len(groups) - len(short)
    return [
        Figure(
            "demo city: planted pattern groups present as declared",
            present,
            "groups",
            f"all {len(groups)} (market evenings, construction, recurring manhole, rain bursts)",
            bool(groups) and not short,
            "; ".join(short)[:120] or f"{sum(g.count for g in groups):,} planted reports",
        )
    ]
