"""``guiyang-ops db partitions status|ensure|retain`` on a private copy of the test database (it commits): months
made and listed, old empty months archived and dropped, a reversed range refused in one line; ``db url`` still
reaches the ``db`` command's own handler."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from dashboard.settings import Settings
from tests.support.db import as_app


@pytest.fixture
def use_test_db(
    private_owner_db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Path:
    monkeypatch.setenv("DATABASE_URL", as_app(settings, private_owner_db_url))
    monkeypatch.setenv("GUIYANG_OWNER_DATABASE_URL", private_owner_db_url)
    monkeypatch.setenv("GUIYANG_HISTORY_ARCHIVE_DIR", str(tmp_path))
    return tmp_path


def test_ensure_status_retain(use_test_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "partitions", "ensure", "--from", "2018-01-05", "--to", "2018-02-01"]) == 0
    assert "8 " in capsys.readouterr().err  # two months of four tables
    assert main(["db", "partitions", "status", "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["case_event"]["first"] == "2018-01-01" and st["audit_log"]["default_rows"] is not None
    assert main(["db", "partitions", "retain", "--keep-months", "24"]) == 0
    assert (use_test_db / "case_event_p201801.csv.gz").exists()
    assert (use_test_db / "audit_log_p201802.csv.gz").exists()
    assert (use_test_db / "points_ledger_p201801.csv.gz").exists()
    assert (use_test_db / "notify_outbox_p201802.csv.gz").exists()
    assert main(["db", "partitions", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["case_event"]["first"] != "2018-01-01"
    assert main(["db", "partitions", "ensure", "--from", "2018-03-01", "--to", "2018-01-01"]) == 2
    assert "--to" in capsys.readouterr().err
    assert main(["db", "url"]) == 0
    assert "postgresql" in capsys.readouterr().out


def test_retain_every_refuses_a_bad_period_and_keeps_everything_by_default(
    use_test_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for bad in ("0", "-3", "abc"):
        with pytest.raises(SystemExit) as refused:
            main(["db", "partitions", "retain", "--every", bad])
        assert refused.value.code == 2
        assert "--every" in capsys.readouterr().err
    assert main(["db", "partitions", "retain", "--every", "24"]) == 0  # GUIYANG_HISTORY_KEEP_MONTHS = 0
    assert "keeping every month" in capsys.readouterr().err
