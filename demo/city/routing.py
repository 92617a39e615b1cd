"""Route many points at once with exactly the rule of the database's ``gy_route``.

``gy_route(p)`` takes the smallest district code among the ``district_part`` rows that cover ``p``, then the
cell of that district with the smallest code that covers ``p``. Called once per row (as the ``case_route``
trigger does) it costs about 130 µs a point here: 130 s for a million cases. This module makes the same
decision set-wise:

1. candidates, in numpy: the parts and cells whose bounding box (as PostGIS reports it: ``ST_XMin``... which is
   never inside the exact box) contains the point, found through a tile hash. A geometry whose box does not
   contain the point cannot cover it, so no geometry that ``gy_route`` could pick is left out;
2. the test, in PostGIS: the very tests of ``gy_route`` (``&&`` and ``ST_Covers``) on each (point, candidate)
   pair, sent with the point's geometry and grouped by geometry (PostGIS then reuses the geometry it has just
   unpacked, with an index of its edges, instead of unpacking it again for every point);
3. the choice, in numpy: ``gy_route``'s ordering among the covering ones (smallest district code, then the
   smallest cell code of that district).

Callers also check a sample against ``gy_route`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import psycopg

from demo.city import pgbinary as pb
from demo.city.rows import ewkb_points

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]

_BOXES = {
    table: f"""SELECT array_agg(id ORDER BY id), array_agg({key} ORDER BY id), array_agg(ST_XMin(geom) ORDER BY id),
              array_agg(ST_XMax(geom) ORDER BY id), array_agg(ST_YMin(geom) ORDER BY id),
              array_agg(ST_YMax(geom) ORDER BY id) FROM {table}"""  # nosec B608 # SQL from constant fragments; values are bound parameters
    for table, key in (("district_part", "district_code"), ("grid_cell", "district_code || code"))
}
_TESTS = {
    table: f"""SELECT string_agg(int4send(c.k) || int4send(c.gid), ''::bytea)
                 FROM gy_demo_cand c JOIN {table} g ON g.id = c.gid
                WHERE g.geom && c.geom AND ST_Covers(g.geom, c.geom)"""  # nosec B608 # SQL from constant fragments; values are bound parameters
    for table in ("district_part", "grid_cell")
}
_PAIR = np.dtype([("k", ">i4"), ("g", ">i4")])
_TILE_BITS = 24


@dataclass
class Boxes:
    """Bounding boxes of geometries (parts or cells) indexed by tiles of ``1 / scale`` degrees, with the
    geometries' ranks in ``gy_route``'s order (district code, then cell code) and their district codes."""

    table: str
    ids: I8
    rank: I8
    district: npt.NDArray[np.str_]
    x0: F8
    x1: F8
    y0: F8
    y1: F8
    scale: float
    keys: I8  # sorted tile keys
    box: I8  # box index per key

    @classmethod
    def load(cls, conn: psycopg.Connection, table: str, scale: float) -> Boxes:
        row = conn.execute(_BOXES[table]).fetchone()
        assert row is not None and row[0], f"no rows in {table}"  # nosec B101 # type narrowing for mypy, not a security check
        ids, order_key, x0, x1, y0, y1 = (np.asarray(v) for v in row)
        rank = np.empty(len(ids), dtype=np.int64)
        rank[np.argsort(order_key, kind="stable")] = np.arange(len(ids))
        tx0, tx1 = np.floor(x0 * scale).astype(np.int64), np.floor(x1 * scale).astype(np.int64)
        ty0, ty1 = np.floor(y0 * scale).astype(np.int64), np.floor(y1 * scale).astype(np.int64)
        nx, ny = tx1 - tx0 + 1, ty1 - ty0 + 1
        per = nx * ny
        box = np.repeat(np.arange(len(ids)), per)
        within = np.arange(int(per.sum())) - np.repeat(np.cumsum(per) - per, per)
        tx = tx0[box] + within // ny[box]
        ty = ty0[box] + within % ny[box]
        keys = (tx << _TILE_BITS) | ty
        order = np.argsort(keys, kind="stable")
        district = np.array([str(v)[:6] for v in order_key])
        return cls(
            table, ids.astype(np.int64), rank, district, x0, x1, y0, y1, scale, keys[order], box[order]
        )

    def candidates(self, x: F8, y: F8) -> tuple[I8, I8]:
        """``(point index, box index)`` for every geometry whose box contains the point."""
        keys = (np.floor(x * self.scale).astype(np.int64) << _TILE_BITS) | np.floor(y * self.scale).astype(
            np.int64
        )
        order = np.argsort(keys, kind="stable")
        lo = np.searchsorted(self.keys, keys[order], side="left")
        hi = np.searchsorted(self.keys, keys[order], side="right")
        cnt = hi - lo
        k = np.repeat(order, cnt)
        pos = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(int(cnt.sum()))
        b = self.box[pos]
        inside = (x[k] >= self.x0[b]) & (x[k] <= self.x1[b]) & (y[k] >= self.y0[b]) & (y[k] <= self.y1[b])
        return k[inside], b[inside]

    def covering(self, cur: psycopg.Cursor[Any], lon: F8, lat: F8, k: I8, b: I8) -> I8:
        """Per point, the box index of the first covering geometry in ``gy_route``'s order, or -1."""
        order = np.lexsort((k, b))  # grouped by geometry
        k, b = k[order], b[order]
        cur.execute("CREATE TEMP TABLE gy_demo_cand (k integer, gid integer, geom geometry(Point, 4326))")
        fields = [pb.f_int4(k), pb.f_int4(self.ids[b]), pb.Field([ewkb_points(lon[k], lat[k])])]
        with cur.copy("COPY gy_demo_cand (k, gid, geom) FROM STDIN (FORMAT BINARY)") as cp:
            cp.write(pb.HEADER)
            for part in pb.encode(fields, len(k)):
                cp.write(part)
            cp.write(pb.TRAILER)
        cur.execute("ANALYZE gy_demo_cand")
        row = cur.execute(_TESTS[self.table]).fetchone()
        cur.execute("DROP TABLE gy_demo_cand")
        data = row[0] if row is not None else None
        pairs = np.frombuffer(
            bytes(data) if isinstance(data, bytes | bytearray | memoryview) else b"", dtype=_PAIR
        )
        index_of = np.full(int(self.ids.max()) + 1, -1, dtype=np.int64)
        index_of[self.ids] = np.arange(len(self.ids))
        pk = pairs["k"].astype(np.int64)
        pb_ = index_of[pairs["g"].astype(np.int64)]
        best = np.full(len(lon), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, pk, self.rank[pb_])
        found = best < np.iinfo(np.int64).max
        by_rank = np.empty(len(self.ids), dtype=np.int64)
        by_rank[self.rank] = np.arange(len(self.ids))
        return np.where(found, by_rank[np.where(found, best, 0)], -1)


@dataclass
class GridIndex:
    parts: Boxes
    cells: Boxes

    @classmethod
    def load(cls, conn: psycopg.Connection) -> GridIndex:
        return cls(Boxes.load(conn, "district_part", 100.0), Boxes.load(conn, "grid_cell", 1000.0))


def route_points(
    conn: psycopg.Connection, lon: F8, lat: F8, districts: list[str], index: GridIndex | None = None
) -> tuple[I8, I8]:
    """``(district index into districts or -1, cell id or -1)`` per point, on ``conn`` (a raw psycopg
    connection, inside whatever transaction it has; its temporary table is dropped again)."""
    index = index or GridIndex.load(conn)
    with conn.cursor() as cur:
        cur.execute("SET LOCAL jit = off")
        part = index.parts.covering(cur, lon, lat, *index.parts.candidates(lon, lat))
        district = np.where(part >= 0, index.parts.district[np.maximum(part, 0)], "")
        k, b = index.cells.candidates(lon, lat)
        same = index.cells.district[b] == district[k]  # gy_route looks only at the cells of its district
        cell = index.cells.covering(cur, lon, lat, k[same], b[same])
        cur.execute("RESET jit")
    names, inverse = np.unique(district, return_inverse=True)
    position = np.array(
        [districts.index(d) if d in districts else -1 for d in names.tolist()], dtype=np.int64
    )
    district_index = position[inverse.reshape(-1)]
    cell_id = np.where(cell >= 0, index.cells.ids[np.maximum(cell, 0)], -1)
    return district_index, np.where(district_index >= 0, cell_id, -1)
