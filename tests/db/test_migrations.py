"""Migrations: no drift between the models and the migrations; downgrade to base and upgrade again works."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from dashboard.settings import Settings
from db import migrate
from db.engine import make_engine
from db.migrations.env_helpers import include_object
from db.models import Base
from tests.support.db import admin_exec, admin_url, owner_clause, prepare_database


def test_no_drift(engine: Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


@pytest.fixture
def scratch_url(owner_engine: Engine, settings: Settings) -> Iterator[str]:
    """An empty database of the owner role's (PostGIS added by the superuser in the local cluster)."""
    name = f"{owner_engine.url.database}_scratch"
    admin = admin_url(settings)
    admin_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_exec(admin, f'CREATE DATABASE "{name}"{owner_clause(settings)}')
    prepare_database(settings, name)
    url = make_url(owner_engine.url.render_as_string(hide_password=False)).set(database=name)
    yield url.render_as_string(hide_password=False)
    admin_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_downgrade_to_base_and_upgrade_again(scratch_url: str) -> None:
    migrate.upgrade(scratch_url)
    migrate.downgrade(scratch_url, "base")
    eng = make_engine(scratch_url, pool_size=1)
    with eng.connect() as conn:
        tables = set(inspect(conn).get_table_names()) - {"spatial_ref_sys", "alembic_version"}
        functions = conn.execute(text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'gy\\_%'")).scalar()
    assert tables == set()
    assert functions == 0
    migrate.upgrade(scratch_url)
    with eng.connect() as conn:
        assert "case_event" in inspect(conn).get_table_names()
        assert migrate.current(scratch_url) is not None
    eng.dispose()
