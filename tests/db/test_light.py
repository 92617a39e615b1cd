"""The traffic light once: the SQL function ``gy_light`` (migration 0007) that the read queries call, and its
Python mirror :func:`ops.workflow.light`, agree on every combination of stage clock, pause and moment, at the
boundaries (exactly at ``stage_yellow_at``, exactly at ``stage_deadline``) and on seeded random values."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import Connection, text

from db.light import LIGHTS, light_sql
from geo.crs import TZ
from ops.workflow import light

T = datetime(2025, 6, 2, 10, 0, tzinfo=TZ)
H = timedelta(hours=1)
OFFSETS = [None, -3 * H, -H, -timedelta(microseconds=1), timedelta(0), timedelta(microseconds=1), H, 3 * H]


def _at(offset: timedelta | None) -> datetime | None:
    return None if offset is None else T + offset


def _cases() -> list[tuple[datetime | None, datetime | None, datetime | None, datetime]]:
    grid = [
        (_at(y), _at(d), _at(p), T + (n or timedelta(0)))
        for y, d, p, n in itertools.product(OFFSETS, OFFSETS, OFFSETS, OFFSETS)
    ]
    rng = random.Random(7)  # nosec B311 # test data
    minutes = [None, *range(-600, 600)]
    for _ in range(3000):
        y, d, p, n = (rng.choice(minutes) for _ in range(4))
        grid.append(
            (
                None if y is None else T + timedelta(minutes=y),
                None if d is None else T + timedelta(minutes=d),
                None if p is None else T + timedelta(minutes=p),
                T + timedelta(minutes=n or 0),
            )
        )
    return grid


def test_sql_and_python_lights_agree(conn: Connection) -> None:
    cases = _cases()
    cols = list(zip(*cases, strict=True))
    sql = text(
        "SELECT "
        + light_sql("c", "c.now_at")
        + " FROM unnest(CAST(:y AS timestamptz[]), CAST(:d AS timestamptz[]), "
        "CAST(:p AS timestamptz[]), CAST(:n AS timestamptz[])) WITH ORDINALITY "
        "AS c(stage_yellow_at, stage_deadline, paused_since, now_at, i) ORDER BY c.i"
    )
    got = conn.execute(sql, {"y": list(cols[0]), "d": list(cols[1]), "p": list(cols[2]), "n": list(cols[3])})
    sql_lights = [r[0] for r in got]
    py_lights = [
        light(SimpleNamespace(stage_yellow_at=y, stage_deadline=d, paused_since=p), now=n)
        for y, d, p, n in cases
    ]
    assert len(sql_lights) == len(cases) > 4000
    mismatches = [(c, s, q) for c, s, q in zip(cases, sql_lights, py_lights, strict=True) if s != q]
    assert mismatches == []
    assert set(py_lights) == {*LIGHTS, None}  # every light occurs


def test_boundaries() -> None:
    case = SimpleNamespace(stage_yellow_at=T, stage_deadline=T + H, paused_since=None)
    assert light(case, now=T - timedelta(microseconds=1)) == "green"
    assert light(case, now=T) == "yellow"  # from 80 % of the limit
    assert light(case, now=T + H) == "yellow"  # up to and including the deadline
    assert light(case, now=T + H + timedelta(microseconds=1)) == "red"
    paused = SimpleNamespace(stage_yellow_at=T, stage_deadline=T + H, paused_since=T - H)
    assert light(paused, now=T + 5 * H) == "green"  # judged when the clock stopped
