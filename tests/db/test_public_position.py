"""One rule for where the public sees a report (:mod:`db.queries.public_position`): the Open311 read model and
the public map's snapshot put the same report at the same point (its grid cell's, or its 50 m square's centre),
and only a 小类 configured public-exact comes out at its true point. Free text comes out masked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from db.masking import MASK
from db.queries import public as q
from geo.crs import TZ
from ops import workflow as wf
from ops.citizen import requests as reqs
from tests.support.public import PUBLIC_CATEGORY, lead, unique_point


def _report(conn: Connection, point: tuple[float, float], description: str = "路灯不亮") -> str:
    case = wf.report(
        conn,
        lead(conn),
        category_code=PUBLIC_CATEGORY,
        lon=point[0],
        lat=point[1],
        source="hotline",
        public=True,
        description=description,
        address="中华北路 12 号，联系人 王秘密 13985012345",
    )
    return str(conn.execute(text('SELECT ticket FROM "case" WHERE id = :i'), {"i": case.id}).scalar_one())


def _cell_point(conn: Connection, ticket: str) -> tuple[float, float]:
    row = conn.execute(
        text(
            "SELECT ST_X(ST_PointOnSurface(g.geom)), ST_Y(ST_PointOnSurface(g.geom)) "
            'FROM "case" c JOIN grid_cell g ON g.id = c.cell_id WHERE c.ticket = :t'
        ),
        {"t": ticket},
    ).one()
    return round(row[0], 5), round(row[1], 5)


def test_open311_shows_the_cell_point_the_map_shows(conn: Connection) -> None:
    point = unique_point()
    ticket = _report(conn, point)
    got = reqs.get_request(conn, ticket)
    assert (got.lon, got.lat) == _cell_point(conn, ticket)
    assert (got.lon, got.lat) != point
    snap = q.report_snapshot(conn, datetime.now(TZ))
    on_map = set(zip(snap.lon.tolist(), snap.lat.tolist(), strict=True))
    assert (got.lon, got.lat) in on_map
    listed = reqs.find_requests(conn, reqs.RequestQuery(tickets=(ticket,)))
    assert [(r.lon, r.lat) for r in listed] == [(got.lon, got.lat)]


def test_a_report_without_a_cell_is_shown_at_its_50_m_square(conn: Connection) -> None:
    point = unique_point()
    ticket = _report(conn, point)
    conn.execute(text('UPDATE "case" SET cell_id = NULL WHERE ticket = :t'), {"t": ticket})
    got = reqs.get_request(conn, ticket)
    x, y = conn.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint("
            "(floor(ST_X(t) / 50) + 0.5) * 50, (floor(ST_Y(t) / 50) + 0.5) * 50), 32648), 4326) AS p "
            'FROM (SELECT ST_Transform(geom, 32648) AS t FROM "case" WHERE ticket = :t) a) b'
        ),
        {"t": ticket},
    ).one()
    assert (got.lon, got.lat) == (round(x, 5), round(y, 5))
    snap = q.report_snapshot(conn, datetime.now(TZ))
    assert (got.lon, got.lat) in set(zip(snap.lon.tolist(), snap.lat.tolist(), strict=True))


def test_a_public_exact_category_keeps_its_point(conn: Connection) -> None:
    point = unique_point()
    ticket = _report(conn, point)
    exact = reqs.get_request(conn, ticket, public_exact=(PUBLIC_CATEGORY,))
    assert (exact.lon, exact.lat) == (round(point[0], 5), round(point[1], 5))
    other = reqs.get_request(conn, ticket, public_exact=("C0102",))
    assert (other.lon, other.lat) == _cell_point(conn, ticket)
    listed = reqs.find_requests(conn, reqs.RequestQuery(tickets=(ticket,), public_exact=(PUBLIC_CATEGORY,)))
    assert [(r.lon, r.lat) for r in listed] == [(exact.lon, exact.lat)]


def test_free_text_comes_out_masked(conn: Connection) -> None:
    ticket = _report(conn, unique_point(), description="井盖丢了，我是李四，电话 139-8501-2345")
    got = reqs.get_request(conn, ticket)
    assert got.description == f"井盖丢了，我是{MASK}，电话 {MASK}"
    assert got.address == f"中华北路 12 号，联系人 {MASK} {MASK}"
    stored = conn.execute(
        text('SELECT description FROM "case" WHERE ticket = :t'), {"t": ticket}
    ).scalar_one()
    assert "139-8501-2345" in stored  # staff keep the original
