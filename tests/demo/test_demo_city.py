"""The demo city generator (demo.city) and the simulator (demo.simulate) against real PostGIS.

One module-scoped transaction holds the generated city (2,000 cases, rolled back at the end): the bulk load
takes table locks, so every test here works on that one connection.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import psycopg
import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from dashboard.api.open311_settings import get_open311_settings
from dashboard.settings import Settings
from db.calendar_repo import load_calendar
from demo.city import SeedResult, persons, seed_demo_city
from demo.city.refdata import load_reference
from demo.city.spots import PointSampler
from demo.city.workclock import VecCalendar, calendar_range, from_pg, to_pg
from demo.simulate import SimContext, Verifying, simulate_steps
from demo.users import SIMULATOR_USERNAME
from geo.crs import TZ
from ops import workflow as wf
from ops.analysis.alert_states import NewAlert, record
from ops.states import URGENT_FACTOR, Action, CaseStatus, Role, target
from ops.workflow import Actor

NOW = datetime(2026, 3, 16, 15, 30, 12, 345678, tzinfo=TZ)
N = 2000
OLD_ALERT = NewAlert(
    kind="anomaly",
    area_level="district",
    area_key="520103",
    district_code="520103",
    category_code="C0101",
    geom_wkt="POLYGON((106.71 26.58, 106.72 26.58, 106.72 26.59, 106.71 26.58))",
    point_wkt="POINT(106.715 26.585)",
    window_start=NOW - timedelta(hours=2),
    window_end=NOW,
    observed=9,
    expected=1.0,
    score=6.0,
    p_value=1e-6,
    explanation_zh="近2小时云岩区井盖破损上报 9 件，往常约 1.0 件",
    explanation_en="9 reports in the last 2 hours; usually about 1.0",
)
DAYS = 60


SCHEMA = text(
    """
    SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated::text
      FROM pg_constraint WHERE conrelid = ANY(CAST(:t AS regclass[]))
    UNION ALL
    SELECT 'index', indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid), ''
      FROM pg_index WHERE indrelid = ANY(CAST(:t AS regclass[]))
    UNION ALL
    SELECT 'trigger', tgrelid::regclass::text, tgname, pg_get_triggerdef(oid), tgenabled::text
      FROM pg_trigger WHERE tgrelid = ANY(CAST(:t AS regclass[])) AND NOT tgisinternal
    ORDER BY 1, 2, 3
    """
)
TABLES = ['"case"', "case_event", "photo", "points_ledger", "person"]


def schema(c: Connection) -> list[tuple[str, ...]]:
    return [tuple(r) for r in c.execute(SCHEMA, {"t": TABLES})]


@pytest.fixture(scope="module")
def city(owner_engine: Engine) -> Iterator[tuple[Connection, SeedResult]]:
    """The demo city seeded as the admin command does it: as the owner role."""
    with owner_engine.connect() as c:
        trans = c.begin()
        try:
            before = schema(c)
            # something a replace must clear: a case with a photo and points earned on it
            person = c.execute(
                text("INSERT INTO person (pseudonym) VALUES ('dc-test') RETURNING id")
            ).scalar_one()
            r = wf.report(
                c,
                Actor.citizen(person),
                category_code="C0101",
                lon=106.7135,
                lat=26.5838,
                description="",
                source="app",
                now=NOW - timedelta(days=1),
            )
            c.execute(
                text(
                    "INSERT INTO photo (case_id, kind, sha256, path, mime, size_bytes, width, height) "
                    "VALUES (:c, 'report', repeat('a', 64), 'x.jpg', 'image/jpeg', 1, 1, 1)"
                ),
                {"c": r.id},
            )
            c.execute(
                text(
                    "INSERT INTO points_ledger (person_id, case_id, reason, ref, points) VALUES (:p, :c, 'report', 'x', 5)"
                ),
                {"p": person, "c": r.id},
            )
            # a recurrence link between two cases and the recurrence step's cursor (ids restart after a replace)
            again = wf.report(
                c,
                Actor.citizen(person),
                category_code="C0101",
                lon=106.7135,
                lat=26.5838,
                description="",
                source="app",
                now=NOW - timedelta(hours=1),
            )
            c.execute(
                text(
                    "INSERT INTO case_recurrence (case_id, earlier_case_id, distance_m, days_after_close, "
                    "place_case_id, number) VALUES (:n, :e, 0, 0, :e, 1)"
                ),
                {"n": again.id, "e": r.id},
            )
            c.execute(
                text("INSERT INTO analysis_cursor (name, last_id) VALUES ('recurrence', :n), ('hourly', :n)"),
                {"n": again.id},
            )
            # an alert of the old city and its history (append-only, cleared with the city), told to the leads
            c.execute(text("INSERT INTO notify_route (role, url) VALUES ('lead', 'json://127.0.0.1:9/x')"))
            record(c, OLD_ALERT, NOW)
            assert c.execute(text("SELECT count(*) FROM notify_outbox")).scalar_one() == 1
            result = seed_demo_city(c, cases=N, days=DAYS, seed=11, now=NOW, replace=True)
            assert (
                schema(c) == before
            )  # keys, indexes, foreign keys and triggers exactly as the migration made them
            yield c, result
        finally:
            trans.rollback()


def _cases(c: Connection) -> list[Any]:
    return list(
        c.execute(text('SELECT *, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM "case" ORDER BY id')).all()
    )


def _events(c: Connection) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for e in c.execute(text("SELECT * FROM case_event ORDER BY case_id, at, id")).all():
        out.setdefault(e.case_id, []).append(e)
    return out


def check_histories(cases: list[Any], events: dict[int, list[Any]], now: datetime) -> None:
    """Every history is legal under TRANSITIONS from NULL, strictly increasing in time between the report and
    ``now``, and the case row agrees with its last event."""
    for case in cases:
        hist = events[case.id]
        status: CaseStatus | None = None
        resume_to: CaseStatus | None = None
        assert hist[0].action == "report" and hist[0].at == case.created_at
        for prev, ev in zip([None, *hist], hist, strict=False):
            assert (None if status is None else status.value) == ev.from_status, (case.id, ev)
            nxt = target(Action(ev.action), status, resume_to)
            assert nxt is not None and nxt.value == ev.to_status, (case.id, ev.action, status)
            if ev.action == "suspend":
                resume_to = status
            status = nxt
            assert case.created_at <= ev.at <= now
            if prev is not None:
                assert ev.at > prev.at, case.id
        assert status is not None and case.status == status.value
        assert case.version == len(hist) and case.updated_at == hist[-1].at
        if case.status == "merged":
            assert case.merged_into_id is not None
    ids = [e.id for h in events.values() for e in h]
    assert len(ids) == len(set(ids))


def test_replace_cleared_the_old_city_and_the_history_is_append_only_again(
    city: tuple[Connection, SeedResult],
) -> None:
    c, _ = city
    assert c.execute(text("SELECT count(*) FROM photo WHERE kind = 'report'")).scalar_one() == 0
    assert c.execute(text("SELECT count(*) FROM points_ledger WHERE case_id IS NOT NULL")).scalar_one() == 0
    assert c.execute(text('SELECT min(id) FROM "case"')).scalar_one() == 1
    assert c.execute(text("SELECT count(*) FROM case_recurrence")).scalar_one() == 0
    assert c.execute(text("SELECT count(*) FROM analysis_cursor")).scalar_one() == 0
    assert c.execute(text("SELECT count(*) FROM analysis_alert")).scalar_one() == 0
    assert c.execute(text("SELECT count(*) FROM analysis_alert_event")).scalar_one() == 0
    assert c.execute(text("SELECT count(*) FROM notify_outbox")).scalar_one() == 0  # its route stays
    for stmt in (
        "UPDATE case_event SET note = 'x' WHERE id = 1",
        "DELETE FROM case_event WHERE id = 1",
        "TRUNCATE case_event",
        "TRUNCATE analysis_alert_event CASCADE",
    ):
        sp = c.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            c.execute(text(stmt))
        sp.rollback()


def test_the_triggers_the_load_dropped_are_back_as_the_migrations_made_them(
    city: tuple[Connection, SeedResult],
) -> None:
    """The bulk load drops the route, notify and rollup-insert triggers (COPY then inserts many rows at once and
    freezes ``case``): afterwards each is there again, enabled, with its definition."""
    c, _ = city
    got = dict(
        c.execute(
            text(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'O' "
                "AND tgrelid IN ('\"case\"'::regclass, 'case_event'::regclass)"
            )
        ).all()
    )
    assert 'BEFORE INSERT OR UPDATE OF geom ON public."case" FOR EACH ROW' in got["case_route"]
    assert "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT" in got["case_rollup_insert"]
    assert "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT" in got["case_event_notify"]
    assert "REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT" in got["case_event_rollup_insert"]
    assert c.execute(text("SELECT relallvisible > 0 FROM pg_class WHERE oid = '\"case\"'::regclass")).scalar()


def test_the_loaded_history_has_no_transaction_and_new_events_do_again(
    city: tuple[Connection, SeedResult],
) -> None:
    """The load leaves ``case_event.tx`` NULL (history older than any screen's snapshot, migration 0039) and puts
    its default back for the events written afterwards."""
    c, result = city
    assert c.execute(text("SELECT count(*) FROM case_event WHERE tx IS NOT NULL")).scalar_one() == 0
    default = "SELECT column_default FROM information_schema.columns WHERE table_name = 'case_event' AND column_name = 'tx'"
    assert c.execute(text(default)).scalar_one() == "pg_current_xact_id()"


def test_histories_are_legal_and_rows_match(city: tuple[Connection, SeedResult]) -> None:
    c, result = city
    cases = _cases(c)
    assert len(cases) == N == result.cases
    events = _events(c)
    assert sum(len(h) for h in events.values()) == result.events
    check_histories(cases, events, NOW)
    # ids grow with report time, tickets follow the trigger's formula
    created = [x.created_at for x in cases]
    assert created == sorted(created) and len(set(created)) == N
    for x in cases[:50]:
        assert x.ticket == f"GY{x.created_at.astimezone(TZ):%y%m%d}-{x.id}"
    # every open status appears; event ids grow with time
    assert {"reported", "dispatched", "handled", "closed", "rejected", "merged"} <= {x.status for x in cases}
    ordered = c.execute(text("SELECT at FROM case_event ORDER BY id")).scalars().all()
    assert ordered == sorted(ordered)


def test_every_case_routes_like_gy_route(city: tuple[Connection, SeedResult]) -> None:
    c, _ = city
    bad = c.execute(
        text(
            'SELECT count(*) FROM "case" x CROSS JOIN LATERAL gy_route(x.geom) r '
            "WHERE x.district_code IS DISTINCT FROM r.district_code OR x.cell_id IS DISTINCT FROM r.cell_id "
            "OR x.cell_id IS NULL OR x.district_code IS NULL"
        )
    ).scalar_one()
    assert bad == 0
    suggested_ok = c.execute(
        text(
            "SELECT bool_and(x.suggested_department_code = coalesce(r1.department_code, r0.department_code, "
            'cat.default_department_code)) FROM "case" x JOIN category cat ON cat.code = x.category_code '
            "LEFT JOIN responsibility r1 ON r1.category_code = x.category_code AND r1.district_code = x.district_code "
            "LEFT JOIN responsibility r0 ON r0.category_code = x.category_code AND r0.district_code IS NULL"
        )
    ).scalar_one()
    assert suggested_ok


def test_deadlines_equal_the_calendar(city: tuple[Connection, SeedResult]) -> None:
    c, _ = city
    cal = load_calendar(c)
    rows = c.execute(
        text(
            "SELECT e.at, e.payload->>'deadline' AS deadline, cat.time_limit, cat.time_unit, x.urgency "
            'FROM case_event e JOIN "case" x ON x.id = e.case_id JOIN category cat ON cat.code = x.category_code '
            "WHERE e.action = 'dispatch' AND x.extension_count = 0 AND x.status <> 'suspended' ORDER BY e.id LIMIT 400"
        )
    ).all()
    assert rows
    for r in rows:
        limit = float(r.time_limit) * (URGENT_FACTOR if r.urgency == "urgent" else 1)
        assert r.deadline == cal.add(r.at, limit, r.time_unit).isoformat()
    # the vectorised calendar against the original, on odd instants and amounts
    start = to_pg(NOW) - 400 * 86_400_000_000
    vc = VecCalendar(cal, *calendar_range(start, to_pg(NOW)))
    rng = np.random.default_rng(5)
    t = rng.integers(start, to_pg(NOW), 500)
    amounts = rng.choice([0.0, 0.4, 1.0, 1.6, 2.5, 3.2, 7.3, 24.0], 500)
    for unit in ("natural_hours", "working_hours", "working_days"):
        got = vc.add(t, amounts, unit)
        assert [
            to_pg(cal.add(from_pg(int(a)), float(m), unit)) for a, m in zip(t, amounts, strict=True)
        ] == list(got)
        ends = t + rng.integers(0, 20 * 86_400_000_000, 500)
        el = vc.elapsed(t, ends, unit)
        assert [
            cal.elapsed(from_pg(int(a)), from_pg(int(b)), unit) for a, b in zip(t, ends, strict=True)
        ] == list(el)


def _actor(e: Any) -> Actor:
    return Actor(
        Role(e.actor_role), user_id=e.actor_user_id, person_id=e.actor_person_id, department=e.department_code
    )


def _run_command(c: Connection, e: Any, case_id: int | None, version: int, x: Any) -> wf.CaseResult:
    a, at, note, p = _actor(e), e.at, e.note, e.payload
    match e.action:
        case "report":
            return wf.report(
                c,
                a,
                category_code=x.category_code,
                lon=x.lon,
                lat=x.lat,
                description=x.description,
                source=x.source,
                address=x.address,
                reporter_id=x.reporter_id,
                now=at,
            )
    assert case_id is not None
    args = (c, a, case_id, version)
    match e.action:
        case "file":
            return wf.file_case(*args, urgency=p["urgency"], now=at)
        case "reject":
            return wf.reject(*args, reason=note, now=at)
        case "dispatch":
            return wf.dispatch(*args, department_code=p["department"], now=at)
        case "return":
            return wf.return_case(*args, reason=note, now=at)
        case "start":
            return wf.start(*args, now=at)
        case "handle":
            return wf.handle(*args, note=note, now=at)
        case "verify_pass" | "verify_fail":
            return wf.verify(*args, passed=e.action == "verify_pass", note=note, now=at)
        case "suspend":
            return wf.suspend(*args, reason=note, now=at)
        case "resume":
            return wf.resume(*args, now=at)
        case "extend":
            return wf.extend(*args, amount=p["amount"], reason=note, now=at)
        case "escalate":
            return wf.escalate(*args, reason=note, now=at)
    raise AssertionError(e.action)


SKIP_COLUMNS = {"id", "ticket", "geom"}


def test_a_sample_replayed_through_the_workflow_commands_is_identical(
    city: tuple[Connection, SeedResult],
) -> None:
    """The strongest check: re-run sampled histories through ops.workflow and compare every column."""
    c, _ = city
    cases = {x.id: x for x in _cases(c)}
    events = _events(c)
    by_action: dict[str, list[int]] = {}
    for cid, hist in events.items():
        if cases[cid].status != "merged":
            for e in hist:
                by_action.setdefault(e.action, []).append(cid)
    rng = np.random.default_rng(3)
    sample: set[int] = set()
    for ids in by_action.values():
        sample.update(int(i) for i in rng.choice(sorted(set(ids)), min(12, len(set(ids))), replace=False))
    assert {"return", "suspend", "resume", "extend", "verify_fail", "escalate", "reject"} <= set(by_action)
    assert len(sample) > 60
    _replay_and_compare(c, cases, events, sorted(sample))


def _replay_and_compare(
    c: Connection, cases: dict[int, Any], events: dict[int, list[Any]], ids: list[int]
) -> None:
    """Re-run the histories of ``ids`` through ops.workflow and compare every event and column (rolled back)."""
    sp = c.begin_nested()  # the replayed copies must not stay for the other tests
    for cid in ids:
        x = cases[cid]
        case_id, version = None, 0
        for e in events[cid]:
            r = _run_command(c, e, case_id, version, x)
            case_id, version = r.id, r.version
            got = c.execute(text("SELECT * FROM case_event WHERE id = :i"), {"i": r.event_id}).one()
            for col in (
                "action",
                "from_status",
                "to_status",
                "actor_user_id",
                "actor_person_id",
                "actor_role",
                "department_code",
                "note",
                "at",
            ):
                assert getattr(got, col) == getattr(e, col), (cid, e.action, col)
            if e.action != "report":  # duplicate suggestions depend on the moment: checked separately
                assert got.payload == e.payload, (cid, e.action)
        assert case_id is not None
        mine = c.execute(text('SELECT * FROM "case" WHERE id = :i'), {"i": case_id}).one()._asdict()
        orig = c.execute(text('SELECT * FROM "case" WHERE id = :i'), {"i": cid}).one()._asdict()
        for col in orig:
            if col not in SKIP_COLUMNS:
                assert mine[col] == orig[col], (cid, col)
    sp.rollback()


def test_the_planted_recurring_place_replays_through_the_workflow(
    city: tuple[Connection, SeedResult],
) -> None:
    """The recurring manhole cover's plain histories (demo.city.plant) are what the workflow would write."""
    c, result = city
    (g,) = [g for g in result.planted if g.pattern == "recurring"]
    ids = (
        c.execute(
            text('SELECT id FROM "case" WHERE address = :a AND category_code = :c ORDER BY id'),
            {"a": g.address, "c": g.category},
        )
        .scalars()
        .all()
    )
    assert len(ids) == g.count
    _replay_and_compare(c, {x.id: x for x in _cases(c)}, _events(c), list(ids))


def test_duplicate_suggestions_and_merges(city: tuple[Connection, SeedResult]) -> None:
    """Each report lists the open cases of its 小类 nearby reported in the week before, as report() did then."""
    c, _ = city
    rows = c.execute(
        text(
            """
            SELECT x.id, e.payload->'duplicates' AS listed,
                   coalesce((SELECT jsonb_agg(y.id ORDER BY ST_Distance(y.geom::geography, x.geom::geography), y.id)
                     FROM (SELECT y.* FROM "case" y JOIN category cat ON cat.code = y.category_code
                            WHERE y.category_code = x.category_code AND y.id <> x.id
                              AND y.created_at >= x.created_at - interval '7 days' AND y.created_at <= x.created_at
                              AND (y.closed_at IS NULL OR y.closed_at > x.created_at)
                              AND ST_DWithin(y.geom::geography, x.geom::geography, cat.duplicate_radius_m)
                            ORDER BY ST_Distance(y.geom::geography, x.geom::geography), y.id LIMIT 5) y), '[]')
                     AS expected
              FROM "case" x JOIN case_event e ON e.case_id = x.id AND e.action = 'report'
            """
        )
    ).all()
    bad = [(r.id, r.listed, r.expected) for r in rows if r.listed != r.expected]
    assert not bad, bad[:10]
    assert sum(1 for r in rows if r.listed) > 20
    merges = c.execute(
        text(
            "SELECT x.id, x.category_code, t.category_code AS tcat, e.at, t.created_at AS tcreated, t.closed_at, "
            "e.payload, t.ticket FROM \"case\" x JOIN case_event e ON e.case_id = x.id AND e.action = 'merge' "
            'JOIN "case" t ON t.id = x.merged_into_id'
        )
    ).all()
    assert merges
    for m in merges:
        assert m.category_code == m.tcat and m.tcreated < m.at and (m.closed_at is None or m.at < m.closed_at)
        assert m.payload["into_ticket"] == m.ticket


def test_plausible_shares(city: tuple[Connection, SeedResult]) -> None:
    c, _ = city
    s = c.execute(
        text(
            "SELECT avg((status = 'rejected')::int) AS rejected, avg((status = 'merged')::int) AS merged, "
            "avg((return_count > 0)::int) AS returned, avg((rework_count > 0)::int) AS rework, "
            "avg((extension_count > 0)::int) AS extended, "
            "avg((status IN ('reported','filed','dispatched','in_progress','handled','suspended'))::int) AS open "
            'FROM "case"'
        )
    ).one()
    assert 0.03 < s.rejected < 0.09 and 0.02 < s.merged < 0.06 and 0.02 < s.returned < 0.08
    assert 0.03 < s.rework < 0.11 and 0.01 < s.extended < 0.06 and 0.005 < s.open < 0.2
    late = c.execute(
        text("SELECT avg((NOT (payload->>'on_time')::boolean)::int) FROM case_event WHERE action = 'handle'")
    ).scalar_one()
    assert 0.05 < late < 0.2
    sources = Counter(c.execute(text('SELECT source FROM "case"')).scalars())
    assert sources.most_common(1)[0][0] == "app"
    assert c.execute(
        text("SELECT bool_and(reporter_id IS NOT NULL) FROM \"case\" WHERE source = 'app'")
    ).scalar()
    hours = Counter(h.hour for h in c.execute(text('SELECT created_at FROM "case"')).scalars())
    assert hours[9] + hours[10] > 4 * (hours[2] + hours[3])
    persons = c.execute(text("SELECT count(*), avg(registered::int) FROM person WHERE demo")).one()
    assert persons[0] == 20_000 and 0.45 < persons[1] < 0.55


def _homes(c: Connection) -> str:
    return str(
        c.execute(
            text("SELECT string_agg(id || ' ' || ST_AsText(home), ',' ORDER BY id) FROM person WHERE demo")
        ).scalar_one()
    )


def test_homes_of_registered_persons_inside_the_service_area(city: tuple[Connection, SeedResult]) -> None:
    c, _ = city
    s = c.execute(
        text(
            "SELECT count(*) FILTER (WHERE registered) AS registered, count(home) AS homes, "
            "count(home) FILTER (WHERE NOT registered) AS unregistered FROM person WHERE demo"
        )
    ).one()
    assert s.unregistered == 0 and 0.45 < s.homes / s.registered < 0.55
    # inside the service area as the database routes a report: a grid district and a cell
    routed = c.execute(
        text(
            "SELECT count(*) FILTER (WHERE d.has_grid AND r.cell_id IS NOT NULL) AS inside, "
            "count(*) FILTER (WHERE d.code IN ('520102', '520103')) AS old_town "
            "FROM person p CROSS JOIN LATERAL gy_route(p.home) r LEFT JOIN district d ON d.code = r.district_code "
            "WHERE p.demo AND p.home IS NOT NULL"
        )
    ).one()
    assert routed.inside == s.homes
    # where the city lives: 南明 and 云岩 hold an eighth of the grid cells but many more of the homes
    assert routed.old_town > 0.3 * s.homes
    # a round-trip of the vectorised step: the same seed gives the same homes, another seed others
    raw = c.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    rows = c.execute(text("SELECT id, registered FROM person WHERE demo ORDER BY id")).all()
    ids = np.array([r.id for r in rows], dtype=np.int64)
    registered = np.array([r.registered for r in rows], dtype=bool)
    ref = load_reference(c)
    sampler = PointSampler(ref.cells_i, ref.cells_j, ref.cells_zone)
    homes = []
    for seed in (11, 11, 12):
        sp = c.begin_nested()
        c.execute(text("UPDATE person SET home = NULL WHERE demo"))
        assert (
            persons.ensure_homes(raw, np.random.default_rng([seed, 5]), ids, registered, sampler) == s.homes
        )
        assert persons.ensure_homes(raw, np.random.default_rng([seed, 5]), ids, registered, sampler) == 0
        homes.append(_homes(c))
        sp.rollback()
    assert homes[0] == homes[1] == _homes(c) != homes[2]


def _digest(c: Connection) -> str:
    h = hashlib.sha256()
    for table in ('"case"', "case_event"):
        for row in c.execute(text(f"SELECT t::text FROM {table} t ORDER BY id")).scalars():
            h.update(row.encode())
    return h.hexdigest()


def test_same_seed_same_rows(city: tuple[Connection, SeedResult]) -> None:
    c, _ = city
    digests = []
    for seed in (5, 5, 6):
        sp = c.begin_nested()
        seed_demo_city(c, cases=300, days=20, seed=seed, now=NOW - timedelta(days=3), replace=True)
        digests.append(_digest(c))
        sp.rollback()
    assert digests[0] == digests[1] != digests[2]


def test_simulate_steps_go_through_the_workflow(
    city: tuple[Connection, SeedResult], settings: Settings
) -> None:
    c, _ = city
    sp = c.begin_nested()
    last = c.execute(text("SELECT max(id) FROM case_event")).scalar_one()
    api = get_open311_settings()
    context = SimContext.load(
        c, Verifying(api.verification_radius_m, settings.media_path, api.max_photo_bytes)
    )
    steps = simulate_steps(c, 160, np.random.default_rng(1), context=context)
    assert sum(s.ok for s in steps) >= 120, [s for s in steps if not s.ok]
    done = {s.action for s in steps if s.ok}
    assert {"report", "file", "dispatch", "handle", "verify_pass", "citizen_pass"} <= done, done
    # every case the simulator reported handled asked the supervisors (and citizens near the public ones)
    handled = [s.case_id for s in steps if s.action == "handle"]
    asked = c.execute(
        text("SELECT DISTINCT case_id FROM verification_task WHERE person_id IS NULL AND case_id = ANY(:h)"),
        {"h": handled},
    ).scalars()
    assert set(asked) == set(handled)
    # citizens' answers earned points
    answered = [s.case_id for s in steps if s.action == "citizen_pass"]
    earned = c.execute(
        text(
            "SELECT count(DISTINCT case_id) FROM points_ledger WHERE reason = 'verification' AND case_id = ANY(:a)"
        ),
        {"a": answered},
    ).scalar_one()
    assert earned == len(set(answered))
    touched = (
        c.execute(text("SELECT DISTINCT case_id FROM case_event WHERE id > :i"), {"i": last}).scalars().all()
    )
    assert len(touched) >= 40
    events = _events(c)
    cases = [x for x in _cases(c) if x.id in set(touched)]
    check_histories(cases, {k: events[k] for k in touched}, datetime.now(TZ))
    sp.rollback()


def test_the_seeded_history_credits_the_simulator_not_a_demo_staff_member(
    city: tuple[Connection, SeedResult],
) -> None:
    """Nobody at the desk did what the seeder wrote: every staff step is the simulator's account, as live."""
    c, _ = city
    rows = c.execute(
        text(
            "SELECT u.username, count(*) AS n FROM case_event e JOIN staff_user u ON u.id = e.actor_user_id "
            "GROUP BY u.username"
        )
    ).all()
    assert {r.username for r in rows} == {SIMULATOR_USERNAME}, rows
    staff_steps = c.execute(
        text("SELECT count(*) FROM case_event WHERE actor_role IN ('dispatcher', 'lead', 'department')")
    ).scalar_one()
    assert staff_steps > 0 and sum(r.n for r in rows) == staff_steps


def test_registered_demo_persons_have_an_app_account(city: tuple[Connection, SeedResult]) -> None:
    c, _ = city
    s = c.execute(
        text(
            "SELECT count(*) FILTER (WHERE registered) AS registered, "
            "count(account_id) FILTER (WHERE registered) AS accounts, "
            "count(account_id) FILTER (WHERE NOT registered) AS strays, "
            "count(*) FILTER (WHERE account_id <> 'demo-' || substring(name FROM '[0-9]+$')) AS mismatched "
            "FROM person WHERE demo"
        )
    ).one()
    assert s.registered > 0 and s.accounts == s.registered and s.strays == 0 and s.mismatched == 0
    raw = c.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    assert persons.ensure_accounts(raw) == 0  # idempotent


def test_seed_demo_takes_far_more_cases_than_one_duplicate_pass() -> None:
    from cli.parser import MAX_CASES
    from demo.city.dupes import MAX_ROWS_ONE_PASS

    assert MAX_CASES > 100 * MAX_ROWS_ONE_PASS  # the pass works in chunks (tests/demo/test_seed_sizes.py)
