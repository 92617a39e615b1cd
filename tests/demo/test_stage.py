"""A big seed's history built beside (demo/city/stage.py), on a database of its own (the seed commits): the same
rows, keys, indexes, constraints and triggers, month by month, as the seed in one session; a failure in either
session leaves the database as it was, with no stage behind; a stage left by a killed seed goes with the next."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Engine, text

import demo.city as city
from db.engine import make_engine
from demo.city import load, seed_demo_city, stage
from demo.city.stage import Stage
from geo.crs import TZ

NOW = datetime(2026, 3, 16, 15, 30, 12, tzinfo=TZ)
N = 1500
DAYS = 75

#: every partition of case_event with its constraints, indexes (attached to the parent's or not) and triggers
CATALOG = text(
    """
    SELECT c.relname, 'constraint', k.conname, pg_get_constraintdef(k.oid), k.convalidated::text, k.coninhcount::text
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_constraint k ON k.conrelid = c.oid
     WHERE i.inhparent = 'case_event'::regclass
    UNION ALL
    SELECT c.relname, 'index', x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid), x.indisvalid::text,
           (SELECT count(*) FROM pg_inherits h WHERE h.inhrelid = x.indexrelid)::text
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_index x ON x.indrelid = c.oid
     WHERE i.inhparent = 'case_event'::regclass
    UNION ALL
    SELECT c.relname, 'trigger', t.tgname, pg_get_triggerdef(t.oid), t.tgenabled::text, (t.tgparentid <> 0)::text
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_trigger t ON t.tgrelid = c.oid
     WHERE i.inhparent = 'case_event'::regclass AND NOT t.tgisinternal
    UNION ALL
    SELECT 'case_event', 'index', x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid), '', ''
      FROM pg_index x WHERE x.indrelid = 'case_event'::regclass
    UNION ALL
    SELECT 'case_event', 'constraint', k.conname, pg_get_constraintdef(k.oid), k.convalidated::text, ''
      FROM pg_constraint k WHERE k.conrelid = 'case_event'::regclass
    ORDER BY 1, 2, 3
    """
)
STAGES = text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'seed\\_stage\\_%'")


@pytest.fixture(scope="module")
def owner(private_owner_db_url: str) -> Iterator[Engine]:
    eng = make_engine(private_owner_db_url, pool_size=2)
    yield eng
    eng.dispose()


@pytest.fixture
def beside(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every seed builds beside (whatever its size); returns the stage schemas that finished."""
    finished: list[str] = []
    finish = Stage.finish

    def spy(self: Stage) -> None:
        finish(self)
        finished.append(self.schema)

    monkeypatch.setattr(stage, "MIN_CASES", 1)
    monkeypatch.setattr(Stage, "finish", spy)
    return finished


def _seed(engine: Engine, seed: int = 3) -> None:
    with engine.connect() as c:
        seed_demo_city(c, cases=N, days=DAYS, seed=seed, now=NOW, replace=True)
        c.commit()


def _state(engine: Engine) -> tuple[str, list[tuple[str, ...]], int]:
    h = hashlib.sha256()
    with engine.connect() as c:
        for table in ('"case"', "case_event"):
            for row in c.execute(text(f"SELECT t::text FROM {table} t ORDER BY id")).scalars():  # nosec B608
                h.update(row.encode())
        catalog = [tuple(r) for r in c.execute(CATALOG)]
        stages = int(c.execute(STAGES).scalar_one())
    return h.hexdigest(), catalog, stages


def test_built_beside_equals_the_seed_in_one_session(
    owner: Engine, beside: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stage, "MIN_CASES", N + 1)
    _seed(owner)
    one_session = _state(owner)
    monkeypatch.setattr(stage, "MIN_CASES", N)
    _seed(owner)
    built_beside = _state(owner)
    assert len(beside) == 1  # the second seed's history was built beside, the first's was not
    assert built_beside[0] == one_session[0]  # the same rows
    assert built_beside[1] == one_session[1]  # each month's keys, indexes (all attached) and triggers
    assert built_beside[2] == one_session[2] == 0  # no stage schema left
    indexes = [r for r in built_beside[1] if r[1] == "index" and r[0] != "case_event"]
    assert indexes and all(r[4] == "true" and r[5] == "1" for r in indexes)


@pytest.mark.parametrize("where", ["beside", "here while beside works", "after the swap"])
def test_a_failure_leaves_the_database_as_it_was(
    owner: Engine, beside: list[str], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A failure in the second session (its months committed in the stage), one in the seed's session while the
    second one works (it stops), and one after the seed's transaction moved the months into public and attached
    them: each rolls back to the city that was there, with no stage left."""
    before = _state(owner)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    if where == "beside":
        build = Stage._build

        def broken(self: Stage, *args: object) -> None:
            build(self, *args)  # type: ignore[arg-type]
            raise RuntimeError("boom")

        monkeypatch.setattr(Stage, "_build", broken)
    elif where == "here while beside works":
        monkeypatch.setattr(city, "_copy_cases", boom)
    else:
        monkeypatch.setattr(load, "verify_load", boom)
    with pytest.raises(RuntimeError, match="boom"):
        _seed(owner, seed=4)
    assert _state(owner) == before
    assert before[2] == 0 and len(beside) == (1 if where == "after the swap" else 0)


def test_a_stage_left_by_a_killed_seed_goes_with_the_next(owner: Engine, beside: list[str]) -> None:
    with owner.connect() as c:
        c.execute(text("CREATE SCHEMA seed_stage_999999"))  # no session has that pid
        c.execute(text("CREATE TABLE seed_stage_999999.case_event (id bigint)"))
        c.commit()
    _seed(owner)
    assert _state(owner)[2] == 0 and len(beside) == 1
