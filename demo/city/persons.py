"""Demo citizens who report and verify: clearly fake (``演示用户00001``, ``13800000001``), ``demo = true``; part of
the registered ones have a home, so 我来核实 tasks reach them."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import psycopg

from demo.city import pgbinary as pb
from demo.city.load import copy_binary, reserve_ids
from demo.city.spots import PointSampler
from demo.city.workclock import DAY
from geo.crs import METRIC_SRID, STORAGE_SRID, get_transformer

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]
DEMO_PERSONS = 20_000
#: Share of the registered demo persons who gave a home in the app (they get 我来核实 tasks near it).
HOME_SHARE = 0.5
#: People live around the hot spots rather than on them: homes spread this much (σ, metres) around a report-like
#: point.
HOME_SPREAD_M = 300.0
HOME_TRIES = 20
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
# 0-based positions of the points that no grid cell covers (a grid cell is clipped to its district, so covered
# means inside the service area, as gy_route sees it)
_OFF_GRID = """
SELECT u.k - 1 FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS u(x, y, k)
 CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(u.x, u.y), 4326) AS p) q
 WHERE NOT EXISTS (SELECT 1 FROM grid_cell g WHERE g.geom && q.p AND ST_Covers(g.geom, q.p))
 ORDER BY u.k
"""


def _pseudonyms(rng: np.random.Generator, n: int, taken: set[bytes]) -> npt.NDArray[np.uint8]:
    """``n`` distinct ``P`` + 8 hex digits, none of them in ``taken``."""
    values = np.unique(rng.integers(0, 1 << 32, int(n * 1.1) + 16, dtype=np.uint64))
    rng.shuffle(values)
    block = np.empty((len(values), 9), dtype=np.uint8)
    block[:, 0] = ord("P")
    for k in range(8):
        block[:, 8 - k] = _HEX[(values >> np.uint64(4 * k)) & np.uint64(15)]
    keep = np.array([bytes(row) not in taken for row in block]) if taken else np.ones(len(block), bool)
    block = block[keep]
    if len(block) < n:
        raise RuntimeError("could not draw enough distinct pseudonyms")
    return block[:n]


def ensure_demo_persons(
    conn: psycopg.Connection, rng: np.random.Generator, since: int
) -> tuple[I8, npt.NDArray[np.bool_]]:
    """The demo persons' ids and ``registered`` flags; creates :data:`DEMO_PERSONS` of them (registered in the
    month before ``since``) if there are none."""
    rows = conn.execute("SELECT id, registered FROM person WHERE demo ORDER BY id").fetchall()
    if rows:
        return np.array([r[0] for r in rows], dtype=np.int64), np.array([r[1] for r in rows], dtype=bool)
    n = DEMO_PERSONS
    taken = {
        r[0].encode() for r in conn.execute("SELECT pseudonym FROM person WHERE pseudonym ~ '^P[0-9a-f]{8}$'")
    }
    first = reserve_ids(conn, "person", n)
    ids = np.arange(first, first + n, dtype=np.int64)
    seq = np.arange(1, n + 1)
    width = len(str(n))
    names = np.char.add("演示用户", np.char.zfill(seq.astype(str), width))
    phones = np.char.add("138", np.char.zfill(seq.astype(str), 8))
    registered = np.zeros(n, dtype=bool)
    registered[rng.permutation(n)[: n // 2]] = True
    created = since - (rng.random(n) * 30 * DAY).astype(np.int64)
    fields = [
        pb.f_int4(ids),
        pb.Field([pb.Segment(_pseudonyms(rng, n, taken))]),
        pb.Field([pb.text_block(np.char.encode(names, "utf-8"))]),
        pb.Field([pb.text_block(phones.astype("S11"))]),
        pb.f_bool(registered),
        pb.f_bool(np.ones(n, dtype=bool)),
        pb.f_int8(created),
    ]
    copy_binary(
        conn, "person", "id, pseudonym, name, phone, registered, demo, created_at", [pb.encode(fields, n)]
    )
    return ids, registered


def ensure_accounts(conn: psycopg.Connection) -> int:
    """A registered demo person has an app account: ``demo-00042`` for ``演示用户00042``, so a demo city's citizens
    can be tried through the Open311 API (their tasks, their points). Idempotent; returns how many got one."""
    cur = conn.execute(
        "UPDATE person SET account_id = 'demo-' || substring(name FROM '[0-9]+$') "
        "WHERE demo AND registered AND account_id IS NULL AND name ~ '^演示用户[0-9]+$'"
    )
    return int(cur.rowcount)


def ensure_homes(
    conn: psycopg.Connection,
    rng: np.random.Generator,
    ids: I8,
    registered: npt.NDArray[np.bool_],
    sampler: PointSampler,
) -> int:
    """Give :data:`HOME_SHARE` of the registered demo persons a home (for 我来核实 tasks nearby) when no demo person
    has one yet, in one statement; returns how many got one. Homes lie where the city lives: around the hot
    spots (a little further out than the reports) and over the populated grid, inside the service area."""
    row = conn.execute("SELECT EXISTS (SELECT 1 FROM person WHERE demo AND home IS NOT NULL)").fetchone()
    if row is None or row[0]:
        return 0
    reg = ids[registered]
    chosen = np.sort(rng.choice(reg, int(round(len(reg) * HOME_SHARE)), replace=False))
    lon, lat, ok = _home_points(conn, rng, len(chosen), sampler)
    conn.execute(
        "UPDATE person p SET home = ST_SetSRID(ST_MakePoint(u.x, u.y), 4326) "
        "FROM unnest(%s::bigint[], %s::float8[], %s::float8[]) AS u(id, x, y) WHERE p.id = u.id",
        (chosen[ok].tolist(), lon[ok].tolist(), lat[ok].tolist()),
    )
    return int(ok.sum())


def _home_points(
    conn: psycopg.Connection, rng: np.random.Generator, n: int, sampler: PointSampler
) -> tuple[F8, F8, npt.NDArray[np.bool_]]:
    """``n`` points drawn like reports, spread by :data:`HOME_SPREAD_M`; points that no grid cell covers (off
    the clipped edge of the service area) are drawn again. Returns lon, lat and which ones made it."""
    lon, lat = np.zeros(n), np.zeros(n)
    todo = np.arange(n)
    to_lonlat = get_transformer(METRIC_SRID, STORAGE_SRID)
    for _ in range(HOME_TRIES):
        pts = sampler.sample(rng, len(todo))
        x = pts.x + rng.normal(0, HOME_SPREAD_M, len(todo))
        y = pts.y + rng.normal(0, HOME_SPREAD_M, len(todo))
        lo, la = to_lonlat.transform(x, y)
        lon[todo], lat[todo] = np.round(lo, 6), np.round(la, 6)
        off = conn.execute(_OFF_GRID, (lon[todo].tolist(), lat[todo].tolist())).fetchall()
        todo = todo[[r[0] for r in off]]
        if not todo.size:
            break
    ok = np.ones(n, dtype=bool)
    ok[todo] = False
    return lon, lat, ok
