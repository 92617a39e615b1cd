"""The workbench's paged queue on the demo city: one page (50 cases) with its exact total, for the command
center (every open case of the city), an officer (one district), department staff, and a 30-day window (every
status), at the first, a middle and the last page. The issue asks p95 ≤ 200 ms per page on the 1M-case city.

``python -m bench --only desk_queue``; ``python -m bench.desk_queue DATABASE_URL`` measures any database
(e.g. a smaller city of your own) without the bench's seeding.
"""

from __future__ import annotations

import sys
from typing import Any

from sqlalchemy import Connection, Engine, text

from bench.common import BenchContext, Figure, pct, timed
from db.engine import make_engine
from db.queries import workbench as q
from db.scope import RowScope
from ops.policy import actionable_statuses

RUNS = 30
TARGET_MS = 200.0


def _scopes(conn: Connection) -> list[tuple[str, RowScope, tuple[str, ...]]]:
    """The command center, the district and the department with the most open cases."""
    district = conn.execute(
        text(
            "SELECT district_code FROM \"case\" WHERE status NOT IN ('closed', 'rejected', 'merged') "
            "AND district_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
    ).scalar()
    department = conn.execute(
        text(
            "SELECT department_code FROM \"case\" WHERE status NOT IN ('closed', 'rejected', 'merged') "
            "AND department_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
    ).scalar()
    out: list[tuple[str, RowScope, tuple[str, ...]]] = [("city", RowScope.city(), ())]
    if district:
        out.append((f"officer {district}", RowScope(district=district), actionable_statuses("officer") or ()))
    if department:
        out.append(
            (
                f"department {department}",
                RowScope(department=department),
                actionable_statuses("department") or (),
            )
        )
    return out


def page_figures(engine: Engine) -> list[Figure]:
    figures: list[Figure] = []
    with engine.connect() as conn:
        for who, scope, first in _scopes(conn):
            for window in ("open", "30d"):
                f = q.Filters(window=window)
                total = q.queue(conn, scope, f, first=first).total
                pages: dict[str, int] = {"first": 0, "middle": total // 2, "last": max(0, total - 1)}
                for where, offset in pages.items():
                    got: dict[str, Any] = {}

                    def one(
                        offset: int = offset,
                        f: q.Filters = f,
                        got: dict[str, Any] = got,
                        scope: RowScope = scope,
                        first: tuple[str, ...] = first,
                    ) -> None:
                        got["q"] = q.queue(conn, scope, f, first=first, offset=offset)
                        conn.rollback()  # each page in its own transaction, as the app reads it

                    samples = timed(one, RUNS)
                    p95 = pct(samples, 95) * 1000
                    page = got["q"]
                    figures.append(
                        Figure(
                            f"workbench queue page, {who}, window {window}, {where} page",
                            p95,
                            "ms p95",
                            f"≤ {TARGET_MS:.0f} ms",
                            p95 <= TARGET_MS,
                            f"{page.total:,} cases, rows {page.offset + 1:,}–{page.offset + len(page.rows):,}; "
                            f"p50 {pct(samples, 50) * 1000:.1f} ms",
                        )
                    )
    return figures


def run(ctx: BenchContext) -> list[Figure]:
    return page_figures(ctx.engine)


def main(argv: list[str]) -> int:
    engine = make_engine(argv[0])
    try:
        for fig in page_figures(engine):
            print(
                f"{fig.name}: {fig.value:.1f} {fig.unit} ({fig.target}) {'ok' if fig.ok else 'SLOW'} · {fig.note}"
            )
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
