"""Heatmap aggregates (db/queries/grid_*.py) on the real test database: the in-memory index, the SQL path and a
direct count agree; coarse levels add up; windows start at local midnight; the index picks up new cases."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text

from db.queries.grid_geometry import FeatureCache, geometry
from db.queries.grid_index import HeatIndex
from db.queries.grid_levels import LEVELS, WINDOWS, coarser, level_for, window_start
from db.queries.grid_sql import counts_sql
from geo.bbox import BBox
from geo.crs import TZ
from ops.workflow import Actor, report

pytestmark = pytest.mark.db

CATEGORY = "C0101"
CENTER = (106.7102, 26.5783)  # 南明区 / 云岩区, inside the service area
NOW = datetime(2026, 3, 11, 15, 20, 7, tzinfo=TZ)  # a fixed clock: a Wednesday afternoon
VIEW = (106.60, 26.50, 106.80, 26.65)


def _report(
    conn: Connection, k: int, at: datetime, lon: float | None = None, lat: float | None = None
) -> int:
    x = CENTER[0] + 0.0031 * (k % 9) if lon is None else lon
    y = CENTER[1] + 0.0027 * (k // 9) if lat is None else lat
    r = report(
        conn,
        Actor.system(),
        category_code=CATEGORY,
        lon=x,
        lat=y,
        description=f"grid test {k}",
        source="app",
        now=at,
    )
    return r.id


@pytest.fixture
def cases(conn: Connection) -> list[int]:
    """27 reports spread over ~2.5 km × 0.5 km: today, 3 days ago and 20 days ago, several per cell."""
    ids = []
    for k in range(27):
        age = (0, 3, 20)[k % 3]
        ids.append(_report(conn, k, NOW - timedelta(days=age, minutes=5)))
        if k % 4 == 0:  # a second report in the same cell
            ids.append(_report(conn, k, NOW - timedelta(days=age, minutes=7)))
    return ids


@pytest.fixture(scope="module")
def cell_grid(engine: Engine) -> Any:
    """The grid's cells as :class:`HeatIndex` loads them: reference data, the same for every test, loaded
    once per module (~1 s each time)."""
    with engine.connect() as c:
        return HeatIndex()._load_grid(c)


@pytest.fixture
def new_index(cell_grid: Any) -> Callable[..., HeatIndex]:
    """A fresh index (nothing counted yet) that finds the grid loaded; its first refresh still checks that the
    grid is current and loads the cases itself."""

    def new_index(**kw: Any) -> HeatIndex:
        index = HeatIndex(**kw)
        index._grid = cell_grid
        return index

    return new_index


def to_geojson(compact: dict[str, Any]) -> dict[str, Any]:
    """GeoJSON of a compact :func:`geometry` result: what ``wall.js`` (heatGeojson) builds in the browser."""
    (ox, oy), q = compact["o"], compact["q"]

    def back(c: Any) -> Any:
        return [ox + c[0] / q, oy + c[1] / q] if isinstance(c[0], int) else [back(x) for x in c]

    def depth(c: Any) -> int:
        return 1 + depth(c[0]) if isinstance(c, list) else 0

    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": k,
                "geometry": {"type": "MultiPolygon" if depth(g) == 4 else "Polygon", "coordinates": back(g)},
                "properties": {"k": k},
            }
            for k, g in zip(compact["k"], compact["g"], strict=True)
        ],
    }


def _direct(conn: Connection, window: str) -> dict[str, int]:
    rows = conn.execute(
        text(
            'SELECT cell_id, count(*) FROM "case" WHERE created_at >= :s AND created_at <= :n '
            "AND cell_id IS NOT NULL GROUP BY cell_id"
        ),
        {"s": window_start(window, NOW), "n": NOW},
    ).all()
    return {str(c): int(n) for c, n in rows}


@pytest.mark.parametrize("window", list(WINDOWS))
def test_cell_counts_equal_a_direct_count(
    conn: Connection, cases: list[int], window: str, new_index: Callable[..., HeatIndex]
) -> None:
    index = new_index()
    direct = _direct(conn, window)
    assert index.counts(conn, "cell", window, now=NOW) == direct
    assert counts_sql(conn, "cell", window, now=NOW) == direct
    mine = conn.execute(
        text('SELECT count(*) FROM "case" WHERE id = ANY(:ids) AND created_at >= :s'),
        {"ids": cases, "s": window_start(window, NOW)},
    ).scalar_one()
    assert sum(direct.values()) >= mine > 0


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("bbox", [None, VIEW])
def test_index_and_sql_agree_at_every_level(
    conn: Connection,
    cases: list[int],
    level: str,
    bbox: BBox | None,
    new_index: Callable[..., HeatIndex],
) -> None:
    index = new_index()
    for window in WINDOWS:
        assert index.counts(conn, level, window, bbox, now=NOW) == counts_sql(conn, level, window, bbox, NOW)


def test_coarse_levels_sum_to_the_same_total(
    conn: Connection, cases: list[int], new_index: Callable[..., HeatIndex]
) -> None:
    index = new_index()
    for window in WINDOWS:
        totals = {level: sum(index.counts(conn, level, window, now=NOW).values()) for level in LEVELS}
        assert len(set(totals.values())) == 1, totals
        direct = conn.execute(
            text('SELECT count(*) FROM "case" WHERE created_at >= :s AND created_at <= :n'),
            {"s": window_start(window, NOW), "n": NOW},
        ).scalar_one()
        assert totals["district"] == direct


def test_squares_group_cells_by_i_j(
    conn: Connection, cases: list[int], new_index: Callable[..., HeatIndex]
) -> None:
    index = new_index()
    cells = index.counts(conn, "cell", "30d", now=NOW)
    ij: dict[str, tuple[int, int]] = {
        str(r.id): (int(r.i), int(r.j))
        for r in conn.execute(
            text("SELECT id, i, j FROM grid_cell WHERE id = ANY(:ids)"), {"ids": [int(k) for k in cells]}
        )
    }
    for level, f in (("500m", 5), ("1km", 10)):
        expected: dict[str, int] = {}
        for cell, n in cells.items():
            i, j = ij[cell]
            expected[f"{i // f}_{j // f}"] = expected.get(f"{i // f}_{j // f}", 0) + n
        assert index.counts(conn, level, "30d", now=NOW) == expected


def test_windows_start_at_local_midnight() -> None:
    at = datetime(2026, 3, 10, 0, 30, tzinfo=TZ)
    assert window_start("today", at) == datetime(2026, 3, 10, tzinfo=TZ)
    assert window_start("7d", at) == datetime(2026, 3, 4, tzinfo=TZ)
    assert window_start("30d", at) == datetime(2026, 2, 9, tzinfo=TZ)


def test_a_report_just_before_midnight_is_not_today(
    conn: Connection, new_index: Callable[..., HeatIndex]
) -> None:
    midnight = window_start("today", NOW)
    case_id = _report(conn, 0, midnight - timedelta(seconds=30), lon=106.6801, lat=26.6101)
    cell = str(conn.execute(text('SELECT cell_id FROM "case" WHERE id = :i'), {"i": case_id}).scalar_one())
    index = new_index()
    today = index.counts(conn, "cell", "today", now=NOW)
    week = index.counts(conn, "cell", "7d", now=NOW)
    assert week[cell] == today.get(cell, 0) + 1


def test_the_index_adds_new_cases_without_a_rebuild(
    conn: Connection, cases: list[int], new_index: Callable[..., HeatIndex]
) -> None:
    index = new_index(rebuild_seconds=3600)
    before = index.counts(conn, "district", "today", now=NOW)
    built = index._built_at
    _report(conn, 100, NOW - timedelta(minutes=1), lon=106.7313, lat=26.5912)
    after = index.counts(conn, "district", "today", now=NOW)
    assert index._built_at == built
    assert sum(after.values()) == sum(before.values()) + 1


def test_a_late_commit_below_the_high_water_mark_is_not_missed(
    conn: Connection, cases: list[int], new_index: Callable[..., HeatIndex]
) -> None:
    index = new_index(rebuild_seconds=3600)
    before = sum(index.counts(conn, "district", "today", now=NOW).values())
    late = _report(conn, 101, NOW - timedelta(minutes=1), lon=106.7411, lat=26.6012)
    # as if the report's transaction committed after the index had moved past its id
    assert index._cases is not None
    index._cases = dataclasses.replace(index._cases, high_water=late + 1)
    after = sum(index.counts(conn, "district", "today", now=NOW).values())
    assert after == before + 1
    assert sum(index.counts(conn, "district", "today", now=NOW).values()) == after  # and only once


def test_viewport_keeps_only_cells_inside(
    conn: Connection, cases: list[int], new_index: Callable[..., HeatIndex]
) -> None:
    index = new_index()
    small = (CENTER[0] - 0.001, CENTER[1] - 0.001, CENTER[0] + 0.001, CENTER[1] + 0.001)
    inside = index.counts(conn, "cell", "30d", small, now=NOW)
    everywhere = index.counts(conn, "cell", "30d", now=NOW)
    assert inside and len(inside) < len(everywhere)
    boxes = conn.execute(
        text(
            "SELECT id::text FROM grid_cell WHERE id = ANY(:ids) AND geom && ST_Expand(ST_MakeEnvelope(:w, :s, :e, :n, 4326), 0.002)"
        ),
        {"ids": [int(k) for k in inside], "w": small[0], "s": small[1], "e": small[2], "n": small[3]},
    ).scalars()
    assert set(boxes) == set(inside)


def test_geometry_has_one_feature_per_key(
    conn: Connection, cases: list[int], new_index: Callable[..., HeatIndex]
) -> None:
    index = new_index()
    cache = FeatureCache()
    for level in LEVELS:
        keys = index.keys(conn, level, VIEW, now=NOW)
        compact = geometry(conn, level, keys, cache)
        assert compact["k"] == keys and compact["level"] == level
        geo = to_geojson(compact)
        assert [f["properties"]["k"] for f in geo["features"]] == keys
        assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in geo["features"])
        assert geometry(conn, level, keys, cache) == compact  # from the cache now
    # a 1 km square around a known cell contains that cell's centroid
    cell = next(iter(index.counts(conn, "cell", "30d", now=NOW)))
    i, j = conn.execute(text("SELECT i, j FROM grid_cell WHERE id = :i"), {"i": int(cell)}).one()
    key = f"{i // 10}_{j // 10}"
    square = to_geojson(geometry(conn, "1km", [key]))["features"][0]
    ring = square["geometry"]["coordinates"][0]
    lon, lat = conn.execute(
        text("SELECT ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)) FROM grid_cell WHERE id = :i"),
        {"i": int(cell)},
    ).one()
    assert min(p[0] for p in ring) <= lon <= max(p[0] for p in ring)
    assert min(p[1] for p in ring) <= lat <= max(p[1] for p in ring)


def test_level_follows_the_zoom() -> None:
    assert level_for(16, 26.6) == "cell"
    assert level_for(12.5, 26.6) == "500m"
    assert level_for(10.5, 26.6) == "1km"
    assert level_for(8, 26.6) == "district"
    assert coarser("cell") == "500m" and coarser("district") == "district"


def test_class_breaks() -> None:
    from dashboard.components.wall_panels import class_breaks

    assert class_breaks([1, 2, 3, 100]) == [3, 6, 16, 40]
    assert class_breaks([]) == []
    assert class_breaks([2, 2]) == [1]
    breaks = class_breaks(list(range(1, 500)))
    assert breaks == sorted(set(breaks)) and breaks[-1] < 499
