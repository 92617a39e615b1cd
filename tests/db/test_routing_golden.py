"""Golden routing points: the database (gy_route, used by the case trigger) and geo.routing agree on every
point of tests/data/routing_golden.csv: interiors, vertices and edges shared by two districts, holes, outside
Guiyang, outer counties without a grid, and points a centimetre either side of a grid line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from db.seed.reference import district_features
from geo.routing import Router

GOLDEN = Path(__file__).parent.parent / "data" / "routing_golden.csv"


def golden() -> list[dict[str, str]]:
    with GOLDEN.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def router(engine) -> Router:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        cells = conn.execute(text("SELECT district_code, i, j FROM grid_cell WHERE regular")).all()
    return Router([(p["adcode"], g) for p, g in district_features()], [tuple(c) for c in cells])


def test_golden_file_covers_the_hard_cases() -> None:
    notes = " ".join(p["note"] for p in golden())
    for kind in (
        "vertex shared",
        "midpoint of an edge",
        "hole",
        "Beijing",
        "null island",
        "grid line",
        "label point",
    ):
        assert kind in notes


def test_database_routes_every_golden_point(conn: Connection) -> None:
    for p in golden():
        got = conn.execute(
            text(
                "SELECT r.district_code, c.code FROM gy_route(ST_SetSRID(ST_MakePoint(:x, :y), 4326)) r "
                "LEFT JOIN grid_cell c ON c.id = r.cell_id"
            ),
            {"x": float(p["lon"]), "y": float(p["lat"])},
        ).one()
        assert (got[0] or "", got[1] or "") == (p["district"], p["cell_code"]), p["note"]


def test_offline_router_agrees_with_the_database(router: Router) -> None:
    for p in golden():
        r = router.route(float(p["lon"]), float(p["lat"]))
        assert (r.district or "", r.cell_code or "") == (p["district"], p["cell_code"]), p["note"]


def test_case_rows_are_routed_by_the_database(conn: Connection) -> None:
    """The trigger fills district and cell on insert from the stored point (not from the client)."""
    p = next(g for g in golden() if g["note"].startswith("landmark 甲秀楼"))
    row = conn.execute(
        text(
            "INSERT INTO \"case\" (source, category_code, geom, status) VALUES ('hotline', "
            "(SELECT code FROM category WHERE level = 2 ORDER BY code LIMIT 1), "
            "ST_SetSRID(ST_MakePoint(:x, :y), 4326), 'reported') "
            "RETURNING district_code, (SELECT code FROM grid_cell WHERE id = cell_id), ticket"
        ),
        {"x": float(p["lon"]), "y": float(p["lat"])},
    ).one()
    assert (row[0], row[1]) == (p["district"], p["cell_code"])
    assert row[2].startswith("GY") and "-" in row[2]
