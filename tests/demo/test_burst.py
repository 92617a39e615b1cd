"""``simulate --burst`` (demo.burst): the burst's reports go through the workflow's intake, of its 小类, near its
point, on its schedule; a bad 小类 or a point outside the service area is refused before anything is written.

Real PostGIS, one rolled-back transaction per test."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import Connection, text

from dashboard.api.open311_settings import get_open311_settings
from dashboard.settings import Settings
from db.errors import OutsideServiceArea, ValidationError
from demo.burst import RADIUS_M, Burst, BurstRun, check, file_report
from demo.simulate import SimContext, Verifying
from demo.users import ensure_simulator_account
from tests.support.cases import KAIYANG, MON

POINT = (26.5610, 106.6930)  # lat, lon: 花果园, 南明区


def _context(conn: Connection, settings: Settings) -> SimContext:
    api = get_open311_settings()
    return SimContext.load(
        conn, Verifying(api.verification_radius_m, settings.media_path, api.max_photo_bytes)
    )


def test_check_refuses_a_bad_category_or_place(conn: Connection) -> None:
    assert check(conn, Burst("E0404", *POINT)) == "道路积水"
    for code in ("E9999", "E04", "e0404"):  # unknown, a 大类, not the catalog's spelling
        with pytest.raises(ValidationError) as err:
            check(conn, Burst(code, *POINT))
        assert code in err.value.zh and code in err.value.en
    with pytest.raises(OutsideServiceArea):
        check(conn, Burst("E0404", KAIYANG[1], KAIYANG[0]))  # 开阳县: no grid
    with pytest.raises(OutsideServiceArea):
        check(conn, Burst("E0404", 39.9, 116.4))  # Beijing


def test_the_schedule_spreads_the_reports_over_the_minutes(conn: Connection, settings: Settings) -> None:
    ensure_simulator_account(conn)
    run = BurstRun.plan(
        np.random.default_rng(1),
        Burst("E0404", *POINT, count=30, minutes=10),
        "道路积水",
        _context(conn, settings),
    )
    assert len(run.offsets) == 30 and 0 <= run.offsets[0] and run.offsets[-1] <= 600
    assert list(run.offsets) == sorted(run.offsets)
    assert run.next_at() == run.offsets[0]
    taken = run.due(300.0)
    assert taken == list(range(len(taken))) and 5 < len(taken) < 25  # about half after five minutes
    assert run.due(300.0) == []  # taken once
    assert run.due(601.0) == list(range(len(taken), 30)) and run.done and run.next_at() is None


def test_a_burst_files_its_reports_through_the_workflow(conn: Connection, settings: Settings) -> None:
    sim = ensure_simulator_account(conn)
    ctx = _context(conn, settings)
    rng = np.random.default_rng(7)
    burst = Burst("E0404", *POINT, count=9, minutes=20)
    run = BurstRun.plan(rng, burst, check(conn, burst), ctx)
    before = int(conn.execute(text('SELECT coalesce(max(id), 0) FROM "case"')).scalar_one())
    for k in run.due(burst.minutes * 60):
        step = file_report(conn, ctx, rng, run, k, now=MON + timedelta(seconds=float(run.offsets[k])))
        assert step.ok and step.action == "burst_report", step
    rows = conn.execute(
        text(
            "SELECT c.id, c.category_code, c.status, c.created_at, c.district_code, "
            "ST_Distance(c.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) AS d, "
            'e.action, e.actor_user_id, e.actor_role, e.payload FROM "case" c '
            "JOIN case_event e ON e.case_id = c.id WHERE c.id > :b ORDER BY c.id"
        ),
        {"b": before, "lon": POINT[1], "lat": POINT[0]},
    ).all()
    assert len(rows) == burst.count == len({r.id for r in rows})  # one report event each, nothing more
    assert all(r.category_code == "E0404" and r.status == "reported" for r in rows)
    assert all(r.action == "report" and r.actor_user_id == sim and r.actor_role == "system" for r in rows)
    assert all(r.d <= RADIUS_M + 1 for r in rows) and {r.district_code for r in rows} == {"520102"}
    span = max(r.created_at for r in rows) - min(r.created_at for r in rows)
    assert timedelta(0) < span <= timedelta(minutes=burst.minutes)
    # the intake's own work: later reports list the earlier open ones nearby as duplicates (200 m for 积水)
    assert any(r.payload.get("duplicates") for r in rows)


@pytest.mark.as_owner  # it retires a 小类: reference data
def test_a_refused_report_is_reported_not_raised(conn: Connection, settings: Settings) -> None:
    ensure_simulator_account(conn)
    ctx = _context(conn, settings)
    rng = np.random.default_rng(3)
    # a 小类 retired after the burst was checked: the workflow refuses, the burst goes on
    run = BurstRun.plan(rng, Burst("E0404", *POINT, count=2), "道路积水", ctx)
    conn.execute(text("UPDATE category SET active = false WHERE code = 'E0404'"))
    step = file_report(conn, ctx, rng, run, 0, now=MON)
    assert not step.ok and step.case_id is None and run.results == [step]
