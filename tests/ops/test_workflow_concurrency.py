"""Two sessions acting on the same case at once (threads, real connections, committed data): exactly one wins,
the other gets StaleCase, and the history stays consistent.

The cases are committed, so this module works on a database of its own (``engine`` here is a private copy of
the template, dropped after the module), never the shared test database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from dashboard.settings import Settings
from db.accounts import load_identity
from db.engine import make_engine
from db.errors import StaleCase
from ops import workflow as wf
from ops.states import CaseStatus
from ops.workflow import Actor, CaseResult
from tests.support.cases import CATEGORY, MON, YUNYAN, at
from tests.support.db import as_app

S = CaseStatus


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    """The app role on this module's own database."""
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=5)
    yield eng
    eng.dispose()


@pytest.fixture
def committed() -> list[int]:
    """Ids of the cases a test committed (in this module's own database: nothing to clean up)."""
    return []


@pytest.fixture
def lead(engine: Engine) -> Actor:
    with engine.connect() as c:
        uid = c.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        ident = load_identity(c, uid)
    assert ident is not None
    return Actor.from_identity(ident)


def committed_case(engine: Engine, lead: Actor, status: CaseStatus, ids: list[int]) -> CaseResult:
    with engine.begin() as c:
        r = wf.report(
            c,
            Actor.system(),
            category_code=CATEGORY,
            lon=YUNYAN[0],
            lat=YUNYAN[1],
            description="并发测试",
            source="other",
            now=MON,
        )
        ids.append(r.id)
        r = wf.file_case(c, lead, r.id, r.version, now=at("2026-03-02", "10:30"))
        if status is S.HANDLED:
            r = wf.dispatch(c, lead, r.id, r.version, now=at("2026-03-02", "11:00"))
            r = wf.handle(c, lead, r.id, r.version, note="已处置", now=at("2026-03-02", "15:00"))
    return r


def run(
    engine: Engine,
    command: Callable[[Any], CaseResult],
    out: list[object],
    barrier: threading.Barrier,
    isolation: str = "READ COMMITTED",
) -> None:
    try:
        with engine.connect().execution_options(isolation_level=isolation) as c, c.begin():
            barrier.wait(timeout=10)
            out.append(command(c))
    except Exception as exc:  # noqa: BLE001 - collected and checked by the test
        out.append(exc)


def events(engine: Engine, case_id: int) -> list[str]:
    with engine.connect() as c:
        return [e.action for e in wf.history(c, case_id)]


@pytest.mark.parametrize("attempt", range(5))
def test_two_dispatchers_race(engine: Engine, lead: Actor, committed: list[int], attempt: int) -> None:
    case = committed_case(engine, lead, S.FILED, committed)
    barrier = threading.Barrier(2)
    out: list[object] = []
    threads = [
        threading.Thread(
            target=run,
            args=(
                engine,
                lambda c, d=dept: wf.dispatch(
                    c, lead, case.id, case.version, department_code=d, now=at("2026-03-02", "11:00")
                ),
                out,
                barrier,
            ),
        )
        for dept in ("520103-CGJ", "CGJ")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    wins = [o for o in out if isinstance(o, CaseResult)]
    stale = [o for o in out if isinstance(o, StaleCase)]
    assert len(wins) == 1 and len(stale) == 1, out
    assert events(engine, case.id) == ["report", "file", "dispatch"]
    with engine.connect() as c:
        row = wf.get_case(c, case.id)
    assert (row.version, row.department_code, row.status) == (
        case.version + 1,
        wins[0].department_code,
        "dispatched",
    )


@pytest.mark.parametrize("isolation", ["READ COMMITTED", "REPEATABLE READ"])
def test_close_and_rework_at_once_the_second_update_finds_the_version_changed(
    engine: Engine, lead: Actor, committed: list[int], isolation: str
) -> None:
    """Deterministic: A has updated (row locked, not committed); B loads the old version, passes every check and
    blocks in its compare-and-set UPDATE; A commits; B's UPDATE matches no row (READ COMMITTED) or fails to
    serialize (REPEATABLE READ) → StaleCase either way."""
    case = committed_case(engine, lead, S.HANDLED, committed)
    out: list[object] = []
    with engine.connect() as a:
        ta = a.begin()
        first = wf.verify(a, lead, case.id, case.version, passed=True, now=at("2026-03-02", "16:00"))
        b = threading.Thread(
            target=run,
            args=(
                engine,
                lambda c: wf.verify(
                    c, lead, case.id, case.version, passed=False, note="不合格", now=at("2026-03-02", "16:00")
                ),
                out,
                threading.Barrier(1),
                isolation,
            ),
        )
        b.start()
        # autocommit: pg_stat_activity is a snapshot taken once per transaction
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watch:
            for _ in range(200):
                waiting = watch.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND query LIKE 'UPDATE \"case\"%'"
                    )
                ).scalar_one()
                if waiting:
                    break
                time.sleep(0.05)
        assert waiting == 1, f"B should be blocked in its UPDATE: {out}"
        ta.commit()
    b.join(timeout=30)
    assert len(out) == 1 and isinstance(out[0], StaleCase), out
    assert case.ticket in out[0].en
    assert first.status is S.CLOSED
    assert events(engine, case.id) == ["report", "file", "dispatch", "handle", "verify_pass"]
    with engine.connect() as c:
        row = wf.get_case(c, case.id)
    assert (row.status, row.version, row.rework_count) == ("closed", case.version + 1, 0)
