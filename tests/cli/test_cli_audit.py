"""``guiyang-ops audit list|purge`` on a private copy of the test database (the purge commits): the list as JSON
lines filtered by kind and person; the purge counting first (``--dry-run``), then deleting only the rows older
than the retention as the owner role and recording it; a retention under 183 days refused in one line, exit 2."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, text

from cli.main import main


def _add(owner: Engine, kind: str, days: int, name: str, client: str | None = None) -> int:
    with owner.begin() as conn:
        return int(
            conn.execute(
                text(
                    "INSERT INTO audit_log (at, kind, username, client) "
                    "VALUES (now() - make_interval(days => :d), :k, :u, :c) RETURNING id"
                ),
                {"d": days, "k": kind, "u": name, "c": client},
            ).scalar_one()
        )


def test_list_and_purge(use_test_db: None, owner: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    old = _add(owner, "signin_ok", 400, "cli-audit-old")
    recent = _add(owner, "signin_failed", 1, "cli-audit-new", "198.51.100.4")
    assert main(["audit", "list", "--kind", "signin_failed", "--user", "cli-audit-new", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(x["kind"], x["user"], x["client"], x["label"]) for x in lines] == [
        ("signin_failed", "cli-audit-new", "198.51.100.4", "登录失败")
    ]
    assert main(["audit", "purge", "--dry-run"]) == 0
    assert "1 " in capsys.readouterr().err
    with owner.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM audit_log WHERE id = :i"), {"i": old}).scalar_one() == 1
        )
    assert main(["audit", "purge"]) == 0
    with owner.connect() as conn:
        left = {
            r[0]
            for r in conn.execute(
                text("SELECT id FROM audit_log WHERE id IN (:a, :b)"), {"a": old, "b": recent}
            )
        }
        purge = conn.execute(text("SELECT username, detail FROM audit_log WHERE kind = 'audit_purge'")).one()
    assert left == {recent}
    assert (
        purge.username == "guiyang-ops"
        and purge.detail["rows"] == 1
        and purge.detail["by_kind"] == {"signin_ok": 1}
    )


def test_a_short_retention_is_refused(
    use_test_db: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUIYANG_AUDIT_KEEP_DAYS", "90")
    assert main(["audit", "purge"]) == 2
    err = capsys.readouterr().err
    assert "audit_keep_days" in err and len(err.strip().splitlines()) == 1


def test_unknown_kind_is_refused(use_test_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "list", "--kind", "nonsense"]) == 2
    assert "nonsense" in capsys.readouterr().err
