"""``guiyang-ops stats rebuild-rollups`` on a private copy of the test database (it commits): a damaged rollup is
recomputed from the cases to what the triggers kept, whole or from a day on; a bad day is refused in one line."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from cli.main import main
from db.accounts import load_identity
from geo.crs import TZ
from ops import workflow as wf
from ops.workflow import Actor


def _rollup(owner: Engine) -> list[tuple[Any, ...]]:
    with owner.connect() as c:
        rows = c.execute(text("SELECT * FROM stats_daily WHERE cases > 0 OR dispatches > 0 ORDER BY 1, 2, 3"))
        return [tuple(sorted(v) if isinstance(v, list) else v for v in r) for r in rows]


def test_rebuild_restores_what_the_triggers_kept(
    use_test_db: None, owner: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    t = datetime(2025, 6, 10, 23, 30, tzinfo=TZ)
    with owner.begin() as c:
        uid = c.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        ident = load_identity(c, uid)
        assert ident is not None
        actor = Actor.from_identity(ident)
        for i in range(4):
            r = wf.report(
                c,
                Actor.system(),
                category_code="C0101",
                lon=106.7135 + i * 0.001,
                lat=26.5838,
                description=f"case {i}",
                source="inspector",
                now=t + timedelta(hours=i),
            )
            r = wf.file_case(c, actor, r.id, r.version, now=t + timedelta(hours=i, minutes=5))
            r = wf.dispatch(c, actor, r.id, r.version, now=t + timedelta(hours=i, minutes=9))
            if i % 2:
                r = wf.handle(c, actor, r.id, r.version, note="已处置", now=t + timedelta(hours=i + 1))
    kept = _rollup(owner)
    assert sum(r[3] for r in kept) == 4
    with owner.begin() as c:
        c.execute(text("UPDATE stats_daily SET cases = cases + 5, handle_s = '{}'"))
    assert _rollup(owner) != kept
    assert main(["stats", "rebuild-rollups"]) == 0
    assert "rebuilt" in capsys.readouterr().err
    assert _rollup(owner) == kept
    with owner.begin() as c:
        c.execute(text("UPDATE stats_daily SET closed = closed + 1 WHERE day >= '2025-06-11'"))
    assert main(["stats", "rebuild-rollups", "--since", "2025-06-11"]) == 0
    assert _rollup(owner) == kept


def test_a_bad_day_is_refused(use_test_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["stats", "rebuild-rollups", "--since", "2025-02-30"])
    assert exc.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
