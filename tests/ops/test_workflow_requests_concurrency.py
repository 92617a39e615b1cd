"""Two shift leads approving the same 延期 request at once (threads, real connections, committed data): exactly
one approval goes through, the other is refused cleanly, and the deadline moves once.

The cases are committed, so this module works on a database of its own (a private copy of the template)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from dashboard.settings import Settings
from db.engine import make_engine
from db.errors import InvalidTransition, StaleCase
from ops import workflow as wf
from ops.workflow import Actor, CaseResult
from tests.support.cases import CATEGORY, MON, YUNYAN, at, staff_actor
from tests.support.db import as_app


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=5)
    yield eng
    eng.dispose()


@pytest.mark.parametrize("attempt", range(3))
def test_two_leads_approve_one_request(engine: Engine, attempt: int) -> None:
    lead, cgj = staff_actor(engine, "lead"), staff_actor(engine, "cgj")
    with engine.begin() as c:
        r = wf.report(
            c, Actor.system(), category_code=CATEGORY, lon=YUNYAN[0], lat=YUNYAN[1], description="并发审批",
            source="other", now=MON,
        )  # fmt: skip
        r = wf.file_case(c, lead, r.id, r.version, now=at("2026-03-02", "10:30"))
        r = wf.dispatch(c, lead, r.id, r.version, department_code="CGJ", now=at("2026-03-02", "11:00"))
        r = wf.request_extend(
            c, cgj, r.id, r.version, amount=2, reason="等待配件", now=at("2026-03-02", "12:00")
        )
        rid = c.execute(
            text("SELECT id FROM case_request WHERE case_id = :id AND state = 'pending'"), {"id": r.id}
        ).scalar_one()
    barrier = threading.Barrier(2)
    out: list[object] = []

    def approve() -> None:
        try:
            with engine.connect() as c, c.begin():
                barrier.wait(timeout=10)
                out.append(
                    wf.approve_request(
                        c, lead, r.id, r.version, request_id=rid, now=at("2026-03-02", "13:00")
                    )
                )
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            out.append(exc)

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    wins = [o for o in out if isinstance(o, CaseResult)]
    refused = [o for o in out if isinstance(o, InvalidTransition | StaleCase)]
    assert len(wins) == 1 and len(refused) == 1, out
    with engine.connect() as c:
        actions = [e.action for e in wf.history(c, r.id)]
        row = wf.get_case(c, r.id)
        state = c.execute(text("SELECT state FROM case_request WHERE id = :id"), {"id": rid}).scalar_one()
    assert actions.count("request_approve") == 1
    assert (row.extension_count, state) == (1, "approved")
