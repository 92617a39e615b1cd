"""The guiyang-ops command against the real test database: clear errors, nothing written on bad input."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from cli.main import main
from dashboard.settings import Settings, get_settings
from db.engine import make_engine
from tests.support.db import as_app


@pytest.fixture
def use_test_db(private_owner_db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    """The commands on a test database of this module's own (they commit) as on an external server with two
    roles: the app's DATABASE_URL and the owner's GUIYANG_OWNER_DATABASE_URL (admin commands use the latter)."""
    db_url = as_app(settings, private_owner_db_url)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("GUIYANG_OWNER_DATABASE_URL", private_owner_db_url)
    return db_url


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    """The app role on this module's own database."""
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=2)
    yield eng
    eng.dispose()


def users(engine: Engine, name: str) -> int:
    with engine.connect() as c:
        return int(
            c.execute(text("SELECT count(*) FROM staff_user WHERE username = :u"), {"u": name}).scalar_one()
        )


def test_user_add_and_its_refusals(
    use_test_db: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(*args: str, password: str = "a-good-password") -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
        return main(["user", "add", *args, "--password-stdin"])

    assert run("cli_officer", "--role", "officer") == 2
    assert "--district" in capsys.readouterr().err
    assert run("cli_officer", "--role", "officer", "--district", "999999") == 2
    assert run("cli_officer", "--role", "officer", "--district", "520103", password="short") == 2
    assert users(engine, "cli_officer") == 0
    assert run("cli_officer", "--role", "officer", "--district", "520103") == 0
    assert users(engine, "cli_officer") == 1
    assert run("cli_officer", "--role", "dispatcher") == 2  # exists already
    assert run("cli_dept", "--role", "department", "--department", "NOPE") == 2
    assert users(engine, "cli_dept") == 0


def test_db_url_prints_the_database_in_use(use_test_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "url"]) == 0
    assert capsys.readouterr().out.strip() == use_test_db


def test_import_layer_bad_file_exits_with_a_message(use_test_db: str, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "x.geojson"
    bad.write_text("{}")
    assert main(["import-layer", "--kind", "districts", str(bad)]) == 2
    assert "图层" in capsys.readouterr().err


BURST_POINT = "26.5610,106.6930"  # 花果园, 南明区


def test_simulate_burst_files_its_reports_through_the_workflow(
    use_test_db: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    def count() -> tuple[int, int]:
        with engine.connect() as c:
            row = c.execute(
                text(
                    'SELECT count(DISTINCT x.id), count(e.id) FROM "case" x JOIN case_event e '
                    "ON e.case_id = x.id AND e.action = 'report' WHERE x.category_code = 'E0404' "
                    "AND ST_DWithin(x.geom::geography, ST_SetSRID(ST_MakePoint(106.6930, 26.5610), 4326)::geography, 151)"
                )
            ).one()
            return int(row[0]), int(row[1])

    before = count()
    args = ["simulate", "--burst", f"E0404@{BURST_POINT}", "--burst-count", "5", "--burst-minutes", "0.03"]
    assert main([*args, "--seconds", "3", "--rate", "0.5", "--seed", "4"]) == 0
    after = count()
    assert (
        after[0] - before[0] >= 5 and after[1] - before[1] == after[0] - before[0]
    )  # each with its report event
    captured = capsys.readouterr()
    assert "burst: 5 of 5 reports filed" in " ".join((captured.out + captured.err).split())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--burst", f"E9999@{BURST_POINT}"], ["E9999", "小类"]),
        (["--burst", f"E04@{BURST_POINT}"], ["E04", "category"]),
        (["--burst", "E0404@27.06,106.97"], ["服务范围", "service area"]),  # 开阳县: no grid
        (["--burst-count", "3"], ["--burst", "须"]),
    ],
)
def test_simulate_burst_refusals_are_one_line_and_write_nothing(
    use_test_db: str, engine: Engine, capsys: pytest.CaptureFixture[str], args: list[str], words: list[str]
) -> None:
    with engine.connect() as c:
        before = c.execute(text("SELECT count(*) FROM case_event")).scalar_one()
    assert main(["simulate", *args, "--seconds", "1"]) == 2
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert all(w in lines[0] for w in words) and " / " in lines[0], lines
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM case_event")).scalar_one() == before


@pytest.mark.process
def test_console_script_is_installed() -> None:
    out = subprocess.run([sys.executable, "-m", "cli", "--help"], capture_output=True, text=True, check=True)
    for sub in ("db", "migrate", "load-reference", "import-layer", "serve", "user", "setup"):
        assert sub in out.stdout


def test_secret_key_required_outside_demo_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    s: Settings = get_settings(var_dir=tmp_path, demo_mode=False, secret_key=None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        s.session_secret()
    demo = get_settings(var_dir=tmp_path, demo_mode=True, secret_key=None)
    assert demo.session_secret() == demo.session_secret()  # generated once, then kept
