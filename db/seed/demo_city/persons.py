"""Demo citizens who report and verify: clearly fake (``演示用户00001``, ``13800000001``), ``demo = true``."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import psycopg

from db.seed.demo_city import pgbinary as pb
from db.seed.demo_city.load import copy_binary, reserve_ids
from db.seed.demo_city.workclock import DAY

I8 = npt.NDArray[np.int64]
DEMO_PERSONS = 20_000
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


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
