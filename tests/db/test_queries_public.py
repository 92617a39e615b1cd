"""The public read models on the real PostGIS test database: only public reports, coarsened, no personal data;
tracking stages; photos only when approved; service points and 最美贵阳 posts."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text

from db.queries import public as q
from geo.crs import TZ
from ops import workflow as wf
from ops.workflow import Actor
from tests.support.public import (
    PRIVATE_CATEGORY,
    PUBLIC_CATEGORY,
    YUNYAN,
    Seeded,
    seed_city_cases,
    unique_point,
)


def bbox_around(point: tuple[float, float], half: float = 0.004) -> tuple[float, float, float, float]:
    return point[0] - half, point[1] - half, point[0] + half, point[1] + half


def all_coordinates(geojson: dict[str, Any]) -> list[tuple[float, float]]:
    return [tuple(f["geometry"]["coordinates"]) for f in geojson["features"]]


def empty_cell_point(conn: Connection, rng: random.Random) -> tuple[float, float]:
    """A point whose unit cell holds no case yet (the cell then shows only what the test seeded)."""
    for _ in range(500):
        point = unique_point(rng)
        busy = conn.execute(
            text(
                'SELECT EXISTS (SELECT 1 FROM "case" WHERE cell_id = '
                "(SELECT cell_id FROM gy_route(ST_SetSRID(ST_MakePoint(:x, :y), 4326))))"
            ),
            {"x": point[0], "y": point[1]},
        ).scalar_one()
        if not busy:
            return point
    raise AssertionError("no empty cell found around 云岩区")


@pytest.fixture
def seeded(conn: Connection) -> Seeded:
    return seed_city_cases(conn, empty_cell_point(conn, random.Random(11)), "dbq0000001")


def test_reports_show_only_public_cases_at_the_cell_centre(conn: Connection, seeded: Seeded) -> None:
    data = json.loads(q.reports_geojson(conn, *bbox_around(seeded.point), level="cell"))
    cell = conn.execute(
        text(
            "SELECT round(ST_X(ST_PointOnSurface(geom))::numeric, 5)::float8, "
            "round(ST_Y(ST_PointOnSurface(geom))::numeric, 5)::float8 FROM grid_cell WHERE id = :id"
        ),
        {"id": seeded.closed.cell_id},
    ).one()
    mine = [f for f in data["features"] if tuple(f["geometry"]["coordinates"]) == tuple(cell)]
    assert len(mine) == 1, "the seeded cell is one feature at the point on the cell's surface"
    props = mine[0]["properties"]
    # the closed and the open public case, and the merged duplicate (public, resolved); not the private ones
    assert props["n"] == 3
    assert props["s"] == [0, 1, 2, 0]  # received, in progress, resolved, refused
    assert [it[0] for it in props["items"]] == [PUBLIC_CATEGORY] * 3
    assert json.loads(q.category_names(conn))[PUBLIC_CATEGORY] == [
        "井盖破损",
        "Damaged or missing manhole cover",
    ]
    assert seeded.point not in all_coordinates(data)
    text_out = json.dumps(data, ensure_ascii=False)
    for secret in seeded.secrets.values():
        assert secret not in text_out


@pytest.mark.parametrize("level", ["cell", "b5", "b10", "district"])
def test_no_level_leaks_a_true_point_or_personal_data(conn: Connection, seeded: Seeded, level: str) -> None:
    out = q.reports_geojson(conn, *bbox_around(seeded.point, 0.02), level=level)
    data = json.loads(out)
    assert data["features"], level
    true_points = {
        tuple(r)
        for r in conn.execute(
            text(
                'SELECT round(ST_X(geom)::numeric, 5)::float8, round(ST_Y(geom)::numeric, 5)::float8 FROM "case"'
            )
        ).all()
    }
    assert not true_points & set(all_coordinates(data))
    for secret in seeded.secrets.values():
        assert secret not in out
    assert "description" not in out and "ticket" not in out and "GY" not in out


@pytest.mark.as_owner  # changes reference data, an admin operation
def test_private_and_non_public_category_reports_never_count(conn: Connection, seeded: Seeded) -> None:
    box = bbox_around(seeded.point, 0.02)
    before = sum(
        f["properties"]["n"] for f in json.loads(q.reports_geojson(conn, *box, level="b5"))["features"]
    )
    extra = wf.report(
        conn,
        Actor.system(),
        category_code=PRIVATE_CATEGORY,
        lon=seeded.point[0],
        lat=seeded.point[1],
        description="x",
        source="hotline",
    )
    wf.report(
        conn,
        Actor.system(),
        category_code=PUBLIC_CATEGORY,
        lon=seeded.point[0],
        lat=seeded.point[1],
        description="x",
        source="hotline",
        public=False,
    )
    after = sum(
        f["properties"]["n"] for f in json.loads(q.reports_geojson(conn, *box, level="b5"))["features"]
    )
    assert after == before
    assert extra.id and q.track(conn, extra.ticket)["category"] is None  # type: ignore[index]
    # a category made private later disappears from the map at once
    conn.execute(text("UPDATE category SET public = false WHERE code = :c"), {"c": PUBLIC_CATEGORY})
    gone = json.loads(q.reports_geojson(conn, *bbox_around(seeded.point), level="cell"))
    assert all(it[0] != PUBLIC_CATEGORY for f in gone["features"] for it in f["properties"].get("items", []))
    assert PUBLIC_CATEGORY not in json.loads(q.category_names(conn))


def test_old_reports_leave_the_map(conn: Connection, seeded: Seeded) -> None:
    later = datetime.now(TZ) + timedelta(days=q.REPORT_WINDOW_DAYS + 3)
    data = json.loads(q.reports_geojson(conn, *bbox_around(seeded.point), level="cell", now=later))
    assert data["features"] == []


def test_report_photo_only_when_approved(conn: Connection, seeded: Seeded, settings: Any) -> None:
    from db.media import store_photo
    from demo.public import placeholder_picture

    photo = store_photo(
        conn,
        settings.media_path,
        placeholder_picture("pubtest-photo"),
        kind="report",
        case_id=seeded.closed.id,
    )
    assert q.public_photo(conn, photo.id) is None

    def items() -> list[Any]:
        data = json.loads(q.reports_geojson(conn, *bbox_around(seeded.point), level="cell"))
        return [it for f in data["features"] for it in f["properties"]["items"]]

    assert all(it[3] is None for it in items())
    conn.execute(text("UPDATE photo SET approved = true WHERE id = :id"), {"id": photo.id})
    assert photo.id in [it[3] for it in items()]
    assert q.public_photo(conn, photo.id) is not None
    # the same photo on a private case is never public
    conn.execute(text('UPDATE "case" SET public = false WHERE id = :id'), {"id": seeded.closed.id})
    assert q.public_photo(conn, photo.id) is None


def test_track_shows_stages_with_dates_and_nothing_personal(conn: Connection, seeded: Seeded) -> None:
    got = q.track(conn, seeded.closed.ticket.lower().replace("-", " - "))
    assert got is not None
    assert got["ticket"] == seeded.closed.ticket
    assert got["category"] == {"zh": "井盖破损", "en": "Damaged or missing manhole cover"}
    assert got["stage"] == "resolved"
    stamps = {k: v.astimezone(TZ).isoformat(timespec="minutes") for k, v in seeded.times.items()}
    assert got["stages"] == [
        {"stage": "received", "at": stamps["report"]},
        {"stage": "progress", "at": stamps["dispatch"]},
        {"stage": "resolved", "at": stamps["verify"]},
    ]
    out = json.dumps(got, ensure_ascii=False)
    for secret in seeded.secrets.values():
        assert secret not in out
    assert q.track(conn, "GY000000-0") is None
    assert q.track(conn, "not a ticket") is None


def test_a_merged_ticket_shows_the_surviving_case(conn: Connection, seeded: Seeded) -> None:
    got = q.track(conn, seeded.merged.ticket)
    assert got is not None
    assert [s["stage"] for s in got["stages"]] == ["received", "merged"]
    assert got["stage"] == "progress"  # the surviving case is dispatched
    assert [s["stage"] for s in got["merged_progress"]] == ["received", "progress"]


def test_private_case_is_trackable_without_its_category(conn: Connection, seeded: Seeded) -> None:
    got = q.track(conn, seeded.private.ticket)
    assert got is not None and got["category"] is None and got["stage"] == "received"


def test_summary_counts(conn: Connection, seeded: Seeded) -> None:
    s = q.summary(conn)
    assert s["reports_month"] >= 0 and s["reports_30d"] >= 5
    assert s["open_now"] >= 3
    assert s["on_time_rate"] is None or 0 <= s["on_time_rate"] <= 1
    assert set(s) == {
        "month",
        "reports_month",
        "reports_30d",
        "open_now",
        "closed_month",
        "on_time_rate",
        "median_hours_to_close",
        "as_of",
    }


def test_beauty_posts_only_approved_with_approved_photo(conn: Connection) -> None:
    data = json.loads(q.beauty_geojson(conn))
    ids = {f["properties"]["id"] for f in data["features"]}
    assert len(ids) >= 10
    first = next(iter(ids))
    conn.execute(text("UPDATE beauty_post SET state = 'hidden' WHERE id = :id"), {"id": first})
    assert first not in {f["properties"]["id"] for f in json.loads(q.beauty_geojson(conn))["features"]}
    second = next(i for i in ids if i != first)
    conn.execute(
        text(
            "UPDATE photo SET approved = false WHERE id = (SELECT photo_id FROM beauty_post WHERE id = :id)"
        ),
        {"id": second},
    )
    assert second not in {f["properties"]["id"] for f in json.loads(q.beauty_geojson(conn))["features"]}
    assert set(data["features"][0]["properties"]) == {"id", "title", "body", "photo", "w", "h"}


def test_service_points_by_kind_and_nearest(conn: Connection) -> None:
    toilets = json.loads(q.service_points_geojson(conn, ["toilet"]))["features"]
    assert toilets and {f["properties"]["kind"] for f in toilets} == {"toilet"}
    coords = [c for f in toilets for c in f["geometry"]["coordinates"]]
    assert all(round(c, 5) == c for c in coords)
    near = q.nearest_service_points(conn, *YUNYAN, ["toilet", "water"], limit=4)
    assert len(near) == 4 and {p.kind for p in near} <= {"toilet", "water"}
    assert [p.distance_m for p in near] == sorted(p.distance_m for p in near)
    conn.execute(text("UPDATE service_point SET retired_at = now() WHERE id = :id"), {"id": near[0].id})
    assert near[0].id not in [p.id for p in q.nearest_service_points(conn, *YUNYAN, ["toilet", "water"], 4)]
    assert q.clean_kinds("toilet,bogus, water") == ["toilet", "water"]
    assert q.nearest_service_points(conn, float("nan"), 26.5) == []


def test_report_level_follows_zoom_and_area() -> None:
    assert q.report_level(106.5, 26.4, 106.9, 26.8, 12)[0] == "district"
    assert q.report_level(106.69, 26.56, 106.73, 26.60, 15)[0] == "cell"
    assert q.report_level(106.69, 26.56, 106.73, 26.60, 14)[0] == "b5"
    assert q.report_level(106.60, 26.50, 106.80, 26.65, 18)[0] == "b10"  # too big an area for cells
    level, box = q.report_level(106.691, 26.561, 106.729, 26.599, 16)
    assert level == "cell" and box == (106.69, 26.56, 106.73, 26.6)


def test_public_sql_names_no_personal_column() -> None:
    import importlib
    import pkgutil

    from sqlalchemy.sql.elements import TextClause

    import db.queries

    # the public read model is db.queries.public and every db.queries.public_* module beside it
    names = sorted(m.name for m in pkgutil.iter_modules(db.queries.__path__) if m.name.startswith("public_"))
    modules = [q, *(importlib.import_module(f"db.queries.{n}") for n in names)]
    assert {"public_layers", "public_reports", "public_track"} <= set(names)
    statements = [str(v) for m in modules for v in vars(m).values() if isinstance(v, TextClause)]
    assert len(statements) >= 8
    sql = "\n".join(statements)
    for word in (
        "person",
        "reporter_id",
        "phone",
        "account_id",
        "email",
        "pseudonym",
        "description",
        "actor_",
        "payload",
        "c.address",
        "note",
    ):
        assert word not in sql, word
    assert "SELECT to_status, at FROM case_event" in sql


def test_street_level_grid(conn: Connection) -> None:
    box = q.grid_bbox(106.7001, 26.5701, 106.7099, 26.5799)
    assert box == (106.7, 26.57, 106.71, 26.58)
    cells = json.loads(q.grid_geojson(conn, *box))["features"]
    assert 50 < len(cells) <= q.GRID_LIMIT and all(f["properties"]["code"].startswith("5201") for f in cells)
    assert q.grid_bbox(106.5, 26.4, 106.9, 26.8) is None  # too large: no grid
