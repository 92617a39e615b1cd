"""The push hub's alarm doorbell on a real database: a committed urgent report (its alarm row's trigger notifies
``desk_alarm``) and a committed acknowledgement each ring every subscriber's alarm doorbell; a report that is rolled
back rings nothing. The cases are committed, so this module works on a database of its own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Engine, text

from dashboard.push import PushHub, Subscriber, conninfo_from_sqlalchemy
from dashboard.settings import Settings
from db.accounts import load_identity
from db.engine import make_engine
from geo.crs import TZ
from ops import workflow as wf
from ops.alarms import acknowledge, open_alarms
from ops.workflow import Actor
from tests.support.cases import YUNYAN
from tests.support.db import as_app


@pytest.fixture(scope="module")
def app_url(private_owner_db_url: str, settings: Settings) -> str:
    return as_app(settings, private_owner_db_url)


@pytest.fixture(scope="module")
def engine(app_url: str) -> Iterator[Engine]:
    eng = make_engine(app_url, pool_size=2)
    yield eng
    eng.dispose()


def _report(engine: Engine, *, commit: bool) -> int:
    with engine.connect() as c:
        tx = c.begin()
        r = wf.report(
            c, Actor.system(), category_code="E0401", lon=YUNYAN[0], lat=YUNYAN[1], description="燃气味",
            source="inspector",
        )  # fmt: skip
        (tx.commit if commit else tx.rollback)()
        return r.id


def _ack(engine: Engine, case_id: int) -> None:
    with engine.begin() as c:
        uid = c.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        lead = load_identity(c, uid)
        assert lead is not None
        (a,) = [x for x in open_alarms(c, lead, limit=500) if x.case_id == case_id]
        acknowledge(c, lead, a.id, now=datetime.now(TZ))


async def _alarm_ring(hub_sub: Subscriber) -> int:
    """Wait for rings (the case doorbell rings too) until the alarm doorbell has rung; its counter."""
    while True:
        await hub_sub.wait()
        n = hub_sub.take_alarms()
        if n is not None:
            return n


def test_alarms_ring_the_doorbell(engine: Engine, app_url: str) -> None:
    async def main() -> None:
        hub = PushHub(conninfo_from_sqlalchemy(app_url))
        sub = hub.subscribe()
        try:
            for _ in range(100):  # listening, and the first check done
                if hub.connected and hub._alarm_stamp is not None:
                    break
                await asyncio.sleep(0.05)
            assert hub.connected
            assert sub.take_alarms() is None

            await asyncio.to_thread(_report, engine, commit=False)
            await asyncio.sleep(0.5)
            assert sub.take_alarms() is None and hub.alarms == 0  # rolled back: nothing rings

            case_id = await asyncio.to_thread(_report, engine, commit=True)
            assert await asyncio.wait_for(_alarm_ring(sub), 5) == 1

            await asyncio.to_thread(_ack, engine, case_id)
            assert await asyncio.wait_for(_alarm_ring(sub), 5) == 2
        finally:
            hub.unsubscribe(sub)
            await hub.stop()

    asyncio.run(main())
