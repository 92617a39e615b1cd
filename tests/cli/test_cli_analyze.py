"""``guiyang-ops analyze run --once [--json]`` against a test database of its own: one cycle, one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from cli.main import main
from db.engine import make_engine
from tests.support.analysis_city import burst, insert_reports, squares


def test_analyze_run_once_json_raises_the_planted_burst(
    use_test_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    eng = make_engine(use_test_db, pool_size=1)
    try:
        with eng.begin() as conn:
            quiet = squares(conn, 1, districts=("520111",))[0]
            insert_reports(conn, burst(quiet.cell_id, "E0101", 8, datetime.now(UTC) - timedelta(minutes=1)))
        assert main(["analyze", "run", "--once", "--json"]) == 0
        out = capsys.readouterr().out.strip().splitlines()
        assert len(out) == 1
        report = json.loads(out[0])
        assert report["ok"] is True
        assert report["steps"]["hourly"]["count"] == 8
        assert report["steps"]["anomaly"]["count"] >= 1
        assert list(report["steps"]) == ["hourly", "recurrence", "anomaly", "trend", "correlations"]
        with eng.connect() as conn:
            got = conn.execute(
                text(
                    "SELECT observed, area_key FROM analysis_alert WHERE kind = 'anomaly' AND category_code = 'E0101'"
                )
            ).all()
        assert [(r.observed, r.area_key) for r in got] == [(8, quiet.area_key)]
        assert main(["analyze", "run", "--once"]) == 0  # the plain line; nothing new to count
        line = capsys.readouterr().out.strip()
        assert line.startswith("analysis cycle at ") and "hourly 0" in line and "\n" not in line
    finally:
        eng.dispose()


def test_analyze_run_refuses_a_bad_interval(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "run", "--interval", "0"])
    assert exc.value.code == 2
    assert "--interval" in capsys.readouterr().err


@pytest.mark.process
def test_analyze_run_survives_a_database_outage_and_stops_on_sigterm(tmp_path: Path) -> None:
    """With no database to reach, the loop logs one line per try (no traceback) and keeps trying; SIGTERM stops
    it cleanly (exit 0)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {
        **os.environ,
        "DATABASE_URL": "postgresql+psycopg://nobody:x@127.0.0.1:1/none?connect_timeout=1",
        "GUIYANG_ANALYSIS_INTERVAL_S": "0.5",
    }
    errfile = tmp_path / "err.log"
    with errfile.open("w") as errs:
        proc = subprocess.Popen(  # nosec B603 # our own command, fixed arguments
            [sys.executable, "-m", "cli", "analyze", "run"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=errs,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while errfile.read_text().count("database unavailable") < 2 and time.monotonic() < deadline:
                assert proc.poll() is None, errfile.read_text()  # still running
                time.sleep(0.2)
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
    err = errfile.read_text()
    assert proc.returncode == 0, err
    assert err.count("database unavailable, retrying") >= 2
    assert "Traceback" not in err and "Traceback" not in out
    assert "analysis cycle stopped after 0 cycles" in out + err
