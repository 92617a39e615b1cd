"""The heatmap filtered by category (大类 / 小类) on the real test database: the index and the SQL path count only
that category's reports, a 大类 counts all its 小类, and the memo of per-cell counts keeps the category in its key."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Connection, text

from db.queries.grid_index import HeatIndex
from db.queries.grid_levels import window_start
from db.queries.grid_sql import counts_sql
from geo.crs import TZ
from ops.workflow import Actor, report

pytestmark = pytest.mark.db

NOW = datetime(2026, 3, 11, 15, 20, 7, tzinfo=TZ)
BASE = (106.7102, 26.5783)
#: 小类 -> reports of it: two 小类 of the same 大类 (C01) and one of another (E01)
PLAN = {"C0101": 5, "C0102": 3, "E0101": 4}


def _direct(conn: Connection, codes: list[str] | None, window: str = "7d") -> dict[str, int]:
    rows = conn.execute(
        text(
            'SELECT cell_id, count(*) FROM "case" WHERE created_at >= :s AND created_at <= :n '
            "AND cell_id IS NOT NULL AND (CAST(:c AS text[]) IS NULL OR category_code = ANY(:c)) GROUP BY cell_id"
        ),
        {"s": window_start(window, NOW), "n": NOW, "c": codes},
    ).all()
    return {str(c): int(n) for c, n in rows}


@pytest.fixture
def mixed(conn: Connection) -> None:
    k = 0
    for code, n in PLAN.items():
        for _ in range(n):
            report(
                conn,
                Actor.system(),
                category_code=code,
                lon=BASE[0] + 0.0031 * (k % 7),
                lat=BASE[1] + 0.0027 * (k // 7),
                description=f"heat category {code}",
                source="app",
                now=NOW - timedelta(hours=2 + k),
            )
            k += 1


@pytest.mark.parametrize(
    ("category", "codes"),
    [("C0101", ["C0101"]), ("E0101", ["E0101"]), ("C01", None), (None, None)],
)
def test_a_category_counts_only_its_reports(
    conn: Connection, mixed: None, category: str | None, codes: list[str] | None
) -> None:
    if category == "C01":  # a 大类: every 小类 under it
        codes = list(conn.execute(text("SELECT code FROM category WHERE parent_code = 'C01'")).scalars())
        assert {"C0101", "C0102"} <= set(codes) and "E0101" not in codes
    direct = _direct(conn, codes)
    index = HeatIndex()
    assert index.counts(conn, "cell", "7d", now=NOW, category=category) == direct
    assert counts_sql(conn, "cell", "7d", now=NOW, category=category) == direct
    assert index.counts(conn, "district", "7d", now=NOW, category=category) == counts_sql(
        conn, "district", "7d", now=NOW, category=category
    )
    if category == "C0101":
        mine = conn.execute(
            text('SELECT count(*) FROM "case" WHERE description = :d'), {"d": "heat category C0101"}
        ).scalar_one()
        assert mine == PLAN["C0101"] and sum(direct.values()) >= mine


def test_the_memo_keys_on_the_category(conn: Connection, mixed: None) -> None:
    index = HeatIndex()
    everything = index.counts(conn, "cell", "7d", now=NOW)
    only = index.counts(conn, "cell", "7d", now=NOW, category="E0101", refresh=False)
    assert sum(only.values()) < sum(everything.values())
    assert index.counts(conn, "cell", "7d", now=NOW, refresh=False) == everything
    assert index.counts(conn, "cell", "7d", now=NOW, category="E0101", refresh=False) == only
    assert index.counts(conn, "cell", "7d", now=NOW, category="no-such-code") == {}
