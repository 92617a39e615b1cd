"""The demo city: a realistic history of city-management cases for Guiyang, written in bulk.

``seed_demo_city(conn, cases=N, days=D, seed=S)`` writes N cases reported over the last D days with their
complete event histories, exactly as the workflow commands (:mod:`ops.workflow`) would have written them, in
the caller's transaction (it never commits). Deterministic for a given seed, database content and ``now``.

How (1,000,000 cases and 5.6M events in 68 s on this 2-core machine, others' load about 3; about 18 s of
Python CPU and 30 s of PostgreSQL CPU):

1. draws (:mod:`.draws`, :mod:`.spots`): report instants with weekday/hour peaks; points around hot spots
   and over the grid; the 小类 mix by district character, place and season; sources and reporters; fates;
   homes of part of the registered demo persons (:mod:`.persons`), so 我来核实 tasks reach someone; the
   planted patterns the analyses must find (:mod:`.patterns`, drawn by :mod:`.plant`: market evenings, a
   construction area, a recurring manhole cover, a rainy afternoon's bursts), on primary reports of the draw;
2. routing (:mod:`.routing`): the set-wise twin of ``gy_route`` gives each point its district and cell;
3. timeline (:mod:`.timeline`): when each step happens, per department speed;
4. replay (:mod:`.replay`): the workflow's field rules applied step by step on arrays, deadlines with
   :class:`.workclock.VecCalendar` (identical to :class:`geo.calendar.WorkCalendar`);
5. duplicate suggestions of every report (:mod:`.dupes`);
6. binary COPY (:mod:`.pgbinary`, :mod:`.rows`, :mod:`.events`) inside a bulk-load window (:mod:`.load`), then
   the checks: tickets by the trigger's formula, routing of a sample by ``gy_route`` itself. A big seed
   (:data:`.stage.MIN_CASES` and more, on an empty or replaced history) builds the history's months in a second
   session while this one loads and indexes ``case``, and attaches them (:mod:`.stage`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import psycopg
from sqlalchemy import Connection

from db import partitions, rollups
from demo.city import load, payloads, persons, rows, stage
from demo.city import slots as sl
from demo.city.clock import Clock
from demo.city.draws import DESCRIPTION_TAILS, SOURCES, Draws, draw_cases
from demo.city.dupes import find_duplicates
from demo.city.events import CHUNK, ActorContext, event_chunks, event_ids
from demo.city.patterns import Planted
from demo.city.refdata import Reference, load_reference
from demo.city.replay import Replayer, State
from demo.city.routing import GridIndex, route_points
from demo.city.spots import PointSampler
from demo.city.timeline import Timeline, build_timeline, plain_histories
from demo.city.workclock import DAY, VecCalendar, calendar_range, to_pg
from geo.crs import TZ

__all__ = ["SeedResult", "seed_demo_city"]

Progress = Callable[[str, int, int], None]
CASE_CHUNK = 200_000
VERIFY_SAMPLE = 2_000


def _noop(step: str, done: int, total: int) -> None:
    return None


@dataclass
class SeedResult:
    cases: int
    events: int
    persons_created: int
    first_case_id: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    planted: list[Planted] = field(default_factory=list)  # the planted patterns (:mod:`.patterns`)


def _route(
    raw: psycopg.Connection, d: Draws, ref: Reference, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """District index and cell id of every point; points off the grid move into a random cell (rare)."""
    index = GridIndex.load(raw)
    district, cell = route_points(raw, d.lon, d.lat, ref.districts, index)
    for _ in range(20):
        bad = np.flatnonzero((district < 0) | (cell < 0))
        if not bad.size:
            return district, cell
        pick = ref.cells_id[rng.integers(0, len(ref.cells_id), bad.size)]
        pos = raw.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(c.geom) AS p, u.k FROM unnest(%s::int[]) "
            "WITH ORDINALITY AS u(id, k) JOIN grid_cell c ON c.id = u.id) s ORDER BY k",
            (pick.tolist(),),
        ).fetchall()
        d.lon[bad] = np.round([p[0] for p in pos], 6)
        d.lat[bad] = np.round([p[1] for p in pos], 6)
        d.address[bad] = -1
        district[bad], cell[bad] = route_points(raw, d.lon[bad], d.lat[bad], ref.districts, index)
    raise RuntimeError("could not place every demo report inside a grid cell")


def _order(d: Draws, tl: Timeline, now: int) -> np.ndarray:
    """Rows sorted by report time, report instants made strictly increasing (ids grow with time)."""
    order = np.argsort(d.created, kind="stable")
    n = len(order)
    created = d.created[order]
    created = np.maximum.accumulate(created - np.arange(n)) + np.arange(n)
    created = np.minimum(created, now - (n - 1 - np.arange(n)))
    tl.t = tl.t[:, order]
    tl.t[sl.REPORT] = created
    return order


def seed_demo_city(
    conn: Connection,
    *,
    cases: int,
    days: int,
    seed: int,
    now: datetime | None = None,
    replace: bool = False,
    on_progress: Progress = _noop,
) -> SeedResult:
    """Write the demo city into the caller's transaction (see the module docstring). ``replace`` first removes
    every existing case and its history (admin-only: it briefly disables the history's append-only triggers).
    A big seed that owns its transaction builds the history beside (:mod:`.stage`); if it fails, it rolls that
    transaction back itself."""
    if cases < 1 or days < 1:
        raise ValueError("cases and days must be positive")
    raw: psycopg.Connection = conn.connection.driver_connection  # type: ignore[assignment]
    existing = load.count_rows(raw)
    beside = stage.Stage.open(conn) if stage.wanted(conn, cases, replace=replace, existing=existing) else None
    try:
        result = _seed(conn, raw, cases, days, seed, now, replace, on_progress, existing, beside)
    except BaseException:
        if beside is not None:
            beside.abort()
        raise
    if beside is not None:
        beside.close()
    return result


def _seed(
    conn: Connection,
    raw: psycopg.Connection,
    cases: int,
    days: int,
    seed: int,
    now: datetime | None,
    replace: bool,
    on_progress: Progress,
    existing: dict[str, int],
    beside: stage.Stage | None,
) -> SeedResult:
    clock = Clock()
    now_pg = to_pg((now or datetime.now(TZ)).astimezone(TZ))
    ref = load_reference(conn)
    vc = VecCalendar(ref.calendar, *calendar_range(now_pg - days * DAY, now_pg))
    rng = np.random.default_rng([seed, 0])
    on_progress("draw", 0, 1)
    person_ids, registered = persons.ensure_demo_persons(
        raw, np.random.default_rng([seed, 1]), now_pg - days * DAY
    )
    d = draw_cases(rng, cases, days, now_pg, ref, len(person_ids), plant_rng=np.random.default_rng([seed, 6]))
    clock.lap("draw")
    sampler = PointSampler(ref.cells_i, ref.cells_j, ref.cells_zone)
    persons.ensure_homes(raw, np.random.default_rng([seed, 5]), person_ids, registered, sampler)
    persons.ensure_accounts(raw)
    clock.lap("homes")
    on_progress("draw", 1, 1)
    on_progress("route", 0, 1)
    district, cell = _route(raw, d, ref, np.random.default_rng([seed, 2]))
    dept = ref.suggested[d.category, district]
    if (dept < 0).any():
        raise RuntimeError("a 小类 has no responsible department in a grid district")
    clock.lap("route")
    on_progress("route", 1, 1)
    on_progress("timeline", 0, 1)
    tl = build_timeline(np.random.default_rng([seed, 3]), d, dept, ref, vc, now_pg)
    plain_histories(np.random.default_rng([seed, 7]), tl, d.plan.recurring)
    order = _order(d, tl, now_pg)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    target = d.dup_target[order]
    merged_into = np.where(target >= 0, inverse[np.maximum(target, 0)], -1)
    cat = d.category[order]
    created = tl.t[sl.REPORT].copy()
    clock.lap("timeline")
    on_progress("timeline", 1, 1)
    on_progress("replay", 0, 1)
    replayer = Replayer(
        vc,
        tl.t,
        now_pg,
        unit=ref.unit[cat],
        limit=tl.limit[order],
        urgent_category=ref.urgent[cat],
        urgent=tl.urgent[order],
        suggested=dept[order],
        wrong_department=tl.wrong_department[order],
        extend_amount=tl.extend_amount[order],
        escalate_delay=tl.escalate_delay[order],
        merged_into=merged_into,
    )
    state = replayer.run()
    clock.lap("replay")
    on_progress("replay", 1, 1)
    lon, lat = d.lon[order], d.lat[order]
    dups, dup_count = find_duplicates(
        lon,
        lat,
        cat,
        created,
        state.closed_at,
        ref.radius[cat],
        on_chunk=lambda done, total: on_progress("duplicates", done, total),
    )
    clock.lap("duplicates")

    end = (now or datetime.now(TZ)).astimezone(TZ).date()  # the history's monthly partitions before its COPY
    partitions.ensure(conn, end - timedelta(days=days + 1), end)
    rebuilt: dict[str, float] = {}
    rebuild = replace or existing["case"] < cases
    with load.bulk_window(
        raw,
        rebuild=rebuild,
        timings=rebuilt,
        on_step=lambda done, total: on_progress("indexes", done, total),
        before_history=None if beside is None else beside.finish,
    ):
        raw.execute(f"SET LOCAL {rollups.DEFERRED_SETTING} = on")  # the rollup is rebuilt once at the end
        if replace:
            load.remove_cases(raw)
        # COPY FREEZE needs "case" truncated in this transaction: --replace just did, an empty table is now
        freeze = replace or (rebuild and load.truncate_for_freeze(raw))
        first = load.reserve_ids(raw, '"case"', cases)
        ids = np.arange(first, first + cases, dtype=np.int64)
        vocab = rows.Vocab(
            sources=[s.encode() for s in SOURCES],
            categories=[c.encode() for c in ref.codes],
            descriptions=[(nm + tail).encode() for nm in ref.names for tail in DESCRIPTION_TAILS],
            districts=[x.encode() for x in ref.districts],
            addresses=[(s + "附近").encode() for s in d.spot_names],
            departments=[x.encode() for x in ref.departments],
            statuses=[s.value.encode() for s in sl.STATUSES],
        )
        reporter = np.where(d.reporter[order] >= 0, person_ids[np.maximum(d.reporter[order], 0)], -1)
        cols = rows.CaseColumns(
            ids=ids,
            created=created,
            source=d.source[order],
            category=cat,
            description=d.description[order],
            lon=lon,
            lat=lat,
            district=district[order],
            cell=cell[order],
            address=d.address[order],
            public=ref.public[cat],
            suggested=dept[order],
            reporter=reporter,
        )
        n_events, event_chunks = _event_rows(
            raw,
            replayer,
            ids,
            created,
            cat,
            ref,
            vocab,
            person_ids,
            registered,
            reporter,
            dups,
            dup_count,
            seed,
            on_progress,
        )
        if beside is not None:  # the history is built beside while this session loads and indexes "case"
            beside.start(rows.EVENT_COLUMNS, event_chunks)
        _copy_cases(raw, cols, state, vocab, on_progress, freeze=freeze)
        clock.lap("copy cases")
        if beside is None:
            load.copy_binary(raw, "case_event", rows.EVENT_COLUMNS, event_chunks)
            clock.lap("copy events")
        on_progress("indexes", 0, 1)
    clock.lap("indexes and keys")
    slowest = sorted(rebuilt.items(), key=lambda kv: -kv[1])[:6]
    clock.timings.update({f"  {name}": secs for name, secs in slowest})
    if beside is not None:
        clock.timings.update({f"  beside: {name}": secs for name, secs in beside.clock.timings.items()})
    on_progress("verify", 0, 1)
    load.verify_load(raw, first, first + cases - 1, VERIFY_SAMPLE, seed)
    load.notify(raw)
    rollups.rebuild(raw)
    for table in ("case_event", "person"):  # "case" was analyzed in the bulk window, before its foreign keys
        raw.execute(f"ANALYZE {table}")
    clock.lap("verify and analyze")
    on_progress("verify", 1, 1)
    return SeedResult(
        cases=cases,
        events=n_events,
        persons_created=0 if existing["person"] else len(person_ids),
        first_case_id=first,
        seconds=round(time.perf_counter() - clock.start, 2),
        timings={k: v for k, v in clock.timings.items() if k != "peak MB"}
        | {"peak MB": clock.timings["peak MB"]},
        statuses={s.value: int((state.status == k).sum()) for k, s in enumerate(sl.STATUSES)},
        planted=d.plan.groups,
    )


def _copy_cases(
    raw: psycopg.Connection,
    cols: rows.CaseColumns,
    state: State,
    vocab: rows.Vocab,
    on_progress: Progress,
    *,
    freeze: bool,
) -> None:
    n = len(cols.ids)

    def chunks() -> Iterator[list[bytes]]:
        for lo in range(0, n, CASE_CHUNK):
            yield rows.case_chunk(cols, state, vocab, slice(lo, lo + CASE_CHUNK))
            on_progress("cases", min(lo + CASE_CHUNK, n), n)

    load.copy_binary(raw, '"case"', rows.CASE_COLUMNS, chunks(), freeze=freeze)


def _event_rows(
    raw: psycopg.Connection,
    rp: Replayer,
    ids: np.ndarray,
    created: np.ndarray,
    cat: np.ndarray,
    ref: Reference,
    vocab: rows.Vocab,
    person_ids: np.ndarray,
    registered: np.ndarray,
    reporter: np.ndarray,
    dups: np.ndarray,
    dup_count: np.ndarray,
    seed: int,
    on_progress: Progress,
) -> tuple[int, Iterator[list[bytes]]]:
    """The events' ids (reserved) and a generator of their binary COPY chunks."""
    groups = rp.groups
    total = sum(len(g.case) for g in groups)
    first = load.reserve_ids(raw, "case_event", total)
    eids = event_ids(groups, first)
    actors = ActorContext(
        account=ref.simulator,
        persons=person_ids,
        registered=person_ids[registered],
        reporter=reporter,
    )
    pctx = payloads.PayloadContext(
        ids=ids,
        created=created,
        unit=ref.unit[cat],
        departments=vocab.departments,
        dups=dups,
        dup_count=dup_count,
    )
    n_chunks = sum(-(-len(g.case) // CHUNK) for g in groups)
    done = 0

    def chunks() -> Iterator[list[bytes]]:
        nonlocal done
        for chunk in event_chunks(groups, eids, ids, actors, pctx, vocab, np.random.default_rng([seed, 4])):
            yield chunk
            done += 1
            on_progress("events", done, n_chunks)

    return total, chunks()
