"""The wall soak, short: /wall open in Chromium for 3 minutes while the demo simulator (the real command, a child
process) takes 2 steps a second on the test database: no page or console error, the JS heap after a forced GC, the
DOM's nodes and its event listeners bounded from the first minute to the last, the ticker never longer than its
size, the push stream still open. ``make soak`` runs the same for an hour at 10× the demo city's rate."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from bench.soak import soak
from dashboard.settings import Settings
from db.engine import make_engine
from tests.support.app import AppServer
from tests.support.db import as_app
from tests.support.threads import off_the_loop

pytestmark = [pytest.mark.browser, pytest.mark.process, pytest.mark.timeout(420)]

SECONDS = 180
TICKER_SIZE = 10  # dashboard/callbacks/wall_live.py


@pytest.fixture(scope="module")
def soak_db_url(private_owner_db_url: str, settings: Settings) -> str:
    """A database of its own: the simulator's hundreds of cases and urgent alarms must not reach the later
    browser tests' walls and work lists."""
    return as_app(settings, private_owner_db_url)


@pytest.fixture
def soak_engine(soak_db_url: str) -> Iterator[Engine]:
    eng = make_engine(soak_db_url, pool_size=2)
    yield eng
    eng.dispose()


@pytest.fixture
def wall_server(soak_db_url: str, settings: Settings) -> Iterator[AppServer]:
    """An app of its own: its memory is this test's alone (and a loaded machine may need more than a minute)."""
    server = AppServer(soak_db_url, settings)
    server.start(180)
    yield server
    server.stop()


@pytest.fixture
def simulator(soak_db_url: str) -> Iterator[subprocess.Popen[bytes]]:
    env = {"DATABASE_URL": soak_db_url, "GUIYANG_DEMO_MODE": "1", "GUIYANG_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "simulate",
            "--rate",
            "2",
            "--seconds",
            str(SECONDS + 120),
            "--seed",
            "7",
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield proc
    proc.terminate()
    proc.wait(20)


def test_wall_for_three_minutes_under_the_simulator_keeps_heap_dom_and_listeners_bounded(
    wall_server: AppServer, soak_engine: Engine, simulator: subprocess.Popen[bytes]
) -> None:
    def count_events() -> int:
        with soak_engine.connect() as c:
            return int(c.execute(text("SELECT count(*) FROM case_event")).scalar_one())

    r = off_the_loop(  # the session's Playwright holds this thread's event loop
        soak,
        wall_server.base,
        wall_server.pid,
        seconds=SECONDS,
        interval_s=15,
        warmup_s=60,
        count_events=count_events,
    )
    print("\n" + r.table() + "\nsoak: " + r.summary())
    assert simulator.poll() is None, simulator.stderr.read() if simulator.stderr else ""
    assert r.events >= SECONDS, r.summary()  # the wall really had work: ~2 steps a second
    assert not r.page_errors, r.page_errors
    assert not r.console_errors, r.console_errors
    assert r.heap_growth < 20, r.table()  # 3 minutes are noisy: twice the hour's 10 %
    assert r.node_growth < 30, r.table()  # live pins come and go (each a few nodes)
    assert r.listener_growth < 10, r.table()
    assert all(s.ticks <= TICKER_SIZE for s in r.samples), r.table()
    assert r.samples[-1].conn.endswith("open"), r.table()
