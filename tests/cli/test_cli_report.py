"""``guiyang-ops report monthly``: the PDF written for a month of a private database (the small month of
:mod:`tests.support.report_month`), recorded in the audit log as the command line's; a refused district writes
no file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from cli.main import main
from dashboard.settings import Settings
from db.engine import make_engine
from tests.support.db import as_app
from tests.support.report_month import build


@pytest.fixture(scope="module")
def app_engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=1)
    yield eng
    eng.dispose()


def test_report_monthly_pdf(
    private_owner_db_url: str,
    settings: Settings,
    app_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", as_app(settings, private_owner_db_url))
    monkeypatch.setenv("GUIYANG_OWNER_DATABASE_URL", private_owner_db_url)
    with app_engine.begin() as conn:
        build(conn)
    out = tmp_path / "june.pdf"
    assert main(["report", "monthly", "--month", "2025-06", "--district", "520103", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-") and out.stat().st_size > 10_000
    with app_engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT username, client, detail FROM audit_log WHERE kind = 'report' ORDER BY id DESC LIMIT 1"
            )
        ).one()
    assert row.username.startswith("cli:") and row.client == "cli"
    assert (row.detail["month"], row.detail["district"], row.detail["format"]) == ("2025-06", "520103", "pdf")
    nowhere = tmp_path / "nowhere.pdf"
    assert (
        main(["report", "monthly", "--month", "2025-06", "--district", "999999", "--out", str(nowhere)]) != 0
    )
    assert not nowhere.exists()
