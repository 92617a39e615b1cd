"""Reference data invariants, on the real PostGIS test database."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from sqlalchemy import Connection, text

from db.seed.reference import GRID_DISTRICTS


def scalar(conn: Connection, sql: str, **params: object) -> object:
    return conn.execute(text(sql), params).scalar()


def test_ten_valid_districts(conn: Connection) -> None:
    assert scalar(conn, "SELECT count(*) FROM district") == 10
    assert scalar(conn, "SELECT count(*) FROM district WHERE NOT ST_IsValid(geom)") == 0
    assert scalar(conn, "SELECT count(*) FROM district WHERE has_grid") == 6
    overlaps = scalar(
        conn,
        "SELECT count(*) FROM district a JOIN district b ON a.code < b.code "
        "AND ST_Intersects(a.geom, b.geom) AND ST_Area(ST_Intersection(a.geom, b.geom)) > 1e-10",
    )
    assert overlaps == 0


def test_grid_covers_the_six_central_districts(conn: Connection) -> None:
    rows = dict(conn.execute(text("SELECT district_code, count(*) FROM grid_cell GROUP BY 1")).all())
    assert set(rows) == set(GRID_DISTRICTS)
    # every district's cells add up to its area (cells are clipped, nothing missing, nothing extra)
    ratio = conn.execute(
        text(
            "SELECT d.code, sum(ST_Area(c.geom::geography)) / ST_Area(d.geom::geography) FROM district d "
            "JOIN grid_cell c ON c.district_code = d.code GROUP BY d.code, d.geom"
        )
    ).all()
    for code, r in ratio:
        assert r == pytest.approx(1.0, abs=0.003), code


def test_every_cell_inside_exactly_its_district(conn: Connection) -> None:
    districts = {
        code: shapely.from_wkb(bytes(wkb))
        for code, wkb in conn.execute(text("SELECT code, ST_AsBinary(geom) FROM district"))
    }
    cells = conn.execute(
        text("SELECT district_code, ST_AsBinary(geom) FROM grid_cell ORDER BY district_code")
    ).all()
    by_district: dict[str, list[object]] = {}
    for code, wkb in cells:
        by_district.setdefault(code, []).append(wkb)
    shapely.prepare(list(districts.values()))  # the same answers, without rebuilding each polygon's index
    for code, wkbs in by_district.items():
        geoms = shapely.from_wkb(np.array([bytes(w) for w in wkbs], dtype=object))
        own = districts[code].buffer(1e-7)
        shapely.prepare(own)
        sticking_out = geoms[~shapely.covers(own, geoms)]
        # reprojection leaves vertices centimetres off the boundary: nothing may stick out by 1 m² or more
        metres2 = shapely.area(shapely.difference(sticking_out, own)) * 111_320**2 * 0.9
        assert (metres2 < 1.0).all(), f"{code}: {int((metres2 >= 1).sum())} cells stick out of the district"
        # each cell's interior point lies in its own district and in no other
        points = shapely.point_on_surface(geoms)
        assert shapely.intersects(districts[code], points).all()
        for other, geom in districts.items():
            if other != code:
                assert not shapely.intersects(geom, points).any(), f"{code} cells inside {other}"


def test_cells_do_not_overlap(conn: Connection) -> None:
    # one cell per district and 100 m square, each inside its square: squares are disjoint, districts too
    dupes = scalar(
        conn,
        "SELECT count(*) FROM (SELECT 1 FROM grid_cell GROUP BY district_code, i, j HAVING count(*) > 1) x",
    )
    assert dupes == 0
    outside_square = scalar(
        conn,
        "SELECT count(*) FROM grid_cell WHERE NOT ST_CoveredBy(ST_Transform(geom, 32648), "
        "ST_Expand(ST_MakeEnvelope(i * 100, j * 100, i * 100 + 100, j * 100 + 100, 32648), 0.05))",
    )
    assert outside_square == 0


def test_cell_codes_are_district_plus_sequence(conn: Connection) -> None:
    bad = scalar(conn, "SELECT count(*) FROM grid_cell WHERE code !~ ('^' || district_code || '[0-9]{8}$')")
    assert bad == 0


def test_every_minor_category_has_a_department_everywhere_and_a_limit(conn: Connection) -> None:
    missing = conn.execute(
        text(
            "SELECT c.code, d.code FROM category c CROSS JOIN district d WHERE c.level = 2 AND NOT EXISTS ("
            "SELECT 1 FROM responsibility r WHERE r.category_code = c.code "
            "AND (r.district_code = d.code OR r.district_code IS NULL))"
        )
    ).all()
    assert missing == []
    assert (
        scalar(
            conn, "SELECT count(*) FROM category WHERE level = 2 AND (time_limit IS NULL OR time_limit <= 0)"
        )
        == 0
    )
    assert scalar(conn, "SELECT count(*) FROM category WHERE level = 2") >= 40
    assert scalar(conn, "SELECT count(*) FROM category WHERE level = 1") == 12


def test_holidays_loaded(conn: Connection) -> None:
    assert scalar(conn, "SELECT kind FROM holiday WHERE day = '2026-02-17'") == "holiday"
    assert scalar(conn, "SELECT kind FROM holiday WHERE day = '2026-02-14'") == "workday"
    assert scalar(conn, "SELECT count(DISTINCT extract(year FROM day)) FROM holiday") == 3


def test_demo_public_layer(conn: Connection) -> None:
    assert 150 <= scalar(conn, "SELECT count(*) FROM service_point WHERE demo") <= 250  # type: ignore[operator]
    assert (
        scalar(conn, "SELECT count(*) FROM beauty_post WHERE state = 'approved' AND photo_id IS NOT NULL")
        >= 15
    )  # type: ignore[operator]


def test_history_is_append_only(owner_conn: Connection) -> None:
    """The triggers refuse even the owner role (the app role has no such privilege at all)."""
    conn = owner_conn
    conn.execute(text("SAVEPOINT s"))
    with pytest.raises(Exception, match="append-only"):
        conn.execute(text("TRUNCATE case_event"))
    conn.execute(text("ROLLBACK TO SAVEPOINT s"))
    with pytest.raises(Exception, match="append-only"):
        conn.execute(text("TRUNCATE points_ledger"))
    conn.execute(text("ROLLBACK TO SAVEPOINT s"))


def test_district_label_points_inside_their_own_district_only(conn: Connection) -> None:
    rows = conn.execute(
        text(
            "SELECT d.code, array_agg(o.code ORDER BY o.code) FILTER (WHERE ST_Contains(o.geom, d.label_point)) "
            "FROM district d CROSS JOIN district o GROUP BY d.code"
        )
    ).all()
    assert len(rows) == 10
    for code, inside in rows:
        assert inside == [code]


def test_no_district_part_or_hole_is_a_sliver(conn: Connection) -> None:
    from geo.labels import MIN_PART_M2

    smallest = conn.execute(
        text(
            "SELECT min(ST_Area(ST_MakePolygon(ST_ExteriorRing(p.geom))::geography)), "
            "min(ST_Area(ST_MakePolygon(r.geom)::geography)) "
            "FROM district d, ST_Dump(d.geom) p LEFT JOIN LATERAL ST_DumpRings(p.geom) r ON r.path[1] > 0"
        )
    ).one()
    assert smallest[0] >= MIN_PART_M2
    assert smallest[1] is None or smallest[1] >= MIN_PART_M2
