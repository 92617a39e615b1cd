"""``guiyang-ops notify run``: ``--once`` delivers what is due and prints one line; the long-running worker (a
real process) delivers a committed dispatch at once (woken by the outbox's pg_notify, not its poll) and stops
cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404 # our own command, fixed arguments
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from cli.main import main
from dashboard.settings import Settings
from db.engine import make_engine
from ops.states import CaseStatus
from tests.support.cases import new_case, staff_actors
from tests.support.db import as_app
from tests.support.notify import JsonReceiver, add_route

DEPT = "520103-CGJ"


@pytest.fixture
def app_url(private_owner_db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    url = as_app(settings, private_owner_db_url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GUIYANG_OWNER_DATABASE_URL", private_owner_db_url)
    monkeypatch.setenv("GUIYANG_BASE_URL", "https://desk.example.cn")
    return url


@pytest.fixture
def engine(app_url: str) -> Iterator[Engine]:
    eng = make_engine(app_url, pool_size=2)
    yield eng
    with eng.begin() as c:
        c.execute(text("DELETE FROM notify_outbox"))
        c.execute(text("DELETE FROM notify_route"))
    eng.dispose()


def dispatch_one(engine: Engine) -> str:
    with engine.begin() as c:
        r = new_case(c, staff_actors(c), CaseStatus.DISPATCHED)
        return str(c.execute(text('SELECT ticket FROM "case" WHERE id = :id'), {"id": r.id}).scalar_one())


def test_notify_run_once(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    with JsonReceiver() as hook:
        with engine.begin() as c:
            add_route(c, hook.url(), department=DEPT)
        ticket = dispatch_one(engine)
        assert main(["notify", "run", "--once"]) == 0
        assert capsys.readouterr().out.strip() == "notifications: 1 delivered, 0 to retry, 0 failed"
        (msg,) = hook.received
    assert msg["message"].endswith(f"https://desk.example.cn/workbench?case={ticket}")


@pytest.mark.process
def test_the_worker_delivers_at_once_and_stops_on_sigterm(
    engine: Engine, app_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "GUIYANG_NOTIFY_POLL_S": "60",
        "GUIYANG_NOTIFY_LIGHT_INTERVAL_S": "60",
        "GUIYANG_LOG_LEVEL": "INFO",
    }
    errfile = tmp_path / "err.log"
    with JsonReceiver() as hook, errfile.open("w") as errs:
        with engine.begin() as c:
            add_route(c, hook.url(), department=DEPT)
        proc = subprocess.Popen(  # nosec B603 # our own command, fixed arguments
            [sys.executable, "-m", "cli", "notify", "run"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=errs,
            text=True,
        )
        try:
            t0 = time.monotonic()
            while "listening on notify_outbox" not in errfile.read_text() and time.monotonic() - t0 < 30:
                assert proc.poll() is None, errfile.read_text()
                time.sleep(0.05)
            ticket = dispatch_one(engine)
            t0 = time.monotonic()
            while not hook.received and time.monotonic() - t0 < 30:
                time.sleep(0.02)
            took = time.monotonic() - t0
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, errfile.read_text()
    assert [m["title"].split()[0] for m in hook.received] == [f"【派遣】{ticket}"]
    assert (
        took < 15
    )  # woken by the commit's pg_notify, not the 60 s poll (typically ~50 ms; a loaded CI is slow)
    assert "1 delivered" in out and "Traceback" not in errfile.read_text()


@pytest.mark.process
def test_the_worker_survives_a_database_outage_and_stops_on_sigterm(tmp_path: Path) -> None:
    """With no database to reach, the worker logs one line per try (no traceback) and keeps trying; SIGTERM stops
    it cleanly (exit 0)."""
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql+psycopg://nobody:x@127.0.0.1:1/none?connect_timeout=1",
        "GUIYANG_NOTIFY_POLL_S": "0.5",
        "GUIYANG_LOG_LEVEL": "INFO",
    }
    errfile = tmp_path / "err.log"
    with errfile.open("w") as errs:
        proc = subprocess.Popen(  # nosec B603 # our own command, fixed arguments
            [sys.executable, "-m", "cli", "notify", "run"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=errs,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while errfile.read_text().count("database unavailable") < 2 and time.monotonic() < deadline:
                assert proc.poll() is None, errfile.read_text()
                time.sleep(0.2)
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
    err = errfile.read_text()
    assert proc.returncode == 0, err
    assert err.count("database unavailable, retrying") >= 2
    assert "Traceback" not in err + out
    assert "notification worker stopped" in out + err
