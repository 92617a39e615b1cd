"""``guiyang-ops partner-key create|list|revoke``: a key printed once (only its hash stored), listed with its
grants (never the key), revoked at once; refusals in one line with exit 2; every change audited."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from cli.main import main
from dashboard.settings import Settings
from db.engine import make_engine
from ops.partners import check_key
from tests.support.db import as_app


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=2)
    yield eng
    eng.dispose()


def test_create_list_revoke(use_test_db: str, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "partner-key",
        "create",
        "市住建局",
        "--categories",
        "C0101,E0501",
        "--districts",
        "520102,520103",
    ]
    assert main([*argv, "--per-minute", "120"]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert key.startswith("gyp_")
    with engine.connect() as conn:
        grant = check_key(conn, key)
    assert (grant.categories, grant.districts, grant.per_minute) == (
        ("C0101", "E0501"),
        ("520102", "520103"),
        120,
    )

    assert main(["partner-key", "list", "--json"]) == 0
    listed = {k["id"]: k for k in json.loads(capsys.readouterr().out)}
    assert listed[grant.key_id]["active"] and listed[grant.key_id]["categories"] == ["C0101", "E0501"]
    assert main(["partner-key", "list"]) == 0
    table = capsys.readouterr().out
    assert "市住建局" in table and key not in table and key[:10] in table

    assert main(["partner-key", "revoke", str(grant.key_id)]) == 0
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT active FROM partner_key WHERE id = :i"), {"i": grant.key_id}).scalar()
            is False
        )
        audit = conn.execute(
            text("SELECT username, detail->>'action' FROM audit_log WHERE kind = 'partner_key' "
                 "AND (detail->>'key_id')::int = :i ORDER BY id"),
            {"i": grant.key_id},
        ).all()  # fmt: skip
    assert [tuple(r) for r in audit] == [("command line", "create"), ("command line", "revoke")]


@pytest.mark.parametrize(
    "argv",
    [
        ["partner-key", "create", "x", "--categories", "C0101", "--districts", "520103", "--per-minute", "0"],
        ["partner-key", "create", "x", "--categories", "C0101;drop", "--districts", "520103"],
        ["partner-key", "create", "x", "--districts", "520103"],
        ["partner-key", "revoke", "zero"],
    ],
)
def test_refused_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_unknown_codes_change_nothing(
    use_test_db: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM partner_key")).scalar_one()
    code = main(["partner-key", "create", "x", "--categories", "Z9999", "--districts", "520103"])
    assert code != 0 and "Z9999" in capsys.readouterr().err
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM partner_key")).scalar_one() == before
