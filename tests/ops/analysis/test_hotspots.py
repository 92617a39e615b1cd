"""热点区域 over the real grid and real cases: the study region (zeros included), counts equal to a plain SQL
join, a planted cluster found hot, scope and filters respected, a cell's membership."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import Connection, text

from geo.crs import TZ, to_lonlat
from ops import workflow as wf
from ops.analysis.filters import Filters
from ops.analysis.grid_units import load_grid
from ops.analysis.hotspots import LEVELS, hotspots, membership
from ops.analysis.scope import AnalysisScope
from ops.workflow import Actor

pytestmark = pytest.mark.db

NOW = __import__("datetime").datetime(2031, 5, 20, 12, 0, tzinfo=TZ)  # after anything else in the database
YUNYAN = "520103"


def _cell(conn: Connection, district: str, rank: int) -> tuple[int, int, int]:
    """A grid cell of ``district`` deep inside it: (id, i, j) of a cell whose 7 × 7 block is all in the district."""
    row = conn.execute(
        text(
            """
            SELECT g.id, g.i, g.j FROM grid_cell g
             WHERE g.district_code = :d
               AND (SELECT count(*) FROM grid_cell h WHERE h.district_code = :d
                      AND h.i BETWEEN g.i - 3 AND g.i + 3 AND h.j BETWEEN g.j - 3 AND g.j + 3) = 49
             ORDER BY g.id OFFSET :r LIMIT 1
            """
        ),
        {"d": district, "r": rank},
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def _report(conn: Connection, i: int, j: int, n: int, category: str, days_ago: float = 1.0) -> None:
    lon, lat = to_lonlat((i + 0.5) * 100.0, (j + 0.5) * 100.0)
    for k in range(n):
        wf.report(
            conn,
            Actor.system(),
            category_code=category,
            lon=float(lon) + (k % 3 - 1) * 0.0002,
            lat=float(lat),
            description="测试热点",
            source="app",
            now=NOW - timedelta(days=days_ago, minutes=k),
        )


@pytest.fixture
def planted(conn: Connection) -> tuple[int, int, int]:
    """A 3 × 3 block of cells in 云岩区 with 4 reports each of C0101, plus scattered single reports."""
    cid, ci, cj = _cell(conn, YUNYAN, 500)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            _report(conn, ci + di, cj + dj, 4, "C0101")
    for rank in (2500, 5000):
        _, si, sj = _cell(conn, YUNYAN, rank)
        assert abs(si - ci) + abs(sj - cj) > 4
        _report(conn, si, sj, 1, "C0101")
    _report(conn, ci, cj, 2, "C0101", days_ago=40)  # outside a 30-day period
    return cid, ci, cj


def test_planted_cluster_is_hot_and_region_includes_zero_units(
    conn: Connection, planted: tuple[int, int, int]
) -> None:
    cid, ci, cj = planted
    grid = load_grid(conn)
    res = hotspots(conn, AnalysisScope.city(), Filters(days=30, district=YUNYAN), "cell", NOW, grid)
    cells = conn.execute(
        text("SELECT count(DISTINCT (i, j)) FROM grid_cell WHERE district_code = :d"), {"d": YUNYAN}
    ).scalar_one()
    assert res.n_units == cells > 1000  # every cell of the district, reported or not
    assert res.total == 9 * 4 + 2
    k = res.find(ci, cj)
    assert k is not None and res.count[k] == 4 and res.stat.cls[k] == 3
    hot = res.significant("hot")
    assert hot and hot[0].key in {f"cell:{ci + a}:{cj + b}" for a in (-1, 0, 1) for b in (-1, 0, 1)}
    assert all(u.district_code == YUNYAN for u in hot)
    assert res.n_cold == 0
    m = membership(res, grid, cid)
    assert m is not None and m.cls == 3 and m.count == 4 and m.key == f"cell:{ci}:{cj}"
    gj = res.geojson()
    assert len(gj["features"]) == res.n_hot + res.n_cold
    ring = gj["features"][0]["geometry"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    row = hot[0].as_json()
    assert set(row) == {"key", "level", "lat", "lon", "count", "z", "p", "q", "class", "district_code"}
    assert 26 < row["lat"] < 27.5 and 106 < row["lon"] < 107.5


@pytest.mark.parametrize("level", LEVELS)
def test_counts_equal_a_plain_sql_join(conn: Connection, planted: tuple[int, int, int], level: str) -> None:
    f = {"cell": 1, "500m": 5, "1km": 10}[level]
    res = hotspots(conn, AnalysisScope.city(), Filters(days=30, category="C01"), level, NOW)
    want = conn.execute(
        text(
            """
            SELECT floor(g.i::numeric / :f)::int, floor(g.j::numeric / :f)::int, count(*)
              FROM "case" c JOIN grid_cell g ON g.id = c.cell_id
              JOIN category k ON k.code = c.category_code
             WHERE c.created_at > :since AND c.created_at <= :until AND (k.code = 'C01' OR k.parent_code = 'C01')
             GROUP BY 1, 2
            """
        ),
        {"f": f, "since": NOW - timedelta(days=30), "until": NOW},
    ).all()
    got = {(int(a), int(b)): int(n) for a, b, n in zip(res.ui, res.uj, res.count, strict=True) if n}
    assert got == {(a, b): n for a, b, n in want}
    regions = conn.execute(
        text("SELECT count(DISTINCT (floor(i::numeric / :f), floor(j::numeric / :f))) FROM grid_cell"),
        {"f": f},
    ).scalar_one()
    assert res.n_units == regions


def test_scope_and_filters(conn: Connection, planted: tuple[int, int, int]) -> None:
    _, ci, cj = planted
    officer = AnalysisScope(district=YUNYAN)
    other = hotspots(conn, officer, Filters(days=30, district="520102"), "500m", NOW)
    assert other.n_units == 0 and other.total == 0 and other.geojson()["features"] == []
    own = hotspots(conn, officer, Filters(days=30), "500m", NOW)
    assert own.total == 38 and set(own.district.tolist()) == {YUNYAN}
    department = AnalysisScope(categories=frozenset({"C0102"}))
    assert hotspots(conn, department, Filters(days=30), "1km", NOW).total == 0
    assert hotspots(conn, department, Filters(days=30, category="C0101"), "1km", NOW).n_units == 0
    assert hotspots(conn, AnalysisScope(), Filters(), "cell", NOW).n_units == 0
    longer = hotspots(conn, officer, Filters(days=60), "cell", NOW)
    assert longer.total == 40
    assert np.all(longer.stat.q >= longer.stat.p - 1e-15)
    with pytest.raises(ValueError):
        hotspots(conn, officer, Filters(), "district", NOW)


def test_hot_area_is_the_hot_units_only(conn: Connection, planted: tuple[int, int, int]) -> None:
    _, ci, cj = planted
    res = hotspots(conn, AnalysisScope(district=YUNYAN), Filters(days=30), "cell", NOW)
    far = res.significant("hot")[-1].key if res.n_hot > 9 else None
    keys = [f"cell:{ci}:{cj}", f"cell:{ci + 1}:{cj}", "cell:0:0", "500m:1:1", "cell:x:1", f"cell:{ci}:{cj}"]
    geometry, found = res.hot_area(keys)
    assert found == [f"cell:{ci}:{cj}", f"cell:{ci + 1}:{cj}"] and far not in found
    assert geometry is not None and geometry["type"] == "MultiPolygon" and len(geometry["coordinates"]) == 2
    ring = geometry["coordinates"][0][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert res.hot_area(["cell:0:0"]) == (None, [])
    bounds = res.bounds()
    assert bounds is not None and bounds[0][0] < bounds[1][0] and bounds[0][1] < bounds[1][1]
