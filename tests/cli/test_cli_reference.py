"""``guiyang-ops reference ...``: a time limit changed from tomorrow through the command (as the owner, audited as
``cli``), a refusal in one line with exit 2 that writes nothing, and ``apply``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from cli.main import main
from dashboard.settings import Settings
from db.engine import make_engine
from ops.reference import today_in_beijing
from tests.support.db import as_app


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=2)
    yield eng
    eng.dispose()


def _rows(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            int(conn.execute(text("SELECT count(*) FROM category_rule")).scalar_one()),
            int(
                conn.execute(
                    text("SELECT count(*) FROM audit_log WHERE kind = 'reference_edit'")
                ).scalar_one()
            ),
        )


def test_time_limit_refusal_and_apply(
    use_test_db: None, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    today = today_in_beijing()
    before = _rows(engine)
    yesterday = (today - timedelta(days=1)).isoformat()
    assert main(["reference", "time-limit", "C0101", "6", "working_hours", "--from", yesterday]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "早于今天" in err
    assert _rows(engine) == before
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert main(["reference", "time-limit", "C0101", "6", "working_hours", "--from", tomorrow]) == 0
    assert (
        f"in force from {tomorrow}" in capsys.readouterr().err
    )  # the status line, as notify route prints it
    assert _rows(engine) == (before[0] + 2, before[1] + 1)  # the baseline and the change; one audit row
    with engine.connect() as conn:
        who, detail = conn.execute(
            text(
                "SELECT username, detail FROM audit_log WHERE kind = 'reference_edit' ORDER BY id DESC LIMIT 1"
            )
        ).one()
        limit = conn.execute(text("SELECT time_limit FROM category WHERE code = 'C0101'")).scalar_one()
    assert who == "cli" and detail["after"] == {"time_limit": 6.0} and float(limit) == 4
    assert main(["reference", "apply"]) == 0
