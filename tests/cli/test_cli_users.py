"""``guiyang-ops user list|deactivate|reactivate|reset-password`` (and ``add`` with the password rules) against a
test database of this module's own: the same rules and audit rows as /admin, clear refusals, nothing written on
a refusal, the one-time password printed once and good for one forced change."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from cli.main import main
from dashboard.settings import Settings
from db.accounts import authenticate, load_session_identity
from db.engine import make_engine
from tests.support.db import as_app


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=2)
    yield eng
    eng.dispose()


def add(monkeypatch: pytest.MonkeyPatch, *args: str, password: str = "cli-users-password-1") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return main(["user", "add", *args, "--password-stdin"])


def listed(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, dict[str, object]]:
    capsys.readouterr()
    assert main(["user", "list", "--json", *args]) == 0
    return {u["username"]: u for u in json.loads(capsys.readouterr().out)}


def kinds(engine: Engine, target: str) -> list[tuple[str, str | None]]:
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT kind, detail->>'by' FROM audit_log WHERE detail->>'target' = :t ORDER BY id"),
            {"t": target},
        )
        return [(r[0], r[1]) for r in rows]


def test_user_commands_keep_the_rules_and_the_audit_log(
    use_test_db: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add(monkeypatch, "cliu_weak", "--role", "dispatcher", password="1234567890") == 2
    assert "太常见" in capsys.readouterr().err
    assert add(monkeypatch, "cliu_weak", "--role", "dispatcher", password="cliu_weak2026") == 2
    assert "cliu_weak" not in listed(capsys)
    assert add(monkeypatch, "cliu_admin", "--role", "admin") == 0
    assert add(monkeypatch, "cliu_officer", "--role", "officer", "--district", "520103") == 0
    users = listed(capsys)
    assert users["cliu_officer"]["district"] == "520103" and users["cliu_officer"]["active"] is True
    assert users["cliu_officer"]["last_signin"] is None
    assert set(listed(capsys, "cliu_off")) == {"cliu_officer"}

    # the last active admin stays, and a refusal names why (in both languages), changing nothing
    others = [u for u, row in users.items() if row["role"] == "admin" and row["active"] and u != "cliu_admin"]
    for other in others:  # this module's own database: leave cliu_admin the only active admin
        assert main(["user", "deactivate", other]) == 0
    assert main(["user", "deactivate", "cliu_admin"]) == 2
    assert "最后一位启用的管理员" in capsys.readouterr().err
    assert listed(capsys)["cliu_admin"]["active"] is True
    assert main(["user", "deactivate", "nobody-here"]) == 2

    assert main(["user", "deactivate", "cliu_officer"]) == 0
    assert listed(capsys)["cliu_officer"]["active"] is False
    assert "cliu_officer" not in listed(capsys, "--active-only")
    with engine.connect() as c:
        assert authenticate(c, "cliu_officer", "cliu-users-password-1", allow_demo=False) is None
    assert main(["user", "deactivate", "cliu_officer"]) == 2  # already inactive
    assert main(["user", "reactivate", "cliu_officer"]) == 0

    capsys.readouterr()
    assert main(["user", "reset-password", "cliu_officer"]) == 0
    otp = capsys.readouterr().out.strip().splitlines()[-1]
    assert len(otp) == 19 and otp.count("-") == 3
    with engine.connect() as c:
        user = authenticate(c, "cliu_officer", otp, allow_demo=False)
        assert user is not None
        found = load_session_identity(c, user.id)
        assert found is not None and found[2] is True  # the change is forced at the next sign-in
    assert listed(capsys)["cliu_officer"]["must_change_password"] is True
    assert kinds(engine, "cliu_officer") == [
        ("user_add", "command line"),
        ("user_deactivate", "command line"),
        ("user_reactivate", "command line"),
        ("password_reset", "command line"),
    ]
    with engine.connect() as c:
        blob = c.execute(text("SELECT string_agg(detail::text, ' ') FROM audit_log")).scalar_one()
    assert otp not in blob and "cliu-users-password-1" not in blob
