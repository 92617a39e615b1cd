"""``guiyang-ops api-key create NAME | list | revoke ID``: the key is printed once, only its hash is kept, a
revoked key is refused by the API at once."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine, text

from cli.main import main
from tests.support.api import report


def test_api_key_command(
    api_db_url: str,
    api_engine: Engine,
    client: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", api_db_url)
    assert main(["api-key", "create", "百姓拍 测试"]) == 0
    out = capfd.readouterr().out
    key = next(line.strip() for line in out.splitlines() if line.strip().startswith("gy_"))
    with api_engine.connect() as conn:
        row = conn.execute(text("SELECT id, prefix, key_hash FROM api_key WHERE name = '百姓拍 测试'")).one()
    assert key not in row.key_hash and key.startswith(row.prefix)
    assert report(client, key).status_code == 201

    assert main(["api-key", "list"]) == 0
    listed = capfd.readouterr().out
    assert "百姓拍 测试" in listed and row.prefix in listed and key not in listed

    assert main(["api-key", "revoke", str(row.id)]) == 0
    assert "revoked" in capfd.readouterr().err
    assert report(client, key).status_code == 403
    assert main(["api-key", "revoke", "999999"]) == 2  # a clear refusal, no traceback
    assert main(["api-key", "create", " "]) == 2
