"""Test harness: a real PostGIS test database built from the migrations once per session, and one
rolled-back transaction per test. Nothing is skipped: a missing database is an error, and with
GUIYANG_FAIL_ON_SKIP=1 (CI, `make test`) any skipped test fails the run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from dashboard.database import database_url, local_cluster
from dashboard.settings import Settings, get_settings
from db import migrate
from db.engine import make_engine
from db.seed.demo_public import load_demo_public
from db.seed.demo_users import ensure_demo_users
from db.seed.reference import load_reference

TEST_DB = os.environ.get("GUIYANG_TEST_DATABASE", "guiyang_ops_test")


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    media = tmp_path_factory.mktemp("media")
    return get_settings(
        database_name=TEST_DB, media_dir=media, demo_mode=True, secret_key="test-secret-" + "x" * 32
    )


@pytest.fixture(scope="session")
def db_url(settings: Settings) -> str:
    """Create the test database afresh from the migrations, with the reference and demo public data."""
    if settings.database_url:
        url = database_url(settings, dbname=TEST_DB)
        admin = make_engine(database_url(settings), pool_size=1)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)'))
            c.execute(text(f'CREATE DATABASE "{TEST_DB}"'))
        admin.dispose()
    else:
        cluster = local_cluster(settings)
        cluster.init()
        cluster.start()
        cluster.drop_database(TEST_DB)
        cluster.ensure_database(TEST_DB)
        url = cluster.url(TEST_DB)
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=1)
    with engine.begin() as conn:
        load_reference(conn)
        load_demo_public(conn, settings.media_path)
        ensure_demo_users(conn)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url, pool_size=5)
    yield eng
    eng.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        trans = connection.begin()
        try:
            yield connection
        finally:
            trans.rollback()


@pytest.fixture
def session(conn: Connection) -> Iterator[Session]:
    with Session(bind=conn, join_transaction_mode="create_savepoint") as s:
        yield s


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped and os.environ.get("GUIYANG_FAIL_ON_SKIP") == "1":
        terminalreporter.write_line(
            f"FAILED: {len(skipped)} test(s) skipped; a skipped database or browser test proves nothing.",
            red=True,
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and os.environ.get("GUIYANG_FAIL_ON_SKIP") == "1":
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
